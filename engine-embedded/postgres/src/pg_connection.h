#pragma once

// Thin RAII over libpq for the PostgreSQL stores and listener. Self-contained (libpq and the
// standard library only). Every wait is bounded: connecting by a deadline of our own (libpq's
// connect_timeout counts whole seconds), and each statement by the server's statement_timeout
// plus a client-side deadline, so a partitioned network fails a call instead of hanging it.

#include <libpq-fe.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace flowdeck::engine::pg {

// A statement parameter in text form; nullopt is SQL NULL.
using Param = std::optional<std::string>;
using Params = std::vector<Param>;

inline Param param(int64_t value) {
    return std::to_string(value);
}
inline Param param(std::string value) {
    return Param(std::move(value));
}
inline Param param(bool value) {
    return std::string(value ? "true" : "false");
}
// An empty string as NULL (e.g. "no idempotency key", which must not collide in a unique index).
inline Param paramOrNull(const std::string& value) {
    return value.empty() ? std::nullopt : Param(value);
}

struct ResultDeleter {
    void operator()(PGresult* result) const { PQclear(result); }
};
using ResultHandle = std::unique_ptr<PGresult, ResultDeleter>;

// The outcome of one statement: its rows, or why it failed.
class QueryResult final {
public:
    QueryResult() = default;
    static QueryResult failure(std::string error, std::string sqlState = {});
    static QueryResult fromResult(ResultHandle result);

    bool ok() const { return m_error.empty(); }
    const std::string& error() const { return m_error; }
    // The five-character SQLSTATE ("23505"), "" when the failure came from the client side.
    const std::string& sqlState() const { return m_sqlState; }

    int rows() const;
    bool isNull(int row, int column) const;
    std::string text(int row, int column) const;
    int64_t integer(int row, int column) const;
    bool boolean(int row, int column) const;
    // Rows changed by an INSERT/UPDATE/DELETE.
    int64_t affected() const;

private:
    ResultHandle m_result;
    std::string m_error;
    std::string m_sqlState;
};

// SQLSTATEs the stores react to.
inline constexpr std::string_view kUniqueViolation = "23505";
inline constexpr std::string_view kQueryCanceled = "57014"; // statement_timeout

struct ConnectionOptions {
    std::string conninfo; // a libpq connection string or URI
    std::chrono::milliseconds connectTimeout{5000};
    // SET statement_timeout; 0 leaves the server's. The client gives up 2 s after it.
    std::chrono::milliseconds statementTimeout{10000};
    std::string applicationName = "flowdeck"; // unless conninfo names one
};

// One connection; not thread-safe (the pool hands it to one caller at a time).
class Connection final {
public:
    // Connects within options.connectTimeout and applies the statement timeout. Null with
    // *error naming the server when it cannot.
    static std::unique_ptr<Connection> open(const ConnectionOptions& options, std::string* error);
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    // Runs one statement with $1..$n parameters (PQexecParams).
    QueryResult exec(std::string_view sql, const Params& params = {});
    // The same, prepared on this connection under `name` the first time it is used.
    QueryResult execPrepared(const std::string& name, std::string_view sql, const Params& params);
    // Runs one or more statements without parameters (e.g. "BEGIN", DDL); the first failure.
    QueryResult execScript(std::string_view sql);

    // False once the connection is known dead (a failed call, a server that hung up, a missed
    // deadline). A dead connection never comes back: drop it and open another.
    bool alive() const;
    // Checks an idle connection without a round trip: a server that terminated the session
    // (restart, pg_terminate_backend) has left a message or EOF on the socket.
    bool looksAliveWhileIdle();
    bool inTransaction() const;
    // True when the last failure lost the connection before the server could have applied the
    // statement (not sent at all, or the server said it terminated the session), so running it
    // again on a new connection cannot apply it twice.
    bool lastFailureNotApplied() const { return m_notApplied; }
    // True when the last failure lost the connection (whatever the server did).
    bool lastFailureLostConnection() const { return m_lostConnection; }

    int backendPid() const;
    int socket() const;
    PGconn* handle() { return m_conn; }
    std::chrono::milliseconds statementDeadline() const { return m_deadline; }

    // Waits until the socket is readable/writable or the deadline passes; false on timeout.
    static bool waitSocket(int fd, bool forWrite, std::chrono::steady_clock::time_point deadline);

private:
    Connection(PGconn* conn, std::chrono::milliseconds deadline);
    // Sends nothing: waits for and collects the results of what was sent (first failure wins).
    QueryResult collect(std::string_view what);
    QueryResult sendFailed(std::string_view what);
    void noteFailure(const QueryResult& result);

    PGconn* m_conn = nullptr;
    std::chrono::milliseconds m_deadline;
    std::set<std::string, std::less<>> m_prepared;
    bool m_dead = false;
    bool m_notApplied = false;
    bool m_lostConnection = false;
};

// "host=127.0.0.1 port=5432 ..." without password=...: for error messages and logs.
std::string describeServer(const std::string& conninfo);

} // namespace flowdeck::engine::pg
