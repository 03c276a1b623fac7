#include "cluster/postgres_setup.h"

#include "cluster/child_process.h"

#include <algorithm>
#include <arpa/inet.h>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

namespace flowdeck::cluster {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

constexpr size_t kLogTailLines = 20;

void setError(std::string* error, const std::string& message) {
    if (error) {
        *error = message;
    }
}

bool hasServerPrograms(const std::string& dir) {
    return !dir.empty() && access((dir + "/pg_ctl").c_str(), X_OK) == 0 &&
           access((dir + "/initdb").c_str(), X_OK) == 0;
}

std::string trimmed(std::string s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) {
        s.pop_back();
    }
    return s;
}

std::string newestLibPostgresBin() {
    int best = -1;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", ec)) {
        const std::string name = entry.path().filename().string();
        const int version = std::atoi(name.c_str());
        if (version > best && hasServerPrograms(entry.path().string() + "/bin")) {
            best = version;
        }
    }
    return best < 0 ? std::string() : "/usr/lib/postgresql/" + std::to_string(best) + "/bin";
}

// Single quotes for /bin/sh: pg_ctl hands the -o options to a shell.
std::string shellQuote(const std::string& s) {
    std::string out = "'";
    for (char c : s) {
        out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    }
    return out + "'";
}

int secondsLeft(Deadline deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    return std::max(1, int(std::ceil(double(left.count()) / 1000.0)));
}

std::string textTail(const std::string& text) {
    size_t pos = text.size();
    for (size_t lines = 0; lines < kLogTailLines && pos != std::string::npos && pos > 0; ++lines) {
        pos = text.rfind('\n', pos - 1);
    }
    return trimmed(pos == std::string::npos || pos == 0 ? text : text.substr(pos + 1));
}

std::string programFailure(const std::string& what, const ProgramResult& r) {
    std::string why = r.timedOut        ? "timed out"
                      : !r.started      ? "could not run"
                      : r.exitCode >= 0 ? "exit code " + std::to_string(r.exitCode)
                                        : "killed by a signal";
    return what + " failed (" + why + "): " + textTail(r.output);
}

// The postgres user must be able to walk down to the directory, or initdb fails with a
// message about a path the caller never mentioned.
bool postgresCanReach(const PostgresSetup& setup, std::string* error) {
    for (fs::path p = fs::absolute(setup.dir).parent_path(); !p.empty(); p = p.parent_path()) {
        struct stat st {};
        if (stat(p.c_str(), &st) == 0) {
            const bool ok = (st.st_mode & S_IXOTH) ||
                            (st.st_uid == setup.ownerUid && (st.st_mode & S_IXUSR)) ||
                            (st.st_gid == setup.ownerGid && (st.st_mode & S_IXGRP));
            if (!ok) {
                setError(error, "the postgres user cannot enter " + p.string() + ", above " +
                                    setup.dir +
                                    ": choose a directory it can reach (e.g. under /tmp)");
                return false;
            }
        }
        if (p == p.root_path()) {
            break;
        }
    }
    return true;
}

} // namespace

std::vector<std::string> PostgresSetup::command(const std::string& program,
                                                const std::vector<std::string>& args) const {
    std::vector<std::string> argv;
    if (!runuser.empty()) {
        argv = {runuser, "-u", "postgres", "--"};
    }
    argv.push_back(binDir + "/" + program);
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
}

std::string locatePostgresBinDir() {
    if (const char* env = std::getenv("FLOWDECK_PG_BIN"); env && *env) {
        return env;
    }
    const std::string pgConfig = findProgram("pg_config");
    if (!pgConfig.empty()) {
        const ProgramResult r = runProgram({pgConfig, "--bindir"}, "/", 5s);
        const std::string dir = trimmed(r.output);
        if (r.exitCode == 0 && hasServerPrograms(dir)) {
            return dir;
        }
    }
    return newestLibPostgresBin();
}

uint16_t pickFreeLoopbackPort() {
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return 0;
    }
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    uint16_t port = 0;
    if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
        getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
        port = ntohs(addr.sin_port);
    }
    close(fd);
    return port;
}

PostmasterInfo readPostmasterPid(const std::string& dataDir) {
    // Line 1: the postmaster's pid; line 4: its port (PostgreSQL's pidfile.h).
    std::ifstream in(dataDir + "/postmaster.pid");
    std::string lines[4];
    for (std::string& line : lines) {
        if (!std::getline(in, line)) {
            return {};
        }
    }
    PostmasterInfo info;
    info.pid = pid_t(std::atol(lines[0].c_str()));
    const long port = std::atol(lines[3].c_str());
    info.port = port > 0 && port < 65536 ? uint16_t(port) : 0;
    return info;
}

bool resolvePrograms(PostgresSetup& setup, std::string* error) {
    setup.binDir = locatePostgresBinDir();
    if (!hasServerPrograms(setup.binDir)) {
        setError(error, "PostgreSQL's server programs (initdb, pg_ctl) were not found" +
                            (setup.binDir.empty() ? std::string() : " in " + setup.binDir) +
                            ": install the package postgresql or set FLOWDECK_PG_BIN");
        return false;
    }
    if (geteuid() != 0) {
        return true;
    }
    passwd pw{};
    passwd* found = nullptr;
    char buf[4096];
    if (getpwnam_r("postgres", &pw, buf, sizeof buf, &found) != 0 || !found) {
        setError(error, "running as root, PostgreSQL must run as the `postgres` system user, "
                        "which does not exist: install the package postgresql (it creates it)");
        return false;
    }
    setup.ownerUid = pw.pw_uid;
    setup.ownerGid = pw.pw_gid;
    setup.runuser = findProgram("runuser", {"/usr/sbin", "/sbin"});
    if (setup.runuser.empty()) {
        setError(error, "running as root needs runuser (package util-linux) to start PostgreSQL "
                        "as the postgres user, and it was not found");
        return false;
    }
    return true;
}

bool prepareDirectory(const PostgresSetup& setup, std::string* error) {
    std::error_code ec;
    fs::create_directories(setup.dir, ec);
    if (ec || !fs::is_directory(setup.dir)) {
        setError(error, "cannot create the PostgreSQL directory " + setup.dir + ": " +
                            (ec ? ec.message() : std::string("a file is in the way")));
        return false;
    }
    if (setup.runuser.empty()) {
        return true;
    }
    if (chown(setup.dir.c_str(), setup.ownerUid, setup.ownerGid) != 0) {
        setError(error,
                 "cannot hand " + setup.dir + " to the postgres user: " + std::strerror(errno));
        return false;
    }
    return postgresCanReach(setup, error);
}

bool refuseRunningServer(const PostgresSetup& setup, std::string* error) {
    const PostmasterInfo info = readPostmasterPid(setup.dataDir());
    if (info.pid > 0 && isProcessAlive(info.pid)) {
        setError(error, "a PostgreSQL server already runs in " + setup.dir + " (pid " +
                            std::to_string(info.pid) + ", port " + std::to_string(info.port) +
                            "): stop it first or attach to it");
        return false;
    }
    return true;
}

bool initCluster(const PostgresSetup& setup, Deadline deadline, std::string* error) {
    if (fs::exists(setup.dataDir() + "/PG_VERSION")) {
        return true;
    }
    const ProgramResult r =
        runProgram(setup.command("initdb", {"-D", setup.dataDir(), "-U", setup.user, "-A", "trust",
                                            "--no-sync", "-E", "UTF8", "--locale=C.UTF-8"}),
                   setup.dir, std::chrono::seconds(secondsLeft(deadline)));
    if (r.exitCode != 0) {
        setError(error, programFailure("initdb in " + setup.dataDir(), r));
        return false;
    }
    return true;
}

bool startServer(const PostgresSetup& setup, bool durable, Deadline deadline, std::string* error) {
    std::string options = "-p " + std::to_string(setup.port) +
                          " -c listen_addresses=127.0.0.1 -k " + shellQuote(setup.dir) +
                          " -c max_connections=200";
    if (!durable) {
        options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off";
    }
    const int seconds = secondsLeft(deadline);
    const ProgramResult r =
        runProgram(setup.command("pg_ctl", {"start", "-D", setup.dataDir(), "-l", setup.logPath(),
                                            "-w", "-t", std::to_string(seconds), "-o", options}),
                   setup.dir, std::chrono::seconds(seconds + 5));
    if (r.exitCode == 0) {
        return true;
    }
    // refuseRunningServer() ran first, so whatever postmaster.pid names now is ours.
    const PostmasterInfo left = readPostmasterPid(setup.dataDir());
    if (left.pid > 0 && isProcessAlive(left.pid)) {
        kill(left.pid, SIGKILL);
    }
    setError(error, programFailure("starting PostgreSQL in " + setup.dir +
                                       " on 127.0.0.1:" + std::to_string(setup.port),
                                   r) +
                        "\n" + setup.logPath() + " ends with:\n" +
                        fileTail(setup.logPath(), kLogTailLines));
    return false;
}

void stopServer(const PostgresSetup& setup, std::chrono::milliseconds timeout) {
    const int seconds = std::max(1, int(timeout.count() / 1000));
    runProgram(setup.command("pg_ctl", {"stop", "-D", setup.dataDir(), "-m", "fast", "-w", "-t",
                                        std::to_string(seconds)}),
               setup.dir, timeout);
}

} // namespace flowdeck::cluster
