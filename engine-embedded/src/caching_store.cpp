#include "flowdeck/engine/caching_store.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <list>
#include <mutex>
#include <unordered_map>
#include <utility>
#include <vector>

namespace flowdeck::engine {

namespace {

constexpr size_t kShards = 16;
// Keys remembered per conversation; past this many messages its look-ups go to the inner store.
constexpr size_t kMaxKnownKeys = 256;

// Unambiguous for any ids: the tenant's length, then both ids.
std::string keyOf(const std::string& tenantId, const std::string& conversationId) {
    std::string key = std::to_string(tenantId.size());
    key += ':';
    key += tenantId;
    key += conversationId;
    return key;
}

// What the inner store holds after committing `next` (timestamps set) over `cached`, the state
// at expectedVersion, as ConversationStore implementations set it; nullopt when an update finds
// no cached state to take the message count and creation time from.
std::optional<ConversationState> stateAfterCommit(const ConversationState* cached,
                                                  const ConversationState& next,
                                                  int64_t expectedVersion) {
    const bool create = expectedVersion == 0;
    if (!create && (!cached || cached->version != expectedVersion)) {
        return std::nullopt;
    }
    ConversationState stored = next;
    stored.version = expectedVersion + 1;
    stored.messageCount = create ? 1 : cached->messageCount + 1;
    stored.createdAtMs = create ? next.createdAtMs : cached->createdAtMs; // kept on update
    return stored;
}

int64_t nowMs() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

} // namespace

struct CachingStore::Shard {
    // A conversation's state, and the idempotency keys of all its messages when this cache saw
    // every one of them committed (it created the conversation and has kept it since).
    struct Cached {
        ConversationState state;
        bool keysKnown = false;
        std::vector<std::string> keys;
    };
    using Entry = std::pair<std::string, Cached>;

    std::mutex mutex;
    size_t capacity = 1;
    std::list<Entry> entries; // most recently used first
    std::unordered_map<std::string, std::list<Entry>::iterator> index;
    // Bumped by every erase, so a load that raced with one does not bring the entry back.
    uint64_t erasures = 0;
    std::atomic<uint64_t> hits{0};
    std::atomic<uint64_t> misses{0};
    std::atomic<uint64_t> absentKeys{0};

    Cached* find(const std::string& key) {
        const auto it = index.find(key);
        if (it == index.end()) {
            return nullptr;
        }
        entries.splice(entries.begin(), entries, it->second);
        return &it->second->second;
    }

    Cached& insert(const std::string& key) {
        if (index.size() >= capacity) {
            index.erase(entries.back().first);
            entries.pop_back();
        }
        entries.emplace_front(key, Cached{});
        index.emplace(key, entries.begin());
        return entries.front().second;
    }

    // A state read from the inner store. Keeps the newer of it and what is cached: a late
    // reader must not go back in time. Its keys are not known.
    void putLoaded(const std::string& key, ConversationState state) {
        Cached* cached = find(key);
        if (cached && state.version <= cached->state.version) {
            return;
        }
        cached = cached ? cached : &insert(key);
        cached->state = std::move(state);
        cached->keysKnown = false;
        cached->keys.clear();
    }

    // The state the inner store holds after a commit of a message with `idempotencyKey`
    // (created: the conversation did not exist, so that is its only key).
    void putCommitted(const std::string& key, ConversationState state, bool created,
                      const std::string& idempotencyKey) {
        Cached* cached = find(key);
        cached = cached ? cached : &insert(key);
        if (created) {
            cached->keysKnown = true;
            cached->keys.clear();
        }
        cached->state = std::move(state);
        if (!cached->keysKnown || idempotencyKey.empty()) {
            return;
        }
        if (cached->keys.size() >= kMaxKnownKeys) {
            cached->keysKnown = false; // a long conversation: its look-ups go to the inner store
            cached->keys.clear();
            cached->keys.shrink_to_fit();
            return;
        }
        cached->keys.push_back(idempotencyKey);
    }

    void erase(const std::string& key) {
        ++erasures;
        const auto it = index.find(key);
        if (it != index.end()) {
            entries.erase(it->second);
            index.erase(it);
        }
    }
};

CachingStore::CachingStore(ConversationStore& inner, size_t capacity)
    : m_inner(inner)
    , m_shards(new Shard[kShards]) {
    const size_t perShard = std::max<size_t>(1, (capacity + kShards - 1) / kShards);
    for (size_t i = 0; i < kShards; ++i) {
        m_shards[i].capacity = perShard;
    }
}

CachingStore::~CachingStore() = default;

CachingStore::Shard& CachingStore::shardFor(const std::string& tenantId,
                                            const std::string& conversationId) {
    const size_t hash =
        std::hash<std::string>{}(conversationId)*31 ^ std::hash<std::string>{}(tenantId);
    return m_shards[hash % kShards];
}

std::optional<ConversationState> CachingStore::load(const std::string& tenantId,
                                                    const std::string& conversationId) {
    Shard& shard = shardFor(tenantId, conversationId);
    const std::string key = keyOf(tenantId, conversationId);
    uint64_t erasures = 0;
    {
        std::lock_guard lock(shard.mutex);
        if (const Shard::Cached* cached = shard.find(key)) {
            ++shard.hits;
            return cached->state;
        }
        erasures = shard.erasures;
    }
    ++shard.misses;
    std::optional<ConversationState> state = m_inner.load(tenantId, conversationId);
    if (state) {
        std::lock_guard lock(shard.mutex);
        if (shard.erasures == erasures) {
            shard.putLoaded(key, *state);
        }
    }
    return state;
}

std::optional<StoredMessage> CachingStore::findMessage(const std::string& tenantId,
                                                       const std::string& conversationId,
                                                       const std::string& idempotencyKey) {
    // Most messages are new: when this cache knows every key of the conversation, a key it has
    // not seen was never stored, and the inner store need not be asked. (A commit racing with
    // this look-up is caught by the inner store's own check, as it would be without the cache.)
    if (!idempotencyKey.empty()) {
        Shard& shard = shardFor(tenantId, conversationId);
        const std::string key = keyOf(tenantId, conversationId);
        std::lock_guard lock(shard.mutex);
        const Shard::Cached* cached = shard.find(key);
        if (cached && cached->keysKnown &&
            std::find(cached->keys.begin(), cached->keys.end(), idempotencyKey) ==
                cached->keys.end()) {
            ++shard.absentKeys;
            return std::nullopt;
        }
    }
    return m_inner.findMessage(tenantId, conversationId, idempotencyKey);
}

// Stores replace zero timestamps by their clock's time; doing it here first means the cache
// knows what was stored.
CommitResult CachingStore::commit(const ConversationState& next, int64_t expectedVersion,
                                  const StoredMessage& message) {
    if (next.createdAtMs != 0 && next.updatedAtMs != 0) {
        return commitStamped(next, expectedVersion, message);
    }
    ConversationState stamped = next;
    const int64_t now = nowMs();
    stamped.createdAtMs = stamped.createdAtMs != 0 ? stamped.createdAtMs : now;
    stamped.updatedAtMs = stamped.updatedAtMs != 0 ? stamped.updatedAtMs : now;
    return commitStamped(stamped, expectedVersion, message);
}

CommitResult CachingStore::commitStamped(const ConversationState& next, int64_t expectedVersion,
                                         const StoredMessage& message) {
    CommitResult result = m_inner.commit(next, expectedVersion, message);
    if (next.tenantId.empty() || next.conversationId.empty()) {
        return result; // refused by the inner store; nothing to cache under an empty id
    }
    Shard& shard = shardFor(next.tenantId, next.conversationId);
    const std::string key = keyOf(next.tenantId, next.conversationId);
    std::lock_guard lock(shard.mutex);
    // Conflict: the cached state (if any) is stale. Duplicate: someone else wrote this key, so
    // it may be too. Failed: the inner store may or may not hold the commit.
    std::optional<ConversationState> stored = std::nullopt;
    if (result.status == CommitStatus::Committed) {
        const Shard::Cached* cached = shard.find(key);
        stored = stateAfterCommit(cached ? &cached->state : nullptr, next, expectedVersion);
    }
    if (stored) {
        shard.putCommitted(key, std::move(*stored), expectedVersion == 0, message.idempotencyKey);
    } else {
        shard.erase(key);
    }
    return result;
}

std::vector<StoredMessage> CachingStore::history(const std::string& tenantId,
                                                 const std::string& conversationId, size_t limit) {
    return m_inner.history(tenantId, conversationId, limit);
}

bool CachingStore::remove(const std::string& tenantId, const std::string& conversationId) {
    Shard& shard = shardFor(tenantId, conversationId);
    const std::string key = keyOf(tenantId, conversationId);
    const bool removed = m_inner.remove(tenantId, conversationId);
    std::lock_guard lock(shard.mutex);
    shard.erase(key); // after the inner remove: a load in between must not keep the old state
    return removed;
}

int64_t CachingStore::conversationCount() {
    return m_inner.conversationCount();
}

CachingStore::Stats CachingStore::stats() const {
    Stats stats;
    for (size_t i = 0; i < kShards; ++i) {
        Shard& shard = m_shards[i];
        stats.hits += shard.hits.load();
        stats.misses += shard.misses.load();
        stats.absentKeys += shard.absentKeys.load();
        std::lock_guard lock(shard.mutex);
        stats.entries += shard.index.size();
    }
    return stats;
}

} // namespace flowdeck::engine
