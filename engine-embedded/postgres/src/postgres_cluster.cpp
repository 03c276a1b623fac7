#include "flowdeck/engine/postgres_cluster.h"

#include <libpq-fe.h>

#include <cstdlib>
#include <string_view>

namespace flowdeck::engine {

namespace {

// One PGconn, reopened when PostgreSQL dropped it. Callers serialise access.
class Link {
public:
    explicit Link(std::string conninfo)
        : m_conninfo(std::move(conninfo)) {}
    ~Link() { close(); }
    Link(const Link&) = delete;
    Link& operator=(const Link&) = delete;

    // A live connection, or null with *error.
    PGconn* get(std::string* error) {
        if (m_conn != nullptr && PQstatus(m_conn) == CONNECTION_OK) {
            return m_conn;
        }
        close();
        // expand_dbname: `conninfo` may be a keyword string or a URI; connect_timeout is added.
        const char* keys[] = {"dbname", "connect_timeout", "application_name", nullptr};
        const char* values[] = {m_conninfo.c_str(), "5", "flowd-cluster", nullptr};
        m_conn = PQconnectdbParams(keys, values, 1);
        if (PQstatus(m_conn) != CONNECTION_OK) {
            *error = "cannot connect to PostgreSQL: " + message(m_conn);
            close();
            return nullptr;
        }
        return m_conn;
    }
    void close() {
        if (m_conn != nullptr) {
            PQfinish(m_conn);
            m_conn = nullptr;
        }
    }
    static std::string message(PGconn* conn) {
        std::string text = conn ? PQerrorMessage(conn) : "out of memory";
        while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) {
            text.pop_back();
        }
        return text;
    }

private:
    std::string m_conninfo;
    PGconn* m_conn = nullptr;
};

struct Result {
    PGresult* res = nullptr;
    ~Result() { PQclear(res); }
    bool ok() const {
        const auto status = PQresultStatus(res);
        return status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
    }
};

// Runs `sql` with text parameters; false with *error (and the link closed when the connection
// itself broke, so the next call reconnects).
bool run(Link& link, std::string_view sql, const std::vector<std::string>& params, Result* out,
         std::string* error) {
    PGconn* conn = link.get(error);
    if (conn == nullptr) {
        return false;
    }
    std::vector<const char*> values;
    values.reserve(params.size());
    for (const auto& p : params) {
        values.push_back(p.c_str());
    }
    const std::string text(sql);
    // PQexec runs several ;-separated commands (schema setup); PQexecParams only one.
    out->res = params.empty() ? PQexec(conn, text.c_str())
                              : PQexecParams(conn, text.c_str(), static_cast<int>(values.size()),
                                             nullptr, values.data(), nullptr, nullptr, 0);
    if (out->ok()) {
        return true;
    }
    *error = Link::message(conn);
    if (PQstatus(conn) != CONNECTION_OK) {
        link.close();
    }
    return false;
}

std::string text(const Result& r, int row, int column) {
    return PQgetisnull(r.res, row, column) ? std::string() : PQgetvalue(r.res, row, column);
}

int64_t number(const Result& r, int row, int column) {
    return std::strtoll(PQgetvalue(r.res, row, column), nullptr, 10);
}

} // namespace

std::string describeConninfo(const std::string& conninfo) {
    char* problem = nullptr;
    PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), &problem);
    if (options == nullptr) {
        PQfreemem(problem);
        return "postgresql (unparsed connection string)";
    }
    std::string host = "localhost";
    std::string port = "5432";
    std::string dbname;
    for (PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
        if (o->val == nullptr || o->val[0] == '\0') {
            continue;
        }
        const std::string_view key = o->keyword;
        if (key == "host" || key == "hostaddr") {
            host = o->val;
        } else if (key == "port") {
            port = o->val;
        } else if (key == "dbname") {
            dbname = o->val;
        }
    }
    PQconninfoFree(options);
    return "postgresql://" + host + ":" + port + "/" + dbname;
}

// ---- PostgresTurn -----------------------------------------------------------------------------

struct PostgresTurn::Connection {
    explicit Connection(std::string conninfo)
        : link(std::move(conninfo)) {}
    Link link;
};

PostgresTurn::PostgresTurn(std::string conninfo, int64_t key, std::chrono::milliseconds wait)
    : m_conninfo(std::move(conninfo))
    , m_key(key)
    , m_wait(wait)
    , m_connection(std::make_unique<Connection>(m_conninfo)) {}

PostgresTurn::~PostgresTurn() = default;

bool PostgresTurn::acquire(std::string* error) {
    m_turn.lock();
    const std::string key = std::to_string(m_key);
    // lock_timeout bounds the wait for another node; a second try covers a connection that
    // PostgreSQL dropped since the last turn.
    for (int attempt = 0; attempt < 2; ++attempt) {
        Result timeout;
        Result lock;
        const std::string setTimeout =
            "SET lock_timeout = '" + std::to_string(m_wait.count()) + "ms'";
        if (run(m_connection->link, setTimeout, {}, &timeout, error) &&
            run(m_connection->link, "SELECT pg_advisory_lock($1::bigint)", {key}, &lock, error)) {
            return true;
        }
    }
    m_turn.unlock();
    return false;
}

void PostgresTurn::release() {
    Result unlock;
    std::string error;
    if (!run(m_connection->link, "SELECT pg_advisory_unlock($1::bigint)", {std::to_string(m_key)},
             &unlock, &error)) {
        m_connection->link.close(); // a closed session holds no lock
    }
    m_turn.unlock();
}

// ---- PostgresRoster ---------------------------------------------------------------------------

struct PostgresRoster::Connection {
    explicit Connection(std::string conninfo)
        : link(std::move(conninfo)) {}
    Link link;
};

PostgresRoster::PostgresRoster(std::string conninfo, std::chrono::milliseconds liveness)
    : m_conninfo(std::move(conninfo))
    , m_liveness(liveness)
    , m_connection(std::make_unique<Connection>(m_conninfo)) {}

PostgresRoster::~PostgresRoster() = default;

bool PostgresRoster::ensureSchema(std::string* error) {
    if (m_schemaReady) {
        return true;
    }
    // Nodes starting together race to create the table; the transaction-scoped lock orders them.
    Result result;
    m_schemaReady = run(m_connection->link,
                        "BEGIN; SELECT pg_advisory_xact_lock(4702111234474983745);"
                        "CREATE TABLE IF NOT EXISTS flowdeck_nodes ("
                        " node_id text PRIMARY KEY, address text NOT NULL,"
                        " version text NOT NULL, started_at_ms bigint NOT NULL,"
                        " last_seen timestamptz NOT NULL); COMMIT",
                        {}, &result, error);
    if (!m_schemaReady) {
        Result rollback;
        std::string ignored;
        run(m_connection->link, "ROLLBACK", {}, &rollback, &ignored);
    }
    return m_schemaReady;
}

bool PostgresRoster::heartbeat(const RosterEntry& self, std::string* error) {
    std::lock_guard lock(m_mutex);
    if (!ensureSchema(error)) {
        return false;
    }
    Result result;
    return run(m_connection->link,
               "INSERT INTO flowdeck_nodes (node_id, address, version, started_at_ms, last_seen)"
               " VALUES ($1, $2, $3, $4::bigint, now()) ON CONFLICT (node_id) DO UPDATE SET"
               " address = EXCLUDED.address, version = EXCLUDED.version,"
               " started_at_ms = EXCLUDED.started_at_ms, last_seen = now()",
               {self.nodeId, self.address, self.version, std::to_string(self.startedAtMs)}, &result,
               error);
}

void PostgresRoster::leave(const std::string& nodeId) {
    std::lock_guard lock(m_mutex);
    Result result;
    std::string error;
    if (m_schemaReady) {
        run(m_connection->link, "DELETE FROM flowdeck_nodes WHERE node_id = $1", {nodeId}, &result,
            &error);
    }
}

std::vector<RosterEntry> PostgresRoster::nodes(std::string* error) {
    std::lock_guard lock(m_mutex);
    std::vector<RosterEntry> entries;
    Result result;
    if (!ensureSchema(error)) {
        return entries;
    }
    if (const auto now = std::chrono::steady_clock::now(); now - m_lastPrune >= kPruneEvery) {
        Result pruned;
        if (!run(m_connection->link,
                 "DELETE FROM flowdeck_nodes WHERE last_seen < now() - interval '1 hour'", {},
                 &pruned, error)) {
            return entries;
        }
        m_lastPrune = now;
    }
    if (!run(m_connection->link,
             "SELECT node_id, address, version, started_at_ms,"
             " (extract(epoch FROM last_seen) * 1000)::bigint,"
             " now() - last_seen < make_interval(secs => $1::double precision / 1000)"
             " FROM flowdeck_nodes ORDER BY node_id",
             {std::to_string(m_liveness.count())}, &result, error)) {
        return entries;
    }
    for (int row = 0; row < PQntuples(result.res); ++row) {
        RosterEntry e;
        e.nodeId = text(result, row, 0);
        e.address = text(result, row, 1);
        e.version = text(result, row, 2);
        e.startedAtMs = number(result, row, 3);
        e.lastSeenMs = number(result, row, 4);
        e.alive = text(result, row, 5) == "t";
        entries.push_back(std::move(e));
    }
    return entries;
}

} // namespace flowdeck::engine
