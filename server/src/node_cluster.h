#pragma once

// A node's link to the rest of its cluster (cluster mode, flowd --postgres): the release turn,
// leadership, change notices over LISTEN/NOTIFY, the roster of nodes, and the canary numbers
// every node shares so the leader judges a rollout on the whole cluster's traffic.

#include "flowdeck/engine/postgres_cluster.h"
#include "flowdeck/engine/postgres_store.h"
#include "flowdeck/engine/postgres_variant_stats.h"
#include "flowdeck/engine/variant_stats.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace flowdeck::server {

// What changed, as NOTIFY payloads carry it: {"node": sender, "tenant": ..., "flow": ...}.
struct ChangeNotice {
    std::string node;
    std::string tenantId;
    std::string flowId;
};

class ClusterLink final {
public:
    // Channels: a flow's stored versions or active version changed; a flow's release moved.
    static constexpr const char* kFlowsChannel = "flowdeck_flows";
    static constexpr const char* kReleasesChannel = "flowdeck_releases";

    struct Callbacks {
        // A change made by another node (the node re-reads that flow).
        std::function<void(const ChangeNotice&)> onChange;
        // After the listening connection came back: notices may have been missed.
        std::function<void()> onResync;
        std::function<void(bool leader)> onLeadership;
        // A peer stopped (or started again) reporting itself alive.
        std::function<void(const engine::RosterEntry& peer, bool up)> onPeer;
    };
    struct Identity {
        std::string nodeId;
        std::string address;
        std::string version;
        int64_t startedAtMs = 0;
    };

    explicit ClusterLink(std::shared_ptr<engine::PostgresDatabase> database);
    ~ClusterLink(); // stops the heartbeat, leaves the roster, drops leadership

    // Connects the listener, which from then on calls `callbacks` from its own thread (so start
    // it once everything they touch exists). False with *error when PostgreSQL cannot be reached.
    bool listen(Callbacks callbacks, std::string* error);

    // Makes release changes take turns across the cluster (ReleaseController's coordinator).
    engine::release::ReleaseCoordinator& releaseTurn() { return m_turn; }

    // Starts the heartbeat (every second) once the node knows its address.
    void startHeartbeat(std::function<Identity()> identity);
    // Tells the other nodes; failures are logged, never fatal (they also poll).
    void announce(const char* channel, const std::string& tenantId, const std::string& flowId);

    // (flow, version) pairs: what is in a rollout in progress, stable and canary alike.
    using VersionPairs = std::vector<std::pair<std::string, std::string>>;
    // Starts publishing, every kStatsEvery on a thread of its own, this node's per-second
    // numbers of the versions `inRollout` names (read each time), for the leader's analysis.
    // Call after startHeartbeat (rows carry the node id it learns).
    void startSharingStats(const engine::release::VariantStats& stats,
                           std::function<VersionPairs()> inRollout);
    // ReleaseController::Dependencies::peerSeconds: every other node's published seconds.
    // Failures are logged once per outage (and once more when reads work again).
    decltype(engine::release::ReleaseController::Dependencies::peerSeconds) peerSeconds();

    static constexpr std::chrono::milliseconds kStatsEvery{2000};

    bool isLeader() const;
    // Every other node seen in the last hour, as of the last heartbeat.
    std::vector<engine::RosterEntry> peers() const;

private:
    void heartbeatLoop(const std::function<Identity()>& identity);
    void beat(const Identity& self);
    void handleNotify(const std::string& channel, const std::string& payload);
    void statsLoop(const engine::release::VariantStats& stats,
                   const std::function<VersionPairs()>& inRollout);
    void publishStats(const engine::release::VariantStats& stats, const VersionPairs& pairs,
                      int64_t nowMs);
    std::string selfId() const;

    std::shared_ptr<engine::PostgresDatabase> m_database;
    Callbacks m_callbacks;
    engine::PostgresTurn m_turn;
    engine::PostgresRoster m_roster;
    std::unique_ptr<engine::PostgresListener> m_listener;
    std::string m_selfId;
    std::atomic<bool> m_hadConnection{true};

    mutable std::mutex m_peersMutex;
    std::vector<engine::RosterEntry> m_peers;

    engine::PostgresVariantStats m_variantSeconds;
    // Per (flow, version): the newest second published (stats thread only).
    std::map<std::pair<std::string, std::string>, int64_t> m_published;
    int64_t m_lastPruneMs = 0; // stats thread only
    std::atomic<bool> m_publishFailing{false};
    std::atomic<bool> m_peerReadFailing{false};

    std::mutex m_stopMutex;
    std::condition_variable m_stopWake;
    bool m_stopping = false;
    std::thread m_heartbeat;
    std::thread m_statsThread;
};

} // namespace flowdeck::server
