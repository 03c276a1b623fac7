// flowd: serves the Flowdeck engine over gRPC and HTTP (docs/operations.md).
#include "grpc_server.h"
#include "http_server.h"
#include "node.h"

#include <CLI/CLI.hpp>
#include <absl/synchronization/mutex.h>

#include <csignal>
#include <pthread.h>
#include <thread>

using namespace flowdeck::server;

namespace {

struct Settings {
    NodeOptions node;
    std::string grpcAddress = "127.0.0.1:7443";
    std::string httpAddress = "127.0.0.1:7080";
    int drainMs = 0;
    int shutdownGraceMs = 10000;
    TlsOptions tls;
};

bool splitHostPort(const std::string& address, std::string& host, int& port) {
    const auto colon = address.rfind(':');
    if (colon == std::string::npos || colon == 0) {
        return false;
    }
    host = address.substr(0, colon);
    try {
        size_t used = 0;
        port = std::stoi(address.substr(colon + 1), &used);
        return used == address.size() - colon - 1 && port >= 0 && port <= 65535;
    } catch (const std::exception&) {
        return false;
    }
}

// Signals are blocked in every thread (the servers' threads inherit the mask) and taken by
// sigwait in main, so shutdown runs as ordinary code rather than in a signal handler.
sigset_t blockShutdownSignals() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    std::signal(SIGPIPE, SIG_IGN);
    return set;
}

int run(const Settings& settings) {
    const sigset_t signals = blockShutdownSignals();
    logLine("starting version " + settings.node.version);
    std::string httpHost;
    int httpPort = 0;
    if (!splitHostPort(settings.httpAddress, httpHost, httpPort)) {
        logLine("--http must be HOST:PORT, not '" + settings.httpAddress + "'");
        return 2;
    }
    std::string error;
    const auto tls = loadTls(settings.tls, &error);
    if (!tls) {
        logLine(error);
        return 2;
    }
    auto node = Node::open(settings.node, &error);
    if (!node) {
        logLine(error);
        return 1;
    }
    HttpServer http(*node, settings.tls);
    if (!http.start(httpHost, httpPort, &error)) {
        logLine(error);
        return 1;
    }
    logLine(std::string(settings.tls.enabled() ? "HTTPS" : "HTTP") + " listening on " + httpHost +
            ":" + std::to_string(http.port()));
    GrpcServer grpc(*node);
    if (!grpc.start(settings.grpcAddress, *tls, &error)) {
        logLine(error);
        return 1;
    }
    logLine(std::string(settings.tls.enabled() ? "gRPC (TLS" : "gRPC (plaintext") +
            (settings.tls.clientCaFile.empty() ? ")" : ", client certificates required)") +
            " listening on " + settings.grpcAddress + " (port " + std::to_string(grpc.port()) +
            ")");
    std::string grpcHost;
    int grpcPort = 0;
    splitHostPort(settings.grpcAddress, grpcHost, grpcPort);
    node->setGrpcAddress(grpcHost + ":" + std::to_string(grpc.port()));
    logLine("node id " + node->identity().nodeId);
    node->joinCluster();
    node->setPhase(Node::Phase::Serving);
    logLine("ready");

    int received = 0;
    sigwait(&signals, &received);
    logLine(std::string("received ") + (received == SIGTERM ? "SIGTERM" : "SIGINT") +
            ": draining (/ready now 503)");
    node->setPhase(Node::Phase::Draining,
                   received == SIGTERM ? "received SIGTERM" : "received SIGINT");
    if (settings.drainMs > 0) {
        std::this_thread::sleep_for(std::chrono::milliseconds(settings.drainMs));
    }
    grpc.shutdown(std::chrono::milliseconds(settings.shutdownGraceMs));
    logLine("gRPC stopped");
    http.stop();
    logLine("HTTP stopped");
    node->closeStore();
    logLine("shutdown complete");
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    // Debian builds Abseil without NDEBUG, so every absl::Mutex that gRPC takes also updates a
    // lock-order graph to catch deadlocks (about 2% of flowd's CPU under load in perf). That
    // is a debugging aid; a release build of Abseil leaves it off, and so does flowd.
    absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
    Settings settings;
    settings.node.dataDir = "flowd-data";
    settings.node.flowsDir = FLOWD_DEFAULT_FLOWS_DIR;
    settings.node.version = FLOWD_VERSION;
    CLI::App app{"flowd: serves Flowdeck flows over gRPC and HTTP"};
    app.add_option("--data", settings.node.dataDir,
                   "Directory for conversations.sqlite and flows.sqlite (created if missing)")
        ->capture_default_str();
    app.add_option("--grpc", settings.grpcAddress, "gRPC listen address HOST:PORT")
        ->capture_default_str();
    app.add_option("--http", settings.httpAddress, "HTTP listen address HOST:PORT")
        ->capture_default_str();
    app.add_option("--flows", settings.node.flowsDir,
                   "Directory of flow files (*.json, not *.stubs.json or *.suite.json) to serve")
        ->capture_default_str();
    app.add_option("--node-id", settings.node.nodeId,
                   "This node's id in metrics and events (default: host name and gRPC port)");
    app.add_option("--default-flow", settings.node.defaultFlow,
                   "Flow for new conversations (default: order_support if loaded, else the first)");
    app.add_option("--drain-ms", settings.drainMs,
                   "After SIGTERM, keep serving this long with /ready at 503 before stopping")
        ->capture_default_str()
        ->check(CLI::Range(0, 600000));
    app.add_option("--shutdown-grace-ms", settings.shutdownGraceMs,
                   "How long calls in flight may run after shutdown begins")
        ->capture_default_str()
        ->check(CLI::Range(0, 600000));
    app.add_option("--tls-cert", settings.tls.certFile,
                   "PEM certificate chain: serve gRPC and HTTP over TLS")
        ->check(CLI::ExistingFile);
    app.add_option("--tls-key", settings.tls.keyFile, "PEM private key of --tls-cert")
        ->check(CLI::ExistingFile);
    app.add_option("--tls-client-ca", settings.tls.clientCaFile,
                   "PEM CA bundle: require client certificates signed by it (mutual TLS)")
        ->check(CLI::ExistingFile);
    app.add_option("--tokens", settings.node.access.tokensFile,
                   "JSON file of bearer tokens (subject, role, tenants, sha256); mode 600. "
                   "Without it every caller is trusted as an admin")
        ->check(CLI::ExistingFile);
    app.add_option("--rate-limit", settings.node.access.rateLimitPerMinute,
                   "Messages a minute each tenant may send (token bucket); 0 means no limit")
        ->capture_default_str()
        ->check(CLI::Range(0.0, 1e9));
    app.add_option("--rate-burst", settings.node.access.rateLimitBurst,
                   "Messages a tenant may save up for a burst; 0 means twice --rate-limit")
        ->check(CLI::Range(0.0, 1e9));
    app.add_option("--audit-log", settings.node.access.auditFile,
                   "Where audited calls are appended as JSON lines (default: DATA/audit.log)");
    app.add_option("--postgres", settings.node.postgres,
                   "Cluster mode: keep conversations, flows, releases and the audit log in this "
                   "PostgreSQL (libpq connection string or URI), shared with other nodes");
    app.add_option("--postgres-connections", settings.node.postgresConnections,
                   "Connections to PostgreSQL this node keeps open")
        ->capture_default_str()
        ->check(CLI::Range(1, 512));
    // Every flag can also come from a TOML/INI file (`grpc = "127.0.0.1:7443"`, `tokens =
    // "/etc/flowdeck/tokens.json"`); the command line wins over the file.
    app.set_config("--config", "", "Read flags from this TOML or INI file (key = value)");
    app.allow_config_extras(CLI::config_extras_mode::error); // a misspelt key is an error
    CLI11_PARSE(app, argc, argv);
    return run(settings);
}
