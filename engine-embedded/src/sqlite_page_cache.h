#pragma once

// SQLite's own page cache behind a thin layer that makes its truncate cheap
// (SQLITE_CONFIG_PCACHE2).
//
// After every write transaction SQLite truncates its page cache to the database size. Its default
// cache (pcache1) does that cheaply only when no page number far past the end was ever cached:
// otherwise it walks every page it holds. B-tree balancing renumbers a page to the lock-byte page
// (page 262,145 at 4 KiB pages) for a moment whenever it reorders split pages, so in practice the
// walk happened after most of flowd's commits: 16,384 pages at the writer's 64 MiB cache, about a
// tenth of flowd's CPU at 5,000 messages/s. The layer remembers every page number cached past the
// size of the last truncate (a handful: the pages a transaction appends, and that lock-byte page)
// and, when the database did not shrink, drops exactly those past the new end instead.
//
// Process-wide: it must be installed before SQLite is first used in the process, and is then
// used by every connection. install() returns false when that moment has passed (something
// opened a database first); SQLite's own cache then serves unchanged.

#include <cstdint>

namespace flowdeck::engine::sqlite {

// Installs the layer once; later calls return the first call's result. With the environment
// variable FLOWDECK_SQLITE_PAGE_CACHE=default it is not installed (to compare, or to rule it out).
bool installPageCache();

// Whether the layer serves this process's connections.
bool pageCacheInstalled();

// Truncates so far: those the layer did by dropping the pages it remembered, and those it left
// to SQLite's cache (the database shrank, or a transaction appended too many pages).
struct PageCacheStats {
    uint64_t exactTruncates = 0;
    uint64_t innerTruncates = 0;
};
PageCacheStats pageCacheStats();

} // namespace flowdeck::engine::sqlite
