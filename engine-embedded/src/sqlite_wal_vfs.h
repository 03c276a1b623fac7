#pragma once

// A VFS that wraps SQLite's default one and turns the many small writes of a WAL commit into a
// few large ones.
//
// SQLite appends a commit to the WAL as two write() calls per page (the 24-byte frame header,
// then the page). A group commit of a few hundred messages dirties a few hundred pages, and on
// the VMs Flowdeck runs on a system call costs more than copying the page: the writer spent a
// third of its time entering and leaving pwrite(). This VFS buffers consecutive WAL writes and
// writes them out when the commit frame (the frame header whose "database size after commit"
// field is set) is complete, so the data is in the file before SQLite publishes the commit in
// the WAL index, exactly as without the buffer: durability and what other connections see are
// unchanged. Anything else on the WAL file (a read, sync, truncate, size query, file control, a
// write that does not follow on) writes the buffer out first.
//
// Only the WAL is buffered; the database and -shm files pass straight through.
namespace flowdeck::engine::sqlite {

// The VFS's name for sqlite3_open_v2(), registering it (not as the default) on first use. Null
// when it cannot be registered: callers then use the default VFS.
const char* coalescingWalVfs();

} // namespace flowdeck::engine::sqlite
