#include "cluster/local_postgres.h"

#include "cluster/child_process.h"
#include "cluster/orphan_guard.h"
#include "cluster/postgres_setup.h"

#include <csignal>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>
#include <unistd.h>

namespace flowdeck::cluster {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

constexpr int kPortAttempts = 5;
constexpr const char* kStateFile = "flowdeck-postgres.json";

void setError(std::string* error, const std::string& message) {
    if (error) {
        *error = message;
    }
}

std::string conninfoValue(const std::string& value) {
    const bool plain = !value.empty() && value.find_first_not_of(
                                             "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                             "0123456789_.-/") == std::string::npos;
    if (plain) {
        return value;
    }
    std::string quoted = "'";
    for (char c : value) {
        if (c == '\'' || c == '\\') {
            quoted += '\\';
        }
        quoted += c;
    }
    return quoted + "'";
}

bool writeState(const PostgresSetup& setup, pid_t pid, std::string* error) {
    const nlohmann::json state = {
        {"port", setup.port}, {"pid", pid}, {"database", setup.database}, {"user", setup.user}};
    const std::string path = setup.dir + "/" + kStateFile;
    std::ofstream out(path, std::ios::trunc);
    out << state.dump(2) << "\n";
    if (!out) {
        setError(error, "cannot write " + path);
        return false;
    }
    return true;
}

// Database and user recorded by start(); the defaults when the file is missing or unreadable
// (a cluster started by hand in that directory).
void readState(PostgresSetup& setup) {
    std::ifstream in(setup.dir + "/" + kStateFile);
    const nlohmann::json state = nlohmann::json::parse(in, nullptr, false);
    if (!state.is_object()) {
        return;
    }
    setup.database = state.value("database", setup.database);
    setup.user = state.value("user", setup.user);
}

std::string absolutePath(const std::string& dir) {
    std::error_code ec;
    const fs::path absolute = fs::absolute(dir, ec);
    std::string path = ec ? dir : absolute.lexically_normal().string();
    while (path.size() > 1 && path.back() == '/') {
        path.pop_back();
    }
    return path;
}

bool addressInUse(const std::string& text) {
    return text.find("Address already in use") != std::string::npos ||
           text.find("could not create any TCP/IP sockets") != std::string::npos;
}

// pg_ctl start on a free port (or the requested one); a port taken between choosing and binding
// is retried with another.
bool startOnFreePort(PostgresSetup& setup, const LocalPostgresOptions& options,
                     std::chrono::steady_clock::time_point deadline, std::string* error) {
    for (int attempt = 1; attempt <= kPortAttempts; ++attempt) {
        setup.port = options.port != 0 ? options.port : pickFreeLoopbackPort();
        if (setup.port == 0) {
            setError(error, "no free port on 127.0.0.1");
            return false;
        }
        std::string why;
        if (startServer(setup, options.durable, deadline, &why)) {
            return true;
        }
        const bool retry = options.port == 0 && attempt < kPortAttempts &&
                           addressInUse(why + fileTail(setup.logPath(), 20));
        if (!retry) {
            setError(error, why);
            return false;
        }
    }
    return false;
}

} // namespace

struct LocalPostgres::Impl {
    PostgresSetup setup;
    pid_t pid = 0;
    bool detached = false;
    bool stopped = false;
};

std::string findPostgresBinDir() {
    return locatePostgresBinDir();
}

LocalPostgres::LocalPostgres(std::unique_ptr<Impl> impl)
    : m_impl(std::move(impl)) {}

LocalPostgres::~LocalPostgres() {
    if (m_impl && !m_impl->detached) {
        stop(10s, nullptr);
    }
}

std::unique_ptr<LocalPostgres> LocalPostgres::start(const LocalPostgresOptions& options,
                                                    std::string* error) {
    const auto deadline = std::chrono::steady_clock::now() + options.startTimeout;
    auto impl = std::make_unique<Impl>();
    PostgresSetup& setup = impl->setup;
    if (options.dir.empty()) {
        setError(error, "LocalPostgres needs a directory (LocalPostgresOptions::dir is empty)");
        return nullptr;
    }
    // Absolute: PostgreSQL's programs run with the directory as their working directory.
    setup.dir = absolutePath(options.dir);
    setup.database = options.database;
    setup.user = options.user;
    if (!resolvePrograms(setup, error) || !prepareDirectory(setup, error) ||
        !refuseRunningServer(setup, error) || !initCluster(setup, deadline, error) ||
        !startOnFreePort(setup, options, deadline, error)) {
        return nullptr;
    }
    impl->pid = readPostmasterPid(setup.dataDir()).pid;
    // From here the object owns a running server: any failure below stops it on the way out.
    std::unique_ptr<LocalPostgres> server(new LocalPostgres(std::move(impl)));
    if (server->m_impl->pid <= 0) {
        setError(error, "PostgreSQL started in " + setup.dir + " but left no postmaster.pid");
        return nullptr;
    }
    // If the owner dies without stop(): immediate shutdown, which ends the backends too. Without
    // the guard the server only lives on after a crash, so it is not worth failing the start.
    watchProcess(server->m_impl->pid, SIGQUIT, nullptr);
    if (!createDatabase(server->m_impl->setup, deadline, error)) {
        if (error) {
            *error += "\n" + setup.logPath() + " ends with:\n" + fileTail(setup.logPath(), 20);
        }
        return nullptr;
    }
    if (!writeState(server->m_impl->setup, server->m_impl->pid, error)) {
        return nullptr;
    }
    return server;
}

std::unique_ptr<LocalPostgres> LocalPostgres::attach(const std::string& dir, std::string* error) {
    auto impl = std::make_unique<Impl>();
    impl->setup.dir = absolutePath(dir);
    if (!resolvePrograms(impl->setup, error)) {
        return nullptr;
    }
    readState(impl->setup);
    const PostmasterInfo info = readPostmasterPid(impl->setup.dataDir());
    if (info.pid <= 0 || !isProcessAlive(info.pid)) {
        setError(error, "no PostgreSQL server runs in " + dir +
                            (info.pid > 0 ? " (postmaster.pid names pid " +
                                                std::to_string(info.pid) + ", which has exited)"
                                          : " (no readable data/postmaster.pid)"));
        return nullptr;
    }
    impl->pid = info.pid;
    impl->setup.port = info.port;
    return std::unique_ptr<LocalPostgres>(new LocalPostgres(std::move(impl)));
}

std::string LocalPostgres::conninfo() const {
    return "host=127.0.0.1 port=" + std::to_string(m_impl->setup.port) +
           " dbname=" + conninfoValue(m_impl->setup.database) +
           " user=" + conninfoValue(m_impl->setup.user);
}

uint16_t LocalPostgres::port() const {
    return m_impl->setup.port;
}

const std::string& LocalPostgres::dir() const {
    return m_impl->setup.dir;
}

pid_t LocalPostgres::pid() const {
    return m_impl->pid;
}

bool LocalPostgres::stop(std::chrono::milliseconds timeout, std::string* error) {
    if (m_impl->stopped) {
        return true;
    }
    const pid_t pid = m_impl->pid;
    if (isProcessAlive(pid)) {
        stopServer(m_impl->setup, timeout);
    }
    if (isProcessAlive(pid)) {
        // pg_ctl gave up (or could not run): the postmaster's children exit on their own once
        // it is gone, and the stale postmaster.pid would only confuse the next start.
        kill(pid, SIGKILL);
        const auto until = std::chrono::steady_clock::now() + 3s;
        while (isProcessAlive(pid) && std::chrono::steady_clock::now() < until) {
            std::this_thread::sleep_for(10ms);
        }
        if (!isProcessAlive(pid)) {
            std::error_code ec;
            fs::remove(m_impl->setup.dataDir() + "/postmaster.pid", ec);
        }
    }
    if (isProcessAlive(pid)) {
        setError(error, "PostgreSQL (pid " + std::to_string(pid) + ") in " + m_impl->setup.dir +
                            " survived SIGKILL");
        return false;
    }
    m_impl->stopped = true;
    return true;
}

void LocalPostgres::detach() {
    m_impl->detached = true;
    unwatchProcess(m_impl->pid);
}

} // namespace flowdeck::cluster
