#pragma once

// One SQL statement on a fresh libpq connection, for tests that look inside a PostgreSQL the
// test started (LocalPostgres).

#include <libpq-fe.h>

#include <string>

namespace pgtest {

// The first row's first column of `sql` ("" when it returns no rows), or "ERROR: ..." when the
// connection or the statement fails.
inline std::string queryValue(const std::string& conninfo, const std::string& sql) {
    PGconn* conn = PQconnectdb((conninfo + " connect_timeout=5").c_str());
    std::string value;
    if (PQstatus(conn) != CONNECTION_OK) {
        value = std::string("ERROR: ") + PQerrorMessage(conn);
    } else {
        PGresult* r = PQexec(conn, sql.c_str());
        const ExecStatusType status = PQresultStatus(r);
        if (status == PGRES_TUPLES_OK && PQntuples(r) > 0) {
            value = PQgetvalue(r, 0, 0);
        } else if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
            value = std::string("ERROR: ") + PQerrorMessage(conn);
        }
        PQclear(r);
    }
    PQfinish(conn);
    return value;
}

} // namespace pgtest
