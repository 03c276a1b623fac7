#include "cluster/orphan_guard.h"

#include <array>
#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstring>
#include <fcntl.h>
#include <mutex>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace flowdeck::cluster {

namespace {

enum class Op : int32_t { Watch = 1, Unwatch = 2 };

// One message on a SOCK_SEQPACKET socket: never split, never merged.
struct Record {
    Op op;
    int32_t pid;
    int32_t signal;
    int32_t unused;
    uint64_t startTime;
};

constexpr size_t kMaxWatched = 256;

// The start time of `pid` in clock ticks since boot (field 22 of /proc/<pid>/stat), 0 when the
// process is gone or a zombie. Only async-signal-safe calls: the guard runs it after fork().
uint64_t processStartTime(pid_t pid) {
    char path[32] = "/proc/";
    char digits[16];
    int n = 0;
    for (auto value = static_cast<uint32_t>(pid); n == 0 || value > 0; value /= 10) {
        digits[n++] = static_cast<char>('0' + value % 10);
    }
    size_t at = 6;
    while (n > 0) {
        path[at++] = digits[--n];
    }
    std::memcpy(path + at, "/stat", 6);
    const int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return 0;
    }
    char text[1024];
    const ssize_t length = read(fd, text, sizeof text - 1);
    close(fd);
    if (length <= 0) {
        return 0;
    }
    // "pid (comm) S ppid ...": comm may hold spaces and ')', so fields count from the last ')'.
    ssize_t i = length - 1;
    while (i >= 0 && text[i] != ')') {
        --i;
    }
    if (i < 0 || i + 2 >= length || text[i + 2] == 'Z') {
        return 0;
    }
    // After ") " comes field 3 (the state); the start time is field 22, 19 fields further on.
    i += 2;
    for (int field = 3; field < 22 && i < length; ++i) {
        if (text[i] == ' ') {
            ++field;
        }
    }
    uint64_t ticks = 0;
    for (; i < length && text[i] >= '0' && text[i] <= '9'; ++i) {
        ticks = ticks * 10 + static_cast<uint64_t>(text[i] - '0');
    }
    return ticks;
}

struct Watched {
    pid_t pid = 0;
    int signal = 0;
    uint64_t startTime = 0;
};

// The guard, after fork() in a process that may have other threads: async-signal-safe calls
// only, no allocation, and it never returns.
[[noreturn]] void guardMain(int socketFd) {
    setsid(); // a signal to the owner's process group (Ctrl+C, a test runner) must not reach it
    struct sigaction ignore {};
    ignore.sa_handler = SIG_IGN;
    for (const int signal : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE}) {
        sigaction(signal, &ignore, nullptr);
    }
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    prctl(PR_SET_NAME, "flowdeck-guard", 0, 0, 0);
    // Hold nothing of the owner's but stderr: an inherited listening socket or pipe would stay
    // open as long as the guard lives.
    if (socketFd != 3) {
        dup2(socketFd, 3);
        socketFd = 3;
    }
    syscall(SYS_close_range, 4U, ~0U, 0U);
    const int devNull = open("/dev/null", O_RDWR);
    if (devNull >= 0) {
        dup2(devNull, STDIN_FILENO);
        dup2(devNull, STDOUT_FILENO);
        if (devNull > STDERR_FILENO) {
            close(devNull);
        }
    }

    std::array<Watched, kMaxWatched> watched{};
    size_t count = 0;
    for (;;) {
        Record record{};
        const ssize_t n = recv(socketFd, &record, sizeof record, 0);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n != static_cast<ssize_t>(sizeof record)) {
            break; // end of file: the owner has ended
        }
        if (record.op == Op::Unwatch) {
            for (size_t i = 0; i < count;) {
                if (watched[i].pid == record.pid) {
                    watched[i] = watched[--count];
                } else {
                    ++i;
                }
            }
            continue;
        }
        if (count == watched.size()) {
            for (size_t i = 0; i < count;) { // forget those that have ended
                if (processStartTime(watched[i].pid) != watched[i].startTime) {
                    watched[i] = watched[--count];
                } else {
                    ++i;
                }
            }
        }
        if (count < watched.size()) {
            watched[count++] = {record.pid, record.signal, record.startTime};
        }
    }
    for (size_t i = 0; i < count; ++i) {
        const Watched& w = watched[i];
        if (w.startTime != 0 && processStartTime(w.pid) == w.startTime) {
            kill(w.pid, w.signal);
        }
    }
    _exit(0);
}

class Guard {
public:
    // Starts the guard first when it is not running yet and `start` is set.
    bool send(const Record& record, bool startIt, std::string* error) {
        std::lock_guard lock(m_mutex);
        if (m_fd < 0 && (!startIt || !start(error))) {
            return false;
        }
        if (::send(m_fd, &record, sizeof record, MSG_NOSIGNAL) != sizeof record) {
            if (error) {
                *error = std::string("the process guard is gone: ") + std::strerror(errno);
            }
            return false;
        }
        return true;
    }

private:
    bool start(std::string* error) {
        int fds[2];
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) != 0) {
            if (error) {
                *error = std::string("cannot create the process guard's socket: ") +
                         std::strerror(errno);
            }
            return false;
        }
        const pid_t pid = fork();
        if (pid == 0) {
            close(fds[1]);
            guardMain(fds[0]);
        }
        close(fds[0]);
        if (pid < 0) {
            if (error) {
                *error = std::string("cannot start the process guard: ") + std::strerror(errno);
            }
            close(fds[1]);
            return false;
        }
        m_fd = fds[1]; // never closed: it closes when this process ends, which is the signal
        return true;
    }

    std::mutex m_mutex;
    int m_fd = -1;
};

Guard& guard() {
    static Guard* instance = new Guard(); // never destroyed: it must outlive every owner
    return *instance;
}

} // namespace

bool watchProcess(pid_t pid, int signal, std::string* error) {
    const uint64_t startTime = processStartTime(pid);
    if (pid <= 0 || startTime == 0) {
        if (error) {
            *error = "process " + std::to_string(pid) + " is not running (or /proc is missing)";
        }
        return false;
    }
    return guard().send({Op::Watch, pid, signal, 0, startTime}, true, error);
}

void unwatchProcess(pid_t pid) {
    guard().send({Op::Unwatch, pid, 0, 0, 0}, false, nullptr);
}

} // namespace flowdeck::cluster
