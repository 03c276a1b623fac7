#include "pg_connection.h"

#include <poll.h>

#include <cerrno>
#include <cstdlib>

namespace flowdeck::engine::pg {

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// libpq messages end with a newline and may span lines; one line reads better in an error.
std::string tidy(const char* message) {
    std::string out = message ? message : "";
    while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) {
        out.pop_back();
    }
    for (char& c : out) {
        if (c == '\n') {
            c = ' ';
        }
    }
    return out.empty() ? "unknown error" : out;
}

void ignoreNotice(void*, const char*) {}

// Parameters as libpq wants them; nullopt when one holds a NUL byte (text cannot, and libpq
// would silently cut the value there).
std::optional<std::vector<const char*>> paramValues(const Params& params, std::string* error) {
    std::vector<const char*> values;
    values.reserve(params.size());
    for (size_t i = 0; i < params.size(); ++i) {
        if (params[i] && params[i]->find('\0') != std::string::npos) {
            *error = "parameter $" + std::to_string(i + 1) +
                     " holds a NUL byte, which PostgreSQL text cannot store";
            return std::nullopt;
        }
        values.push_back(params[i] ? params[i]->c_str() : nullptr);
    }
    return values;
}

} // namespace

QueryResult QueryResult::failure(std::string error, std::string sqlState) {
    QueryResult result;
    result.m_error = std::move(error);
    result.m_sqlState = std::move(sqlState);
    return result;
}

QueryResult QueryResult::fromResult(ResultHandle handle) {
    QueryResult result;
    const ExecStatusType status = PQresultStatus(handle.get());
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
        const char* primary = PQresultErrorField(handle.get(), PG_DIAG_MESSAGE_PRIMARY);
        result.m_error = tidy(primary ? primary : PQresultErrorMessage(handle.get()));
        const char* state = PQresultErrorField(handle.get(), PG_DIAG_SQLSTATE);
        result.m_sqlState = state ? state : "";
    }
    result.m_result = std::move(handle);
    return result;
}

int QueryResult::rows() const {
    return m_result ? PQntuples(m_result.get()) : 0;
}

bool QueryResult::isNull(int row, int column) const {
    return !m_result || PQgetisnull(m_result.get(), row, column) != 0;
}

std::string QueryResult::text(int row, int column) const {
    if (isNull(row, column)) {
        return {};
    }
    return std::string(PQgetvalue(m_result.get(), row, column),
                       static_cast<size_t>(PQgetlength(m_result.get(), row, column)));
}

int64_t QueryResult::integer(int row, int column) const {
    return isNull(row, column) ? 0
                               : std::strtoll(PQgetvalue(m_result.get(), row, column), nullptr, 10);
}

bool QueryResult::boolean(int row, int column) const {
    return !isNull(row, column) && PQgetvalue(m_result.get(), row, column)[0] == 't';
}

int64_t QueryResult::affected() const {
    const char* count = m_result ? PQcmdTuples(m_result.get()) : "";
    return *count ? std::strtoll(count, nullptr, 10) : 0;
}

std::unique_ptr<Connection> Connection::open(const ConnectionOptions& options, std::string* error) {
    const std::string server = describeServer(options.conninfo);
    // Defaults first: the expanded conninfo (dbname) overrides whatever it names itself.
    const char* keywords[] = {"fallback_application_name", "client_encoding", "dbname", nullptr};
    const char* values[] = {options.applicationName.c_str(), "UTF8", options.conninfo.c_str(),
                            nullptr};
    PGconn* conn = PQconnectStartParams(keywords, values, 1);
    std::unique_ptr<Connection> connection(new Connection(conn, options.connectTimeout));
    if (conn == nullptr || PQstatus(conn) == CONNECTION_BAD) {
        *error = "cannot connect to PostgreSQL (" + server +
                 "): " + tidy(conn ? PQerrorMessage(conn) : "out of memory");
        return nullptr;
    }
    const auto deadline = Clock::now() + options.connectTimeout;
    PostgresPollingStatusType status = PGRES_POLLING_WRITING;
    while (status != PGRES_POLLING_OK) {
        if (status == PGRES_POLLING_FAILED) {
            *error = "cannot connect to PostgreSQL (" + server + "): " + tidy(PQerrorMessage(conn));
            return nullptr;
        }
        if (!waitSocket(PQsocket(conn), status == PGRES_POLLING_WRITING, deadline)) {
            *error = "cannot connect to PostgreSQL (" + server + ") within " +
                     std::to_string(options.connectTimeout.count()) + " ms";
            return nullptr;
        }
        status = PQconnectPoll(conn);
    }
    PQsetnonblocking(conn, 1); // so every wait goes through waitSocket and its deadline
    PQsetNoticeProcessor(conn, &ignoreNotice, nullptr);
    if (options.statementTimeout.count() > 0) {
        const QueryResult set = connection->execScript(
            "SET statement_timeout = " + std::to_string(options.statementTimeout.count()));
        if (!set.ok()) {
            *error = "cannot set up PostgreSQL connection (" + server + "): " + set.error();
            return nullptr;
        }
        connection->m_deadline = options.statementTimeout + milliseconds(2000);
    } else {
        connection->m_deadline = milliseconds(5 * 60 * 1000);
    }
    return connection;
}

Connection::Connection(PGconn* conn, std::chrono::milliseconds deadline)
    : m_conn(conn)
    , m_deadline(deadline) {}

Connection::~Connection() {
    if (m_conn != nullptr) {
        PQfinish(m_conn);
    }
}

QueryResult Connection::exec(std::string_view sql, const Params& params) {
    std::string error;
    const auto values = paramValues(params, &error);
    if (!values) {
        return QueryResult::failure(error);
    }
    const std::string text(sql);
    if (m_dead || !PQsendQueryParams(m_conn, text.c_str(), static_cast<int>(values->size()),
                                     nullptr, values->data(), nullptr, nullptr, 0)) {
        return sendFailed("sending a statement");
    }
    return collect("running a statement");
}

QueryResult Connection::execPrepared(const std::string& name, std::string_view sql,
                                     const Params& params) {
    std::string error;
    const auto values = paramValues(params, &error);
    if (!values) {
        return QueryResult::failure(error);
    }
    if (!m_prepared.contains(name)) {
        const std::string text(sql);
        if (m_dead || !PQsendPrepare(m_conn, name.c_str(), text.c_str(),
                                     static_cast<int>(values->size()), nullptr)) {
            return sendFailed("preparing a statement");
        }
        QueryResult prepared = collect("preparing a statement");
        if (!prepared.ok()) {
            return prepared;
        }
        m_prepared.insert(name);
    }
    if (!PQsendQueryPrepared(m_conn, name.c_str(), static_cast<int>(values->size()), values->data(),
                             nullptr, nullptr, 0)) {
        return sendFailed("sending a statement");
    }
    return collect("running a statement");
}

QueryResult Connection::execScript(std::string_view sql) {
    const std::string text(sql);
    if (m_dead || !PQsendQuery(m_conn, text.c_str())) {
        return sendFailed("sending a statement");
    }
    return collect("running a statement");
}

QueryResult Connection::sendFailed(std::string_view what) {
    QueryResult result =
        QueryResult::failure(std::string(what) + ": " +
                             (m_dead ? "the connection was lost" : tidy(PQerrorMessage(m_conn))));
    m_dead = true;
    m_lostConnection = true;
    m_notApplied = true; // nothing reached the server
    return result;
}

QueryResult Connection::collect(std::string_view what) {
    const auto deadline = Clock::now() + m_deadline;
    const auto timedOut = [&] {
        m_dead = true; // the answer may still come: this connection can never be trusted again
        QueryResult result =
            QueryResult::failure(std::string(what) + ": no answer from PostgreSQL within " +
                                 std::to_string(m_deadline.count()) + " ms");
        m_lostConnection = true;
        m_notApplied = false;
        return result;
    };
    for (int flushed = PQflush(m_conn); flushed != 0; flushed = PQflush(m_conn)) {
        if (flushed < 0 || !waitSocket(PQsocket(m_conn), true, deadline)) {
            return flushed < 0 ? sendFailed(what) : timedOut();
        }
        PQconsumeInput(m_conn); // the server may answer (an error) while we still write
    }
    std::optional<QueryResult> failed;
    QueryResult last;
    for (;;) {
        while (PQisBusy(m_conn)) {
            if (!waitSocket(PQsocket(m_conn), false, deadline)) {
                return timedOut();
            }
            if (!PQconsumeInput(m_conn)) {
                break; // the connection broke: PQgetResult reports it
            }
        }
        PGresult* next = PQgetResult(m_conn);
        if (next == nullptr) {
            break;
        }
        QueryResult result = QueryResult::fromResult(ResultHandle(next));
        if (!result.ok() && !failed) {
            failed = std::move(result);
        } else if (!failed) {
            last = std::move(result);
        }
        if (PQstatus(m_conn) == CONNECTION_BAD) {
            break;
        }
    }
    if (PQstatus(m_conn) == CONNECTION_BAD && !failed) {
        failed = QueryResult::failure(std::string(what) + ": " + tidy(PQerrorMessage(m_conn)));
    }
    if (failed) {
        noteFailure(*failed);
        return std::move(*failed);
    }
    m_lostConnection = false;
    m_notApplied = false;
    return last;
}

void Connection::noteFailure(const QueryResult& result) {
    m_lostConnection = PQstatus(m_conn) == CONNECTION_BAD;
    // 57P01-57P03: the server ended the session (administrator, crash, restart); the statement
    // it answered that way was aborted.
    m_notApplied = result.sqlState().starts_with("57P0") && result.sqlState() != "57P04";
    if (m_lostConnection || m_notApplied) {
        m_dead = true;
        m_lostConnection = true;
    }
}

bool Connection::alive() const {
    return !m_dead && m_conn != nullptr && PQstatus(m_conn) == CONNECTION_OK;
}

bool Connection::looksAliveWhileIdle() {
    if (!alive()) {
        return false;
    }
    pollfd p{PQsocket(m_conn), POLLIN, 0};
    int ready = 0;
    do {
        ready = ::poll(&p, 1, 0);
    } while (ready < 0 && errno == EINTR);
    if (ready == 0) {
        return true;
    }
    // Nothing is asked of an idle connection that does not LISTEN: what arrived is the server
    // hanging up (a FATAL message, then EOF). Rare enough to drop the connection either way.
    m_dead = true;
    return false;
}

bool Connection::inTransaction() const {
    return PQtransactionStatus(m_conn) != PQTRANS_IDLE;
}

int Connection::backendPid() const {
    return PQbackendPID(m_conn);
}

int Connection::socket() const {
    return PQsocket(m_conn);
}

bool Connection::waitSocket(int fd, bool forWrite, Clock::time_point deadline) {
    if (fd < 0) {
        return true; // no socket: the next libpq call reports why
    }
    for (;;) {
        const auto left = std::chrono::ceil<milliseconds>(deadline - Clock::now()).count();
        if (left <= 0) {
            return false;
        }
        pollfd p{fd, static_cast<short>(forWrite ? (POLLOUT | POLLIN) : POLLIN), 0};
        const int ready = ::poll(&p, 1, static_cast<int>(std::min<int64_t>(left, 60'000)));
        if (ready > 0) {
            return true;
        }
        if (ready < 0 && errno != EINTR) {
            return true; // let libpq meet and report the socket's error
        }
    }
}

std::string describeServer(const std::string& conninfo) {
    char* message = nullptr;
    PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), &message);
    if (options == nullptr) {
        std::string out = "unparsable conninfo: " + tidy(message);
        PQfreemem(message);
        return out;
    }
    std::string out;
    for (const PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
        const std::string_view key = o->keyword;
        if (o->val != nullptr && *o->val != '\0' &&
            (key == "host" || key == "hostaddr" || key == "port" || key == "dbname" ||
             key == "user")) {
            out += (out.empty() ? "" : " ") + std::string(key) + "=" + o->val;
        }
    }
    PQconninfoFree(options);
    return out.empty() ? "default server" : out;
}

} // namespace flowdeck::engine::pg
