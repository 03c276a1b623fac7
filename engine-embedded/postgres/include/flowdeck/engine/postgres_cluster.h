#pragma once

// What the nodes of a cluster coordinate through PostgreSQL besides storage: whose turn it is to
// change releases (ReleaseCoordinator over an advisory lock), and who the nodes are (a roster
// each node refreshes with a heartbeat, which GetNodeInfo reports as peers).

#include "flowdeck/engine/release_controller.h"

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace flowdeck::engine {

// "postgresql://HOST:PORT/DBNAME" from a conninfo string or URI, without user or password: what a
// node may show about its database (GetNodeInfo, logs). The input itself when it cannot be parsed.
std::string describeConninfo(const std::string& conninfo);

// The advisory lock keys Flowdeck uses (one 64-bit key space per database).
inline constexpr int64_t kReleaseTurnLockKey = 0x466c6f7744656b01; // "FlowDek" 01
inline constexpr int64_t kLeaderLockKey = 0x466c6f7744656b02;

// A session advisory lock on a dedicated connection. acquire() waits at most `wait` for it
// (lock_timeout), reconnecting first when the connection was lost. Thread-safe; not re-entrant.
class PostgresTurn final : public release::ReleaseCoordinator {
public:
    PostgresTurn(std::string conninfo, int64_t key, std::chrono::milliseconds wait);
    ~PostgresTurn() override;

    bool acquire(std::string* error) override;
    void release() override;

private:
    struct Connection;
    const std::string m_conninfo;
    const int64_t m_key;
    const std::chrono::milliseconds m_wait;
    std::mutex m_turn; // one holder per process; others wait here, not in PostgreSQL
    std::unique_ptr<Connection> m_connection;
};

struct RosterEntry {
    std::string nodeId;
    std::string address; // gRPC "host:port"
    std::string version;
    int64_t startedAtMs = 0;
    int64_t lastSeenMs = 0; // by the database's clock
    bool alive = false;     // seen within the roster's liveness window
};

// The cluster's nodes, in table flowdeck_nodes. A node calls heartbeat() every second or so;
// entries not seen for `liveness` count as down, and are dropped after an hour.
class PostgresRoster final {
public:
    PostgresRoster(std::string conninfo, std::chrono::milliseconds liveness);
    ~PostgresRoster();

    bool heartbeat(const RosterEntry& self, std::string* error);
    // Removes this node (a clean shutdown), so peers see it gone at once.
    void leave(const std::string& nodeId);
    // Every node seen in the last hour, by id; empty with *error when the database cannot be read.
    std::vector<RosterEntry> nodes(std::string* error);

private:
    struct Connection;
    bool ensureSchema(std::string* error);
    const std::string m_conninfo;
    const std::chrono::milliseconds m_liveness;
    std::mutex m_mutex;
    std::unique_ptr<Connection> m_connection;
    bool m_schemaReady = false;
    // Rows of nodes gone for an hour are pruned at most this often, not on every heartbeat.
    static constexpr std::chrono::minutes kPruneEvery{1};
    std::chrono::steady_clock::time_point m_lastPrune{};
};

} // namespace flowdeck::engine
