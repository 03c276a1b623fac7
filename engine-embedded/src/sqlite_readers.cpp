#include "sqlite_readers.h"

#include "conversation_codec.h"

#include <algorithm>
#include <limits>

namespace flowdeck::engine::sqlite {

std::unique_ptr<ReadConnection>
ReadConnection::open(const std::string& path, const SqliteOptions& options, std::string* error) {
    Connection db = openConnection(path, options, Role::Reader, error);
    if (!db) {
        return nullptr;
    }
    std::unique_ptr<ReadConnection> connection(new ReadConnection(std::move(db), options));
    if (!connection->prepare(error)) {
        return nullptr;
    }
    return connection;
}

ReadConnection::ReadConnection(Connection db, const SqliteOptions& options)
    : m_db(std::move(db))
    , m_options(options) {}

bool ReadConnection::prepare(std::string* error) {
    const std::string columns(kMessageColumns);
    const std::string ids = " WHERE tenant_id = ?1 AND conversation_id = ?2";
    const std::string ref = "conversation_ref = (SELECT id FROM conversations" + ids + ")";
    m_load = Statement(m_db.get(),
                       "SELECT flow_id, flow_version, current_state, context, ab_variant, "
                       "version, message_count, created_at, updated_at FROM conversations" +
                           ids,
                       error);
    m_findMessage = Statement(
        m_db.get(),
        "SELECT " + columns + " FROM messages WHERE " + ref + " AND idempotency_key = ?3", error);
    // A conversation's ids grow with seq: the newest N ids, read in id order, are the newest N
    // messages oldest first. The inner query reads only the idempotency index.
    m_history = Statement(m_db.get(),
                          "SELECT " + columns +
                              " FROM messages WHERE id IN (SELECT id FROM messages WHERE " + ref +
                              " ORDER BY id DESC LIMIT ?3) ORDER BY id",
                          error);
    m_count = Statement(m_db.get(), "SELECT count(*) FROM conversations", error);
    return m_load.valid() && m_findMessage.valid() && m_history.valid() && m_count.valid();
}

std::string ReadConnection::failure(int rc, std::string_view what) const {
    return describe(m_db.get(), rc, what, m_options.busyTimeout);
}

std::optional<ConversationState> ReadConnection::load(const std::string& tenantId,
                                                      const std::string& conversationId,
                                                      std::string* error) {
    StatementUse use(m_load);
    m_load.bind(1, tenantId);
    m_load.bind(2, conversationId);
    const int rc = m_load.step();
    if (rc != SQLITE_ROW) {
        if (rc != SQLITE_DONE) {
            *error = failure(rc, "loading conversation '" + conversationId + "'");
        }
        return std::nullopt;
    }
    ConversationState state;
    state.tenantId = tenantId;
    state.conversationId = conversationId;
    state.flowId = m_load.text(0);
    state.flowVersion = m_load.text(1);
    state.currentState = m_load.text(2);
    // A context that no longer parses is reported but does not hide the conversation: its
    // version is still needed to write over it.
    decodeContext(m_load.text(3), state, error);
    state.abVariant = m_load.text(4);
    state.version = m_load.integer(5);
    state.messageCount = m_load.integer(6);
    state.createdAtMs = m_load.integer(7);
    state.updatedAtMs = m_load.integer(8);
    return state;
}

std::optional<StoredMessage> ReadConnection::findMessage(const std::string& tenantId,
                                                         const std::string& conversationId,
                                                         const std::string& idempotencyKey,
                                                         std::string* error) {
    StatementUse use(m_findMessage);
    m_findMessage.bind(1, tenantId);
    m_findMessage.bind(2, conversationId);
    m_findMessage.bind(3, idempotencyKey);
    const int rc = m_findMessage.step();
    if (rc == SQLITE_ROW) {
        return messageFromRow(m_findMessage);
    }
    if (rc != SQLITE_DONE) {
        *error = failure(rc, "finding message '" + idempotencyKey + "'");
    }
    return std::nullopt;
}

std::vector<StoredMessage> ReadConnection::history(const std::string& tenantId,
                                                   const std::string& conversationId, size_t limit,
                                                   std::string* error) {
    std::vector<StoredMessage> messages;
    StatementUse use(m_history);
    m_history.bind(1, tenantId);
    m_history.bind(2, conversationId);
    constexpr auto kMax = static_cast<size_t>(std::numeric_limits<int64_t>::max());
    m_history.bind(3, static_cast<int64_t>(std::min(limit, kMax)));
    int rc = SQLITE_ROW;
    while ((rc = m_history.step()) == SQLITE_ROW) {
        messages.push_back(messageFromRow(m_history));
    }
    if (rc != SQLITE_DONE) {
        *error = failure(rc, "reading history of '" + conversationId + "'");
    }
    return messages;
}

std::optional<int64_t> ReadConnection::conversationCount(std::string* error) {
    StatementUse use(m_count);
    const int rc = m_count.step();
    if (rc != SQLITE_ROW) {
        *error = failure(rc, "counting conversations");
        return std::nullopt;
    }
    return m_count.integer(0);
}

std::string ReadConnection::integrityCheck(std::string* error) {
    Statement check(m_db.get(), "PRAGMA integrity_check", error);
    if (!check.valid()) {
        return {};
    }
    std::string report;
    int rc = SQLITE_ROW;
    while ((rc = check.step()) == SQLITE_ROW) {
        report += (report.empty() ? "" : "\n") + check.text(0);
    }
    if (rc != SQLITE_DONE) {
        *error = failure(rc, "checking integrity");
    }
    return report;
}

ReaderPool::Lease::Lease(ReaderPool* pool, std::unique_ptr<ReadConnection> connection)
    : m_pool(pool)
    , m_connection(std::move(connection)) {}

ReaderPool::Lease::~Lease() {
    if (m_connection) {
        m_pool->release(std::move(m_connection));
    }
}

ReaderPool::ReaderPool(std::string path, const SqliteOptions& options)
    : m_path(std::move(path))
    , m_options(options) {}

ReaderPool::Lease ReaderPool::acquire(std::string* error) {
    const size_t maximum = std::max<size_t>(1, m_options.readConnections);
    {
        std::unique_lock lock(m_mutex);
        m_returned.wait(lock, [&] { return m_closed || !m_idle.empty() || m_open < maximum; });
        if (m_closed) {
            *error = "the store is closed";
            return Lease(this, nullptr);
        }
        if (!m_idle.empty()) {
            auto connection = std::move(m_idle.back());
            m_idle.pop_back();
            return Lease(this, std::move(connection));
        }
        ++m_open; // reserve the slot; open outside the lock, it touches the disk
    }
    auto connection = ReadConnection::open(m_path, m_options, error);
    if (!connection) {
        std::lock_guard lock(m_mutex);
        --m_open;
        m_returned.notify_one();
    }
    return Lease(this, std::move(connection));
}

void ReaderPool::release(std::unique_ptr<ReadConnection> connection) {
    {
        std::lock_guard lock(m_mutex);
        if (m_closed) {
            --m_open;
            connection.reset();
        } else {
            m_idle.push_back(std::move(connection));
        }
    }
    m_returned.notify_one();
}

void ReaderPool::close() {
    std::vector<std::unique_ptr<ReadConnection>> idle;
    {
        std::lock_guard lock(m_mutex);
        m_closed = true;
        idle.swap(m_idle);
        m_open -= idle.size();
    }
    m_returned.notify_all();
}

} // namespace flowdeck::engine::sqlite
