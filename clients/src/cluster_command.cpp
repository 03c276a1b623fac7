// flowctl cluster up|down|status: a local cluster for demos and tests (clients/cluster/).
#include "cluster_command.h"

#include "cluster/child_process.h"
#include "cluster/local_cluster.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <filesystem>
#include <ostream>
#include <unistd.h>
#include <vector>

namespace flowdeck::client {

namespace fs = std::filesystem;

namespace {

std::string defaultDir() {
    if (const char* dir = std::getenv("FLOWDECK_CLUSTER_DIR"); dir && *dir) {
        return dir;
    }
    if (const char* runtime = std::getenv("XDG_RUNTIME_DIR"); runtime && *runtime) {
        return (fs::path(runtime) / "flowdeck-cluster").string();
    }
    return "/tmp/flowdeck-cluster-" + std::to_string(getuid());
}

// --flowd, else $FLOWD, else the flowd next to this flowctl, else flowd on $PATH.
std::string findFlowd(const std::string& given) {
    if (!given.empty()) {
        return given;
    }
    if (const char* env = std::getenv("FLOWD"); env && *env) {
        return env;
    }
    char self[PATH_MAX] = {};
    const ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n > 0) {
        const fs::path sibling =
            fs::path(std::string(self, static_cast<size_t>(n))).parent_path() / "flowd";
        if (access(sibling.c_str(), X_OK) == 0) {
            return sibling.string();
        }
    }
    const std::string onPath = cluster::findProgram("flowd");
    return onPath.empty() ? "flowd" : onPath;
}

// Each node's state, probed once per command (a probe is an HTTP request with a timeout).
struct NodeHealth {
    bool running = false;
    bool ready = false;
};

std::vector<NodeHealth> probe(const cluster::LocalCluster& c) {
    std::vector<NodeHealth> health(c.nodes().size());
    for (size_t i = 0; i < health.size(); ++i) {
        health[i].running = c.isRunning(i);
        health[i].ready = health[i].running && c.isReady(i);
    }
    return health;
}

// `health` null: addresses only (right after `up`).
nlohmann::json describe(const cluster::LocalCluster& c, const std::vector<NodeHealth>* health) {
    nlohmann::json nodes = nlohmann::json::array();
    for (size_t i = 0; i < c.nodes().size(); ++i) {
        const auto& n = c.nodes()[i];
        nlohmann::json node = {{"id", n.id},   {"grpc", n.grpcAddress()}, {"http", n.httpAddress()},
                               {"pid", n.pid}, {"data", n.dataDir},       {"log", n.logPath}};
        if (health != nullptr) {
            node["running"] = (*health)[i].running;
            node["ready"] = (*health)[i].ready;
        }
        nodes.push_back(std::move(node));
    }
    return {{"dir", c.dir()}, {"postgres", c.conninfo()}, {"nodes", nodes}};
}

void printNodes(const cluster::LocalCluster& c, const std::vector<NodeHealth>* health,
                std::ostream& out) {
    for (size_t i = 0; i < c.nodes().size(); ++i) {
        const auto& n = c.nodes()[i];
        out << "  " << n.id << "  gRPC " << n.grpcAddress() << "  HTTP " << n.httpAddress()
            << "  pid " << n.pid;
        if (health != nullptr) {
            const NodeHealth& h = (*health)[i];
            out << "  " << (!h.running ? "DOWN" : h.ready ? "ready" : "not ready");
        }
        out << "\n";
    }
}

int runUp(const ClusterCommandLine& cl, Streams& io) {
    cluster::LocalClusterOptions options;
    options.dir = cl.dir.empty() ? defaultDir() : cl.dir;
    options.nodes = cl.nodes;
    options.flowdPath = findFlowd(cl.flowd);
    options.flowsDir = cl.flows;
    options.postgres = cl.postgres;
    options.basePort = cl.basePort;
    options.extraArgs = cl.nodeArgs;
    if (!cl.json) {
        options.progress = [&io](const std::string& text) {
            io.err << "flowctl: " << text << "\n";
        };
    }
    std::string error;
    auto c = cluster::LocalCluster::start(options, &error);
    if (!c) {
        io.err << "flowctl: cluster up failed: " << error << "\n";
        return kExitFailed;
    }
    c->detach();
    if (cl.json) {
        io.out << describe(*c, nullptr).dump(2) << "\n";
        return kExitOk;
    }
    io.out << "cluster up: " << c->nodes().size() << " node" << (c->nodes().size() == 1 ? "" : "s")
           << " sharing " << c->conninfo() << "\n";
    printNodes(*c, nullptr, io.out);
    io.out << "Watch it:  flowctl top " << c->nodes().front().grpcAddress() << "\n"
           << "Stop it:   flowctl cluster down --dir " << c->dir() << "\n";
    return kExitOk;
}

// The cluster `up` left in --dir (or the default), or null after saying why.
std::unique_ptr<cluster::LocalCluster> attachTo(const std::string& dir, Streams& io) {
    std::string error;
    auto c = cluster::LocalCluster::attach(dir, &error);
    if (!c) {
        io.err << "flowctl: " << error << "\n";
    }
    return c;
}

int runDown(const ClusterCommandLine& cl, Streams& io) {
    const std::string dir = cl.dir.empty() ? defaultDir() : cl.dir;
    auto c = attachTo(dir, io);
    if (!c) {
        return kExitFailed;
    }
    std::string error;
    const size_t count = c->nodes().size();
    if (!c->stop(std::chrono::seconds(15), &error)) {
        io.err << "flowctl: cluster down: " << error << "\n";
        return kExitFailed;
    }
    io.out << "cluster down: stopped " << count << " node" << (count == 1 ? "" : "s") << " (" << dir
           << ")\n";
    return kExitOk;
}

int runStatus(const ClusterCommandLine& cl, Streams& io) {
    const std::string dir = cl.dir.empty() ? defaultDir() : cl.dir;
    auto c = attachTo(dir, io);
    if (!c) {
        return kExitFailed;
    }
    const auto health = probe(*c);
    if (cl.json) {
        io.out << describe(*c, &health).dump(2) << "\n";
    } else {
        io.out << "cluster in " << dir << " on " << c->conninfo() << "\n";
        printNodes(*c, &health, io.out);
    }
    const bool allReady =
        std::all_of(health.begin(), health.end(), [](const NodeHealth& h) { return h.ready; });
    return allReady ? kExitOk : kExitFailed;
}

} // namespace

void addClusterCommands(CLI::App& app, ClusterCommandLine& cl) {
    auto* cluster = app.add_subcommand(
        "cluster", "Start, inspect and stop a local cluster: flowd nodes sharing one PostgreSQL");
    cluster->require_subcommand(1);
    auto* up = cluster->add_subcommand(
        "up", "Start a throw-away PostgreSQL and N flowd nodes on 127.0.0.1, then return");
    auto* down = cluster->add_subcommand("down", "Stop the nodes and PostgreSQL `up` started");
    auto* status = cluster->add_subcommand(
        "status",
        "Show each node's addresses and whether it runs and is ready (exit 1 if not all)");
    for (auto* cmd : {up, down, status}) {
        cmd->add_option("--dir", cl.dir,
                        "Where the cluster keeps its files (default: $FLOWDECK_CLUSTER_DIR, else "
                        "$XDG_RUNTIME_DIR/flowdeck-cluster, else /tmp/flowdeck-cluster-UID)");
        cmd->add_flag("--json", cl.json, "Print the cluster as JSON on stdout");
    }
    up->add_option("--nodes", cl.nodes, "How many flowd nodes")
        ->capture_default_str()
        ->check(CLI::Range(1, 32));
    up->add_option("--postgres", cl.postgres,
                   "Use this PostgreSQL (libpq conninfo) instead of starting one")
        ->expected(0, 1);
    up->add_option("--flowd", cl.flowd, "The flowd program (default: next to flowctl, or $FLOWD)");
    up->add_option("--flows", cl.flows, "Each node's --flows directory");
    up->add_option("--base-port", cl.basePort,
                   "Node i listens on gRPC BASE+2i and HTTP BASE+2i+1 (default: free ports)");
    up->add_option("--node-arg", cl.nodeArgs,
                   "An extra flowd argument for every node (repeat: --node-arg=--tokens "
                   "--node-arg=FILE)");
    cl.up = up;
    cl.down = down;
    cl.status = status;
}

std::optional<int> runClusterCommand(const ClusterCommandLine& cl, Streams& io) {
    if (cl.up && cl.up->parsed()) {
        return runUp(cl, io);
    }
    if (cl.down && cl.down->parsed()) {
        return runDown(cl, io);
    }
    if (cl.status && cl.status->parsed()) {
        return runStatus(cl, io);
    }
    return std::nullopt;
}

} // namespace flowdeck::client
