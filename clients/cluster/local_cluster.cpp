#include "cluster/local_cluster.h"

#include "cluster/child_process.h"
#include "cluster/orphan_guard.h"
#include "cluster/postgres_setup.h"

#include <nlohmann/json.hpp>

#include <arpa/inet.h>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace flowdeck::cluster {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

std::string statePath(const std::string& dir) {
    return (fs::path(dir) / "cluster.json").string();
}

// Reaps `pid` if it is our child and has exited, so it stops counting as alive.
void reap(pid_t pid) {
    int status = 0;
    waitpid(pid, &status, WNOHANG);
}

bool waitGone(pid_t pid, std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
        reap(pid);
        if (!isProcessAlive(pid)) {
            return true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
}

// Sends the whole request and reads the status line, with every step bounded by the deadline.
int exchange(int fd, uint16_t port, const std::string& path, Clock::time_point deadline) {
    const std::string request = "GET " + path +
                                " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
                                "\r\nConnection: close\r\n\r\n";
    if (send(fd, request.data(), request.size(), MSG_NOSIGNAL) !=
        static_cast<ssize_t>(request.size())) {
        return 0;
    }
    std::string answer;
    char buffer[512];
    while (answer.find("\r\n") == std::string::npos && answer.size() < 4096) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        pollfd p{fd, POLLIN, 0};
        if (left.count() <= 0 || poll(&p, 1, static_cast<int>(left.count())) <= 0) {
            return 0;
        }
        const ssize_t n = recv(fd, buffer, sizeof buffer, 0);
        if (n <= 0) {
            break;
        }
        answer.append(buffer, static_cast<size_t>(n));
    }
    // "HTTP/1.1 200 OK"
    const auto space = answer.find(' ');
    return space == std::string::npos ? 0 : std::atoi(answer.c_str() + space + 1);
}

} // namespace

int httpGetStatus(uint16_t port, const std::string& path, std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return 0;
    }
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int status = 0;
    if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 ||
        errno == EINPROGRESS) {
        pollfd p{fd, POLLOUT, 0};
        int soError = 0;
        socklen_t length = sizeof soError;
        if (poll(&p, 1, static_cast<int>(timeout.count())) == 1 &&
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &soError, &length) == 0 && soError == 0) {
            status = exchange(fd, port, path, deadline);
        }
    }
    close(fd);
    return status;
}

std::unique_ptr<LocalCluster> LocalCluster::start(const LocalClusterOptions& options,
                                                  std::string* error) {
    std::unique_ptr<LocalCluster> cluster(new LocalCluster());
    cluster->m_options = options;
    if (options.nodes == 0 || options.nodes > 32) {
        *error = "--nodes must be between 1 and 32, not " + std::to_string(options.nodes);
        return nullptr;
    }
    if (access(options.flowdPath.c_str(), X_OK) != 0) {
        *error = "flowd not found or not executable at '" + options.flowdPath +
                 "'; build it (ninja flowd) or name it with --flowd";
        return nullptr;
    }
    std::error_code fsError;
    fs::create_directories(options.dir, fsError);
    if (fsError) {
        *error = "cannot create " + options.dir + ": " + fsError.message();
        return nullptr;
    }
    if (fs::exists(statePath(options.dir))) {
        *error = "a cluster already runs from " + options.dir +
                 " (cluster.json); stop it with `flowctl cluster down --dir " + options.dir + "`";
        return nullptr;
    }
    if (options.postgres.empty()) {
        cluster->say("starting PostgreSQL in " + options.dir + "/postgres …");
        LocalPostgresOptions pg;
        pg.dir = (fs::path(options.dir) / "postgres").string();
        pg.startTimeout = options.startTimeout;
        cluster->m_postgres = LocalPostgres::start(pg, error);
        if (!cluster->m_postgres) {
            return nullptr;
        }
        cluster->m_conninfo = cluster->m_postgres->conninfo();
    } else {
        cluster->m_conninfo = options.postgres;
    }
    const auto deadline = Clock::now() + options.startTimeout;
    for (size_t i = 0; i < options.nodes; ++i) {
        LocalNode node;
        node.id = "node-" + std::to_string(i + 1);
        node.grpcPort = options.basePort ? static_cast<uint16_t>(options.basePort + 2 * i)
                                         : pickFreeLoopbackPort();
        node.httpPort = options.basePort ? static_cast<uint16_t>(options.basePort + 2 * i + 1)
                                         : pickFreeLoopbackPort();
        node.dataDir = (fs::path(options.dir) / node.id).string();
        node.logPath = (fs::path(node.dataDir) / "flowd.log").string();
        cluster->m_nodes.push_back(node);
        cluster->say("starting " + node.id + " on " + node.grpcAddress() + " …");
        if (!cluster->startNode(i, error)) {
            return nullptr; // the destructor stops what did start
        }
    }
    for (size_t i = 0; i < cluster->m_nodes.size(); ++i) {
        if (!cluster->waitReady(i, deadline, error)) {
            return nullptr;
        }
    }
    if (!cluster->saveState(error)) {
        return nullptr;
    }
    return cluster;
}

bool LocalCluster::startNode(size_t i, std::string* error) {
    LocalNode& node = m_nodes[i];
    std::error_code fsError;
    fs::create_directories(node.dataDir, fsError);
    std::vector<std::string> args = {
        m_options.flowdPath, "--data",    node.dataDir, "--grpc",     node.grpcAddress(), "--http",
        node.httpAddress(),  "--node-id", node.id,      "--postgres", m_conninfo};
    if (!m_options.flowsDir.empty()) {
        args.insert(args.end(), {"--flows", m_options.flowsDir});
    }
    args.insert(args.end(), m_options.extraArgs.begin(), m_options.extraArgs.end());
    std::vector<char*> argv;
    for (auto& a : args) {
        argv.push_back(a.data());
    }
    argv.push_back(nullptr);
    const pid_t pid = fork();
    if (pid < 0) {
        *error = std::string("cannot start flowd: ") + std::strerror(errno);
        return false;
    }
    if (pid == 0) {
        // Its own session: a terminal's Ctrl+C to flowctl does not reach the nodes it left.
        setsid();
        const int in = open("/dev/null", O_RDONLY);
        const int log = open(node.logPath.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (in >= 0 && log >= 0) {
            dup2(in, STDIN_FILENO);
            dup2(log, STDOUT_FILENO);
            dup2(log, STDERR_FILENO);
        }
        execv(argv[0], argv.data());
        _exit(127);
    }
    node.pid = pid;
    std::string why;
    if (!watchProcess(pid, SIGKILL, &why) && isProcessAlive(pid)) {
        say(node.id + " may outlive this program if it crashes: " + why);
    }
    return true;
}

bool LocalCluster::waitReady(size_t i, Clock::time_point deadline, std::string* error) {
    const LocalNode& node = m_nodes[i];
    while (Clock::now() < deadline) {
        if (httpGetStatus(node.httpPort, "/ready", std::chrono::milliseconds(500)) == 200) {
            return true;
        }
        reap(node.pid);
        if (!isProcessAlive(node.pid)) {
            *error = node.id + " exited while starting; the end of " + node.logPath + ":\n" +
                     fileTail(node.logPath, 20);
            return false;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    *error = node.id + " was not ready in time; the end of " + node.logPath + ":\n" +
             fileTail(node.logPath, 20);
    return false;
}

bool LocalCluster::saveState(std::string* error) const {
    nlohmann::json nodes = nlohmann::json::array();
    for (const auto& n : m_nodes) {
        nodes.push_back({{"id", n.id},
                         {"grpc_port", n.grpcPort},
                         {"http_port", n.httpPort},
                         {"data_dir", n.dataDir},
                         {"log", n.logPath},
                         {"pid", n.pid}});
    }
    const nlohmann::json state = {{"conninfo", m_conninfo},
                                  {"owns_postgres", m_postgres != nullptr},
                                  {"flowd", m_options.flowdPath},
                                  {"flows", m_options.flowsDir},
                                  {"extra_args", m_options.extraArgs},
                                  {"nodes", nodes}};
    const std::string path = statePath(m_options.dir);
    std::ofstream out(path + ".tmp", std::ios::trunc);
    out << state.dump(2) << '\n';
    out.close();
    if (!out || std::rename((path + ".tmp").c_str(), path.c_str()) != 0) {
        *error = "cannot write " + path;
        return false;
    }
    return true;
}

std::unique_ptr<LocalCluster> LocalCluster::attach(const std::string& dir, std::string* error) {
    std::ifstream in(statePath(dir));
    if (!in) {
        *error = "no cluster runs from " + dir + " (no cluster.json there)";
        return nullptr;
    }
    const auto state = nlohmann::json::parse(in, nullptr, false);
    if (!state.is_object() || !state.contains("nodes") || !state["nodes"].is_array()) {
        *error = statePath(dir) + " is not a cluster state file";
        return nullptr;
    }
    std::unique_ptr<LocalCluster> cluster(new LocalCluster());
    cluster->m_detached = true; // attaching never stops anything by itself: call stop()
    try {
        cluster->m_options.dir = dir;
        cluster->m_options.flowdPath = state.value("flowd", "");
        cluster->m_options.flowsDir = state.value("flows", "");
        cluster->m_options.extraArgs = state.value("extra_args", std::vector<std::string>{});
        cluster->m_conninfo = state.value("conninfo", "");
        for (const auto& n : state["nodes"]) {
            LocalNode node{n.at("id"),       n.at("grpc_port"), n.at("http_port"),
                           n.at("data_dir"), n.at("log"),       n.at("pid")};
            cluster->m_nodes.push_back(std::move(node));
        }
    } catch (const nlohmann::json::exception& e) {
        *error = statePath(dir) + " is damaged: " + e.what();
        return nullptr;
    }
    if (state.value("owns_postgres", false)) {
        std::string why;
        cluster->m_postgres = LocalPostgres::attach((fs::path(dir) / "postgres").string(), &why);
        if (cluster->m_postgres) {
            cluster->m_postgres->detach(); // as the cluster: only an explicit stop() stops it
        }
    }
    return cluster;
}

LocalCluster::~LocalCluster() {
    if (!m_detached) {
        std::string ignored;
        stop(std::chrono::milliseconds(10000), &ignored);
    }
}

bool LocalCluster::kill(size_t i, int signal, std::string* error) {
    if (i >= m_nodes.size() || m_nodes[i].pid <= 0) {
        *error = "no node " + std::to_string(i + 1);
        return false;
    }
    const pid_t pid = m_nodes[i].pid;
    if (::kill(pid, signal) != 0 && errno != ESRCH) {
        *error = std::string("cannot signal ") + m_nodes[i].id + ": " + std::strerror(errno);
        return false;
    }
    if ((signal == SIGKILL || signal == SIGTERM) && !waitGone(pid, std::chrono::seconds(15))) {
        *error = m_nodes[i].id + " (pid " + std::to_string(pid) + ") did not exit";
        return false;
    }
    return true;
}

bool LocalCluster::restart(size_t i, std::string* error) {
    if (i >= m_nodes.size()) {
        *error = "no node " + std::to_string(i + 1);
        return false;
    }
    if (isRunning(i)) {
        *error = m_nodes[i].id + " is still running";
        return false;
    }
    return startNode(i, error) && waitReady(i, Clock::now() + m_options.startTimeout, error) &&
           saveState(error);
}

bool LocalCluster::isRunning(size_t i) const {
    if (i >= m_nodes.size() || m_nodes[i].pid <= 0) {
        return false;
    }
    reap(m_nodes[i].pid);
    return isProcessAlive(m_nodes[i].pid);
}

bool LocalCluster::isReady(size_t i) const {
    return i < m_nodes.size() &&
           httpGetStatus(m_nodes[i].httpPort, "/ready", std::chrono::milliseconds(1000)) == 200;
}

bool LocalCluster::stop(std::chrono::milliseconds grace, std::string* error) {
    if (m_stopped) {
        return true;
    }
    m_stopped = true;
    bool ok = true;
    for (const auto& node : m_nodes) {
        if (node.pid > 0 && isProcessAlive(node.pid)) {
            ::kill(node.pid, SIGTERM);
        }
    }
    for (const auto& node : m_nodes) {
        if (node.pid > 0 && !waitGone(node.pid, grace)) {
            ::kill(node.pid, SIGKILL);
            if (!waitGone(node.pid, std::chrono::seconds(5))) {
                *error += node.id + " (pid " + std::to_string(node.pid) + ") would not stop; ";
                ok = false;
            }
        }
    }
    if (m_postgres) {
        std::string why;
        if (!m_postgres->stop(std::chrono::seconds(30), &why)) {
            *error += "PostgreSQL: " + why;
            ok = false;
        }
    }
    std::error_code ignored;
    fs::remove(statePath(m_options.dir), ignored);
    return ok;
}

void LocalCluster::detach() {
    m_detached = true;
    for (const auto& node : m_nodes) {
        unwatchProcess(node.pid);
    }
    if (m_postgres) {
        m_postgres->detach();
    }
}

void LocalCluster::say(const std::string& text) const {
    if (m_options.progress) {
        m_options.progress(text);
    }
}

} // namespace flowdeck::cluster
