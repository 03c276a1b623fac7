// The node's side of cluster mode: its stores on PostgreSQL, and how it follows what the other
// nodes change (docs/operations.md, "Cluster mode").
#include "node.h"

#include <chrono>

namespace flowdeck::server {

namespace {

int64_t nowMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

} // namespace

bool Node::openPostgres(std::string* error) {
    engine::PostgresOptions options;
    options.conninfo = m_options.postgres;
    options.connections = m_options.postgresConnections;
    std::string why;
    m_postgres = engine::PostgresDatabase::open(options, &why);
    if (!m_postgres) {
        *error = "cannot open the PostgreSQL store " + engine::describeConninfo(options.conninfo) +
                 ": " + why;
        return false;
    }
    m_store = m_postgres->conversations();
    m_flowStore = m_postgres->flowVersions();
    m_storeOpen = true;
    m_cluster = std::make_unique<ClusterLink>(m_postgres);
    // Every node keeps its own audit file too, so a node's log survives the database.
    m_access->setAuditSink([this](const Principal& who, std::string_view method,
                                  const std::string& tenant, const std::string& line) {
        engine::AuditRecord record{
            nowMs(), identity().nodeId, who.subject, std::string(method), tenant, line};
        std::string problem;
        if (!m_postgres->appendAudit(record, &problem)) {
            logLine("audit record not stored in PostgreSQL (kept in the local file): " + problem);
        }
    });
    logLine("cluster mode: stores opened on " + storePath());
    return true;
}

bool Node::openClusterLink(std::string* error) {
    if (!m_cluster) {
        return true;
    }
    ClusterLink::Callbacks callbacks;
    callbacks.onChange = [this](const ChangeNotice& notice) {
        reloadStoredFlow(notice.tenantId, notice.flowId);
        for (const auto& problem : m_releases->refresh()) {
            logLine(problem);
        }
        relayReleases(notice.tenantId, notice.flowId);
    };
    callbacks.onResync = [this] {
        {
            std::lock_guard lock(m_flowEditMutex);
            loadStoredFlows();
        }
        for (const auto& problem : m_releases->refresh()) {
            logLine(problem);
        }
    };
    callbacks.onLeadership = [this](bool leader) { m_releases->setDriving(leader); };
    callbacks.onPeer = [this](const engine::RosterEntry& peer, bool up) {
        NodeEvent event;
        event.kind = up ? EventKind::NodeUp : EventKind::NodeDown;
        event.severity = up ? EventSeverity::Info : EventSeverity::Critical;
        event.summary = "peer " + peer.nodeId + " (" + peer.address + ") is " +
                        (up ? "up" : "down: no heartbeat for 3.5 s");
        event.node = NodeDetail{peer.nodeId, peer.address, peer.version, up,
                                up ? std::string() : "no heartbeat"};
        m_events.publish(std::move(event));
    };
    std::string why;
    if (!m_cluster->listen(std::move(callbacks), &why)) {
        *error = "cannot listen for cluster changes on " + storePath() + ": " + why;
        return false;
    }
    return true;
}

void Node::joinCluster() {
    if (!m_cluster) {
        return;
    }
    const int64_t started =
        std::chrono::duration_cast<std::chrono::milliseconds>(m_startedAt.time_since_epoch())
            .count();
    m_cluster->startHeartbeat([this, started] {
        const Identity self = identity();
        return ClusterLink::Identity{self.nodeId, self.address, m_options.version, started};
    });
    // The versions to share are those of the rollouts in progress: a node serving a canary
    // publishes its numbers whether or not it drives the rollout. The controller follows the
    // shared store already (every tick), so its copy costs no query of its own.
    m_cluster->startSharingStats(m_variantStats,
                                 [this] { return m_releases->versionsInRollout(); });
}

std::vector<engine::RosterEntry> Node::peers() const {
    return m_cluster ? m_cluster->peers() : std::vector<engine::RosterEntry>{};
}

void Node::flowChanged(const std::string& tenantId, const std::string& flowId) {
    if (m_cluster) {
        m_cluster->announce(ClusterLink::kFlowsChannel, tenantId, flowId);
    }
}

void Node::reloadStoredFlow(const std::string& tenantId, const std::string& flowId) {
    std::lock_guard lock(m_flowEditMutex);
    if (const auto flow = m_flowStore->flow(tenantId, flowId)) {
        loadStoredFlow(*flow);
    }
}

} // namespace flowdeck::server
