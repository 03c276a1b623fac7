#include "flowdeck/engine/metrics.h"

#include <algorithm>
#include <cmath>

namespace flowdeck::engine {

namespace {

using namespace latency;

// The bucket each exposition bound falls in (ascending, as the bounds are).
constexpr std::array<uint32_t, kBoundCount> kBoundBuckets = [] {
    std::array<uint32_t, kBoundCount> out{};
    for (size_t b = 0; b < kBoundCount; ++b) {
        out[b] = bucketIndex(kBoundsMicros[b]);
    }
    return out;
}();

static_assert(kStraddle[bucketIndex(1000)] != 0, "1 ms is inside a bucket");
static_assert(kStraddle[bucketIndex(100)] == 0, "100 us has an exact bucket");
static_assert(bucketUpper(bucketIndex(60000000)) - bucketLower(bucketIndex(60000000)) + 1 <=
                  bucketLower(bucketIndex(60000000)) / 128,
              "buckets are never wider than 1/128 of their lower bound");

bool straddles(size_t bound) {
    return kStraddle[kBoundBuckets[bound]] == bound + 1;
}

} // namespace

double HistogramSnapshot::quantile(double q) const {
    if (count == 0) {
        return 0.0;
    }
    q = std::isnan(q) ? 0.0 : std::clamp(q, 0.0, 1.0);
    const auto rank = std::clamp<uint64_t>(
        static_cast<uint64_t>(std::ceil(q * static_cast<double>(count))), 1, count);
    if (rank == 1) {
        return static_cast<double>(min);
    }
    if (rank == count) {
        return static_cast<double>(max);
    }
    uint64_t seen = 0;
    for (const auto& [index, n] : buckets) {
        seen += n;
        if (seen >= rank) {
            const double mid = (static_cast<double>(bucketLower(index)) +
                                static_cast<double>(bucketUpper(index))) /
                               2.0;
            return std::clamp(mid, static_cast<double>(min), static_cast<double>(max));
        }
    }
    return static_cast<double>(max);
}

void HistogramSnapshot::merge(const HistogramSnapshot& other) {
    if (other.count == 0) {
        return;
    }
    min = count == 0 ? other.min : std::min(min, other.min);
    max = std::max(max, other.max);
    count += other.count;
    sum += other.sum;
    for (size_t b = 0; b < kBoundCount; ++b) {
        cumulative[b] += other.cumulative[b];
    }
    std::vector<std::pair<uint32_t, uint64_t>> merged;
    merged.reserve(buckets.size() + other.buckets.size());
    auto mine = buckets.begin();
    auto theirs = other.buckets.begin();
    while (mine != buckets.end() || theirs != other.buckets.end()) {
        if (theirs == other.buckets.end() ||
            (mine != buckets.end() && mine->first < theirs->first)) {
            merged.push_back(*mine++);
        } else if (mine == buckets.end() || theirs->first < mine->first) {
            merged.push_back(*theirs++);
        } else {
            merged.emplace_back(mine->first, mine->second + theirs->second);
            ++mine;
            ++theirs;
        }
    }
    buckets = std::move(merged);
}

uint64_t Histogram::count() const noexcept {
    uint64_t total = 0;
    for (const auto& bucket : m_buckets) {
        total += bucket.load(std::memory_order_relaxed);
    }
    return total;
}

HistogramSnapshot Histogram::snapshot() const {
    HistogramSnapshot out;
    // Relaxed loads of different atomics are not ordered, so a value recorded during the read
    // may show in its bucket and not yet in its bound count, or the reverse: clamp each `le` count
    // to its bucket so the cumulative counts never decrease.
    std::array<uint64_t, kBoundCount> atOrBelow{};
    for (size_t b = 0; b < kBoundCount; ++b) {
        atOrBelow[b] = m_atOrBelowBound[b].load(std::memory_order_relaxed);
    }
    uint64_t running = 0;
    size_t bound = 0;
    for (uint32_t i = 0; i < kBucketCount; ++i) {
        const uint64_t n = m_buckets[i].load(std::memory_order_relaxed);
        for (; bound < kBoundCount && kBoundBuckets[bound] == i; ++bound) {
            out.cumulative[bound] =
                running + (straddles(bound) ? std::min(atOrBelow[bound], n) : n);
        }
        if (n != 0) {
            out.buckets.emplace_back(i, n);
            running += n;
        }
    }
    out.count = running;
    out.sum = m_sum.load(std::memory_order_relaxed);
    if (running != 0) {
        // Same race for min and max: keep them inside the first and last non-empty buckets.
        const uint32_t first = out.buckets.front().first;
        const uint32_t last = out.buckets.back().first;
        out.min = std::max(std::min(m_min.load(std::memory_order_relaxed), bucketUpper(first)),
                           bucketLower(first));
        out.max = std::max(m_max.load(std::memory_order_relaxed), bucketLower(last));
    }
    return out;
}

void Histogram::merge(const Histogram& other) {
    merge(other.snapshot()); // a snapshot first, so merging a histogram into itself doubles it
}

void Histogram::merge(const HistogramSnapshot& other) {
    if (other.count == 0) {
        return;
    }
    // The count at or below a bound inside a bucket is its cumulative count minus every bucket
    // below that bucket.
    uint64_t below = 0;
    size_t bound = 0;
    for (const auto& [index, n] : other.buckets) {
        for (; bound < kBoundCount && kBoundBuckets[bound] <= index; ++bound) {
            if (kBoundBuckets[bound] == index && straddles(bound)) {
                // Clamped: a snapshot may come from the network.
                const uint64_t cumulative = other.cumulative[bound];
                const uint64_t atOrBelow = cumulative > below ? cumulative - below : 0;
                m_atOrBelowBound[bound].fetch_add(std::min(atOrBelow, n),
                                                  std::memory_order_relaxed);
            }
        }
        if (index < kBucketCount) {
            m_buckets[index].fetch_add(n, std::memory_order_relaxed);
        }
        below += n;
    }
    m_sum.fetch_add(other.sum, std::memory_order_relaxed);
    lowerMin(other.min);
    raiseMax(other.max);
}

} // namespace flowdeck::engine
