#pragma once

#include "sqlite_applier.h"
#include "sqlite_checkpointer.h"
#include "sqlite_db.h"

#include <array>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <vector>

namespace flowdeck::engine::sqlite {

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

    // Queues the request and blocks until its batch is committed (or it failed); applies the
    // batch on the calling thread when the writer is idle. False, with the request untouched,
    // once the writer is stopped.
    bool submit(WriteRequest& request);
    // Applies everything queued, then stops the thread. Idempotent.
    void stop();

private:
    struct Statements {
        Statement begin, commit, rollback;
    };

    SqliteWriter(Connection db, const SqliteOptions& options);
    bool prepare(std::string* error);
    static int onWalCommit(void* self, sqlite3* db, const char* schema, int frames);
    void run();
    // Waits for queued requests while nobody applies a batch, then moves up to maxBatch of them
    // into `batch` and marks a batch as being applied; false once stopping with nothing left.
    bool takeBatch(std::vector<WriteRequest*>& batch, uint64_t* number);
    // Moves up to maxBatch queued requests into `batch` as the next batch. Under m_mutex.
    void takeQueued(std::vector<WriteRequest*>& batch, uint64_t* number);
    void applyBatch(std::span<WriteRequest*> batch);
    // SQLITE_OK, or the code that failed the transaction (rolled back) with `error` set.
    int runTransaction(std::span<WriteRequest*> batch, std::string* error);
    int apply(WriteRequest& request, std::string* error);
    int stepDone(Statement& statement, std::string_view what, std::string* error);
    // Marks the batch's requests done and wakes their callers (see waitUntilDone).
    void complete(std::span<WriteRequest*> batch, uint64_t number);
    void waitUntilDone(WriteRequest& request);

    Connection m_db;
    SqliteOptions m_options;
    std::unique_ptr<Checkpointer> m_checkpointer;
    int m_requestedAt = 0; // WAL frames when a background checkpoint was last asked for
    Statements m_sql;
    std::unique_ptr<WriteApplier> m_applier;

    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::deque<WriteRequest*> m_queue;
    bool m_stopping = false;
    // A batch is being applied, by the writer thread or by a caller (see submit()): the write
    // connection is in use, and whoever holds it looks at the queue again when done.
    bool m_applying = false;

    // Callers sleep on the completion counter of the batch that will hold their request, one
    // counter per batch parity, so one notify_all wakes a finished batch's callers and not those
    // already queued for the next one. A batch numbered n is taken once m_batchesTaken = n - 1.
    std::atomic<uint64_t> m_batchesTaken{0};
    std::array<std::atomic<uint32_t>, 2> m_completions{};
    std::array<std::atomic<bool>, 2> m_relays{};
    std::thread m_thread;
};

} // namespace flowdeck::engine::sqlite
