#include "sqlite_writer.h"

#include <algorithm>
#include <climits>

#include <pthread.h>
#if defined(__linux__)
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace flowdeck::engine::sqlite {

namespace {

// Sleeps while `word` holds `seen` (or until a spurious wake-up). Straight to the futex: before
// sleeping, libstdc++'s atomic::wait spins and calls sched_yield(), and with hundreds of callers
// waiting for the writer those yields took a fifth of the machine.
void sleepWhile(std::atomic<uint32_t>& word, uint32_t seen) {
#if defined(__linux__)
    syscall(SYS_futex, reinterpret_cast<uint32_t*>(&word), FUTEX_WAIT_PRIVATE, seen, nullptr,
            nullptr, 0);
#else
    word.wait(seen);
#endif
}

void wake(std::atomic<uint32_t>& word, bool all) {
#if defined(__linux__)
    syscall(SYS_futex, reinterpret_cast<uint32_t*>(&word), FUTEX_WAKE_PRIVATE, all ? INT_MAX : 1,
            nullptr, nullptr, 0);
#else
    all ? word.notify_all() : word.notify_one();
#endif
}

void fail(WriteRequest& request, const std::string& error) {
    request.result = CommitResult{CommitStatus::Failed, std::nullopt, error};
    request.removed = false;
}

} // namespace

std::unique_ptr<SqliteWriter>
SqliteWriter::start(const std::string& path, const SqliteOptions& options, std::string* error) {
    Connection db = openConnection(path, options, Role::Writer, error);
    if (!db) {
        return nullptr;
    }
    std::unique_ptr<SqliteWriter> writer(new SqliteWriter(std::move(db), options));
    writer->m_checkpointer = Checkpointer::start(path, options, error);
    if (!writer->m_checkpointer || !writer->prepare(error)) {
        return nullptr;
    }
    // Replaces SQLite's automatic checkpoint, which would run on this thread.
    sqlite3_wal_hook(writer->m_db.get(), &SqliteWriter::onWalCommit, writer.get());
    writer->m_thread = std::thread([w = writer.get()] {
        pthread_setname_np(pthread_self(), "flowdeck-sqlwr"); // visible in top -H and perf
        w->run();
    });
    return writer;
}

SqliteWriter::SqliteWriter(Connection db, const SqliteOptions& options)
    : m_db(std::move(db))
    , m_options(options) {
    m_options.maxBatch = std::max<size_t>(1, m_options.maxBatch);
}

SqliteWriter::~SqliteWriter() {
    stop();
}

bool SqliteWriter::prepare(std::string* error) {
    sqlite3* db = m_db.get();
    m_sql.begin = Statement(db, "BEGIN IMMEDIATE", error);
    m_sql.commit = Statement(db, "COMMIT", error);
    m_sql.rollback = Statement(db, "ROLLBACK", error);
    m_applier = std::make_unique<WriteApplier>(db, m_options);
    return m_sql.begin.valid() && m_sql.commit.valid() && m_sql.rollback.valid() &&
           m_applier->prepare(error);
}

// When no batch is being applied, the caller applies the queue itself, its own request with
// whatever else is queued: a message that arrives alone is committed on its own thread, with no
// hand-off to the writer thread and back (each costs a sleep and a wake-up). While a batch is
// being applied, requests queue up for the writer thread, which takes them as one batch.
bool SqliteWriter::submit(WriteRequest& request) {
    std::vector<WriteRequest*> batch;
    uint64_t number = 0;
    {
        std::lock_guard lock(m_mutex);
        if (m_stopping) {
            return false;
        }
        m_queue.push_back(&request);
        if (m_applying || m_options.maxBatchDelay.count() > 0) {
            if (!m_applying) {
                m_wake.notify_one();
            }
        } else {
            m_applying = true;
            batch.reserve(std::min<size_t>(m_options.maxBatch, m_queue.size()));
            takeQueued(batch, &number);
        }
    }
    if (batch.empty()) {
        waitUntilDone(request);
        return true;
    }
    applyBatch(batch);
    complete(batch, number);
    bool more = false;
    {
        std::lock_guard lock(m_mutex);
        m_applying = false;
        more = !m_queue.empty() || m_stopping;
    }
    if (more) {
        m_wake.notify_one(); // what queued meanwhile goes to the writer thread (or it stops)
    }
    if (!request.done.load()) {
        waitUntilDone(request); // more than maxBatch were queued before it
    }
    return true;
}

// The batch that takes a queued request is at least the one after m_batchesTaken, so the caller
// sleeps on that batch's counter and looks again when it changes. The writer publishes a
// request's batch number before m_batchesTaken, and `done` before bumping the counter, so reading
// them in the opposite order can wake too early (then it looks again) but never miss a wake-up.
void SqliteWriter::waitUntilDone(WriteRequest& request) {
    for (;;) {
        const uint64_t taken = m_batchesTaken.load();
        const uint64_t batch = request.batch.load();
        const size_t parity = (batch != 0 ? batch : taken + 1) & 1;
        const uint32_t seen = m_completions[parity].load();
        if (request.done.load()) {
            return;
        }
        sleepWhile(m_completions[parity], seen);
        // The first caller up wakes the others (see complete()).
        if (m_relays[parity].load() && m_relays[parity].exchange(false)) {
            wake(m_completions[parity], true);
        }
    }
}

// Waking a few hundred sleeping callers costs the kernel a few microseconds each; the writer
// wakes one and leaves the rest to it, so that work runs beside the next transaction instead of
// before it. Whoever finds the relay flag set after waking wakes everyone (the flag is set
// before the counter moves, so every caller of this batch is woken by someone).
void SqliteWriter::complete(std::span<WriteRequest*> batch, uint64_t number) {
    for (WriteRequest* request : batch) {
        request->done.store(true); // the request may be gone after this: never touch it again
    }
    const size_t parity = number & 1;
    m_relays[parity].store(true);
    m_completions[parity].fetch_add(1);
    wake(m_completions[parity], false);
}

void SqliteWriter::stop() {
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_one();
    if (m_thread.joinable()) {
        m_thread.join();
    }
    if (m_checkpointer) {
        m_checkpointer->stop();
    }
}

int SqliteWriter::onWalCommit(void* self, sqlite3* db, const char* schema, int frames) {
    auto* writer = static_cast<SqliteWriter*>(self);
    if (frames >= Checkpointer::kMaxFrames) {
        // The background checkpoint fell behind: copy and restart the WAL here, once, so it
        // cannot grow without bound. Blocks this commit only.
        sqlite3_wal_checkpoint_v2(db, schema, SQLITE_CHECKPOINT_RESTART, nullptr, nullptr);
    } else if (frames >= Checkpointer::kBackgroundFrames &&
               (frames < writer->m_requestedAt ||
                frames >= writer->m_requestedAt + Checkpointer::kFramesBetweenRequests)) {
        // Not after every commit: each passive checkpoint ends with an fsync of the database,
        // and one per commit made the checkpointer a busy second writer.
        writer->m_requestedAt = frames;
        writer->m_checkpointer->request();
    }
    return SQLITE_OK;
}

void SqliteWriter::run() {
    std::vector<WriteRequest*> batch;
    batch.reserve(std::min<size_t>(m_options.maxBatch, 4096));
    uint64_t number = 0;
    while (takeBatch(batch, &number)) {
        applyBatch(batch);
        complete(batch, number);
        batch.clear();
        std::lock_guard lock(m_mutex);
        m_applying = false;
    }
}

bool SqliteWriter::takeBatch(std::vector<WriteRequest*>& batch, uint64_t* number) {
    std::unique_lock lock(m_mutex);
    m_wake.wait(lock, [this] { return !m_applying && (m_stopping || !m_queue.empty()); });
    if (m_queue.empty()) {
        return false; // stopping, and everything queued has been applied
    }
    if (m_options.maxBatchDelay.count() > 0 && m_queue.size() < m_options.maxBatch) {
        m_wake.wait_for(lock, m_options.maxBatchDelay,
                        [this] { return m_stopping || m_queue.size() >= m_options.maxBatch; });
    }
    m_applying = true;
    takeQueued(batch, number);
    return true;
}

void SqliteWriter::takeQueued(std::vector<WriteRequest*>& batch, uint64_t* number) {
    const size_t n = std::min(m_options.maxBatch, m_queue.size());
    *number = m_batchesTaken.load() + 1;
    for (size_t i = 0; i < n; ++i) {
        m_queue[i]->batch.store(*number);
        batch.push_back(m_queue[i]);
    }
    m_batchesTaken.store(*number);
    m_queue.erase(m_queue.begin(), m_queue.begin() + static_cast<ptrdiff_t>(n));
}

void SqliteWriter::applyBatch(std::span<WriteRequest*> batch) {
    std::string error;
    const int rc = runTransaction(batch, &error);
    if (rc == SQLITE_OK) {
        return;
    }
    // Waiting for a lock again per request would multiply the wait; other failures may come from
    // one request (e.g. a message too big for the disk left), so only that one should fail.
    if (batch.size() == 1 || (rc & 0xff) == SQLITE_BUSY) {
        for (WriteRequest* request : batch) {
            fail(*request, error);
        }
        return;
    }
    for (size_t i = 0; i < batch.size(); ++i) {
        std::string single;
        if (runTransaction(batch.subspan(i, 1), &single) != SQLITE_OK) {
            fail(*batch[i], single);
        }
    }
}

int SqliteWriter::runTransaction(std::span<WriteRequest*> batch, std::string* error) {
    int rc = stepDone(m_sql.begin, "starting a transaction", error);
    if (rc != SQLITE_OK) {
        return rc;
    }
    rc = m_applier->beginTransaction(error);
    for (size_t i = 0; rc == SQLITE_OK && i < batch.size(); ++i) {
        rc = apply(*batch[i], error);
    }
    if (rc == SQLITE_OK) {
        rc = stepDone(m_sql.commit, "committing", error);
    }
    if (rc != SQLITE_OK) {
        // Some errors (SQLITE_FULL, SQLITE_IOERR) roll the transaction back by themselves.
        if (!sqlite3_get_autocommit(m_db.get())) {
            std::string ignored;
            stepDone(m_sql.rollback, "rolling back", &ignored);
        }
        m_applier->forgetCache();
    }
    return rc;
}

int SqliteWriter::apply(WriteRequest& request, std::string* error) {
    return request.kind == WriteRequest::Kind::Remove ? m_applier->applyRemove(request, error)
                                                      : m_applier->applyCommit(request, error);
}

int SqliteWriter::stepDone(Statement& statement, std::string_view what, std::string* error) {
    StatementUse use(statement);
    const int rc = statement.step();
    if (rc == SQLITE_DONE || rc == SQLITE_ROW) {
        return SQLITE_OK;
    }
    *error = describe(m_db.get(), rc, what, m_options.busyTimeout);
    return rc;
}

} // namespace flowdeck::engine::sqlite
