#pragma once

// Cluster mode (DESIGN.md §4): several flowd nodes share one PostgreSQL. Everything a node keeps
// durably — conversations, flow versions, rollouts and their history, the audit log — lives in
// one database, and nodes tell each other about release changes through LISTEN/NOTIFY.
//
// A separate library (flowdeck_engine_pg) so only flowd links libpq; the console and the
// embedded engine never need it.

#include "flowdeck/engine/conversation_store.h"
#include "flowdeck/engine/flow_version_store.h"
#include "flowdeck/engine/release.h"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace flowdeck::engine {

struct PostgresOptions {
    // A libpq connection string or URI, e.g. "host=127.0.0.1 port=5432 dbname=flowdeck
    // user=flowdeck".
    std::string conninfo;
    // Connections kept open and shared by every store of this database; callers beyond this
    // wait for a free one (bounded by statementTimeout).
    size_t connections = 8;
    std::chrono::milliseconds connectTimeout{5000};
    // Applied to every statement (SET statement_timeout) so a stuck database fails calls
    // instead of hanging them.
    std::chrono::milliseconds statementTimeout{10000};
    // As SqliteOptions::historyLimitPerConversation.
    size_t historyLimitPerConversation = 10000;
};

// One audit record: who did what, when, to which tenant, and the whole record as JSON (the
// same line AuditLog writes to DATA/audit.log on a single node).
struct AuditRecord {
    int64_t atMs = 0;
    std::string nodeId;
    std::string subject;
    std::string method;
    std::string tenantId;
    std::string recordJson;
};

// A pool of connections to one database, and the stores over it. open() creates the schema
// when missing (idempotent, and safe when several nodes start at once), and refuses a database
// whose schema is newer than this build knows. Thread-safe; the stores it hands out keep the
// database alive (shared ownership).
class PostgresDatabase final : public std::enable_shared_from_this<PostgresDatabase> {
public:
    static std::shared_ptr<PostgresDatabase> open(const PostgresOptions& options,
                                                  std::string* error);
    ~PostgresDatabase();
    PostgresDatabase(const PostgresDatabase&) = delete;
    PostgresDatabase& operator=(const PostgresDatabase&) = delete;

    // Each keeps the full contract of its interface (conversation_store.h, flow_version_store.h,
    // release.h) across processes: two nodes committing to one conversation are serialised by
    // its version, and an idempotency key is recognised whichever node stored it first.
    std::unique_ptr<ConversationStore> conversations();
    std::unique_ptr<FlowVersionStore> flowVersions();
    std::unique_ptr<release::ReleaseStore> releases();

    bool appendAudit(const AuditRecord& record, std::string* error);
    // The newest `limit` records, newest first.
    std::vector<AuditRecord> audit(size_t limit);

    // NOTIFY `channel` with `payload` (at most 7,000 bytes). False with *error on failure.
    bool notify(const std::string& channel, const std::string& payload, std::string* error);

    // "ok" when a connection answers SELECT 1 within the statement timeout, else the error
    // (for /health).
    std::string ping();
    // The last error met by a read, "" when none (reads cannot report through the interfaces).
    std::string lastReadError() const;
    const PostgresOptions& options() const;

    struct Impl;

private:
    explicit PostgresDatabase(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

// One dedicated connection that LISTENs on channels and, optionally, holds a cluster-wide
// leadership lock (a session advisory lock: released by PostgreSQL the moment the holder's
// connection drops, so a node killed with SIGKILL hands leadership over at once).
//
// Its own thread waits on the socket; callbacks run on that thread and must not block long.
// When the connection is lost it reconnects with backoff (100 ms doubling to 2 s), re-LISTENs,
// reports onConnection(false, why) then onConnection(true, ""), and calls onLeadership(false)
// first if it was the leader. After a reconnect nodes must assume they missed notifications
// and resynchronise from the stores.
class PostgresListener final {
public:
    struct Callbacks {
        std::function<void(const std::string& channel, const std::string& payload)> onNotify;
        std::function<void(bool connected, const std::string& error)> onConnection;
        std::function<void(bool leader)> onLeadership;
    };
    struct Options {
        std::string conninfo;
        std::vector<std::string> channels;
        // 0: do not compete for leadership. Otherwise the advisory lock key; the lock is tried
        // every leaderPollInterval while not held.
        int64_t leaderLockKey = 0;
        std::chrono::milliseconds leaderPollInterval{500};
        std::chrono::milliseconds connectTimeout{5000};
    };

    // Starts the thread; the first connection is made synchronously so a bad conninfo fails
    // here (null with *error).
    static std::unique_ptr<PostgresListener> start(Options options, Callbacks callbacks,
                                                   std::string* error);
    ~PostgresListener(); // stops the thread, closes the connection (releasing leadership)
    PostgresListener(const PostgresListener&) = delete;
    PostgresListener& operator=(const PostgresListener&) = delete;

    bool isLeader() const;
    bool isConnected() const;

    struct Impl;

private:
    explicit PostgresListener(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

} // namespace flowdeck::engine
