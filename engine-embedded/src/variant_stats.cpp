#include "flowdeck/engine/variant_stats.h"

#include "flowdeck/engine/metrics.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <deque>

namespace flowdeck::engine::release {

namespace {

// One second of one version's traffic. The latency buckets are sparse: a second rarely sees more
// than a few dozen distinct buckets.
struct Second {
    int64_t second = 0;
    uint64_t messages = 0;
    uint64_t errors = 0;
    uint64_t fallbacks = 0;
    uint64_t minMicros = 0;
    uint64_t maxMicros = 0;
    std::map<uint32_t, uint64_t> latency;
};

constexpr int64_t kKeepSeconds = kMaxWindowMs / 1000 + 2;

} // namespace

struct VariantStats::Series {
    std::mutex mutex;
    std::deque<Second> seconds;           // ascending, at most kKeepSeconds
    std::atomic<int64_t> lastRecordMs{0}; // read by eviction without the series lock
};

VariantStats::VariantStats() = default;
VariantStats::~VariantStats() = default;

VariantStats::Series* VariantStats::find(std::string_view flowId, std::string_view version) const {
    // Heterogeneous lookup (KeyLess): no key strings are built on the per-message path.
    const auto it = m_series.find(std::pair<std::string_view, std::string_view>(flowId, version));
    return it == m_series.end() ? nullptr : it->second.get();
}

namespace {

void add(std::deque<Second>& seconds, const VariantStats::Sample& sample, int64_t nowMs) {
    const int64_t second = nowMs / 1000;
    if (seconds.empty() || seconds.back().second < second) {
        seconds.push_back(Second{second, 0, 0, 0, 0, 0, {}});
    }
    while (!seconds.empty() && seconds.front().second < second - kKeepSeconds) {
        seconds.pop_front();
    }
    // A sample from a clock that went back lands in the newest second.
    Second& bucket = seconds.back();
    const uint64_t micros =
        sample.latencyMs > 0.0 ? static_cast<uint64_t>(std::llround(sample.latencyMs * 1000.0)) : 0;
    bucket.minMicros = bucket.messages == 0 ? micros : std::min(bucket.minMicros, micros);
    bucket.maxMicros = std::max(bucket.maxMicros, micros);
    bucket.messages += 1;
    bucket.errors += sample.error ? 1 : 0;
    bucket.fallbacks += sample.fallback ? 1 : 0;
    bucket.latency[latency::bucketIndex(micros)] += 1;
}

} // namespace

void VariantStats::record(std::string_view flowId, std::string_view version, const Sample& sample,
                          int64_t nowMs) {
    {
        std::shared_lock lock(m_mutex);
        if (Series* series = find(flowId, version)) {
            std::lock_guard seriesLock(series->mutex);
            series->lastRecordMs = nowMs;
            add(series->seconds, sample, nowMs);
            return;
        }
    }
    // A version's first message: create its series (rare, so the exclusive lock is fine).
    std::unique_lock lock(m_mutex);
    Series* series = find(flowId, version);
    if (series == nullptr) {
        if (m_series.size() >= kMaxSeries) {
            // Forget the series recorded longest ago (a version nobody sends to any more).
            m_series.erase(std::min_element(
                m_series.begin(), m_series.end(), [](const auto& a, const auto& b) {
                    return a.second->lastRecordMs.load() < b.second->lastRecordMs.load();
                }));
        }
        auto created = std::make_unique<Series>();
        series = created.get();
        m_series.emplace(std::make_pair(std::string(flowId), std::string(version)),
                         std::move(created));
    }
    std::lock_guard seriesLock(series->mutex);
    series->lastRecordMs = nowMs;
    add(series->seconds, sample, nowMs);
}

VariantMetrics VariantStats::measure(std::string_view flowId, std::string_view version,
                                     int64_t fromMs, int64_t toMs) const {
    VariantMetrics out;
    out.version = std::string(version);
    std::shared_lock lock(m_mutex);
    Series* series = find(flowId, version);
    if (series == nullptr) {
        return out;
    }
    HistogramSnapshot histogram;
    std::map<uint32_t, uint64_t> buckets;
    uint64_t fallbacks = 0;
    {
        std::lock_guard seriesLock(series->mutex);
        for (const Second& s : series->seconds) {
            if (s.second < fromMs / 1000 || s.second > toMs / 1000 || s.messages == 0) {
                continue;
            }
            histogram.min =
                histogram.count == 0 ? s.minMicros : std::min(histogram.min, s.minMicros);
            histogram.max = std::max(histogram.max, s.maxMicros);
            histogram.count += s.messages;
            out.messages += s.messages;
            out.errors += s.errors;
            fallbacks += s.fallbacks;
            for (const auto& [index, count] : s.latency) {
                buckets[index] += count;
            }
        }
    }
    if (out.messages == 0) {
        return out;
    }
    histogram.buckets.assign(buckets.begin(), buckets.end());
    out.errorRate = static_cast<double>(out.errors) / static_cast<double>(out.messages);
    out.fallbackRate = static_cast<double>(fallbacks) / static_cast<double>(out.messages);
    out.p95LatencyMs = histogram.quantile(0.95) / 1000.0;
    return out;
}

} // namespace flowdeck::engine::release
