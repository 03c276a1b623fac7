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

namespace {

// Sums seconds (this node's and other nodes' alike) into one window's numbers. The latency
// buckets are summed before the quantile is taken, so merging nodes loses nothing.
class Window final {
public:
    Window(int64_t fromMs, int64_t toMs)
        : m_from(fromMs / 1000)
        , m_to(toMs / 1000) {}

    template <class Latency>
    void add(int64_t second, uint64_t messages, uint64_t errors, uint64_t fallbacks,
             uint64_t minMicros, uint64_t maxMicros, const Latency& latency) {
        if (second < m_from || second > m_to || messages == 0) {
            return;
        }
        m_histogram.min = m_histogram.count == 0 ? minMicros : std::min(m_histogram.min, minMicros);
        m_histogram.max = std::max(m_histogram.max, maxMicros);
        m_histogram.count += messages;
        m_errors += errors;
        m_fallbacks += fallbacks;
        for (const auto& [index, count] : latency) {
            m_buckets[index] += count;
        }
    }

    VariantMetrics result(std::string_view version) {
        VariantMetrics out;
        out.version = std::string(version);
        out.messages = m_histogram.count;
        out.errors = m_errors;
        if (out.messages == 0) {
            return out;
        }
        m_histogram.buckets.assign(m_buckets.begin(), m_buckets.end());
        out.errorRate = static_cast<double>(out.errors) / static_cast<double>(out.messages);
        out.fallbackRate = static_cast<double>(m_fallbacks) / static_cast<double>(out.messages);
        out.p95LatencyMs = m_histogram.quantile(0.95) / 1000.0;
        return out;
    }

private:
    const int64_t m_from;
    const int64_t m_to;
    HistogramSnapshot m_histogram;
    std::map<uint32_t, uint64_t> m_buckets;
    uint64_t m_errors = 0;
    uint64_t m_fallbacks = 0;
};

} // namespace

VariantMetrics VariantStats::measure(std::string_view flowId, std::string_view version,
                                     int64_t fromMs, int64_t toMs) const {
    return measure(flowId, version, fromMs, toMs, {});
}

VariantMetrics VariantStats::measure(std::string_view flowId, std::string_view version,
                                     int64_t fromMs, int64_t toMs,
                                     const std::vector<StatsSecond>& others) const {
    Window window(fromMs, toMs);
    {
        std::shared_lock lock(m_mutex);
        if (Series* series = find(flowId, version)) {
            std::lock_guard seriesLock(series->mutex);
            for (const Second& s : series->seconds) {
                window.add(s.second, s.messages, s.errors, s.fallbacks, s.minMicros, s.maxMicros,
                           s.latency);
            }
        }
    }
    for (const StatsSecond& s : others) {
        window.add(s.second, s.messages, s.errors, s.fallbacks, s.minMicros, s.maxMicros,
                   s.latency);
    }
    return window.result(version);
}

std::vector<StatsSecond> VariantStats::seconds(std::string_view flowId, std::string_view version,
                                               int64_t fromMs, int64_t toMs) const {
    std::vector<StatsSecond> out;
    std::shared_lock lock(m_mutex);
    Series* series = find(flowId, version);
    if (series == nullptr) {
        return out;
    }
    std::lock_guard seriesLock(series->mutex);
    for (const Second& s : series->seconds) {
        if (s.second < fromMs / 1000 || s.second > toMs / 1000 || s.messages == 0) {
            continue;
        }
        out.push_back(StatsSecond{s.second,
                                  s.messages,
                                  s.errors,
                                  s.fallbacks,
                                  s.minMicros,
                                  s.maxMicros,
                                  {s.latency.begin(), s.latency.end()}});
    }
    return out;
}

} // namespace flowdeck::engine::release
