// The node's side of Releases: the release store, the controller that drives rollouts, the
// per-version numbers it judges canaries by, and the events it announces.
#include "node.h"

#include <filesystem>

namespace flowdeck::server {

namespace {

namespace rel = engine::release;

int64_t wallClockMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

EventSeverity severityOf(const rel::HistoryEntry& entry) {
    switch (entry.action) {
    case rel::HistoryAction::Aborted:
        return entry.automatic ? EventSeverity::Critical : EventSeverity::Warning;
    case rel::HistoryAction::RolledBack:
    case rel::HistoryAction::Paused:
        return EventSeverity::Warning;
    default:
        return EventSeverity::Info;
    }
}

std::string summaryOf(const rel::HistoryEntry& e) {
    std::string text = std::string(rel::toString(e.action)) + " " + e.flowId;
    switch (e.action) {
    case rel::HistoryAction::DeployStarted:
    case rel::HistoryAction::StepAdvanced:
    case rel::HistoryAction::Promoted:
        text += " " + e.toVersion + " at " + std::to_string(e.percent) + "%";
        break;
    case rel::HistoryAction::Completed:
    case rel::HistoryAction::Published:
        text += " " + e.toVersion + " now serves 100%";
        break;
    case rel::HistoryAction::RolledBack:
        text += " from " + e.fromVersion + " to " + e.toVersion;
        break;
    default:
        text += " " + e.toVersion;
        break;
    }
    text += " by " + e.who;
    if (!e.why.empty()) {
        text += ": " + e.why;
    }
    return text;
}

} // namespace

bool Node::openReleases(std::string* error) {
    std::string path = storePath();
    std::string why;
    if (m_postgres) {
        m_releaseStore = m_postgres->releases();
    } else {
        path = (std::filesystem::path(m_options.dataDir) / "releases.sqlite").string();
        m_releaseStore = rel::openSqliteReleaseStore(path, &why);
    }
    if (!m_releaseStore) {
        *error = "cannot open the release store " + path + ": " + why;
        return false;
    }
    rel::ReleaseController::Dependencies deps{
        m_flows,
        *m_flowStore,
        *m_releaseStore,
        m_variantStats,
        [this](const engine::StoredFlowVersion& version, std::string* problem) {
            return serveVersion(version, problem, false);
        },
        wallClockMs,
        [this](const rel::HistoryEntry& entry, const rel::Rollout* rollout) {
            announceRelease(entry, rollout);
        },
        [this](const std::string& flowId, int step) {
            if (m_names.rolloutStep != nullptr) {
                m_names.rolloutStep->withLabels({flowId}).set(step);
            }
        },
        [](const std::string& message) { logLine(message); },
        [this] {
            if (m_names.conversationsActive != nullptr) {
                m_names.conversationsActive->set(
                    static_cast<double>(m_activeConversations.count(wallClockMs())));
            }
        },
        &m_flowEditMutex};
    if (m_cluster) {
        deps.coordinator = &m_cluster->releaseTurn();
        deps.peerSeconds = m_cluster->peerSeconds(); // canaries judged on every node's traffic
        // Called with the edit mutex held, as loadStoredFlow expects.
        deps.reloadFlow = [this](const std::string& tenantId, const std::string& flowId) {
            if (const auto flow = m_flowStore->flow(tenantId, flowId)) {
                loadStoredFlow(*flow);
            }
        };
    }
    m_releases = std::make_unique<rel::ReleaseController>(std::move(deps));
    // In a cluster only the leader drives rollouts; leadership arrives through the listener.
    m_releases->setDriving(!m_cluster);
    for (const auto& problem : m_releases->resume()) {
        logLine(problem);
    }
    m_releases->start(std::chrono::milliseconds(250));
    logLine("release store opened: " + path);
    return true;
}

void Node::announceRelease(const rel::HistoryEntry& entry, const rel::Rollout*) {
    firstSightOf(entry.entryId);
    if (m_cluster) {
        m_cluster->announce(ClusterLink::kReleasesChannel, entry.tenantId, entry.flowId);
    }
    publishRelease(entry, {});
}

void Node::publishRelease(const rel::HistoryEntry& entry, std::string_view origin) {
    NodeEvent event;
    event.kind = EventKind::Release;
    event.severity = severityOf(entry);
    event.summary = summaryOf(entry);
    event.release = entry;
    event.tenant = entry.tenantId;
    logLine("release" + (origin.empty() ? std::string() : " (" + std::string(origin) + ")") + ": " +
            event.summary);
    m_events.publish(std::move(event));
}

bool Node::firstSightOf(const std::string& entryId) {
    constexpr size_t kRemembered = 4096;
    std::lock_guard lock(m_seenMutex);
    if (entryId.empty() || !m_seenReleases.insert(entryId).second) {
        return false;
    }
    m_seenOrder.push_back(entryId);
    if (m_seenOrder.size() > kRemembered) {
        m_seenReleases.erase(m_seenOrder.front());
        m_seenOrder.pop_front();
    }
    return true;
}

void Node::relayReleases(const std::string& tenantId, const std::string& flowId) {
    rel::HistoryQuery query;
    query.tenantId = tenantId;
    query.flowId = flowId;
    query.sinceMs = wallClockMs() - 60'000; // notices arrive within a second; a minute is slack
    query.limit = 50;
    const rel::HistoryPage page = m_releases->history(query);
    for (auto it = page.entries.rbegin(); it != page.entries.rend(); ++it) { // oldest first
        if (firstSightOf(it->entryId)) {
            publishRelease(*it, "recorded by another node");
        }
    }
}

void Node::recordProcessed(const engine::MessageRequest& request,
                           const engine::ProcessResult& result) {
    if (result.duplicate || !result.stored || result.flowId.empty()) {
        return; // retries and rejected requests say nothing about a version
    }
    const int64_t now = wallClockMs();
    m_flowLastUsed.touch(result.flowId, now);
    const size_t active =
        m_activeConversations.touch(request.tenantId, request.conversationId, now);
    if (m_names.conversationsActive != nullptr) {
        m_names.conversationsActive->set(static_cast<double>(active));
    }
    rel::VariantStats::Sample sample;
    sample.error = !result.errors.empty() || !result.failedIntegrations.empty();
    sample.fallback = result.tookFallback;
    sample.latencyMs = result.processingTimeMs;
    m_variantStats.record(result.flowId, result.flowVersion, sample, now);
}

} // namespace flowdeck::server
