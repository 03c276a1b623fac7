#pragma once

#include "access.h"
#include "active_conversations.h"
#include "flow_last_used.h"
#include "flowdeck/engine/caching_store.h"
#include "flowdeck/engine/engine.h"
#include "flowdeck/engine/flow_registry.h"
#include "flowdeck/engine/flow_version_store.h"
#include "flowdeck/engine/integration_gateway.h"
#include "flowdeck/engine/metrics.h"
#include "flowdeck/engine/release_controller.h"
#include "flowdeck/engine/sqlite_store.h"
#include "flowdeck/engine/variant_stats.h"
#include "node_cluster.h"
#include "node_events.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <thread>

namespace flowdeck::server {

struct NodeOptions {
    std::string dataDir;     // holds conversations.sqlite and flows.sqlite
    std::string flowsDir;    // every *.json but *.stubs.json and *.suite.json is loaded
    std::string defaultFlow; // empty: order_support if loaded, else the first loaded
    std::string version = "0.0.0";
    std::string nodeId;   // empty: host name and gRPC port, once the port is known
    AccessOptions access; // an empty auditFile means DATA/audit.log
    // Cluster mode: a libpq connection string or URI. Conversations, flow versions, releases and
    // the audit log then live in that PostgreSQL, shared with the cluster's other nodes; DATA
    // keeps only the local copy of the audit log. Empty: one node on SQLite files in DATA.
    std::string postgres;
    size_t postgresConnections = 16;
};

// Everything one flowd node serves from: the store, the loaded flows, the engine, the metrics and
// the node's lifecycle phase. The gRPC and HTTP front ends share one Node, so they see the same
// conversations and report into the same metrics.
class Node final {
public:
    enum class Phase { Starting, Serving, Draining };

    // Opens the store and loads the flows; null with *error when the store cannot be opened.
    // Flows that fail to parse or lint with errors are skipped and logged, not fatal.
    static std::unique_ptr<Node> open(const NodeOptions& options, std::string* error);
    ~Node();

    engine::Engine& engine() { return *m_engine; }
    engine::FlowRegistry& flows() { return m_flows; }
    engine::MetricsRegistry& metrics() { return m_metrics; }
    const NodeOptions& options() const { return m_options; }
    size_t flowCount() const { return m_flowCount; }

    // Stored flow versions (DATA/flows.sqlite). Edits hold flowEditMutex() across the store
    // write and the registry update, so the two never disagree about which version is active.
    engine::FlowVersionStore& flowStore() { return *m_flowStore; }
    std::mutex& flowEditMutex() { return m_flowEditMutex; }
    // Parses a stored version and adds it to the registry (under the stored version id, whatever
    // label the document carries), as the flow's active version unless told not to. False with
    // *error when the document no longer parses.
    bool serveVersion(const engine::StoredFlowVersion& version, std::string* error,
                      bool activate = true);
    // Whether the flow was loaded from the flows directory at startup.
    bool isFileFlow(const std::string& flowId) const;
    // Flow ids are node-wide, but a flow stored through the API belongs to its tenant: only that
    // tenant's new conversations may start on it (flows from the flows directory serve every
    // tenant). The tenant owning a stored flow id, if any.
    std::optional<std::string> flowOwner(const std::string& flowId) const;
    bool flowVisibleTo(const std::string& tenantId, const std::string& flowId) const;
    // When a message last ran through each flow (Unix ms): the later of what this node saw and
    // what the flow store holds (every node's reports, also from before this node started).
    std::map<std::string, int64_t> flowLastUsed() const;
    // Writes the times this node saw since its last report to the flow store. The node does it
    // every kLastUsedReportEvery and when it closes; false with *error when the write failed.
    bool reportFlowLastUsed(std::string* error);
    static constexpr std::chrono::seconds kLastUsedReportEvery{5};
    // Loads a stored version a conversation is pinned to but this node has not loaded yet (a
    // canary another node started moments ago), without making it active. Misses are remembered
    // for 10 s, so a version that is really gone costs no store read per message.
    bool loadPinnedVersion(const std::string& tenantId, const std::string& flowId,
                           const std::string& version);

    // Rollouts, canary splits and the release history (DATA/releases.sqlite), driven by a
    // thread of the controller's own from open() until closeStore().
    engine::release::ReleaseController& releases() { return *m_releases; }
    // Tokens, roles, tenants, rate limits and the audit log, for gRPC and HTTP alike.
    AccessControl& access() { return *m_access; }

    Phase phase() const { return m_phase.load(); }
    // Serving publishes NODE_UP; Draining publishes NODE_DOWN with `reason`.
    void setPhase(Phase phase, std::string_view reason = {});

    // Who this node is on the network: its id and the gRPC address it advertises.
    struct Identity {
        std::string nodeId;
        std::string address;
    };
    Identity identity() const;
    // Called once the gRPC port is bound ("host:port"; a wildcard host becomes the host name).
    void setGrpcAddress(const std::string& address);
    std::chrono::system_clock::time_point startedAt() const { return m_startedAt; }
    // Where conversations live, for GetNodeInfo: an SQLite path, or PostgreSQL's host and
    // database (never a password).
    std::string storePath() const;
    bool clustered() const { return m_cluster != nullptr; }
    // Cluster mode: the other nodes, as of the last heartbeat; empty on a single node.
    std::vector<engine::RosterEntry> peers() const;
    // After this node changed a flow's stored or active version: tells the other nodes.
    void flowChanged(const std::string& tenantId, const std::string& flowId);
    // Re-reads one flow from the flow store into the registry (a change another node made).
    void reloadStoredFlow(const std::string& tenantId, const std::string& flowId);
    // Cluster mode: heartbeats start once the node knows the address it serves on.
    void joinCluster();

    // Alerts, node ups and downs, errors: what WatchEvents streams.
    EventBus& events() { return m_events; }
    // Publishes the server-side errors of one message (circuit breaks, timeouts, storage and
    // integration failures; not the caller's own mistakes) as events, at most one per error code
    // and flow a second: the rest are counted into the next one.
    void reportEngineErrors(const engine::MessageRequest& request,
                            const engine::ProcessResult& result, const std::string& traceId);

    // flowdeck_requests_total{method,code} and, when `elapsed` is given,
    // flowdeck_request_duration_seconds (streams, which last as long as their caller wants, are
    // counted but not timed).
    void recordRequest(std::string_view method, std::string_view code,
                       std::optional<std::chrono::steady_clock::duration> elapsed);

    // GET /health: {"status","timestamp","version","checks":{"store":{...},"flows":{...}}}.
    // healthy is set to whether every check passed.
    std::string healthJson(bool* healthy);

    // Commits what the store has queued and closes it; reads and writes fail afterwards.
    void closeStore();

private:
    explicit Node(NodeOptions options);
    void loadFlows();
    bool openStores(std::string* error);
    bool openFlowStore(std::string* error);
    void loadStoredFlows();
    void loadStoredFlow(const engine::StoredFlow& flow);
    NodeDetail selfDetail(bool up, std::string reason) const;
    // In node_cluster_wiring.cpp.
    bool openPostgres(std::string* error);
    bool openClusterLink(std::string* error);
    // In node_releases.cpp.
    bool openReleases(std::string* error);
    // Cluster mode: history entries of the flow that other nodes recorded (a step the leader
    // took, a deploy made elsewhere) become RELEASE events here too, so a watcher of any node
    // sees every step. Each entry once (m_seenReleases).
    void relayReleases(const std::string& tenantId, const std::string& flowId);
    // Whether the entry is new to this node's events; remembers it (the last 4,096).
    bool firstSightOf(const std::string& entryId);
    void publishRelease(const engine::release::HistoryEntry& entry, std::string_view origin);
    void announceRelease(const engine::release::HistoryEntry& entry,
                         const engine::release::Rollout* rollout);
    // Calls reportFlowLastUsed() every kLastUsedReportEvery until closeStore().
    void reportLastUsedLoop();
    // Feeds release analysis and flowdeck_conversations_active from every processed message.
    void recordProcessed(const engine::MessageRequest& request,
                         const engine::ProcessResult& result);

    NodeOptions m_options;
    engine::MetricsRegistry m_metrics;
    engine::FlowdeckMetrics m_names;
    engine::FlowRegistry m_flows;
    engine::CurlGateway m_gateway;
    std::shared_ptr<engine::PostgresDatabase> m_postgres; // cluster mode only
    std::unique_ptr<engine::ConversationStore> m_store;
    engine::SqliteStore* m_sqlite = nullptr; // m_store on a single node
    // In front of m_store on a single node, where nothing else writes the file: the engine's
    // load before each message and most idempotency look-ups are answered from memory.
    std::unique_ptr<engine::CachingStore> m_cache;
    std::unique_ptr<engine::Engine> m_engine;
    std::unique_ptr<engine::FlowVersionStore> m_flowStore;
    std::mutex m_flowEditMutex;
    std::set<std::string> m_fileFlows;
    mutable std::shared_mutex m_ownersMutex;
    std::map<std::string, std::string> m_flowOwners; // stored flow id -> its tenant
    std::mutex m_missMutex;
    std::map<std::string, std::chrono::steady_clock::time_point> m_versionMisses;
    std::atomic<size_t> m_flowCount{0};
    std::atomic<bool> m_storeOpen{false};
    std::atomic<Phase> m_phase{Phase::Starting};
    const std::chrono::system_clock::time_point m_startedAt = std::chrono::system_clock::now();
    mutable std::mutex m_identityMutex;
    Identity m_identity;
    EventBus m_events;
    std::mutex m_seenMutex;
    std::set<std::string> m_seenReleases;
    std::deque<std::string> m_seenOrder; // oldest first, to forget beyond the cap
    EventThrottle m_errorThrottle{std::chrono::seconds(1)};
    std::unique_ptr<AccessControl> m_access;
    std::unique_ptr<engine::release::ReleaseStore> m_releaseStore;
    engine::release::VariantStats m_variantStats;
    FlowLastUsed m_flowLastUsed;
    std::mutex m_reporterMutex;
    std::condition_variable m_reporterWake;
    bool m_reporterStop = false;
    std::thread m_lastUsedReporter; // reportLastUsedLoop(), from open() until closeStore()
    ActiveConversations m_activeConversations;
    std::unique_ptr<ClusterLink> m_cluster; // cluster mode only
    // Last: destroyed first, so its thread stops before anything it uses goes away.
    std::unique_ptr<engine::release::ReleaseController> m_releases;
};

// One line to stderr, prefixed "flowd: " (startup and shutdown steps, refused flows).
void logLine(std::string_view text);

} // namespace flowdeck::server
