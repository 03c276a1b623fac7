#pragma once

#include "sqlite_checkpointer.h"
#include "sqlite_db.h"

#include "flowdeck/engine/conversation_store.h"

#include <condition_variable>
#include <deque>
#include <future>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <thread>

namespace flowdeck::engine::sqlite {

// One queued write. It lives on the stack of the caller, which blocks until the writer has
// filled `result`/`removed`, so the writer may keep pointers into it and the caller's arguments.
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
};

// The single writer: owns the write connection and applies queued requests in batches, one
// transaction per batch (group commit). Requests fail independently: checks run before any
// write, so a Conflict or Duplicate writes nothing, and a batch that fails as a whole (I/O error,
// disk full, lock timeout) is retried one request per transaction so only the culprits fail.
class SqliteWriter final {
public:
    static std::unique_ptr<SqliteWriter> start(const std::string& path,
                                               const SqliteOptions& options, std::string* error);
    ~SqliteWriter();
    SqliteWriter(const SqliteWriter&) = delete;
    SqliteWriter& operator=(const SqliteWriter&) = delete;

    // Queues the request and blocks until its batch is committed (or it failed). False, with
    // the request untouched, once the writer is stopped.
    bool submit(WriteRequest& request);
    // Applies everything queued, then stops the thread. Idempotent.
    void stop();

private:
    struct Statements {
        Statement begin, commit, rollback;
        Statement findMessage, insertConversation, updateConversation, insertMessage, prune;
        Statement deleteMessages, deleteConversation;
    };

    // The writer keeps the promise (not the caller's request): the caller may destroy its request
    // as soon as the future is ready, while set_value() may still be returning.
    struct Pending {
        WriteRequest* request = nullptr;
        std::promise<void> done;
    };

    SqliteWriter(Connection db, const SqliteOptions& options);
    bool prepare(std::string* error);
    static int onWalCommit(void* self, sqlite3* db, const char* schema, int frames);
    void run();
    void applyBatch(std::span<Pending> batch);
    // SQLITE_OK, or the code that failed the transaction (rolled back) with `error` set.
    int runTransaction(std::span<Pending> batch, std::string* error);
    // Each returns SQLITE_OK, or the SQLite code of a failed statement with `error` set.
    int apply(WriteRequest& request, std::string* error);
    int applyCommit(WriteRequest& request, std::string* error);
    int applyRemove(WriteRequest& request, std::string* error);
    int findDuplicate(WriteRequest& request, bool* found, std::string* error);
    int writeConversation(WriteRequest& request, int64_t* count, std::string* error);
    int writeMessage(WriteRequest& request, int64_t seq, std::string* error);
    int pruneHistory(WriteRequest& request, int64_t newestSeq, std::string* error);
    int stepDone(Statement& statement, std::string_view what, std::string* error);

    Connection m_db;
    SqliteOptions m_options;
    std::unique_ptr<Checkpointer> m_checkpointer;
    Statements m_sql;

    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::deque<Pending> m_queue;
    bool m_stopping = false;
    std::thread m_thread;
};

} // namespace flowdeck::engine::sqlite
