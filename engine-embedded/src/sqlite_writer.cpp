#include "sqlite_writer.h"

#include <algorithm>

#include <pthread.h>

namespace flowdeck::engine::sqlite {

namespace {

// Parameters shared by both conversation statements: ?1 tenant, ?2 conversation, ?3 flow,
// ?4 flow version, ?5 state, ?6 context, ?7 variant, ?8 created, ?9 updated (?10 expected).
constexpr std::string_view kInsertConversation =
    "INSERT INTO conversations (tenant_id, conversation_id, flow_id, flow_version, "
    "current_state, context, ab_variant, version, message_count, created_at, updated_at) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 1, 1, ?8, ?9) "
    "ON CONFLICT (tenant_id, conversation_id) DO NOTHING";
constexpr std::string_view kUpdateConversation =
    "UPDATE conversations SET flow_id = ?3, flow_version = ?4, current_state = ?5, context = ?6, "
    "ab_variant = ?7, version = version + 1, message_count = message_count + 1, "
    "updated_at = ?9 WHERE tenant_id = ?1 AND conversation_id = ?2 AND version = ?10 "
    "RETURNING message_count";
constexpr std::string_view kInsertMessage =
    "INSERT INTO messages (tenant_id, conversation_id, seq, idempotency_key, input, reply, "
    "state_before, state_after, result_json, created_at) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";

int64_t orNow(int64_t value, int64_t now) {
    return value != 0 ? value : now;
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
    const std::string columns(kMessageColumns);
    const std::string where = " WHERE tenant_id = ?1 AND conversation_id = ?2";
    m_sql.begin = Statement(db, "BEGIN IMMEDIATE", error);
    m_sql.commit = Statement(db, "COMMIT", error);
    m_sql.rollback = Statement(db, "ROLLBACK", error);
    m_sql.findMessage = Statement(
        db, "SELECT " + columns + " FROM messages" + where + " AND idempotency_key = ?3", error);
    m_sql.insertConversation = Statement(db, kInsertConversation, error);
    m_sql.updateConversation = Statement(db, kUpdateConversation, error);
    m_sql.insertMessage = Statement(db, kInsertMessage, error);
    m_sql.prune = Statement(db, "DELETE FROM messages" + where + " AND seq <= ?3", error);
    m_sql.deleteMessages = Statement(db, "DELETE FROM messages" + where, error);
    m_sql.deleteConversation = Statement(db, "DELETE FROM conversations" + where, error);
    for (const Statement* s :
         {&m_sql.begin, &m_sql.commit, &m_sql.rollback, &m_sql.findMessage,
          &m_sql.insertConversation, &m_sql.updateConversation, &m_sql.insertMessage, &m_sql.prune,
          &m_sql.deleteMessages, &m_sql.deleteConversation}) {
        if (!s->valid()) {
            return false;
        }
    }
    return true;
}

bool SqliteWriter::submit(WriteRequest& request) {
    std::future<void> done;
    {
        std::lock_guard lock(m_mutex);
        if (m_stopping) {
            return false;
        }
        Pending pending{&request, {}};
        done = pending.done.get_future();
        m_queue.push_back(std::move(pending));
    }
    m_wake.notify_one();
    done.wait();
    return true;
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
    } else if (frames >= Checkpointer::kBackgroundFrames) {
        writer->m_checkpointer->request();
    }
    return SQLITE_OK;
}

void SqliteWriter::run() {
    std::vector<Pending> batch;
    batch.reserve(std::min<size_t>(m_options.maxBatch, 4096));
    for (;;) {
        {
            std::unique_lock lock(m_mutex);
            m_wake.wait(lock, [this] { return m_stopping || !m_queue.empty(); });
            if (m_queue.empty()) {
                return; // stopping, and everything queued has been applied
            }
            if (m_options.maxBatchDelay.count() > 0 && m_queue.size() < m_options.maxBatch) {
                m_wake.wait_for(lock, m_options.maxBatchDelay, [this] {
                    return m_stopping || m_queue.size() >= m_options.maxBatch;
                });
            }
            const size_t n = std::min(m_options.maxBatch, m_queue.size());
            std::move(m_queue.begin(), m_queue.begin() + static_cast<ptrdiff_t>(n),
                      std::back_inserter(batch));
            m_queue.erase(m_queue.begin(), m_queue.begin() + static_cast<ptrdiff_t>(n));
        }
        applyBatch(batch);
        for (Pending& pending : batch) {
            pending.done.set_value(); // the request may be gone after this: never touch it again
        }
        batch.clear();
    }
}

void SqliteWriter::applyBatch(std::span<Pending> batch) {
    std::string error;
    const int rc = runTransaction(batch, &error);
    if (rc == SQLITE_OK) {
        return;
    }
    // Waiting for a lock again per request would multiply the wait; other failures may come from
    // one request (e.g. a message too big for the disk left), so only that one should fail.
    if (batch.size() == 1 || (rc & 0xff) == SQLITE_BUSY) {
        for (Pending& pending : batch) {
            fail(*pending.request, error);
        }
        return;
    }
    for (size_t i = 0; i < batch.size(); ++i) {
        std::string single;
        if (runTransaction(batch.subspan(i, 1), &single) != SQLITE_OK) {
            fail(*batch[i].request, single);
        }
    }
}

int SqliteWriter::runTransaction(std::span<Pending> batch, std::string* error) {
    int rc = stepDone(m_sql.begin, "starting a transaction", error);
    if (rc != SQLITE_OK) {
        return rc;
    }
    for (Pending& pending : batch) {
        rc = apply(*pending.request, error);
        if (rc != SQLITE_OK) {
            break;
        }
    }
    if (rc == SQLITE_OK) {
        rc = stepDone(m_sql.commit, "committing", error);
    }
    // Some errors (SQLITE_FULL, SQLITE_IOERR) roll the transaction back by themselves.
    if (rc != SQLITE_OK && !sqlite3_get_autocommit(m_db.get())) {
        std::string ignored;
        stepDone(m_sql.rollback, "rolling back", &ignored);
    }
    return rc;
}

int SqliteWriter::apply(WriteRequest& request, std::string* error) {
    return request.kind == WriteRequest::Kind::Remove ? applyRemove(request, error)
                                                      : applyCommit(request, error);
}

int SqliteWriter::applyCommit(WriteRequest& request, std::string* error) {
    request.result = CommitResult{};
    bool duplicate = false;
    int rc = findDuplicate(request, &duplicate, error);
    if (rc != SQLITE_OK || duplicate) {
        return rc;
    }
    int64_t count = 0;
    rc = writeConversation(request, &count, error);
    if (rc != SQLITE_OK || count == 0) {
        return rc; // count 0: version check failed, nothing was written
    }
    rc = writeMessage(request, count, error);
    if (rc == SQLITE_OK) {
        rc = pruneHistory(request, count, error);
    }
    if (rc == SQLITE_OK) {
        request.result.status = CommitStatus::Committed;
    }
    return rc;
}

int SqliteWriter::findDuplicate(WriteRequest& request, bool* found, std::string* error) {
    const std::string& key = request.message->idempotencyKey;
    *found = false;
    if (key.empty()) {
        return SQLITE_OK; // no key: the caller asked for no deduplication
    }
    Statement& s = m_sql.findMessage;
    StatementUse use(s);
    s.bind(1, *request.tenantId);
    s.bind(2, *request.conversationId);
    s.bind(3, key);
    const int rc = s.step();
    if (rc == SQLITE_ROW) {
        *found = true;
        request.result.status = CommitStatus::Duplicate;
        request.result.existing = messageFromRow(s);
        return SQLITE_OK;
    }
    if (rc != SQLITE_DONE) {
        *error = describe(m_db.get(), rc, "looking up idempotency key", m_options.busyTimeout);
        return rc;
    }
    return SQLITE_OK;
}

int SqliteWriter::writeConversation(WriteRequest& request, int64_t* count, std::string* error) {
    const ConversationState& next = *request.next;
    const bool create = request.expectedVersion == 0;
    Statement& s = create ? m_sql.insertConversation : m_sql.updateConversation;
    StatementUse use(s);
    s.bind(1, *request.tenantId);
    s.bind(2, *request.conversationId);
    s.bind(3, next.flowId);
    s.bind(4, next.flowVersion);
    s.bind(5, next.currentState);
    s.bind(6, request.context);
    s.bind(7, next.abVariant);
    s.bind(8, orNow(next.createdAtMs, request.nowMs));
    s.bind(9, orNow(next.updatedAtMs, request.nowMs));
    if (!create) {
        s.bind(10, request.expectedVersion);
    }
    const int rc = s.step();
    *count = 0;
    if (rc == SQLITE_ROW) {
        *count = s.integer(0); // update: RETURNING message_count
    } else if (rc == SQLITE_DONE) {
        *count = create && sqlite3_changes(m_db.get()) == 1 ? 1 : 0;
    } else {
        *error = describe(m_db.get(), rc, "writing conversation", m_options.busyTimeout);
        return rc;
    }
    if (*count == 0) {
        request.result.status = CommitStatus::Conflict;
    }
    return SQLITE_OK;
}

int SqliteWriter::writeMessage(WriteRequest& request, int64_t seq, std::string* error) {
    const StoredMessage& message = *request.message;
    Statement& s = m_sql.insertMessage;
    StatementUse use(s);
    s.bind(1, *request.tenantId);
    s.bind(2, *request.conversationId);
    s.bind(3, seq);
    if (message.idempotencyKey.empty()) {
        s.bindNull(4);
    } else {
        s.bind(4, message.idempotencyKey);
    }
    s.bind(5, message.input);
    s.bind(6, message.reply);
    s.bind(7, message.stateBefore);
    s.bind(8, message.stateAfter);
    s.bind(9, message.resultJson);
    s.bind(10, orNow(message.createdAtMs, request.nowMs));
    return stepDone(s, "writing message", error);
}

int SqliteWriter::pruneHistory(WriteRequest& request, int64_t newestSeq, std::string* error) {
    const auto limit = static_cast<int64_t>(m_options.historyLimitPerConversation);
    const int64_t chunk = std::max<int64_t>(1, limit / 16);
    if (limit <= 0 || newestSeq <= limit || newestSeq % chunk != 0) {
        return SQLITE_OK;
    }
    Statement& s = m_sql.prune;
    StatementUse use(s);
    s.bind(1, *request.tenantId);
    s.bind(2, *request.conversationId);
    s.bind(3, newestSeq - limit);
    return stepDone(s, "pruning history", error);
}

int SqliteWriter::applyRemove(WriteRequest& request, std::string* error) {
    for (Statement* s : {&m_sql.deleteMessages, &m_sql.deleteConversation}) {
        StatementUse use(*s);
        s->bind(1, *request.tenantId);
        s->bind(2, *request.conversationId);
        const int rc = stepDone(*s, "removing conversation", error);
        if (rc != SQLITE_OK) {
            return rc;
        }
    }
    request.removed = sqlite3_changes(m_db.get()) > 0;
    return SQLITE_OK;
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
