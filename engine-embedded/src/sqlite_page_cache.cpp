#include "sqlite_page_cache.h"

#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <mutex>
#include <new>
#include <string_view>
#include <vector>

namespace flowdeck::engine::sqlite {

namespace {

// SQLite's default cache, whose methods the layer calls.
sqlite3_pcache_methods2 g_inner{};
std::atomic<bool> g_installed{false};
std::atomic<uint64_t> g_exactTruncates{0};
std::atomic<uint64_t> g_innerTruncates{0};

// Past this many remembered page numbers (a transaction that appends hundreds of pages, or a
// connection's first reads, before any truncate has set a limit) the next truncate is left to
// the inner cache, as without the layer. Small, because remember() searches them one by one.
constexpr size_t kMaxTracked = 512;

// One per connection's cache. SQLite calls a cache's methods from one thread at a time (under
// its connection's mutex, or from the one thread that uses a NOMUTEX connection).
struct Cache {
    sqlite3_pcache* inner = nullptr;
    // Every page number the cache may hold past `limit` is in `past` (a page the inner cache
    // evicted on its own may linger there: dropping it again finds nothing).
    unsigned limit = 0;
    std::vector<unsigned> past;
    bool overflowed = false;

    void remember(unsigned key) {
        if (key <= limit || overflowed) {
            return;
        }
        if (std::find(past.begin(), past.end(), key) != past.end()) {
            return;
        }
        if (past.size() >= kMaxTracked) {
            overflowed = true;
            past.clear();
            return;
        }
        past.push_back(key);
    }

    void forget(unsigned key) {
        const auto it = std::find(past.begin(), past.end(), key);
        if (it != past.end()) {
            *it = past.back();
            past.pop_back();
        }
    }
};

Cache* cast(sqlite3_pcache* p) {
    return reinterpret_cast<Cache*>(p);
}

int xInit(void*) {
    return g_inner.xInit ? g_inner.xInit(g_inner.pArg) : SQLITE_OK;
}

void xShutdown(void*) {
    if (g_inner.xShutdown) {
        g_inner.xShutdown(g_inner.pArg);
    }
}

sqlite3_pcache* xCreate(int szPage, int szExtra, int bPurgeable) {
    auto* cache = new (std::nothrow) Cache();
    if (cache == nullptr) {
        return nullptr;
    }
    cache->inner = g_inner.xCreate(szPage, szExtra, bPurgeable);
    if (cache->inner == nullptr) {
        delete cache;
        return nullptr;
    }
    return reinterpret_cast<sqlite3_pcache*>(cache);
}

void xCachesize(sqlite3_pcache* p, int size) {
    g_inner.xCachesize(cast(p)->inner, size);
}

int xPagecount(sqlite3_pcache* p) {
    return g_inner.xPagecount(cast(p)->inner);
}

sqlite3_pcache_page* xFetch(sqlite3_pcache* p, unsigned key, int createFlag) {
    Cache* cache = cast(p);
    sqlite3_pcache_page* page = g_inner.xFetch(cache->inner, key, createFlag);
    if (page != nullptr) {
        cache->remember(key);
    }
    return page;
}

void xUnpin(sqlite3_pcache* p, sqlite3_pcache_page* page, int discard) {
    g_inner.xUnpin(cast(p)->inner, page, discard);
}

void xRekey(sqlite3_pcache* p, sqlite3_pcache_page* page, unsigned oldKey, unsigned newKey) {
    Cache* cache = cast(p);
    g_inner.xRekey(cache->inner, page, oldKey, newKey);
    if (oldKey > cache->limit) {
        cache->forget(oldKey);
    }
    cache->remember(newKey);
}

void xTruncate(sqlite3_pcache* p, unsigned iLimit) {
    Cache* cache = cast(p);
    if (iLimit <= cache->limit || cache->overflowed) {
        // The database shrank (or too much to remember): pages anywhere past the new end may be
        // cached, and only the inner cache knows them all.
        g_inner.xTruncate(cache->inner, iLimit);
        g_innerTruncates.fetch_add(1, std::memory_order_relaxed);
    } else {
        // Every cached page numbered iLimit or more is remembered: drop exactly those.
        for (const unsigned key : cache->past) {
            if (key >= iLimit) {
                if (sqlite3_pcache_page* page = g_inner.xFetch(cache->inner, key, 0)) {
                    g_inner.xUnpin(cache->inner, page, 1);
                }
            }
        }
        g_exactTruncates.fetch_add(1, std::memory_order_relaxed);
    }
    cache->limit = iLimit - 1;
    cache->past.clear();
    cache->overflowed = false;
}

void xDestroy(sqlite3_pcache* p) {
    Cache* cache = cast(p);
    g_inner.xDestroy(cache->inner);
    delete cache;
}

void xShrink(sqlite3_pcache* p) {
    g_inner.xShrink(cast(p)->inner);
}

bool install() {
    if (const char* choice = std::getenv("FLOWDECK_SQLITE_PAGE_CACHE");
        choice != nullptr && std::string_view(choice) == "default") {
        return false;
    }
    if (sqlite3_config(SQLITE_CONFIG_GETPCACHE2, &g_inner) != SQLITE_OK ||
        g_inner.xCreate == nullptr) {
        return false;
    }
    static const sqlite3_pcache_methods2 layer = {
        1,      nullptr, xInit,  xShutdown, xCreate,  xCachesize, xPagecount,
        xFetch, xUnpin,  xRekey, xTruncate, xDestroy, xShrink};
    if (sqlite3_config(SQLITE_CONFIG_PCACHE2, &layer) != SQLITE_OK) {
        return false; // SQLite is already initialised: its own cache stays
    }
    return true;
}

} // namespace

bool installPageCache() {
    static std::once_flag once;
    std::call_once(once, [] { g_installed = install(); });
    return g_installed;
}

bool pageCacheInstalled() {
    return g_installed;
}

PageCacheStats pageCacheStats() {
    return {g_exactTruncates.load(std::memory_order_relaxed),
            g_innerTruncates.load(std::memory_order_relaxed)};
}

} // namespace flowdeck::engine::sqlite
