// PostgresDatabase: the pool, the schema check at open, and the calls that are not a store's
// (audit, NOTIFY, ping). The stores live in pg_*_store.cpp.
#include "pg_database_impl.h"

#include <algorithm>

namespace flowdeck::engine {

namespace {

using Access = PostgresDatabase::Impl::Access;

// PostgreSQL's own limits are 8000 bytes of payload and 63 of channel name; ours leave room.
constexpr size_t kMaxPayloadBytes = 7000;
constexpr size_t kMaxChannelBytes = 63;
constexpr size_t kMaxAuditRecords = 100000;

pg::ConnectionOptions connectionOptions(const PostgresOptions& options) {
    pg::ConnectionOptions out;
    out.conninfo = options.conninfo;
    out.connectTimeout = options.connectTimeout;
    out.statementTimeout = options.statementTimeout;
    out.applicationName = "flowd";
    return out;
}

} // namespace

PostgresDatabase::Impl::Impl(const PostgresOptions& opts)
    : options(opts)
    , pool(connectionOptions(opts), opts.connections) {}

std::shared_ptr<PostgresDatabase> PostgresDatabase::open(const PostgresOptions& options,
                                                         std::string* error) {
    std::string ignored;
    std::string& message = error ? *error : ignored;
    auto impl = std::make_unique<Impl>(options);
    // The first connection proves the conninfo and sets up the schema; it then joins the pool.
    auto first = pg::Connection::open(impl->pool.options(), &message);
    if (!first) {
        return nullptr;
    }
    if (!pgstore::ensureSchema(*first, &message)) {
        message = "PostgreSQL (" + pg::describeServer(options.conninfo) + "): " + message;
        return nullptr;
    }
    impl->pool.adopt(std::move(first));
    return std::shared_ptr<PostgresDatabase>(new PostgresDatabase(std::move(impl)));
}

PostgresDatabase::PostgresDatabase(std::unique_ptr<Impl> impl)
    : m_impl(std::move(impl)) {}

PostgresDatabase::~PostgresDatabase() = default;

// The stores share the database's ownership (aliasing shared_ptr): the Impl they use lives as
// long as any of them does.
std::unique_ptr<ConversationStore> PostgresDatabase::conversations() {
    return pgstore::makeConversationStore(std::shared_ptr<Impl>(shared_from_this(), m_impl.get()));
}

std::unique_ptr<FlowVersionStore> PostgresDatabase::flowVersions() {
    return pgstore::makeFlowVersionStore(std::shared_ptr<Impl>(shared_from_this(), m_impl.get()));
}

std::unique_ptr<release::ReleaseStore> PostgresDatabase::releases() {
    return pgstore::makeReleaseStore(std::shared_ptr<Impl>(shared_from_this(), m_impl.get()));
}

bool PostgresDatabase::appendAudit(const AuditRecord& record, std::string* error) {
    std::string failure;
    const bool ok =
        m_impl->run<bool>(Access::Write, &failure, [&](pg::Connection& c, std::string* out) {
            const pg::QueryResult r = c.execPrepared(
                "audit_append",
                "INSERT INTO audit (at_ms, node_id, subject, method, tenant_id, record) "
                "VALUES ($1::bigint, $2, $3, $4, $5, $6)",
                {pg::param(record.atMs), record.nodeId, record.subject, record.method,
                 record.tenantId, record.recordJson});
            if (!r.ok()) {
                *out = pgstore::failed("appending to the audit log", r.error());
            }
            return r.ok();
        });
    if (!ok && error != nullptr) {
        *error = failure;
    }
    return ok;
}

std::vector<AuditRecord> PostgresDatabase::audit(size_t limit) {
    if (limit == 0) {
        return {};
    }
    const auto bounded = static_cast<int64_t>(std::min(limit, kMaxAuditRecords));
    return m_impl->read<std::vector<AuditRecord>>([&](pg::Connection& c, std::string* error) {
        std::vector<AuditRecord> out;
        const pg::QueryResult r =
            c.exec("SELECT at_ms, node_id, subject, method, tenant_id, record FROM audit "
                   "ORDER BY seq DESC LIMIT $1",
                   {pg::param(bounded)});
        if (!r.ok()) {
            *error = pgstore::failed("reading the audit log", r.error());
        }
        for (int row = 0; row < r.rows(); ++row) {
            out.push_back({r.integer(row, 0), r.text(row, 1), r.text(row, 2), r.text(row, 3),
                           r.text(row, 4), r.text(row, 5)});
        }
        return out;
    });
}

bool PostgresDatabase::notify(const std::string& channel, const std::string& payload,
                              std::string* error) {
    std::string failure;
    if (channel.empty() || channel.size() > kMaxChannelBytes) {
        failure = "cannot notify channel '" + channel + "': a channel name has 1 to " +
                  std::to_string(kMaxChannelBytes) + " bytes";
    } else if (payload.size() > kMaxPayloadBytes) {
        failure = "cannot notify channel '" + channel + "': payload of " +
                  std::to_string(payload.size()) + " bytes is over the " +
                  std::to_string(kMaxPayloadBytes) + "-byte limit";
    } else {
        m_impl->run<bool>(Access::Write, &failure, [&](pg::Connection& c, std::string* out) {
            const pg::QueryResult r =
                c.execPrepared("notify", "SELECT pg_notify($1, $2)", {channel, payload});
            if (!r.ok()) {
                *out = pgstore::failed("notifying channel '" + channel + "'", r.error());
            }
            return r.ok();
        });
    }
    if (!failure.empty() && error != nullptr) {
        *error = failure;
    }
    return failure.empty();
}

std::string PostgresDatabase::ping() {
    std::string error;
    m_impl->run<bool>(Access::Read, &error, [](pg::Connection& c, std::string* out) {
        const pg::QueryResult r = c.execPrepared("ping", "SELECT 1", {});
        if (!r.ok()) {
            *out = pgstore::failed("pinging PostgreSQL", r.error());
        }
        return r.ok();
    });
    return error.empty() ? "ok" : error;
}

std::string PostgresDatabase::lastReadError() const {
    std::lock_guard lock(m_impl->errorMutex);
    return m_impl->lastReadError;
}

const PostgresOptions& PostgresDatabase::options() const {
    return m_impl->options;
}

} // namespace flowdeck::engine
