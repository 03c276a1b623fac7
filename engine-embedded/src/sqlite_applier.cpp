#include "sqlite_applier.h"

#include <algorithm>

namespace flowdeck::engine::sqlite {

namespace {

// Enough for every conversation a busy node keeps talking to; a miss only costs a lookup.
constexpr size_t kCachedConversations = 65536;

// Shared by both conversation statements: ?3 flow, ?4 flow version, ?5 state, ?6 variant,
// ?7 created, ?8 updated, ?9 context (see bindState). The insert's ?1/?2 are the ids; the
// update's are the row id and the expected version, and ?10 the expected message count.
constexpr std::string_view kInsertConversation =
    "INSERT INTO conversations (tenant_id, conversation_id, version, message_count, flow_id, "
    "flow_version, current_state, ab_variant, created_at, updated_at, context) "
    "VALUES (?1, ?2, 1, 1, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
constexpr std::string_view kUpdateConversation =
    "UPDATE conversations SET version = version + 1, message_count = message_count + 1, "
    "flow_id = ?3, flow_version = ?4, current_state = ?5, ab_variant = ?6, updated_at = ?8, "
    "context = ?9 WHERE id = ?1 AND version = ?2 AND message_count = ?10";
// A key already stored for the conversation inserts nothing: that is the duplicate check.
constexpr std::string_view kInsertMessage =
    "INSERT INTO messages (conversation_ref, seq, created_at, idempotency_key, state_before, "
    "state_after, input, reply, result_json) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) "
    "ON CONFLICT (conversation_ref, idempotency_key) DO NOTHING";
// Ids grow with seq within a conversation, so "all but the newest N ids" are the oldest.
constexpr std::string_view kPrune =
    "DELETE FROM messages WHERE id IN (SELECT id FROM messages WHERE conversation_ref = ?1 "
    "ORDER BY id DESC LIMIT -1 OFFSET ?2)";
constexpr std::string_view kIdsMatch = " WHERE tenant_id = ?1 AND conversation_id = ?2";

int64_t orNow(int64_t value, int64_t now) {
    return value != 0 ? value : now;
}

} // namespace

WriteApplier::WriteApplier(sqlite3* db, const SqliteOptions& options)
    : m_db(db)
    , m_options(options)
    , m_cache(kCachedConversations) {}

bool WriteApplier::prepare(std::string* error) {
    const std::string ids(kIdsMatch);
    m_sql.dataVersion = Statement(m_db, "PRAGMA data_version", error);
    m_sql.lookUp =
        Statement(m_db, "SELECT id, version, message_count FROM conversations" + ids, error);
    m_sql.insertConversation = Statement(m_db, kInsertConversation, error);
    m_sql.updateConversation = Statement(m_db, kUpdateConversation, error);
    m_sql.insertMessage = Statement(m_db, kInsertMessage, error);
    m_sql.findMessage = Statement(m_db,
                                  "SELECT " + std::string(kMessageColumns) +
                                      " FROM messages WHERE conversation_ref = ?1 AND "
                                      "idempotency_key = ?2",
                                  error);
    m_sql.deleteMessage = Statement(m_db, "DELETE FROM messages WHERE id = ?1", error);
    m_sql.prune = Statement(m_db, kPrune, error);
    m_sql.deleteMessages = Statement(m_db,
                                     "DELETE FROM messages WHERE conversation_ref = (SELECT id "
                                     "FROM conversations" +
                                         ids + ")",
                                     error);
    m_sql.deleteConversation = Statement(m_db, "DELETE FROM conversations" + ids, error);
    for (const Statement* s :
         {&m_sql.dataVersion, &m_sql.lookUp, &m_sql.insertConversation, &m_sql.updateConversation,
          &m_sql.insertMessage, &m_sql.findMessage, &m_sql.deleteMessage, &m_sql.prune,
          &m_sql.deleteMessages, &m_sql.deleteConversation}) {
        if (!s->valid()) {
            return false;
        }
    }
    return true;
}

int WriteApplier::beginTransaction(std::string* error) {
    Statement& s = m_sql.dataVersion;
    StatementUse use(s);
    const int rc = s.step();
    if (rc != SQLITE_ROW) {
        return failed(rc, "reading data_version", error);
    }
    const int64_t version = s.integer(0);
    if (version != m_dataVersion) {
        m_cache.clear(); // another process wrote: cached versions may be stale
        m_dataVersion = version;
    }
    return SQLITE_OK;
}

int WriteApplier::applyCommit(WriteRequest& request, std::string* error) {
    request.result = CommitResult{};
    ConversationRow* cached = m_cache.find(*request.tenantId, *request.conversationId);
    if (cached && cached->version == request.expectedVersion) {
        bool stale = false;
        const int rc = append(request, *cached, &stale, error);
        if (rc != SQLITE_OK || !stale) {
            return rc;
        }
        m_cache.clear(); // the file disagreed with the cache: trust neither entry nor its peers
    }
    return applyLookedUp(request, error);
}

int WriteApplier::applyLookedUp(WriteRequest& request, std::string* error) {
    ConversationRow row;
    bool found = false;
    int rc = lookUp(request, &row, &found, error);
    if (rc != SQLITE_OK) {
        return rc;
    }
    if (!found) {
        // No row, no messages: a new conversation, or a Conflict for a client that thinks
        // it exists.
        if (request.expectedVersion == 0) {
            return create(request, error);
        }
        request.result.status = CommitStatus::Conflict;
        return SQLITE_OK;
    }
    ConversationRow& cached = m_cache.put(*request.tenantId, *request.conversationId, row);
    if (row.version == request.expectedVersion) {
        bool stale = false;
        rc = append(request, cached, &stale, error);
        return rc == SQLITE_OK && stale ? failed(SQLITE_INTERNAL, "updating conversation", error)
                                        : rc;
    }
    // A stale version: a retry of a stored message is a Duplicate, anything else a Conflict.
    bool duplicate = false;
    rc = findMessage(request, row.id, &duplicate, error);
    if (rc == SQLITE_OK && !duplicate) {
        request.result.status = CommitStatus::Conflict;
    }
    return rc;
}

int WriteApplier::lookUp(WriteRequest& request, ConversationRow* row, bool* found,
                         std::string* error) {
    Statement& s = m_sql.lookUp;
    StatementUse use(s);
    s.bind(1, *request.tenantId);
    s.bind(2, *request.conversationId);
    const int rc = s.step();
    *found = rc == SQLITE_ROW;
    if (*found) {
        *row = ConversationRow{s.integer(0), s.integer(1), s.integer(2)};
        return SQLITE_OK;
    }
    return rc == SQLITE_DONE ? SQLITE_OK : failed(rc, "looking up conversation", error);
}

int WriteApplier::create(WriteRequest& request, std::string* error) {
    Statement& s = m_sql.insertConversation;
    {
        StatementUse use(s);
        s.bind(1, *request.tenantId);
        s.bind(2, *request.conversationId);
        bindState(s, request);
        const int rc = run(s, "creating conversation", error);
        if (rc != SQLITE_OK) {
            return rc;
        }
    }
    const ConversationRow row{sqlite3_last_insert_rowid(m_db), 1, 1};
    bool inserted = false;
    const int rc = insertMessage(request, row.id, 1, &inserted, error);
    if (rc != SQLITE_OK || !inserted) {
        return rc != SQLITE_OK ? rc : failed(SQLITE_INTERNAL, "writing first message", error);
    }
    m_cache.put(*request.tenantId, *request.conversationId, row);
    request.result.status = CommitStatus::Committed;
    return SQLITE_OK;
}

// `row` is the cached entry: it is advanced as the statements run, and the writer forgets the
// whole cache if the transaction is rolled back.
int WriteApplier::append(WriteRequest& request, ConversationRow& row, bool* stale,
                         std::string* error) {
    *stale = false;
    bool inserted = false;
    int rc = insertMessage(request, row.id, row.messageCount + 1, &inserted, error);
    if (rc != SQLITE_OK || !inserted) {
        return rc != SQLITE_OK ? rc : reportDuplicate(request, row.id, error);
    }
    const int64_t messageId = sqlite3_last_insert_rowid(m_db);
    bool updated = false;
    rc = updateConversation(request, row, &updated, error);
    if (rc != SQLITE_OK || !updated) {
        *stale = rc == SQLITE_OK;
        return rc != SQLITE_OK ? rc : deleteMessage(messageId, error);
    }
    ++row.version;
    ++row.messageCount;
    rc = pruneHistory(row.id, row.messageCount, error);
    if (rc == SQLITE_OK) {
        request.result.status = CommitStatus::Committed;
    }
    return rc;
}

int WriteApplier::insertMessage(WriteRequest& request, int64_t ref, int64_t seq, bool* inserted,
                                std::string* error) {
    const StoredMessage& message = *request.message;
    Statement& s = m_sql.insertMessage;
    StatementUse use(s);
    s.bind(1, ref);
    s.bind(2, seq);
    s.bind(3, orNow(message.createdAtMs, request.nowMs));
    if (message.idempotencyKey.empty()) {
        s.bindNull(4); // no key: the caller asked for no deduplication
    } else {
        s.bind(4, message.idempotencyKey);
    }
    s.bind(5, message.stateBefore);
    s.bind(6, message.stateAfter);
    s.bind(7, message.input);
    s.bind(8, message.reply);
    s.bind(9, message.resultJson);
    const int rc = run(s, "writing message", error);
    *inserted = rc == SQLITE_OK && sqlite3_changes(m_db) == 1;
    return rc;
}

int WriteApplier::updateConversation(WriteRequest& request, const ConversationRow& row,
                                     bool* updated, std::string* error) {
    Statement& s = m_sql.updateConversation;
    StatementUse use(s);
    s.bind(1, row.id);
    s.bind(2, row.version);
    s.bind(10, row.messageCount);
    bindState(s, request);
    const int rc = run(s, "writing conversation", error);
    *updated = rc == SQLITE_OK && sqlite3_changes(m_db) == 1;
    return rc;
}

int WriteApplier::findMessage(WriteRequest& request, int64_t ref, bool* found, std::string* error) {
    *found = false;
    if (request.message->idempotencyKey.empty()) {
        return SQLITE_OK;
    }
    Statement& s = m_sql.findMessage;
    StatementUse use(s);
    s.bind(1, ref);
    s.bind(2, request.message->idempotencyKey);
    const int rc = s.step();
    if (rc == SQLITE_ROW) {
        *found = true;
        request.result.status = CommitStatus::Duplicate;
        request.result.existing = messageFromRow(s);
        return SQLITE_OK;
    }
    return rc == SQLITE_DONE ? SQLITE_OK : failed(rc, "looking up idempotency key", error);
}

// The insert found the key stored already.
int WriteApplier::reportDuplicate(WriteRequest& request, int64_t ref, std::string* error) {
    bool found = false;
    const int rc = findMessage(request, ref, &found, error);
    return rc == SQLITE_OK && !found ? failed(SQLITE_INTERNAL, "finding duplicate", error) : rc;
}

int WriteApplier::deleteMessage(int64_t messageId, std::string* error) {
    Statement& s = m_sql.deleteMessage;
    StatementUse use(s);
    s.bind(1, messageId);
    return run(s, "undoing message", error);
}

int WriteApplier::pruneHistory(int64_t ref, int64_t newestSeq, std::string* error) {
    const auto limit = static_cast<int64_t>(m_options.historyLimitPerConversation);
    const int64_t chunk = std::max<int64_t>(1, limit / 16);
    if (limit <= 0 || newestSeq <= limit || newestSeq % chunk != 0) {
        return SQLITE_OK;
    }
    Statement& s = m_sql.prune;
    StatementUse use(s);
    s.bind(1, ref);
    s.bind(2, limit);
    return run(s, "pruning history", error);
}

int WriteApplier::applyRemove(WriteRequest& request, std::string* error) {
    m_cache.erase(*request.tenantId, *request.conversationId);
    for (Statement* s : {&m_sql.deleteMessages, &m_sql.deleteConversation}) {
        StatementUse use(*s);
        s->bind(1, *request.tenantId);
        s->bind(2, *request.conversationId);
        const int rc = run(*s, "removing conversation", error);
        if (rc != SQLITE_OK) {
            return rc;
        }
    }
    request.removed = sqlite3_changes(m_db) > 0;
    return SQLITE_OK;
}

void WriteApplier::bindState(Statement& s, const WriteRequest& request) const {
    const ConversationState& next = *request.next;
    s.bind(3, next.flowId);
    s.bind(4, next.flowVersion);
    s.bind(5, next.currentState);
    s.bind(6, next.abVariant);
    s.bind(7, orNow(next.createdAtMs, request.nowMs));
    s.bind(8, orNow(next.updatedAtMs, request.nowMs));
    s.bind(9, request.context);
}

int WriteApplier::run(Statement& statement, std::string_view what, std::string* error) {
    const int rc = statement.step();
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? SQLITE_OK : failed(rc, what, error);
}

int WriteApplier::failed(int rc, std::string_view what, std::string* error) const {
    *error = rc == SQLITE_INTERNAL ? std::string(what) + ": the stored row changed unexpectedly"
                                   : describe(m_db, rc, what, m_options.busyTimeout);
    return rc;
}

} // namespace flowdeck::engine::sqlite
