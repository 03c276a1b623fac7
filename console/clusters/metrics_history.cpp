#include "clusters/metrics_history.h"

#include <algorithm>
#include <cmath>

namespace flowdeck::console {

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
    }
    return std::nan("");
}

MetricsHistory::MetricsHistory(std::size_t capacityPerNode)
    : m_capacity(std::max<std::size_t>(capacityPerNode, 1)) {}

void MetricsHistory::append(const QString& nodeKey, const MetricSample& sample) {
    auto it = m_rings.find(nodeKey);
    if (it == m_rings.end()) {
        it = m_rings.emplace(nodeKey, std::make_unique<SampleRing>(m_capacity)).first;
        m_order.push_back(nodeKey);
    }
    it->second->push(sample);
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
    // Samples arrive in time order, so the window starts at the first one not older than it.
    std::size_t low = 0;
    std::size_t high = ring.size();
    while (low < high) {
        const std::size_t mid = (low + high) / 2;
        if (ring.at(mid).timeMs < sinceMs) {
            low = mid + 1;
        } else {
            high = mid;
        }
    }
    result.reserve(static_cast<qsizetype>(ring.size() - low));
    for (std::size_t i = low; i < ring.size(); ++i) {
        const double value = valueOf(ring.at(i), metric);
        if (std::isfinite(value)) {
            result.append(QPointF(static_cast<qreal>(ring.at(i).timeMs), value));
        }
    }
    return result;
}

} // namespace flowdeck::console
