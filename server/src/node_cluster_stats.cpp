// Canary analysis across the cluster (docs/operations.md, "Cluster mode"): every node publishes
// its per-second numbers of the versions in a rollout to PostgreSQL, and the leader adds the
// other nodes' rows to its own when it judges a canary. Never on the per-message path: a thread
// of its own reads the node's VariantStats every kStatsEvery.
#include "node.h"
#include "node_cluster.h"

#include <set>

namespace flowdeck::server {

namespace {

namespace rel = engine::release;

// A second published once may still have been filling, and a message timed just before a publish
// may be recorded just after it: each publish sends again the seconds from a little before the
// last one it sent.
constexpr int64_t kRepublishSeconds = 2;
// Rows are kept for the longest analysis window plus this margin (clock skew between nodes, a
// leader reading while a node publishes), then deleted by whichever node prunes first.
constexpr int64_t kKeepMarginSeconds = 60;
constexpr int64_t kPruneEveryMs = 30'000;

int64_t wallClockMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

} // namespace

std::string ClusterLink::selfId() const {
    std::lock_guard lock(m_peersMutex);
    return m_selfId;
}

void ClusterLink::startSharingStats(const rel::VariantStats& stats,
                                    std::function<VersionPairs()> inRollout) {
    m_statsThread = std::thread(
        [this, &stats, inRollout = std::move(inRollout)] { statsLoop(stats, inRollout); });
}

void ClusterLink::statsLoop(const rel::VariantStats& stats,
                            const std::function<VersionPairs()>& inRollout) {
    std::unique_lock lock(m_stopMutex);
    while (!m_stopWake.wait_for(lock, kStatsEvery, [this] { return m_stopping; })) {
        lock.unlock();
        const int64_t now = wallClockMs();
        publishStats(stats, inRollout(), now);
        if (now - m_lastPruneMs >= kPruneEveryMs) {
            std::string error;
            if (m_variantSeconds.prune(now / 1000 - rel::kMaxWindowMs / 1000 - kKeepMarginSeconds,
                                       &error)) {
                m_lastPruneMs = now;
            }
        }
        lock.lock();
    }
}

void ClusterLink::publishStats(const rel::VariantStats& stats, const VersionPairs& pairs,
                               int64_t nowMs) {
    const std::string self = selfId();
    if (self.empty()) {
        return; // no heartbeat yet: the rows would carry no node id
    }
    // Two tenants may roll out flows of one id: each pair once (an upsert may not touch a row
    // twice).
    const std::set<std::pair<std::string, std::string>> unique(pairs.begin(), pairs.end());
    std::vector<engine::PublishedSeries> series;
    for (const auto& pair : unique) {
        const auto it = m_published.find(pair);
        const int64_t windowStart = nowMs - rel::kMaxWindowMs;
        const int64_t from = it == m_published.end()
                                 ? windowStart
                                 : std::max(windowStart, (it->second - kRepublishSeconds) * 1000);
        auto seconds = stats.seconds(pair.first, pair.second, from, nowMs);
        if (!seconds.empty()) {
            series.push_back({pair.first, pair.second, std::move(seconds)});
        }
    }
    std::string error;
    if (!m_variantSeconds.publish(self, series, &error)) {
        if (!m_publishFailing.exchange(true)) {
            logLine("cluster: cannot publish this node's canary numbers (the leader's analysis "
                    "misses them until it can): " +
                    error);
        }
        return;
    }
    if (m_publishFailing.exchange(false)) {
        logLine("cluster: publishing this node's canary numbers again");
    }
    std::map<std::pair<std::string, std::string>, int64_t> published;
    for (const auto& pair : unique) {
        published[pair] = nowMs / 1000; // versions no longer in a rollout are forgotten
    }
    m_published = std::move(published);
}

decltype(rel::ReleaseController::Dependencies::peerSeconds) ClusterLink::peerSeconds() {
    return [this](const std::string& flowId, const std::string& version, int64_t fromMs,
                  int64_t toMs, std::vector<rel::StatsSecond>* out, std::string* error) {
        const std::string self = selfId();
        const bool ok = !self.empty() && m_variantSeconds.peerSeconds(self, flowId, version, fromMs,
                                                                      toMs, out, error);
        if (self.empty()) {
            *error = "this node has not joined the cluster yet (no heartbeat)";
        }
        if (!ok && !m_peerReadFailing.exchange(true)) {
            logLine("cluster: cannot read the other nodes' canary numbers, so canary analysis is "
                    "inconclusive until it can: " +
                    *error);
        } else if (ok && m_peerReadFailing.exchange(false)) {
            logLine("cluster: reading the other nodes' canary numbers again");
        }
        return ok;
    };
}

} // namespace flowdeck::server
