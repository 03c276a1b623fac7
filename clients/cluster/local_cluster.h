#pragma once

// A local flowd cluster for demos and tests: a throw-away PostgreSQL (LocalPostgres) and N flowd
// nodes in cluster mode on loopback ports. `flowctl cluster up/down/status` and the integration
// tests both use it, so a cluster a test proves is the one a person starts.
//
// Layout of the directory: postgres/ (LocalPostgres), node-1/ ... node-N/ (each node's --data and
// its flowd.log), cluster.json (what `flowctl cluster down` needs to find everything again).

#include "cluster/local_postgres.h"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <sys/types.h>
#include <vector>

namespace flowdeck::cluster {

struct LocalClusterOptions {
    std::string dir;
    size_t nodes = 3;
    std::string flowdPath; // the flowd program
    std::string flowsDir;  // each node's --flows; empty: flowd's default
    // An existing PostgreSQL (libpq conninfo); empty: start a throw-away one in dir/postgres.
    std::string postgres;
    uint16_t basePort = 0; // node i (0-based) gets gRPC base+2i, HTTP base+2i+1; 0: free ports
    std::vector<std::string> extraArgs; // given to every node (e.g. --tokens FILE)
    std::chrono::milliseconds startTimeout{30000};
    // Progress for a person ("starting PostgreSQL…"); may be empty.
    std::function<void(const std::string&)> progress;
};

struct LocalNode {
    std::string id; // node-1, node-2, ...
    uint16_t grpcPort = 0;
    uint16_t httpPort = 0;
    std::string dataDir;
    std::string logPath;
    pid_t pid = 0;

    std::string grpcAddress() const { return "127.0.0.1:" + std::to_string(grpcPort); }
    std::string httpAddress() const { return "127.0.0.1:" + std::to_string(httpPort); }
};

class LocalCluster final {
public:
    // Starts PostgreSQL (unless options.postgres names one) and every node, and waits until each
    // answers GET /ready with 200. On failure everything started is stopped again and *error
    // says which part failed, with the tail of its log.
    static std::unique_ptr<LocalCluster> start(const LocalClusterOptions& options,
                                               std::string* error);
    // The cluster a `start` left running in `dir` (cluster.json); null with *error when none is.
    static std::unique_ptr<LocalCluster> attach(const std::string& dir, std::string* error);
    ~LocalCluster(); // stop()s unless detach() was called
    LocalCluster(const LocalCluster&) = delete;
    LocalCluster& operator=(const LocalCluster&) = delete;

    const std::vector<LocalNode>& nodes() const { return m_nodes; }
    const std::string& conninfo() const { return m_conninfo; }
    // The PostgreSQL this cluster started; null when options.postgres named one.
    const LocalPostgres* postgres() const { return m_postgres.get(); }
    const std::string& dir() const { return m_options.dir; }

    // Sends `signal` to node i and, for SIGKILL/SIGTERM, waits (bounded) until it is gone.
    bool kill(size_t i, int signal, std::string* error);
    // Starts node i again on the same ports and data directory, and waits until it is ready.
    bool restart(size_t i, std::string* error);
    // Whether node i's process runs, and whether it answers GET /ready with 200.
    bool isRunning(size_t i) const;
    bool isReady(size_t i) const;

    // SIGTERM to every node (SIGKILL after `grace`), then PostgreSQL, if this cluster started it.
    // Idempotent; removes cluster.json.
    bool stop(std::chrono::milliseconds grace, std::string* error);
    // Leaves everything running when this object goes (flowctl cluster up).
    void detach();

private:
    LocalCluster() = default;
    bool startNode(size_t i, std::string* error);
    bool waitReady(size_t i, std::chrono::steady_clock::time_point deadline, std::string* error);
    bool saveState(std::string* error) const;
    void say(const std::string& text) const;

    LocalClusterOptions m_options;
    std::unique_ptr<LocalPostgres> m_postgres; // null when options.postgres named one
    std::string m_conninfo;
    std::vector<LocalNode> m_nodes;
    bool m_detached = false;
    bool m_stopped = false;
};

// GET http://127.0.0.1:port/path, bounded by `timeout`: the status code, or 0 when no answer.
int httpGetStatus(uint16_t port, const std::string& path, std::chrono::milliseconds timeout);

} // namespace flowdeck::cluster
