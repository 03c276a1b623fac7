#pragma once

// A throw-away PostgreSQL for demos and tests (DESIGN.md §9): initdb into a directory, a server
// on a free loopback port, one database for Flowdeck. Used by `flowctl cluster up --postgres`
// and by the integration tests, so both start PostgreSQL the same way.
//
// PostgreSQL refuses to run as root, and tests and CI run as root here: when the caller is root
// every PostgreSQL program runs as the unprivileged `postgres` system user (through runuser),
// and the directory is handed to that user. Otherwise they run as the caller.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <sys/types.h>

namespace flowdeck::cluster {

struct LocalPostgresOptions {
    std::string dir;   // created if missing; holds data/, the socket and postgres.log
    uint16_t port = 0; // 0: pick a free loopback port
    std::string database = "flowdeck";
    std::string user = "flowdeck";
    // false (default): fsync=off and synchronous_commit=off, for fast tests and demos; a
    // committed row still survives any flowd node being killed, only not a crash of PostgreSQL
    // or the machine. true: PostgreSQL's defaults.
    bool durable = false;
    std::chrono::milliseconds startTimeout{30000};
};

// Where PostgreSQL's programs are (initdb, pg_ctl, postgres): $FLOWDECK_PG_BIN, else
// `pg_config --bindir`, else the newest /usr/lib/postgresql/<N>/bin. Empty when none is found.
std::string findPostgresBinDir();

class LocalPostgres final {
public:
    // initdb (unless dir/data already holds a cluster), start the server, wait until it accepts
    // connections, create the database. Null with *error (with the tail of postgres.log when
    // the server did not come up).
    static std::unique_ptr<LocalPostgres> start(const LocalPostgresOptions& options,
                                                std::string* error);
    // Re-attach to a server started earlier in `dir` (what `flowctl cluster down` uses); null
    // with *error when none runs there.
    static std::unique_ptr<LocalPostgres> attach(const std::string& dir, std::string* error);
    ~LocalPostgres(); // stops the server unless detach() was called

    // libpq conninfo for the Flowdeck database: "host=127.0.0.1 port=N dbname=flowdeck
    // user=flowdeck".
    std::string conninfo() const;
    uint16_t port() const;
    const std::string& dir() const;
    pid_t pid() const;

    // Fast shutdown (pg_ctl stop -m fast), bounded by `timeout`, then SIGKILL. Idempotent.
    bool stop(std::chrono::milliseconds timeout, std::string* error);
    // Leave the server running when this object is destroyed (flowctl cluster up).
    void detach();

    struct Impl;

private:
    explicit LocalPostgres(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

} // namespace flowdeck::cluster
