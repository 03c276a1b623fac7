#pragma once

#include <QList>
#include <QPointF>
#include <QString>
#include <QStringList>

#include <cstddef>
#include <map>
#include <memory>
#include <vector>

namespace flowdeck::console {

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
};

enum class Metric { RequestsPerSecond, P50Ms, P95Ms, P99Ms, ErrorRate, ActiveConversations };

double valueOf(const MetricSample& sample, Metric metric);

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

    explicit MetricsHistory(std::size_t capacityPerNode = kDefaultCapacity);

    void append(const QString& nodeKey, const MetricSample& sample);
    void removeNode(const QString& nodeKey);
    QStringList nodes() const; // in the order they first reported
    std::size_t size(const QString& nodeKey) const;
    const MetricSample* latest(const QString& nodeKey) const;
    // (time ms, value) for samples at or after `sinceMs`, NaNs skipped, oldest first.
    QList<QPointF> points(const QString& nodeKey, Metric metric, qint64 sinceMs) const;
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
