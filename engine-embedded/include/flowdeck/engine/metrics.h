#pragma once

#include <array>
#include <atomic>
#include <bit>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <initializer_list>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace flowdeck::engine {

// Counters, gauges and latency histograms with label families, exposed in the Prometheus text
// format 0.0.4 (DESIGN.md §6). The hot path (Counter::inc, Gauge::set/add, Histogram::record) is
// lock-free and never allocates; looking a child up by label values takes a shared lock, so code
// on a hot path keeps the returned reference (children live as long as their registry).

// A monotonically increasing count. Whole increments take one relaxed atomic add; fractional
// amounts (CPU seconds) go to a second cell, the split client_golang makes (valInt / valBits).
class Counter final {
public:
    Counter() = default;
    Counter(const Counter&) = delete;
    Counter& operator=(const Counter&) = delete;

    void inc(uint64_t n = 1) noexcept { m_whole.fetch_add(n, std::memory_order_relaxed); }
    // Negative, NaN and infinite amounts are ignored: a counter never goes down.
    void add(double amount) noexcept;
    double value() const noexcept;

private:
    std::atomic<uint64_t> m_whole{0};
    std::atomic<double> m_fraction{0.0};
};

class Gauge final {
public:
    Gauge() = default;
    Gauge(const Gauge&) = delete;
    Gauge& operator=(const Gauge&) = delete;

    void set(double value) noexcept { m_value.store(value, std::memory_order_relaxed); }
    void add(double amount) noexcept { m_value.fetch_add(amount, std::memory_order_relaxed); }
    void inc() noexcept { add(1.0); }
    void dec() noexcept { add(-1.0); }
    double value() const noexcept { return m_value.load(std::memory_order_relaxed); }

private:
    std::atomic<double> m_value{0.0};
};

// The bucket layout of latency histograms, over whole microseconds: HdrHistogram's log-linear
// layout with 256 sub-buckets. Values below 256 µs have a bucket each (exact); above, each power
// of two [2^e, 2^(e+1)) is cut into 128 buckets of width 2^(e-7), so a bucket is never wider than
// 1/128 of its lower bound and a bucket midpoint is within 0.4% of any value in it. Values from
// 2^36 µs (about 19 hours) on share the last bucket; sum, min and max stay exact.
// The indexes are part of the snapshot contract (WatchMetrics sends them): never reorder them.
namespace latency {

inline constexpr uint32_t kExactBelow = 256;
inline constexpr uint32_t kSubBuckets = 128;
inline constexpr uint32_t kMaxExponent = 36;
inline constexpr uint32_t kBucketCount = kExactBelow + (kMaxExponent - 8) * kSubBuckets;

constexpr uint32_t bucketIndex(uint64_t micros) noexcept {
    if (micros < kExactBelow) {
        return static_cast<uint32_t>(micros);
    }
    const auto exponent = static_cast<uint32_t>(std::bit_width(micros) - 1);
    if (exponent >= kMaxExponent) {
        return kBucketCount - 1;
    }
    const auto sub = static_cast<uint32_t>(micros >> (exponent - 7)) - kSubBuckets;
    return kExactBelow + (exponent - 8) * kSubBuckets + sub;
}

constexpr uint64_t bucketLower(uint32_t index) noexcept {
    if (index < kExactBelow) {
        return index;
    }
    const uint32_t k = index - kExactBelow;
    const uint32_t exponent = 8 + k / kSubBuckets;
    return uint64_t{kSubBuckets + k % kSubBuckets} << (exponent - 7);
}

// Inclusive. The last bucket also holds everything above it.
constexpr uint64_t bucketUpper(uint32_t index) noexcept {
    if (index < kExactBelow) {
        return index;
    }
    const uint32_t exponent = 8 + (index - kExactBelow) / kSubBuckets;
    return bucketLower(index) + (uint64_t{1} << (exponent - 7)) - 1;
}

// The `le` bounds of the exposition, in seconds and in µs: what SLOs and dashboards read, from
// 100 µs to a minute. Their counts are exact (see kStraddle), not estimated from the buckets.
inline constexpr size_t kBoundCount = 18;
inline constexpr std::array<std::string_view, kBoundCount> kBoundLabels = {
    "0.0001", "0.00025", "0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05",
    "0.1",    "0.25",    "0.5",    "1",     "2.5",    "5",     "10",   "30",    "60"};
inline constexpr std::array<uint64_t, kBoundCount> kBoundsMicros = {
    100,    250,    500,    1000,    2500,    5000,    10000,    25000,    50000,
    100000, 250000, 500000, 1000000, 2500000, 5000000, 10000000, 30000000, 60000000};

// For each bucket, 1 + the index of the exposition bound strictly inside it, or 0. A histogram
// counts the values at or below such a bound separately, so each `le` count is exact.
inline constexpr std::array<uint8_t, kBucketCount> kStraddle = [] {
    std::array<uint8_t, kBucketCount> table{};
    for (size_t b = 0; b < kBoundCount; ++b) {
        const uint32_t index = bucketIndex(kBoundsMicros[b]);
        if (bucketUpper(index) != kBoundsMicros[b]) {
            table[index] = static_cast<uint8_t>(b + 1);
        }
    }
    return table;
}();

} // namespace latency

// A histogram read at one moment: mergeable (load agents merge shards exactly, DESIGN.md §7) and
// what WatchMetrics carries. All values are microseconds.
struct HistogramSnapshot {
    uint64_t count = 0;
    uint64_t sum = 0;
    uint64_t min = 0; // 0 when empty
    uint64_t max = 0;
    // The non-empty buckets, ascending by latency::bucketIndex: {index, count}.
    std::vector<std::pair<uint32_t, uint64_t>> buckets;
    // Values at or below each latency::kBoundsMicros[i] (cumulative, like the exposition's `le`).
    std::array<uint64_t, latency::kBoundCount> cumulative{};

    // The nearest-rank quantile (the value of rank ceil(q * count)), as the midpoint of its bucket
    // kept within [min, max]: within 0.4% of the exact value; the first and last ranks are min and
    // max, exact. q is clamped to [0, 1]; 0 if empty.
    double quantile(double q) const;
    void merge(const HistogramSnapshot& other);
    bool operator==(const HistogramSnapshot&) const = default;
};

// A latency histogram in whole microseconds (see latency::). record() is O(1), lock-free and
// allocation-free: one relaxed add on its bucket and one on the sum, rarely a few more.
class Histogram final {
public:
    Histogram() = default;
    Histogram(const Histogram&) = delete;
    Histogram& operator=(const Histogram&) = delete;

    void record(uint64_t micros) noexcept {
        const uint32_t index = latency::bucketIndex(micros);
        m_buckets[index].fetch_add(1, std::memory_order_relaxed);
        m_sum.fetch_add(micros, std::memory_order_relaxed);
        if (const uint8_t bound = latency::kStraddle[index];
            bound != 0 && micros <= latency::kBoundsMicros[bound - 1]) {
            m_atOrBelowBound[bound - 1].fetch_add(1, std::memory_order_relaxed);
        }
        raiseMax(micros);
        lowerMin(micros);
    }
    // Negative durations count as 0; sub-microsecond parts are truncated.
    template <class Rep, class Period>
    void record(std::chrono::duration<Rep, Period> duration) noexcept {
        const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(duration).count();
        record(micros < 0 ? uint64_t{0} : static_cast<uint64_t>(micros));
    }

    void merge(const Histogram& other);
    void merge(const HistogramSnapshot& other);
    uint64_t count() const noexcept;
    uint64_t sum() const noexcept { return m_sum.load(std::memory_order_relaxed); }
    double quantile(double q) const { return snapshot().quantile(q); }
    HistogramSnapshot snapshot() const;

private:
    void raiseMax(uint64_t micros) noexcept {
        uint64_t seen = m_max.load(std::memory_order_relaxed);
        while (micros > seen &&
               !m_max.compare_exchange_weak(seen, micros, std::memory_order_relaxed)) {
        }
    }
    void lowerMin(uint64_t micros) noexcept {
        uint64_t seen = m_min.load(std::memory_order_relaxed);
        while (micros < seen &&
               !m_min.compare_exchange_weak(seen, micros, std::memory_order_relaxed)) {
        }
    }

    std::array<std::atomic<uint64_t>, latency::kBucketCount> m_buckets{};
    std::array<std::atomic<uint64_t>, latency::kBoundCount> m_atOrBelowBound{};
    std::atomic<uint64_t> m_sum{0};
    std::atomic<uint64_t> m_min{std::numeric_limits<uint64_t>::max()};
    std::atomic<uint64_t> m_max{0};
};

enum class MetricType { Counter, Gauge, Histogram };

struct MetricSample {
    std::vector<std::string> labelValues; // in the order of the family's labelNames
    double value = 0.0;                   // counters and gauges
    HistogramSnapshot histogram;          // histograms
};

struct MetricFamilySnapshot {
    std::string name;
    std::string help;
    MetricType type = MetricType::Counter;
    std::vector<std::string> labelNames;
    std::vector<MetricSample> samples; // sorted by label values
};

// Sorted by family name.
using MetricsSnapshot = std::vector<MetricFamilySnapshot>;

// The Prometheus text exposition format 0.0.4. Histograms are in seconds: cumulative
// `_bucket{le=...}` over latency::kBoundLabels and +Inf, `_sum`, `_count`.
std::string toPrometheusText(const MetricsSnapshot& snapshot);

// The label value every label of a family's overflow child carries (see FamilyBase).
inline constexpr std::string_view kOverflowLabelValue = "other";

// A named metric with label names, and one child per distinct label values. The number of children
// is capped: once the cap is reached, new label values go to one extra child whose every label is
// "other", so totals stay right while memory stays bounded, and the registry reports how many
// lookups were folded that way (flowdeck_metric_label_overflow_total{metric}). Label values are
// cut to a maximum length and invalid UTF-8 is replaced, so any input makes a valid exposition.
class FamilyBase {
public:
    static constexpr size_t kMaxLabels = 8;

    virtual ~FamilyBase();
    FamilyBase(const FamilyBase&) = delete;
    FamilyBase& operator=(const FamilyBase&) = delete;

    const std::string& name() const { return m_name; }
    const std::string& help() const { return m_help; }
    MetricType type() const { return m_type; }
    const std::vector<std::string>& labelNames() const { return m_labelNames; }
    size_t childCount() const; // the overflow child included
    uint64_t overflowCount() const { return m_overflowed.load(std::memory_order_relaxed); }

protected:
    struct Definition {
        std::string name;
        std::string help;
        MetricType type = MetricType::Counter;
        std::vector<std::string> labelNames;
        size_t maxChildren = 0;
        size_t maxLabelValueBytes = 0;
    };
    explicit FamilyBase(Definition definition);

    // A wrong number of values is a programming error; it gets the overflow child too.
    void* childFor(std::span<const std::string_view> values);
    void* childFor(std::span<const std::string> values);

private:
    struct LabelsLess {
        using is_transparent = void;
        bool operator()(const std::vector<std::string>& a, const std::vector<std::string>& b) const;
        bool operator()(const std::vector<std::string>& a,
                        std::span<const std::string_view> b) const;
        bool operator()(std::span<const std::string_view> a,
                        const std::vector<std::string>& b) const;
    };
    // Called under the exclusive lock; the address must stay valid for the family's life.
    virtual void* createChild() = 0;
    void* insertChild(std::vector<std::string> values);
    void* overflowChild();
    bool isClean(std::span<const std::string_view> values) const;
    void snapshotInto(MetricFamilySnapshot& out) const;

    const std::string m_name;
    const std::string m_help;
    const MetricType m_type;
    const std::vector<std::string> m_labelNames;
    const size_t m_maxChildren;
    const size_t m_maxLabelValueBytes;
    mutable std::shared_mutex m_mutex;
    std::map<std::vector<std::string>, void*, LabelsLess> m_children;
    void* m_overflow = nullptr;
    std::atomic<uint64_t> m_overflowed{0};

    friend class MetricsRegistry;
};

template <class Metric> class MetricFamily final : public FamilyBase {
public:
    explicit MetricFamily(Definition definition)
        : FamilyBase(std::move(definition)) {}

    Metric& withLabels(std::initializer_list<std::string_view> values) {
        return *static_cast<Metric*>(childFor(std::span(values.begin(), values.size())));
    }
    Metric& withLabels(std::span<const std::string_view> values) {
        return *static_cast<Metric*>(childFor(values));
    }
    Metric& withLabels(const std::vector<std::string>& values) {
        return *static_cast<Metric*>(childFor(std::span(values)));
    }

private:
    void* createChild() override { return &m_metrics.emplace_back(); }

    std::deque<Metric> m_metrics; // a deque never moves its elements
};

struct MetricsOptions {
    size_t maxFamilies = 256;
    size_t maxChildrenPerFamily = 1000;
    // A histogram child is ~31 KiB, so histogram families get a smaller cap.
    size_t maxHistogramChildrenPerFamily = 64;
    size_t maxLabelValueBytes = 128;
};

// Owns every metric family. Thread-safe. Registering a name again with the same type and label
// names returns the existing family (so the engine and flowd can both ask for it); anything else
// invalid (a name Prometheus would reject or promtool would lint, a clash, too many families)
// returns nullptr and says why in *error. Counter names end in _total; help is never empty.
class MetricsRegistry final {
public:
    explicit MetricsRegistry(MetricsOptions options = {});
    ~MetricsRegistry();
    MetricsRegistry(const MetricsRegistry&) = delete;
    MetricsRegistry& operator=(const MetricsRegistry&) = delete;

    MetricFamily<Counter>* counterFamily(std::string_view name, std::string_view help,
                                         std::vector<std::string> labelNames,
                                         std::string* error = nullptr);
    MetricFamily<Gauge>* gaugeFamily(std::string_view name, std::string_view help,
                                     std::vector<std::string> labelNames,
                                     std::string* error = nullptr);
    MetricFamily<Histogram>* histogramFamily(std::string_view name, std::string_view help,
                                             std::vector<std::string> labelNames,
                                             std::string* error = nullptr);

    // Families without labels: their one child, present (as 0) from registration on.
    Counter* counter(std::string_view name, std::string_view help, std::string* error = nullptr);
    Gauge* gauge(std::string_view name, std::string_view help, std::string* error = nullptr);
    Histogram* histogram(std::string_view name, std::string_view help,
                         std::string* error = nullptr);

    // Runs before every snapshot (so at scrape time), one snapshot at a time, to refresh values
    // that are read rather than counted (process metrics). It must not call addCollector.
    void addCollector(std::function<void()> collect);

    // Every family with at least one child, sorted by name, plus the overflow counter if any
    // family has overflowed.
    MetricsSnapshot snapshot() const;
    std::string exposition() const { return toPrometheusText(snapshot()); }

private:
    FamilyBase* registerFamily(MetricType type, std::string_view name, std::string_view help,
                               std::vector<std::string> labelNames, std::string* error);
    std::unique_ptr<FamilyBase> makeFamily(MetricType type, std::string_view name,
                                           std::string_view help,
                                           std::vector<std::string> labelNames) const;
    std::string invalidReason(MetricType type, std::string_view name, std::string_view help,
                              const std::vector<std::string>& labelNames) const;
    void runCollectors() const;

    const MetricsOptions m_options;
    mutable std::shared_mutex m_mutex;
    std::map<std::string, std::unique_ptr<FamilyBase>, std::less<>> m_families;
    mutable std::mutex m_collectMutex;
    std::vector<std::function<void()>> m_collectors;
};

// process_cpu_seconds_total, process_resident_memory_bytes, process_virtual_memory_bytes,
// process_start_time_seconds, process_open_fds and process_max_fds (client_golang's names), read
// from /proc/self at scrape time. False (with *error) where /proc is unreadable or they clash.
bool registerProcessMetrics(MetricsRegistry& registry, std::string* error = nullptr);

// The families DESIGN.md §6 names, so the engine, flowd and the console agree on names and labels.
// A member is nullptr only if the registry refused it (a clash or the family cap).
struct FlowdeckMetrics {
    MetricFamily<Counter>* requests = nullptr;            // flowdeck_requests_total{method,code}
    Histogram* requestDuration = nullptr;                 // flowdeck_request_duration_seconds
    MetricFamily<Counter>* errors = nullptr;              // flowdeck_errors_total{code}
    Gauge* conversationsActive = nullptr;                 // flowdeck_conversations_active
    MetricFamily<Counter>* stateTransitions = nullptr;    // flowdeck_state_transitions_total{flow}
    MetricFamily<Counter>* integrationFailures = nullptr; // ..._failures_total{integration}
    MetricFamily<Gauge>* rolloutStep = nullptr;           // flowdeck_rollout_step{flow}
    MetricFamily<Counter>* messages = nullptr; // flowdeck_messages_total{tenant,flow,outcome}
};
FlowdeckMetrics registerFlowdeckMetrics(MetricsRegistry& registry);

} // namespace flowdeck::engine
