#include "sqlite_wal_vfs.h"

#include "sqlite_page_cache.h"

#include <sqlite3.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <new>
#include <vector>

namespace flowdeck::engine::sqlite {

namespace {

// WAL file format (https://www.sqlite.org/fileformat.html#the_write_ahead_log): a 32-byte header
// holding the page size at bytes 8-11, then frames of a 24-byte header and one page. A frame
// header's bytes 4-7 hold the database size after the commit for a commit frame, zero otherwise.
constexpr int64_t kWalHeaderBytes = 32;
constexpr int64_t kFrameHeaderBytes = 24;
// A transaction bigger than this (a migration, a huge context) is written out in pieces.
constexpr size_t kMaxBuffered = size_t(4) << 20;
// SQLite's unix VFS writes at most 128 KiB - 1 per call and fails on a multiple of 128 KiB.
constexpr size_t kMaxWrite = size_t(64) << 10;

uint32_t bigEndian32(const unsigned char* p) {
    return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | uint32_t(p[3]);
}

bool validPageSize(uint32_t size) {
    return size >= 512 && size <= 65536 && (size & (size - 1)) == 0;
}

// The WAL's pending bytes: one contiguous run starting at `offset`.
struct WalBuffer {
    std::vector<char> bytes;
    int64_t offset = 0;
    int64_t commitEnd = 0; // where the commit frame being written ends; 0 = none
    uint32_t pageSize = 0; // 0 = not known yet
};

// Our file object; the wrapped VFS's own file object follows it in the same allocation.
struct File {
    sqlite3_file base;
    sqlite3_file* real;
    WalBuffer* wal; // null for every file but a WAL
};

static_assert(sizeof(File) % 8 == 0, "the wrapped file object needs 8-byte alignment");

sqlite3_vfs* s_wrapped = nullptr;
sqlite3_vfs s_vfs;
const char* const kName = "flowdeck-wal-coalescing";

File* self(sqlite3_file* file) {
    return reinterpret_cast<File*>(file);
}

const sqlite3_io_methods& real(File* f) {
    return *f->real->pMethods;
}

int flush(File* f) {
    WalBuffer* wal = f->wal;
    if (!wal || wal->bytes.empty()) {
        return SQLITE_OK;
    }
    int rc = SQLITE_OK;
    for (size_t done = 0; done < wal->bytes.size() && rc == SQLITE_OK; done += kMaxWrite) {
        const size_t n = std::min(wal->bytes.size() - done, kMaxWrite);
        rc = real(f).xWrite(f->real, wal->bytes.data() + done, static_cast<int>(n),
                            wal->offset + static_cast<int64_t>(done));
    }
    // After a failure the transaction fails too; SQLite rewrites those frames if it retries.
    wal->bytes.clear();
    return rc;
}

// The page size from the WAL header, read from the file when this connection did not write it.
bool knowPageSize(File* f) {
    WalBuffer& wal = *f->wal;
    if (wal.pageSize == 0 && flush(f) == SQLITE_OK) {
        unsigned char header[kWalHeaderBytes];
        if (real(f).xRead(f->real, header, sizeof header, 0) == SQLITE_OK) {
            const uint32_t size = bigEndian32(header + 8);
            wal.pageSize = validPageSize(size) ? size : 0;
        }
    }
    return wal.pageSize != 0;
}

// Remembers where a commit frame starting in this write ends.
void noteCommitFrame(WalBuffer& wal, const unsigned char* data, int amount, int64_t offset) {
    const int64_t frame = kFrameHeaderBytes + wal.pageSize;
    const bool frameStart = offset >= kWalHeaderBytes && (offset - kWalHeaderBytes) % frame == 0;
    if (frameStart && amount >= kFrameHeaderBytes && bigEndian32(data + 4) != 0) {
        wal.commitEnd = offset + frame;
    }
}

int walWrite(File* f, const void* data, int amount, int64_t offset) {
    WalBuffer& wal = *f->wal;
    const auto* bytes = static_cast<const unsigned char*>(data);
    if (offset == 0 && amount >= kWalHeaderBytes) {
        const uint32_t size = bigEndian32(bytes + 8); // a new WAL header
        wal.pageSize = validPageSize(size) ? size : 0;
    }
    const int64_t end = wal.offset + static_cast<int64_t>(wal.bytes.size());
    if (!wal.bytes.empty() && offset != end) {
        const int rc = flush(f);
        if (rc != SQLITE_OK) {
            return rc;
        }
    }
    if (!knowPageSize(f)) {
        return real(f).xWrite(f->real, data, amount, offset);
    }
    if (wal.bytes.empty()) {
        wal.offset = offset;
    }
    noteCommitFrame(wal, bytes, amount, offset);
    const auto* chars = static_cast<const char*>(data); // same type as the buffer: a memcpy
    wal.bytes.insert(wal.bytes.end(), chars, chars + amount);
    // The commit frame's end is kept across a flush for size, which may split that frame.
    if (wal.commitEnd != 0 && offset + amount >= wal.commitEnd) {
        wal.commitEnd = 0;
        return flush(f);
    }
    return wal.bytes.size() >= kMaxBuffered ? flush(f) : SQLITE_OK;
}

int xClose(sqlite3_file* file) {
    File* f = self(file);
    flush(f);
    const int rc = real(f).xClose(f->real);
    delete f->wal;
    f->wal = nullptr;
    return rc;
}

int xRead(sqlite3_file* file, void* data, int amount, sqlite3_int64 offset) {
    File* f = self(file);
    const int rc = flush(f);
    return rc != SQLITE_OK ? rc : real(f).xRead(f->real, data, amount, offset);
}

int xWrite(sqlite3_file* file, const void* data, int amount, sqlite3_int64 offset) {
    File* f = self(file);
    return f->wal ? walWrite(f, data, amount, offset)
                  : real(f).xWrite(f->real, data, amount, offset);
}

int xTruncate(sqlite3_file* file, sqlite3_int64 size) {
    File* f = self(file);
    const int rc = flush(f);
    return rc != SQLITE_OK ? rc : real(f).xTruncate(f->real, size);
}

int xSync(sqlite3_file* file, int flags) {
    File* f = self(file);
    const int rc = flush(f);
    return rc != SQLITE_OK ? rc : real(f).xSync(f->real, flags);
}

int xFileSize(sqlite3_file* file, sqlite3_int64* size) {
    File* f = self(file);
    const int rc = flush(f);
    return rc != SQLITE_OK ? rc : real(f).xFileSize(f->real, size);
}

int xFileControl(sqlite3_file* file, int op, void* arg) {
    File* f = self(file);
    const int rc = flush(f);
    return rc != SQLITE_OK ? rc : real(f).xFileControl(f->real, op, arg);
}

int xLock(sqlite3_file* file, int level) {
    return real(self(file)).xLock(self(file)->real, level);
}

int xUnlock(sqlite3_file* file, int level) {
    return real(self(file)).xUnlock(self(file)->real, level);
}

int xCheckReservedLock(sqlite3_file* file, int* out) {
    return real(self(file)).xCheckReservedLock(self(file)->real, out);
}

int xSectorSize(sqlite3_file* file) {
    return real(self(file)).xSectorSize(self(file)->real);
}

int xDeviceCharacteristics(sqlite3_file* file) {
    return real(self(file)).xDeviceCharacteristics(self(file)->real);
}

int xShmMap(sqlite3_file* file, int region, int size, int extend, void volatile** out) {
    return real(self(file)).xShmMap(self(file)->real, region, size, extend, out);
}

int xShmLock(sqlite3_file* file, int offset, int n, int flags) {
    return real(self(file)).xShmLock(self(file)->real, offset, n, flags);
}

void xShmBarrier(sqlite3_file* file) {
    real(self(file)).xShmBarrier(self(file)->real);
}

int xShmUnmap(sqlite3_file* file, int deleteFlag) {
    return real(self(file)).xShmUnmap(self(file)->real, deleteFlag);
}

int xFetch(sqlite3_file* file, sqlite3_int64 offset, int amount, void** out) {
    File* f = self(file);
    const int rc = flush(f);
    return rc != SQLITE_OK ? rc : real(f).xFetch(f->real, offset, amount, out);
}

int xUnfetch(sqlite3_file* file, sqlite3_int64 offset, void* page) {
    return real(self(file)).xUnfetch(self(file)->real, offset, page);
}

const sqlite3_io_methods s_methods = {
    3,
    xClose,
    xRead,
    xWrite,
    xTruncate,
    xSync,
    xFileSize,
    xLock,
    xUnlock,
    xCheckReservedLock,
    xFileControl,
    xSectorSize,
    xDeviceCharacteristics,
    xShmMap,
    xShmLock,
    xShmBarrier,
    xShmUnmap,
    xFetch,
    xUnfetch,
};

int xOpen(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* file, int flags, int* outFlags) {
    File* f = self(file);
    f->base.pMethods = nullptr; // SQLite calls xClose only when this is set
    f->real = reinterpret_cast<sqlite3_file*>(f + 1);
    f->wal = nullptr;
    const int rc = s_wrapped->xOpen(s_wrapped, name, f->real, flags, outFlags);
    if (rc != SQLITE_OK) {
        if (f->real->pMethods) {
            f->real->pMethods->xClose(f->real);
        }
        return rc;
    }
    // Every method is forwarded, so the wrapped file must have them all (unix and Windows do).
    if (f->real->pMethods->iVersion < 3) {
        f->real->pMethods->xClose(f->real);
        return SQLITE_CANTOPEN;
    }
    if (flags & SQLITE_OPEN_WAL) {
        f->wal = new (std::nothrow) WalBuffer;
    }
    f->base.pMethods = &s_methods;
    return SQLITE_OK;
}

bool registerVfs() {
    s_wrapped = sqlite3_vfs_find(nullptr);
    if (!s_wrapped) {
        return false;
    }
    s_vfs = *s_wrapped;
    s_vfs.pNext = nullptr;
    s_vfs.zName = kName;
    s_vfs.szOsFile = static_cast<int>(sizeof(File)) + s_wrapped->szOsFile;
    s_vfs.xOpen = xOpen;
    return sqlite3_vfs_register(&s_vfs, 0) == SQLITE_OK;
}

} // namespace

const char* coalescingWalVfs() {
    static std::once_flag once;
    static bool registered = false;
    // Registering initialises SQLite, after which its page cache can no longer be replaced.
    installPageCache();
    std::call_once(once, [] { registered = registerVfs(); });
    return registered ? kName : nullptr;
}

} // namespace flowdeck::engine::sqlite
