#include "cluster/child_process.h"

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <poll.h>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h>

namespace flowdeck::cluster {

namespace {

constexpr size_t kMaxOutput = 64 * 1024;

void appendBounded(std::string& out, const char* data, size_t size) {
    out.append(data, size);
    if (out.size() > kMaxOutput) {
        out.erase(0, out.size() - kMaxOutput);
    }
}

// Only async-signal-safe calls between fork and exec: the caller may have other threads.
[[noreturn]] void execChild(char* const* argv, const char* workDir, int outFd) {
    setpgid(0, 0); // own group, so a timeout kills the program and anything it started
    const int devNull = open("/dev/null", O_RDONLY);
    if (devNull >= 0) {
        dup2(devNull, STDIN_FILENO);
    }
    dup2(outFd, STDOUT_FILENO);
    dup2(outFd, STDERR_FILENO);
    if (chdir(workDir) != 0 && chdir("/") != 0) {
        _exit(126);
    }
    execv(argv[0], argv);
    static const char msg[] = "exec failed\n";
    (void)!write(STDERR_FILENO, msg, sizeof msg - 1);
    _exit(127);
}

void drain(int fd, std::string& out) {
    char buf[4096];
    for (;;) {
        const ssize_t n = read(fd, buf, sizeof buf);
        if (n > 0) {
            appendBounded(out, buf, size_t(n));
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else {
            return; // EOF, EAGAIN or an error: nothing more now
        }
    }
}

// Reads the child's output until it exits or the deadline passes. Output is read while
// waiting so a chatty child never blocks on a full pipe.
bool waitChild(pid_t child, int fd, std::chrono::steady_clock::time_point deadline,
               ProgramResult& result) {
    for (;;) {
        int status = 0;
        const pid_t done = waitpid(child, &status, WNOHANG);
        if (done == child) {
            drain(fd, result.output);
            result.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
            return true;
        }
        if (std::chrono::steady_clock::now() >= deadline) {
            return false;
        }
        pollfd p{fd, POLLIN, 0};
        if (poll(&p, 1, 20) > 0) {
            drain(fd, result.output);
        }
    }
}

} // namespace

ProgramResult runProgram(const std::vector<std::string>& argv, const std::string& workDir,
                         std::chrono::milliseconds timeout) {
    ProgramResult result;
    if (argv.empty()) {
        result.output = "no program given";
        return result;
    }
    std::vector<char*> args;
    for (const std::string& a : argv) {
        args.push_back(const_cast<char*>(a.c_str()));
    }
    args.push_back(nullptr);
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) {
        result.output = std::string("pipe: ") + std::strerror(errno);
        return result;
    }
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    const pid_t child = fork();
    if (child < 0) {
        result.output = std::string("fork: ") + std::strerror(errno);
        close(fds[0]);
        close(fds[1]);
        return result;
    }
    if (child == 0) {
        execChild(args.data(), workDir.empty() ? "/" : workDir.c_str(), fds[1]);
    }
    close(fds[1]);
    fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK);
    result.started = true;
    if (!waitChild(child, fds[0], deadline, result)) {
        result.timedOut = true;
        kill(-child, SIGKILL);
        kill(child, SIGKILL);
        waitpid(child, nullptr, 0);
        drain(fds[0], result.output);
    }
    close(fds[0]);
    return result;
}

std::string findProgram(const std::string& name, const std::vector<std::string>& extraDirs) {
    std::vector<std::string> dirs;
    if (const char* path = std::getenv("PATH")) {
        std::stringstream ss(path);
        std::string d;
        while (std::getline(ss, d, ':')) {
            if (!d.empty()) {
                dirs.push_back(d);
            }
        }
    }
    dirs.insert(dirs.end(), extraDirs.begin(), extraDirs.end());
    for (const std::string& d : dirs) {
        const std::string candidate = d + "/" + name;
        if (access(candidate.c_str(), X_OK) == 0) {
            return candidate;
        }
    }
    return {};
}

bool isProcessAlive(pid_t pid) {
    if (pid <= 0 || (kill(pid, 0) != 0 && errno != EPERM)) {
        return false;
    }
    // /proc/<pid>/stat: "pid (comm) S ..."; comm may hold spaces and parentheses, so the
    // state is the first field after the last ')'.
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!std::getline(stat, line)) {
        return true; // no /proc: trust kill()
    }
    const size_t close = line.rfind(')');
    return close == std::string::npos || close + 2 >= line.size() || line[close + 2] != 'Z';
}

std::string fileTail(const std::string& path, size_t maxLines) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return {};
    }
    in.seekg(0, std::ios::end);
    const std::streamoff size = in.tellg();
    const std::streamoff from = size > std::streamoff(kMaxOutput) ? size - kMaxOutput : 0;
    in.seekg(from);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    while (!text.empty() && text.back() == '\n') {
        text.pop_back();
    }
    size_t pos = text.size();
    for (size_t lines = 0; lines < maxLines && pos != std::string::npos && pos > 0; ++lines) {
        pos = text.rfind('\n', pos - 1);
    }
    return pos == std::string::npos || pos == 0 ? text : text.substr(pos + 1);
}

} // namespace flowdeck::cluster
