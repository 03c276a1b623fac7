#pragma once

#include "flowdeck/engine/conversation_store.h"

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

namespace flowdeck::engine {

struct SqliteOptions {
    // Normal: an acknowledged commit survives a killed process (WAL, synchronous=NORMAL).
    // Full: it also survives a power loss (synchronous=FULL: the WAL is fsynced at every commit).
    enum class Durability { Normal, Full };
    Durability durability = Durability::Normal;
    // Group commit: at most this many commits share one transaction.
    size_t maxBatch = 1024;
    // How long the writer waits for more commits before writing a batch that is not full. Zero
    // commits whatever is queued: batches still form while the previous transaction is written,
    // without adding latency when there is a single client.
    std::chrono::microseconds maxBatchDelay{0};
    // Each conversation keeps at most about this many newest messages (pruned in chunks of
    // limit/16, so up to limit + limit/16 rows may exist between prunes). A retry whose message
    // was pruned is no longer recognised as a duplicate. 0 = unlimited.
    size_t historyLimitPerConversation = 10000;
    // How long a write or read waits for a lock held by another process before failing.
    std::chrono::milliseconds busyTimeout{5000};
    // Read connections kept open; readers beyond this wait for a free connection.
    size_t readConnections = 8;
};

// The embedded ConversationStore (console, single-node flowd): one SQLite file in WAL mode.
//
// Writes go through one writer thread that owns the write connection and applies queued commits
// in batches, one transaction per batch (group commit); commit() returns once the batch holding
// it is committed. A commit that fails its checks (Conflict, Duplicate) is skipped without
// affecting the others in its batch. Reads use a small pool of separate connections, which WAL
// lets run concurrently with the writer. The store sets version (expectedVersion + 1),
// messageCount (previous count + 1, since every commit carries one message) and the message's
// seq (= that count); zero timestamps are replaced by the current time.
class SqliteStore final : public ConversationStore {
public:
    // Opens (creating if needed) the database at `path`. Returns null with `error` set when the
    // file cannot be opened, is not a Flowdeck database, or has a newer schema.
    static std::unique_ptr<SqliteStore> open(const std::string& path, SqliteOptions options,
                                             std::string* error);
    ~SqliteStore() override;
    SqliteStore(const SqliteStore&) = delete;
    SqliteStore& operator=(const SqliteStore&) = delete;

    // Commits everything queued, stops the writer and closes the connections. Later calls fail
    // (commit/remove) or return nothing (reads). Called by the destructor.
    void close();

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

    // Runs PRAGMA integrity_check: "ok", or the problems found (one per line).
    std::string checkIntegrity();
    // The last error met by a read (load/findMessage/history/...), "" when none; reads cannot
    // report failures through the ConversationStore interface.
    std::string lastReadError() const;

    struct Impl;

private:
    explicit SqliteStore(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

} // namespace flowdeck::engine
