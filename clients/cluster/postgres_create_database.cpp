// The one step of LocalPostgres that speaks SQL: create the Flowdeck database over libpq.

#include "cluster/postgres_setup.h"

#include <algorithm>
#include <libpq-fe.h>
#include <memory>

namespace flowdeck::cluster {

namespace {

struct ConnCloser {
    void operator()(PGconn* c) const { PQfinish(c); }
};
struct ResultClearer {
    void operator()(PGresult* r) const { PQclear(r); }
};
using Conn = std::unique_ptr<PGconn, ConnCloser>;
using Result = std::unique_ptr<PGresult, ResultClearer>;

std::string trimmedMessage(const char* message) {
    std::string s = message ? message : "";
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) {
        s.pop_back();
    }
    return s;
}

bool databaseExists(PGconn* conn, const std::string& name, std::string* why) {
    const char* values[] = {name.c_str()};
    Result r(PQexecParams(conn, "SELECT 1 FROM pg_database WHERE datname = $1", 1, nullptr, values,
                          nullptr, nullptr, 0));
    if (PQresultStatus(r.get()) != PGRES_TUPLES_OK) {
        *why = trimmedMessage(PQerrorMessage(conn));
        return false;
    }
    return PQntuples(r.get()) > 0;
}

} // namespace

bool createDatabase(const PostgresSetup& setup, Deadline deadline, std::string* error) {
    const auto left = std::chrono::duration_cast<std::chrono::seconds>(
        deadline - std::chrono::steady_clock::now());
    const std::string conninfo =
        "host=127.0.0.1 port=" + std::to_string(setup.port) +
        " dbname=postgres connect_timeout=" + std::to_string(std::max<long>(2, left.count()));
    // The user name goes through PQconnectdbParams so no quoting is needed.
    const char* keys[] = {"dbname", "user", nullptr};
    const char* values[] = {conninfo.c_str(), setup.user.c_str(), nullptr};
    Conn conn(PQconnectdbParams(keys, values, 1));
    const std::string where = "PostgreSQL on 127.0.0.1:" + std::to_string(setup.port);
    if (PQstatus(conn.get()) != CONNECTION_OK) {
        if (error) {
            *error =
                "cannot connect to " + where + ": " + trimmedMessage(PQerrorMessage(conn.get()));
        }
        return false;
    }
    std::string why;
    if (databaseExists(conn.get(), setup.database, &why)) {
        return true;
    }
    if (why.empty()) {
        char* quoted =
            PQescapeIdentifier(conn.get(), setup.database.c_str(), setup.database.size());
        const std::string sql = std::string("CREATE DATABASE ") + (quoted ? quoted : "\"\"");
        PQfreemem(quoted);
        Result r(PQexec(conn.get(), sql.c_str()));
        if (PQresultStatus(r.get()) == PGRES_COMMAND_OK) {
            return true;
        }
        why = trimmedMessage(PQerrorMessage(conn.get()));
    }
    if (error) {
        *error = "cannot create database \"" + setup.database + "\" on " + where + ": " + why;
    }
    return false;
}

} // namespace flowdeck::cluster
