#pragma once

#include "sqlite_conversation_cache.h"
#include "sqlite_db.h"

#include "flowdeck/engine/conversation_store.h"

#include <atomic>
#include <cstdint>
#include <string>

namespace flowdeck::engine::sqlite {

// One queued write. It lives on the stack of the caller, which blocks until the writer has
// filled `result`/`removed` and set `done`, so the writer may keep pointers into it and the
// caller's arguments until then (and must not touch it after).
struct WriteRequest {
    enum class Kind { Commit, Remove };
    Kind kind = Kind::Commit;
    const std::string* tenantId = nullptr;
    const std::string* conversationId = nullptr;
    // Commit only:
    const ConversationState* next = nullptr;
    const StoredMessage* message = nullptr;
    int64_t expectedVersion = 0;
    std::string context; // encoded by the caller, off the writer thread
    int64_t nowMs = 0;

    CommitResult result;
    bool removed = false;

    // Set by the writer: the number of the batch that took the request, then `done` once the
    // results above are final.
    std::atomic<uint64_t> batch{0};
    std::atomic<bool> done{false};
};

// The SQL of commits and removes, run by the writer thread inside its open transaction. Checks
// come before writes, so a Conflict or Duplicate writes nothing.
//
// A commit to a conversation whose row is cached with the expected version (the common case: the
// same client wrote it last) costs two writes and no lookup: the message row is inserted (its
// idempotency key's unique index doing the duplicate check) and the conversation row updated
// with the version in its WHERE clause. Anything else reads the row first.
class WriteApplier final {
public:
    WriteApplier(sqlite3* db, const SqliteOptions& options);
    bool prepare(std::string* error);

    // Call right after BEGIN: forgets the cache when another connection wrote since the last
    // transaction. SQLITE_OK or the failing code with `error` set.
    int beginTransaction(std::string* error);
    // Call after a rollback: the cache holds what the rolled-back statements wrote.
    void forgetCache() { m_cache.clear(); }

    // Each returns SQLITE_OK, or the SQLite code of a failed statement with `error` set (the
    // caller then rolls the transaction back).
    int applyCommit(WriteRequest& request, std::string* error);
    int applyRemove(WriteRequest& request, std::string* error);

private:
    struct Statements {
        Statement dataVersion, lookUp, insertConversation, updateConversation;
        Statement insertMessage, findMessage, deleteMessage, prune;
        Statement deleteMessages, deleteConversation;
    };

    int applyLookedUp(WriteRequest& request, std::string* error);
    int lookUp(WriteRequest& request, ConversationRow* row, bool* found, std::string* error);
    int create(WriteRequest& request, std::string* error);
    int append(WriteRequest& request, ConversationRow& row, bool* stale, std::string* error);
    int insertMessage(WriteRequest& request, int64_t ref, int64_t seq, bool* inserted,
                      std::string* error);
    int updateConversation(WriteRequest& request, const ConversationRow& row, bool* updated,
                           std::string* error);
    int findMessage(WriteRequest& request, int64_t ref, bool* found, std::string* error);
    int reportDuplicate(WriteRequest& request, int64_t ref, std::string* error);
    int deleteMessage(int64_t messageId, std::string* error);
    int pruneHistory(int64_t ref, int64_t newestSeq, std::string* error);
    void bindState(Statement& s, const WriteRequest& request) const;
    int run(Statement& statement, std::string_view what, std::string* error);
    int failed(int rc, std::string_view what, std::string* error) const;

    sqlite3* m_db;
    SqliteOptions m_options;
    Statements m_sql;
    ConversationCache m_cache;
    int64_t m_dataVersion = -1;
};

} // namespace flowdeck::engine::sqlite
