// The arithmetic over telemetry values: histogram layout, quantiles, deltas and the traffic
// summary. Needs no gRPC, so it builds (and is tested) in every configuration.
#include "flowdeck/client/telemetry_client.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cctype>
#include <cmath>

namespace flowdeck::client {

namespace {

uint32_t log2Of(uint32_t value) {
    return static_cast<uint32_t>(std::bit_width(value) - 1);
}

double seconds(std::chrono::system_clock::duration duration) {
    return std::chrono::duration<double>(duration).count();
}

// A counter's growth over the window; a node restart in between resets it, and then all of the
// current value is growth.
double growth(double now, std::optional<double> before) {
    if (!before) {
        return now;
    }
    return now >= *before ? now - *before : now;
}

const HistogramData* firstHistogram(const MetricsSnapshot& snapshot, std::string_view name) {
    const MetricFamily* family = snapshot.family(name);
    if (family == nullptr || family->points.empty() || !family->points.front().histogram) {
        return nullptr;
    }
    return &*family->points.front().histogram;
}

std::optional<double> familyTotal(const MetricsSnapshot* snapshot, std::string_view name) {
    const MetricFamily* family = snapshot != nullptr ? snapshot->family(name) : nullptr;
    return family != nullptr ? std::optional(family->total()) : std::nullopt;
}

std::optional<double> errorTotal(const MetricsSnapshot* snapshot) {
    const MetricFamily* family =
        snapshot != nullptr ? snapshot->family("flowdeck_messages_total") : nullptr;
    return family != nullptr ? std::optional(family->totalWhere("outcome", "error")) : std::nullopt;
}

void fillLatency(const MetricsSnapshot* earlier, const MetricsSnapshot& now, TrafficSummary& out) {
    const HistogramData* current = firstHistogram(now, "flowdeck_request_duration_seconds");
    if (current == nullptr || !now.layout || !now.layout->valid()) {
        return;
    }
    const HistogramData* before =
        earlier != nullptr ? firstHistogram(*earlier, "flowdeck_request_duration_seconds")
                           : nullptr;
    const HistogramData window = before != nullptr && before->count <= current->count
                                     ? current->since(*before, *now.layout)
                                     : *current;
    const auto ms = [&](double q) -> std::optional<double> {
        const auto micros = window.quantile(q, *now.layout);
        return micros ? std::optional(*micros / 1000.0) : std::nullopt;
    };
    out.p50Ms = ms(0.50);
    out.p95Ms = ms(0.95);
    out.p99Ms = ms(0.99);
}

} // namespace

bool HistogramLayout::valid() const {
    return std::has_single_bit(exactBelow) && std::has_single_bit(subBuckets) &&
           subBuckets <= exactBelow && maxExponent < 64 && maxExponent > log2Of(exactBelow) &&
           bucketCount == exactBelow + (maxExponent - log2Of(exactBelow)) * subBuckets;
}

uint64_t HistogramLayout::lower(uint32_t index) const {
    if (index < exactBelow || !valid()) {
        return index;
    }
    const uint32_t k = index - exactBelow;
    const uint32_t exponent = log2Of(exactBelow) + k / subBuckets;
    return uint64_t{subBuckets + k % subBuckets} << (exponent - log2Of(subBuckets));
}

uint64_t HistogramLayout::upper(uint32_t index) const {
    if (index < exactBelow || !valid()) {
        return index;
    }
    const uint32_t exponent = log2Of(exactBelow) + (index - exactBelow) / subBuckets;
    return lower(index) + (uint64_t{1} << (exponent - log2Of(subBuckets))) - 1;
}

std::optional<double> HistogramData::quantile(double q, const HistogramLayout& layout) const {
    if (count == 0 || buckets.empty()) {
        return std::nullopt;
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
            const double mid = (static_cast<double>(layout.lower(index)) +
                                static_cast<double>(layout.upper(index))) /
                               2.0;
            return std::clamp(mid, static_cast<double>(min), static_cast<double>(max));
        }
    }
    return static_cast<double>(max);
}

HistogramData HistogramData::since(const HistogramData& earlier,
                                   const HistogramLayout& layout) const {
    HistogramData out;
    out.count = count >= earlier.count ? count - earlier.count : 0;
    out.sum = sum >= earlier.sum ? sum - earlier.sum : 0;
    auto old = earlier.buckets.begin();
    for (const auto& [index, n] : buckets) {
        while (old != earlier.buckets.end() && old->first < index) {
            ++old;
        }
        const uint64_t before =
            old != earlier.buckets.end() && old->first == index ? old->second : 0;
        if (n > before) {
            out.buckets.emplace_back(index, n - before);
        }
    }
    out.cumulative.resize(cumulative.size());
    for (size_t i = 0; i < cumulative.size(); ++i) {
        const uint64_t before = i < earlier.cumulative.size() ? earlier.cumulative[i] : 0;
        out.cumulative[i] = cumulative[i] >= before ? cumulative[i] - before : 0;
    }
    if (out.count > 0 && !out.buckets.empty()) {
        out.min = std::max(min, layout.lower(out.buckets.front().first));
        out.max = std::min(max, layout.upper(out.buckets.back().first));
        out.min = std::min(out.min, out.max);
    }
    return out;
}

double MetricFamily::total() const {
    double sum = 0.0;
    for (const auto& point : points) {
        sum += point.value;
    }
    return sum;
}

double MetricFamily::totalWhere(std::string_view label, std::string_view value, bool equal) const {
    const auto it = std::find(labelNames.begin(), labelNames.end(), label);
    if (it == labelNames.end()) {
        return 0.0;
    }
    const auto column = static_cast<size_t>(it - labelNames.begin());
    double sum = 0.0;
    for (const auto& point : points) {
        if (column < point.labelValues.size() && (point.labelValues[column] == value) == equal) {
            sum += point.value;
        }
    }
    return sum;
}

const MetricFamily* MetricsSnapshot::family(std::string_view name) const {
    const auto it = std::lower_bound(
        families.begin(), families.end(), name,
        [](const MetricFamily& family, std::string_view key) { return family.name < key; });
    if (it != families.end() && it->name == name) {
        return &*it;
    }
    // Not sorted after all (a hand-made snapshot): look at every one.
    const auto found =
        std::find_if(families.begin(), families.end(),
                     [&](const MetricFamily& family) { return family.name == name; });
    return found != families.end() ? &*found : nullptr;
}

TrafficSummary summarize(const MetricsSnapshot* earlier, const MetricsSnapshot& now) {
    TrafficSummary out;
    if (earlier != nullptr) {
        out.windowSeconds = seconds(now.takenAt - earlier->takenAt);
    } else if (const auto start = familyTotal(&now, "process_start_time_seconds"); start) {
        out.windowSeconds = seconds(now.takenAt.time_since_epoch()) - *start;
    }
    const double requests = growth(familyTotal(&now, "flowdeck_requests_total").value_or(0.0),
                                   familyTotal(earlier, "flowdeck_requests_total"));
    const double messages = growth(familyTotal(&now, "flowdeck_messages_total").value_or(0.0),
                                   familyTotal(earlier, "flowdeck_messages_total"));
    const double errors = growth(errorTotal(&now).value_or(0.0), errorTotal(earlier));
    if (out.windowSeconds > 0.0) {
        out.requestsPerSecond = requests / out.windowSeconds;
        out.messagesPerSecond = messages / out.windowSeconds;
    }
    if (messages > 0.0) {
        out.errorRate = std::clamp(errors / messages, 0.0, 1.0);
    }
    out.activeConversations = familyTotal(&now, "flowdeck_conversations_active").value_or(0.0);
    fillLatency(earlier, now, out);
    return out;
}

namespace {

constexpr std::array<std::string_view, 8> kKindNames = {
    "UNSPECIFIED", "ALERT_FIRING", "ALERT_RESOLVED", "RELEASE",
    "NODE_UP",     "NODE_DOWN",    "FAULT",          "CAPTURE"};
constexpr std::array<std::string_view, 4> kSeverityNames = {"UNSPECIFIED", "INFO", "WARNING",
                                                            "CRITICAL"};

} // namespace

std::string_view toString(EventKind kind) {
    return kKindNames[static_cast<size_t>(kind)];
}

std::optional<EventKind> eventKindFromString(std::string_view text) {
    std::string upper(text);
    std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) {
        return c == '-' ? '_' : static_cast<char>(std::toupper(c));
    });
    if (upper.starts_with("EVENT_KIND_")) {
        upper.erase(0, 11);
    }
    for (size_t i = 1; i < kKindNames.size(); ++i) {
        if (kKindNames[i] == upper) {
            return static_cast<EventKind>(i);
        }
    }
    return std::nullopt;
}

std::string_view toString(EventSeverity severity) {
    return kSeverityNames[static_cast<size_t>(severity)];
}

} // namespace flowdeck::client
