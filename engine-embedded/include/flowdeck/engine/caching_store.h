#pragma once

#include "flowdeck/engine/conversation_store.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace flowdeck::engine {

// A ConversationStore in front of another one that keeps the newest state of recently used
// conversations in memory, so that the load() before each message (Engine::process) does not
// read the database. Everything else goes to the inner store.
//
// Write-through: commit() writes to the inner store first and, once it is Committed, caches the
// state the inner store now holds (version, message count and creation time as the store sets
// them; zero timestamps are replaced by the current time here, before the inner store would).
// A commit that is not Committed, and remove(), drop the entry.
//
// Staleness: when something else writes to the inner store (another process on the same file,
// another node on the same PostgreSQL), a cached state may lag behind. Commits stay correct: the
// inner store's version check turns a commit based on a stale state into a Conflict, which drops
// the entry, and Engine retries with a fresh load. Plain reads of such a conversation (e.g. for
// GetConversation) may see the older state until then.
//
// Idempotency look-ups (findMessage) go to the inner store, except for a conversation this
// cache created and has kept since: it then knows all its keys (up to a few hundred), and a key
// that is not among them was never stored.
//
// Contexts are cached as committed, not as the inner store re-reads them: the one difference is
// that a string which is not valid UTF-8 comes back unchanged here, where SqliteStore would
// return it with U+FFFD in place of the bad bytes.
//
// Thread-safe; the entries are spread over a few independently locked shards.
class CachingStore final : public ConversationStore {
public:
    // `inner` must outlive this store. At most about `capacity` conversations are kept (least
    // recently used go first); 0 is taken as 1.
    explicit CachingStore(ConversationStore& inner, size_t capacity = 10000);
    ~CachingStore() override;
    CachingStore(const CachingStore&) = delete;
    CachingStore& operator=(const CachingStore&) = delete;

    std::optional<ConversationState> load(const std::string& tenantId,
                                          const std::string& conversationId) override;
    std::optional<StoredMessage> findMessage(const std::string& tenantId,
                                             const std::string& conversationId,
                                             const std::string& idempotencyKey) override;
    CommitResult commit(const ConversationState& next, int64_t expectedVersion,
                        const StoredMessage& message) override;
    std::vector<StoredMessage> history(const std::string& tenantId,
                                       const std::string& conversationId, size_t limit) override;
    bool remove(const std::string& tenantId, const std::string& conversationId) override;
    int64_t conversationCount() override;

    struct Stats {
        uint64_t hits = 0;   // load() answered from memory
        uint64_t misses = 0; // load() that went to the inner store
        // findMessage() answered "never stored" from memory: the cache saw every message of
        // the conversation committed (it created it and kept it since) and none had the key.
        uint64_t absentKeys = 0;
        size_t entries = 0;
    };
    Stats stats() const;

private:
    struct Shard;
    Shard& shardFor(const std::string& tenantId, const std::string& conversationId);
    CommitResult commitStamped(const ConversationState& next, int64_t expectedVersion,
                               const StoredMessage& message);

    ConversationStore& m_inner;
    std::unique_ptr<Shard[]> m_shards;
};

} // namespace flowdeck::engine
