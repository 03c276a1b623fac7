#pragma once

#include "flowdeck/engine/release.h"

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace flowdeck::engine::release {

// One second of one version's traffic on one node, as nodes of a cluster share it so the leader
// judges a canary on everything the cluster served (VariantStats::seconds and the measure()
// overload that merges them). min/max are whole microseconds; `latency` holds the non-empty
// buckets, {latency::bucketIndex, count}, ascending by index.
struct StatsSecond {
    int64_t second = 0; // since the epoch
    uint64_t messages = 0;
    uint64_t errors = 0;
    uint64_t fallbacks = 0;
    uint64_t minMicros = 0;
    uint64_t maxMicros = 0;
    std::vector<std::pair<uint32_t, uint64_t>> latency;
    bool operator==(const StatsSecond&) const = default;
};

// What each flow version did over the last kMaxWindowMs, in one-second buckets: messages, errors,
// fallbacks and a latency histogram (the metrics histogram's bucket layout, sparse), so a canary
// and its stable version can be compared over any window a rollout asks about. Memory is bounded:
// buckets older than the window are dropped, at most kMaxSeries versions are tracked (the least
// recently recorded goes first). record() takes one shared lock and the series' own lock.
class VariantStats final {
public:
    static constexpr size_t kMaxSeries = 256;

    struct Sample {
        bool error = false;
        bool fallback = false;
        double latencyMs = 0.0;
    };

    VariantStats();
    ~VariantStats();
    VariantStats(const VariantStats&) = delete;
    VariantStats& operator=(const VariantStats&) = delete;

    void record(std::string_view flowId, std::string_view version, const Sample& sample,
                int64_t nowMs);
    // The version's numbers for messages recorded in [fromMs, toMs] (at one-second resolution).
    VariantMetrics measure(std::string_view flowId, std::string_view version, int64_t fromMs,
                           int64_t toMs) const;
    // The same over this node's seconds plus `others` (other nodes' seconds of this version; those
    // outside the window are skipped): exactly what one VariantStats that had recorded every
    // sample would say, p95 included (the buckets are summed before the quantile is taken).
    VariantMetrics measure(std::string_view flowId, std::string_view version, int64_t fromMs,
                           int64_t toMs, const std::vector<StatsSecond>& others) const;
    // This node's non-empty seconds of the version in [fromMs, toMs], ascending (what a cluster
    // node publishes for the leader).
    std::vector<StatsSecond> seconds(std::string_view flowId, std::string_view version,
                                     int64_t fromMs, int64_t toMs) const;

private:
    struct Series;
    using Key = std::pair<std::string, std::string>;
    // Orders (flow, version) pairs of strings or string_views alike, so lookups build no keys.
    struct KeyLess {
        using is_transparent = void;
        template <class A, class B> bool operator()(const A& a, const B& b) const {
            return std::pair<std::string_view, std::string_view>(a.first, a.second) <
                   std::pair<std::string_view, std::string_view>(b.first, b.second);
        }
    };
    Series* find(std::string_view flowId, std::string_view version) const;

    mutable std::shared_mutex m_mutex;
    std::map<Key, std::unique_ptr<Series>, KeyLess> m_series;
};

} // namespace flowdeck::engine::release
