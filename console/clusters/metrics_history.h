#pragma once

#include <QList>
#include <QPointF>
#include <QString>
#include <QStringList>

#include <cstddef>
#include <limits>
#include <map>
#include <memory>
#include <vector>

namespace flowdeck::client {
struct MetricsSnapshot;
}

namespace flowdeck::console {

inline constexpr double kNoValue = std::numeric_limits<double>::quiet_NaN();

// One node's traffic over one snapshot window (TrafficSummary, flattened). A value that had
// nothing to measure (no requests, so no latency) is NaN and is left out of the charts.
struct MetricSample {
    qint64 timeMs = 0; // ms since the epoch, when the node took the snapshot
    double requestsPerSecond = 0.0;
    double p50Ms = 0.0;
    double p95Ms = 0.0;
    double p99Ms = 0.0;
    double errorRate = 0.0; // 0..1
    double activeConversations = 0.0;
    // Counter totals as the node reported them (DESIGN.md §6; NaN when it exports none).
    // MetricsHistory::append turns them into the per-second rates below.
    double transitionsTotal = kNoValue;         // flowdeck_state_transitions_total, every flow
    double integrationFailuresTotal = kNoValue; // flowdeck_integration_failures_total
    double messagesTotal = kNoValue;            // flowdeck_messages_total
    double transitionsPerSecond = kNoValue;
    double integrationFailuresPerSecond = kNoValue;
    double messagesPerSecond = kNoValue; // weighs each node's error rate in the cluster's
};

// Copies the counter totals above out of a snapshot (the rates are the history's job).
void readCounters(const client::MetricsSnapshot& snapshot, MetricSample& sample);

enum class Metric {
    RequestsPerSecond,
    P50Ms,
    P95Ms,
    P99Ms,
    ErrorRate,
    ActiveConversations,
    TransitionsPerSecond,
    IntegrationFailuresPerSecond
};

double valueOf(const MetricSample& sample, Metric metric);

// How the cluster line combines the nodes' values at one moment.
enum class ClusterMerge {
    Sum,            // rates and counts: the cluster does what its nodes do together
    Max,            // latency: the slowest node (see MetricsHistory::clusterPoints)
    MessageWeighted // error rate: errors over messages, the busier node weighing more
};
ClusterMerge clusterMergeOf(Metric metric);

// A fixed-capacity ring, allocated once: a node watched for days uses the same memory as one
// watched for six hours, and appending never reallocates.
class SampleRing final {
public:
    explicit SampleRing(std::size_t capacity)
        : m_items(capacity) {}

    void push(const MetricSample& sample) {
        m_items[(m_start + m_size) % m_items.size()] = sample;
        if (m_size < m_items.size()) {
            ++m_size;
        } else {
            m_start = (m_start + 1) % m_items.size();
        }
    }
    std::size_t size() const { return m_size; }
    std::size_t capacity() const { return m_items.size(); }
    // Oldest first.
    const MetricSample& at(std::size_t index) const {
        return m_items[(m_start + index) % m_items.size()];
    }
    // The index of the first sample at or after `timeMs` (size() when none): samples arrive in
    // time order.
    std::size_t firstAtOrAfter(qint64 timeMs) const;

private:
    std::vector<MetricSample> m_items;
    std::size_t m_start = 0;
    std::size_t m_size = 0;
};

// Every connected node's recent traffic, one ring per node (6 h at one sample a second by
// default). The model the Clusters charts and node table read; only the UI thread touches it.
class MetricsHistory final {
public:
    static constexpr std::size_t kDefaultCapacity = 6 * 60 * 60;
    // The cluster line has one point a second; a node whose newest sample at that moment is
    // older than this is left out of it (it is down or restarting, not idle).
    static constexpr qint64 kClusterStepMs = 1000;
    static constexpr qint64 kClusterStaleMs = 3000;

    explicit MetricsHistory(std::size_t capacityPerNode = kDefaultCapacity);

    // Stores `sample`, first deriving its counter rates from the node's previous sample: the
    // growth of each total over the time between the two. A total lower than before means the
    // node restarted (counters begin again at 0), and then all of the new total is growth.
    void append(const QString& nodeKey, const MetricSample& sample);
    void removeNode(const QString& nodeKey);
    QStringList nodes() const; // in the order they first reported
    std::size_t size(const QString& nodeKey) const;
    const MetricSample* latest(const QString& nodeKey) const;
    // (time ms, value) for samples at or after `sinceMs`, NaNs skipped, oldest first.
    QList<QPointF> points(const QString& nodeKey, Metric metric, qint64 sinceMs) const;
    // The cluster made of `nodeKeys`, one point per kClusterStepMs from `sinceMs` on: at each
    // step every node's newest sample (if fresh) merged by clusterMergeOf(metric). Latency
    // takes the slowest node's percentile: a percentile of the merged traffic can never be
    // above it (nor below the fastest node's), and keeping each second's histogram for 6 h of
    // every node, which an exact merge needs, would cost tens of MB.
    QList<QPointF> clusterPoints(const QStringList& nodeKeys, Metric metric, qint64 sinceMs) const;
    // The node's raw samples, NaNs included (the alert rules need "no data"), or null.
    const SampleRing* ring(const QString& nodeKey) const {
        const auto it = m_rings.find(nodeKey);
        return it == m_rings.end() ? nullptr : it->second.get();
    }

private:
    std::size_t m_capacity;
    QStringList m_order;
    std::map<QString, std::unique_ptr<SampleRing>> m_rings;
};

} // namespace flowdeck::console
