#include "clusters/metrics_history.h"

#include "flowdeck/client/telemetry_client.h"

#include <algorithm>
#include <cmath>

namespace flowdeck::console {

namespace {

double totalOf(const client::MetricsSnapshot& snapshot, std::string_view family) {
    const client::MetricFamily* found = snapshot.family(family);
    return found != nullptr ? found->total() : kNoValue;
}

// Per second between two readings of one counter; NaN when either is missing or no time passed.
double rateBetween(double before, double now, qint64 elapsedMs) {
    if (!std::isfinite(before) || !std::isfinite(now) || elapsedMs <= 0) {
        return kNoValue;
    }
    const double growth = now >= before ? now - before : now; // lower: the node restarted
    return growth * 1000.0 / static_cast<double>(elapsedMs);
}

// Folds the nodes' values at one moment into the cluster's.
class Merger final {
public:
    explicit Merger(ClusterMerge merge)
        : m_merge(merge) {}

    void add(const MetricSample& sample, Metric metric) {
        const double value = valueOf(sample, metric);
        if (!std::isfinite(value)) {
            return;
        }
        ++m_count;
        m_sum += value;
        m_max = m_count == 1 ? value : std::max(m_max, value);
        if (std::isfinite(sample.messagesPerSecond)) {
            ++m_weighted;
            m_weightedSum += value * sample.messagesPerSecond;
            m_weights += sample.messagesPerSecond;
        }
    }
    bool empty() const { return m_count == 0; }
    double result() const {
        switch (m_merge) {
        case ClusterMerge::Sum:
            return m_sum;
        case ClusterMerge::Max:
            return m_max;
        case ClusterMerge::MessageWeighted:
            // Nodes that do not report message counts (or saw none) leave a plain mean.
            return m_weighted == m_count && m_weights > 0.0 ? m_weightedSum / m_weights
                                                            : m_sum / m_count;
        }
        return kNoValue;
    }

private:
    ClusterMerge m_merge;
    int m_count = 0;
    int m_weighted = 0;
    double m_sum = 0.0;
    double m_max = 0.0;
    double m_weightedSum = 0.0;
    double m_weights = 0.0;
};

// Walks one node's ring forward through the cluster's time steps.
struct Cursor {
    const SampleRing* ring = nullptr;
    std::size_t next = 0;
    const MetricSample* current = nullptr;

    const MetricSample* at(qint64 timeMs) {
        while (next < ring->size() && ring->at(next).timeMs <= timeMs) {
            current = &ring->at(next++);
        }
        return current && timeMs - current->timeMs <= MetricsHistory::kClusterStaleMs ? current
                                                                                      : nullptr;
    }
};

qint64 floorToStep(qint64 timeMs) {
    const qint64 step = MetricsHistory::kClusterStepMs;
    return timeMs >= 0 ? timeMs / step * step : -((-timeMs + step - 1) / step) * step;
}

} // namespace

void readCounters(const client::MetricsSnapshot& snapshot, MetricSample& sample) {
    sample.transitionsTotal = totalOf(snapshot, "flowdeck_state_transitions_total");
    sample.integrationFailuresTotal = totalOf(snapshot, "flowdeck_integration_failures_total");
    sample.messagesTotal = totalOf(snapshot, "flowdeck_messages_total");
}

double valueOf(const MetricSample& sample, Metric metric) {
    switch (metric) {
    case Metric::RequestsPerSecond:
        return sample.requestsPerSecond;
    case Metric::P50Ms:
        return sample.p50Ms;
    case Metric::P95Ms:
        return sample.p95Ms;
    case Metric::P99Ms:
        return sample.p99Ms;
    case Metric::ErrorRate:
        return sample.errorRate;
    case Metric::ActiveConversations:
        return sample.activeConversations;
    case Metric::TransitionsPerSecond:
        return sample.transitionsPerSecond;
    case Metric::IntegrationFailuresPerSecond:
        return sample.integrationFailuresPerSecond;
    }
    return kNoValue;
}

ClusterMerge clusterMergeOf(Metric metric) {
    switch (metric) {
    case Metric::P50Ms:
    case Metric::P95Ms:
    case Metric::P99Ms:
        return ClusterMerge::Max;
    case Metric::ErrorRate:
        return ClusterMerge::MessageWeighted;
    default:
        return ClusterMerge::Sum;
    }
}

std::size_t SampleRing::firstAtOrAfter(qint64 timeMs) const {
    std::size_t low = 0;
    std::size_t high = m_size;
    while (low < high) {
        const std::size_t mid = (low + high) / 2;
        if (at(mid).timeMs < timeMs) {
            low = mid + 1;
        } else {
            high = mid;
        }
    }
    return low;
}

MetricsHistory::MetricsHistory(std::size_t capacityPerNode)
    : m_capacity(std::max<std::size_t>(capacityPerNode, 1)) {}

void MetricsHistory::append(const QString& nodeKey, const MetricSample& sample) {
    auto it = m_rings.find(nodeKey);
    if (it == m_rings.end()) {
        it = m_rings.emplace(nodeKey, std::make_unique<SampleRing>(m_capacity)).first;
        m_order.push_back(nodeKey);
    }
    SampleRing& ring = *it->second;
    MetricSample stored = sample;
    if (ring.size() > 0) {
        const MetricSample& previous = ring.at(ring.size() - 1);
        const qint64 elapsed = sample.timeMs - previous.timeMs;
        // A rate the producer already set (no totals to derive it from) is kept as given.
        const auto derive = [&](double MetricSample::*total, double MetricSample::*rate) {
            if (std::isfinite(sample.*total)) {
                stored.*rate = rateBetween(previous.*total, sample.*total, elapsed);
            }
        };
        derive(&MetricSample::transitionsTotal, &MetricSample::transitionsPerSecond);
        derive(&MetricSample::integrationFailuresTotal,
               &MetricSample::integrationFailuresPerSecond);
        derive(&MetricSample::messagesTotal, &MetricSample::messagesPerSecond);
    }
    ring.push(stored);
}

void MetricsHistory::removeNode(const QString& nodeKey) {
    m_rings.erase(nodeKey);
    m_order.removeAll(nodeKey);
}

QStringList MetricsHistory::nodes() const {
    return m_order;
}

std::size_t MetricsHistory::size(const QString& nodeKey) const {
    const auto it = m_rings.find(nodeKey);
    return it == m_rings.end() ? 0 : it->second->size();
}

const MetricSample* MetricsHistory::latest(const QString& nodeKey) const {
    const auto it = m_rings.find(nodeKey);
    if (it == m_rings.end() || it->second->size() == 0) {
        return nullptr;
    }
    return &it->second->at(it->second->size() - 1);
}

QList<QPointF> MetricsHistory::points(const QString& nodeKey, Metric metric, qint64 sinceMs) const {
    QList<QPointF> result;
    const auto it = m_rings.find(nodeKey);
    if (it == m_rings.end()) {
        return result;
    }
    const SampleRing& ring = *it->second;
    const std::size_t first = ring.firstAtOrAfter(sinceMs);
    result.reserve(static_cast<qsizetype>(ring.size() - first));
    for (std::size_t i = first; i < ring.size(); ++i) {
        const double value = valueOf(ring.at(i), metric);
        if (std::isfinite(value)) {
            result.append(QPointF(static_cast<qreal>(ring.at(i).timeMs), value));
        }
    }
    return result;
}

QList<QPointF> MetricsHistory::clusterPoints(const QStringList& nodeKeys, Metric metric,
                                             qint64 sinceMs) const {
    std::vector<Cursor> cursors;
    qint64 earliest = std::numeric_limits<qint64>::max();
    qint64 newest = std::numeric_limits<qint64>::min();
    for (const QString& key : nodeKeys) {
        const SampleRing* nodeRing = ring(key);
        if (nodeRing == nullptr || nodeRing->size() == 0) {
            continue;
        }
        // A sample a little before the window still speaks for the window's first step.
        const std::size_t first = nodeRing->firstAtOrAfter(sinceMs - kClusterStaleMs);
        if (first < nodeRing->size()) {
            cursors.push_back({nodeRing, first, nullptr});
            earliest = std::min(earliest, nodeRing->at(first).timeMs);
            newest = std::max(newest, nodeRing->at(nodeRing->size() - 1).timeMs);
        }
    }
    QList<QPointF> result;
    if (cursors.empty()) {
        return result;
    }
    const qint64 start = floorToStep(std::max(sinceMs, earliest) + kClusterStepMs - 1);
    const ClusterMerge merge = clusterMergeOf(metric);
    for (qint64 t = start; t <= newest; t += kClusterStepMs) {
        Merger merger(merge);
        for (Cursor& cursor : cursors) {
            if (const MetricSample* sample = cursor.at(t)) {
                merger.add(*sample, metric);
            }
        }
        if (!merger.empty()) {
            result.append(QPointF(static_cast<qreal>(t), merger.result()));
        }
    }
    return result;
}

} // namespace flowdeck::console
