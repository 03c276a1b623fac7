// PostgresListener (postgres_store.h): LISTEN and leadership on one dedicated connection.
//
// libpq is used directly rather than through pg::Connection because every wait here must also
// wake on stop: connecting, LISTEN and pg_try_advisory_lock all run non-blocking and poll()
// the socket together with an eventfd the destructor signals, so stopping takes milliseconds
// even while a reconnect is stuck on an unreachable server.
//
// Callbacks are not called for the first connection (start() succeeding says it) nor while
// the listener is being destroyed (its owner is going away).

#include "flowdeck/engine/postgres_store.h"

#include "pg_connection.h" // describeServer: error messages never show a password

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <libpq-fe.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <thread>
#include <unistd.h>

namespace flowdeck::engine {

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr auto kIdleWait = 100ms; // the longest the thread sleeps without looking around
constexpr auto kFirstBackoff = 100ms;
constexpr auto kMaxBackoff = 2000ms;

enum class Wait { Ready, Woken, TimedOut };

// Waits for `events` on `fd` (when fd >= 0) or a signal on `wakeFd`, until `until`.
Wait waitFor(int fd, short events, int wakeFd, Clock::time_point until) {
    for (;;) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now());
        if (left.count() < 0) {
            return Wait::TimedOut;
        }
        pollfd fds[2] = {{wakeFd, POLLIN, 0}, {fd, events, 0}};
        const int n = poll(fds, fd >= 0 ? 2 : 1, int(std::min<int64_t>(left.count() + 1, 1000)));
        if (n < 0 && errno != EINTR) {
            return Wait::TimedOut;
        }
        if (n > 0 && fds[0].revents != 0) {
            return Wait::Woken;
        }
        if (n > 0 && fds[1].revents != 0) {
            return Wait::Ready;
        }
    }
}

std::string trimmed(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) {
        s.pop_back();
    }
    return s;
}

std::string message(PGconn* conn) {
    return trimmed(conn ? PQerrorMessage(conn) : "out of memory");
}

// Connects without blocking past `until` or a wake-up. Keepalives are on so a silently
// vanished server (and with it the leadership lock) is noticed; conninfo may override them.
PGconn* connectTo(const std::string& conninfo, int wakeFd, Clock::time_point until,
                  std::string* notices, std::string* error) {
    const char* keys[] = {"keepalives",
                          "keepalives_idle",
                          "keepalives_interval",
                          "keepalives_count",
                          "fallback_application_name",
                          "dbname",
                          nullptr};
    const char* values[] = {"1", "5", "2", "3", "flowdeck-listener", conninfo.c_str(), nullptr};
    PGconn* conn = PQconnectStartParams(keys, values, 1);
    PostgresPollingStatusType state = PGRES_POLLING_WRITING;
    while (conn && PQstatus(conn) != CONNECTION_BAD && state != PGRES_POLLING_OK &&
           state != PGRES_POLLING_FAILED) {
        const short events = state == PGRES_POLLING_READING ? POLLIN : POLLOUT;
        const Wait w = waitFor(PQsocket(conn), events, wakeFd, until);
        if (w != Wait::Ready) {
            *error = w == Wait::Woken ? "stopped" : "timed out connecting";
            PQfinish(conn);
            return nullptr;
        }
        state = PQconnectPoll(conn);
    }
    if (!conn || PQstatus(conn) != CONNECTION_OK) {
        *error = message(conn);
        PQfinish(conn);
        return nullptr;
    }
    PQsetnonblocking(conn, 1);
    // libpq hands an idle session's FATAL ("terminating connection due to administrator
    // command") to the notice processor, which would print it to stderr; keep it as the reason
    // onConnection(false) gives instead.
    PQsetNoticeProcessor(
        conn, [](void* sink, const char* text) { *static_cast<std::string*>(sink) = text; },
        notices);
    return conn;
}

// Runs `sql` (one or more statements) without blocking past `until` or a wake-up. The first
// column of the last row returned lands in *value. Notifications that arrive meanwhile stay
// queued in libpq for the caller to deliver.
bool runSql(PGconn* conn, const std::string& sql, int wakeFd, Clock::time_point until,
            std::string* value, std::string* error) {
    if (!PQsendQuery(conn, sql.c_str())) {
        *error = message(conn);
        return false;
    }
    for (int flushed = PQflush(conn); flushed != 0; flushed = PQflush(conn)) {
        if (flushed < 0 || waitFor(PQsocket(conn), POLLOUT, wakeFd, until) != Wait::Ready) {
            *error = flushed < 0 ? message(conn) : "timed out sending to the server";
            return false;
        }
    }
    bool ok = true;
    for (;;) {
        while (PQisBusy(conn)) {
            const Wait w = waitFor(PQsocket(conn), POLLIN, wakeFd, until);
            if (w != Wait::Ready || !PQconsumeInput(conn)) {
                *error = w == Wait::Ready   ? message(conn)
                         : w == Wait::Woken ? "stopped"
                                            : "timed out waiting for the server";
                return false;
            }
        }
        PGresult* result = PQgetResult(conn);
        if (!result) {
            return ok;
        }
        const ExecStatusType status = PQresultStatus(result);
        if (status == PGRES_TUPLES_OK && value && PQntuples(result) > 0) {
            *value = PQgetvalue(result, PQntuples(result) - 1, 0);
        } else if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK && ok) {
            ok = false;
            *error = message(conn);
        }
        PQclear(result);
    }
}

// "LISTEN a;LISTEN b;" with each name quoted (channels are identifiers: any text, any case).
bool listenSql(PGconn* conn, const std::vector<std::string>& channels, std::string* sql,
               std::string* error) {
    for (const std::string& channel : channels) {
        char* quoted = PQescapeIdentifier(conn, channel.c_str(), channel.size());
        if (!quoted) {
            *error = "channel \"" + channel + "\": " + message(conn);
            return false;
        }
        *sql += std::string("LISTEN ") + quoted + ";";
        PQfreemem(quoted);
    }
    return true;
}

} // namespace

struct PostgresListener::Impl {
    Options options;
    Callbacks callbacks;
    PGconn* conn = nullptr; // the thread's once it runs
    int wakeFd = -1;
    std::atomic<bool> stopping{false};
    std::atomic<bool> leader{false};
    std::atomic<bool> connected{false};
    Clock::time_point nextLeaderTry{};
    std::string lastNotice; // written by libpq's notice processor, on the thread
    std::chrono::milliseconds backoff = kFirstBackoff;
    std::thread thread;

    ~Impl() {
        stopping = true;
        if (wakeFd >= 0) {
            const uint64_t one = 1;
            (void)!write(wakeFd, &one, sizeof one);
        }
        if (thread.joinable()) {
            thread.join();
        }
        PQfinish(conn); // closing the session releases the advisory lock at once
        if (wakeFd >= 0) {
            close(wakeFd);
        }
    }

    bool connect(std::string* error);
    void run();
    void waitForInput();
    void deliverNotifications();
    void tryLeadership();
    void loseConnection(const std::string& why);
    void reconnect();
    template <typename F, typename... Args> void call(const F& callback, Args&&... args);
};

template <typename F, typename... Args>
void PostgresListener::Impl::call(const F& callback, Args&&... args) {
    if (!callback || stopping) {
        return;
    }
    try {
        callback(std::forward<Args>(args)...);
    } catch (...) {
        // A throwing callback must not end the thread: the node would silently stop listening.
    }
}

bool PostgresListener::Impl::connect(std::string* error) {
    const auto until = Clock::now() + options.connectTimeout;
    lastNotice.clear();
    PGconn* fresh = connectTo(options.conninfo, wakeFd, until, &lastNotice, error);
    if (!fresh) {
        return false;
    }
    std::string sql;
    if (!listenSql(fresh, options.channels, &sql, error) ||
        (!sql.empty() && !runSql(fresh, sql, wakeFd, until, nullptr, error))) {
        *error = "LISTEN failed: " + *error;
        PQfinish(fresh);
        return false;
    }
    lastNotice.clear(); // e.g. a long channel name truncated: not a reason for a later loss
    conn = fresh;
    connected = true;
    nextLeaderTry = Clock::now();
    return true;
}

void PostgresListener::Impl::run() {
    while (!stopping) {
        if (!conn) {
            reconnect();
            continue;
        }
        tryLeadership();
        deliverNotifications();
        if (conn && !stopping) {
            waitForInput();
        }
    }
}

void PostgresListener::Impl::waitForInput() {
    auto until = Clock::now() + kIdleWait;
    if (options.leaderLockKey != 0 && !leader) {
        until = std::min(until, nextLeaderTry);
    }
    if (waitFor(PQsocket(conn), POLLIN, wakeFd, until) != Wait::Ready) {
        return;
    }
    // A terminated session (restart, pg_terminate_backend) shows up here as EOF or an error.
    if (!PQconsumeInput(conn) || PQstatus(conn) != CONNECTION_OK) {
        deliverNotifications(); // whatever arrived before the end still counts
        loseConnection(lastNotice.empty() ? message(conn) : trimmed(lastNotice));
    }
}

void PostgresListener::Impl::deliverNotifications() {
    while (PGnotify* n = conn ? PQnotifies(conn) : nullptr) {
        const std::string channel = n->relname;
        const std::string payload = n->extra ? n->extra : "";
        PQfreemem(n);
        call(callbacks.onNotify, channel, payload);
    }
}

void PostgresListener::Impl::tryLeadership() {
    if (options.leaderLockKey == 0 || leader || Clock::now() < nextLeaderTry) {
        return;
    }
    nextLeaderTry = Clock::now() + options.leaderPollInterval;
    const std::string sql =
        "SELECT pg_try_advisory_lock(" + std::to_string(options.leaderLockKey) + ")";
    std::string value;
    std::string error;
    if (!runSql(conn, sql, wakeFd, Clock::now() + options.connectTimeout, &value, &error)) {
        if (!stopping) {
            loseConnection("leadership lock: " + error);
        }
        return;
    }
    if (value == "t") {
        leader = true;
        call(callbacks.onLeadership, true);
    }
}

void PostgresListener::Impl::loseConnection(const std::string& why) {
    PQfinish(conn);
    conn = nullptr;
    connected = false;
    backoff = kFirstBackoff;
    if (leader.exchange(false)) {
        call(callbacks.onLeadership, false);
    }
    call(callbacks.onConnection, false, why);
}

void PostgresListener::Impl::reconnect() {
    if (waitFor(-1, 0, wakeFd, Clock::now() + backoff) == Wait::Woken) {
        return;
    }
    std::string error;
    if (connect(&error)) {
        backoff = kFirstBackoff;
        // A node that just lost its session waits a poll interval before competing again, so
        // the lock goes to a node that kept its connection rather than bouncing back.
        nextLeaderTry = Clock::now() + options.leaderPollInterval;
        call(callbacks.onConnection, true, std::string());
        return;
    }
    backoff = std::min<std::chrono::milliseconds>(backoff * 2, kMaxBackoff);
}

PostgresListener::PostgresListener(std::unique_ptr<Impl> impl)
    : m_impl(std::move(impl)) {}

PostgresListener::~PostgresListener() = default;

std::unique_ptr<PostgresListener> PostgresListener::start(Options options, Callbacks callbacks,
                                                          std::string* error) {
    auto impl = std::make_unique<Impl>();
    impl->options = std::move(options);
    impl->callbacks = std::move(callbacks);
    impl->wakeFd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    std::string why;
    if (impl->wakeFd < 0) {
        why = std::string("eventfd: ") + std::strerror(errno);
    } else if (!impl->connect(&why)) {
        why = "cannot listen on PostgreSQL (" + pg::describeServer(impl->options.conninfo) +
              "): " + why;
    }
    if (!why.empty()) {
        if (error) {
            *error = why;
        }
        return nullptr;
    }
    Impl* raw = impl.get();
    impl->thread = std::thread([raw] { raw->run(); });
    return std::unique_ptr<PostgresListener>(new PostgresListener(std::move(impl)));
}

bool PostgresListener::isLeader() const {
    return m_impl->leader;
}

bool PostgresListener::isConnected() const {
    return m_impl->connected;
}

} // namespace flowdeck::engine
