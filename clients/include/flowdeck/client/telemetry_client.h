#pragma once

// libflowdeck_client's view of a node's Telemetry service (flowdeck.v1.Telemetry, docs/api.md):
// metric snapshots, node facts and events as plain C++ values, so callers (flowctl, the console)
// never see a generated protobuf type. Watches run on a thread of their own and can be stopped at
// any time; every connection attempt has a deadline.

#include "flowdeck/client/credentials.h"

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace flowdeck::client {

// ---- Metrics ----------------------------------------------------------------------------------

// How a node lays out latency histogram buckets (telemetry.proto HistogramLayout): exact below
// exactBelow µs, then subBuckets buckets per power of two. All values are in microseconds.
struct HistogramLayout {
    uint32_t exactBelow = 0;
    uint32_t subBuckets = 0;
    uint32_t maxExponent = 0;
    uint32_t bucketCount = 0;
    std::vector<uint64_t> boundsUs; // the `le` bounds of HistogramData::cumulative

    // The formula can be applied: sub-buckets a power of two, counts consistent.
    bool valid() const;
    // Inclusive range of bucket `index`; the last bucket also holds everything above it.
    uint64_t lower(uint32_t index) const;
    uint64_t upper(uint32_t index) const;
};

// One latency histogram (values in µs).
struct HistogramData {
    uint64_t count = 0;
    uint64_t sum = 0;
    uint64_t min = 0; // 0 when empty
    uint64_t max = 0;
    std::vector<std::pair<uint32_t, uint64_t>> buckets; // non-empty {index, count}, ascending
    std::vector<uint64_t> cumulative;                   // at or below each boundsUs[i]

    // The nearest-rank quantile (q in [0, 1]) as the midpoint of the bucket holding its rank,
    // kept within [min, max]; nullopt when empty or without buckets (omit_buckets).
    std::optional<double> quantile(double q, const HistogramLayout& layout) const;
    // What was recorded after `earlier` (an older reading of the same series): bucket and
    // cumulative counts subtracted. min and max cannot be subtracted, so they become the bounds
    // of the lowest and highest remaining bucket.
    HistogramData since(const HistogramData& earlier, const HistogramLayout& layout) const;
};

enum class MetricKind { Counter, Gauge, Histogram };

// One child of a family: its label values and its value.
struct MetricPoint {
    std::vector<std::string> labelValues; // in the order of MetricFamily::labelNames
    double value = 0.0;                   // counters and gauges
    std::optional<HistogramData> histogram;
};

struct MetricFamily {
    std::string name; // e.g. "flowdeck_requests_total"
    std::string help;
    MetricKind kind = MetricKind::Counter;
    std::vector<std::string> labelNames;
    std::vector<MetricPoint> points;

    // The sum of every point's value, or of those whose label `label` is (or is not) `value`.
    double total() const;
    double totalWhere(std::string_view label, std::string_view value, bool equal = true) const;
};

// Every metric of one node at one moment (complete, not a delta).
struct MetricsSnapshot {
    std::string nodeId;
    std::chrono::system_clock::time_point takenAt;
    uint64_t sequence = 0;              // 1 for a stream's first snapshot
    std::vector<MetricFamily> families; // sorted by name
    // Sent by the node with a stream's first snapshot; TelemetryWatch repeats it on every one.
    std::optional<HistogramLayout> layout;

    const MetricFamily* family(std::string_view name) const;
};

// What `flowctl top` shows and the console charts, for the window between two snapshots of one
// node (or, without an earlier one, since the node started).
struct TrafficSummary {
    double windowSeconds = 0.0;
    double requestsPerSecond = 0.0; // flowdeck_requests_total, every API call
    double messagesPerSecond = 0.0; // flowdeck_messages_total
    // flowdeck_request_duration_seconds over the window, in ms; none without requests.
    std::optional<double> p50Ms;
    std::optional<double> p95Ms;
    std::optional<double> p99Ms;
    // Share of messages in the window whose outcome was "error" (0..1); none without messages.
    std::optional<double> errorRate;
    double activeConversations = 0.0; // flowdeck_conversations_active, now
};
TrafficSummary summarize(const MetricsSnapshot* earlier, const MetricsSnapshot& now);

// ---- Node facts -------------------------------------------------------------------------------

struct FlowDeployment {
    std::string tenantId; // empty: served to every tenant
    std::string flowId;
    std::string stableVersion;
    std::string canaryVersion; // empty without a rollout
    uint32_t canaryPercent = 0;
};

// Another node of the same cluster as one node knows it (cluster mode: the shared heartbeat table).
struct PeerNode {
    std::string nodeId;
    std::string address; // its gRPC address, HOST:PORT
    std::string version;
    bool up = false;
};

struct NodeInfo {
    std::string nodeId;
    std::string version;
    std::string address;
    std::chrono::system_clock::time_point startedAt;
    std::string storeKind; // "sqlite", "postgres", "memory" or "unknown"
    std::string storeDetail;
    std::vector<FlowDeployment> flows;
    HistogramLayout layout;
    std::string apiVersion;
    bool ready = false;
    std::vector<PeerNode> peers; // empty for a single node
};

// Asks a node for its facts; nullopt with *error (e.g. "cannot reach 10.0.0.5:7443 within 5 s")
// when the call fails or takes longer than `timeout`.
std::optional<NodeInfo> fetchNodeInfo(const std::string& address, std::chrono::milliseconds timeout,
                                      std::string* error, const Credentials& credentials = {});

// ---- Events -----------------------------------------------------------------------------------

enum class EventKind {
    Unspecified,
    AlertFiring,
    AlertResolved,
    Release,
    NodeUp,
    NodeDown,
    Fault,
    Capture
};
enum class EventSeverity { Unspecified, Info, Warning, Critical };

// "ALERT_FIRING", "NODE_DOWN", ... (the proto's names without the EVENT_KIND_ prefix).
std::string_view toString(EventKind kind);
std::optional<EventKind> eventKindFromString(std::string_view text); // case-insensitive
std::string_view toString(EventSeverity severity);                   // "INFO", "WARNING", ...

struct ClusterEvent {
    std::string id;
    std::chrono::system_clock::time_point time;
    std::string nodeId; // the node that reports it
    EventKind kind = EventKind::Unspecified;
    EventSeverity severity = EventSeverity::Unspecified;
    std::string summary;
    // ALERT_FIRING / ALERT_RESOLVED (engine errors arrive as alert "EngineError" with labels
    // code, flow, state, tenant, conversation_id, trace_id).
    std::string alertName;
    std::map<std::string, std::string> labels;
    double value = 0.0;
    double threshold = 0.0;
    std::string runbook;
    // NODE_UP / NODE_DOWN: the node concerned and, for down, why.
    std::string subjectNodeId;
    std::string subjectAddress;
    std::string reason;
    // RELEASE: the history entry's id. In a cluster every node reports every entry, so a client
    // watching several nodes sees one entry several times under this one id.
    std::string releaseEntryId;
};

// ---- Watches ----------------------------------------------------------------------------------

// How a watch ended.
struct WatchEnd {
    bool stopped = false; // stop() was called
    int grpcCode = 0;     // the stream's gRPC status code (0 OK, 14 UNAVAILABLE, ...)
    std::string message;  // why, for a person; empty when stopped
};

struct MetricsWatchOptions {
    std::string address;                      // "host:port" of the node's gRPC API
    std::chrono::milliseconds interval{1000}; // the node clamps it to 100 ms - 60 s
    std::vector<std::string> families;        // name prefixes; empty: all
    bool omitBuckets = false;                 // no quantiles needed
    std::chrono::milliseconds connectTimeout{5000};
    Credentials credentials;
};

struct EventsWatchOptions {
    std::string address;
    std::vector<EventKind> kinds; // empty: all
    uint32_t replay = 0;          // first send up to this many recent events (node caps at 1000)
    std::chrono::milliseconds connectTimeout{5000};
    Credentials credentials;
};

// A WatchMetrics stream on a thread of its own. Handlers run on that thread, one at a time.
class TelemetryWatch final {
public:
    using SnapshotHandler = std::function<void(const MetricsSnapshot&)>;
    using EndHandler = std::function<void(const WatchEnd&)>;

    TelemetryWatch();
    ~TelemetryWatch(); // stop()
    TelemetryWatch(const TelemetryWatch&) = delete;
    TelemetryWatch& operator=(const TelemetryWatch&) = delete;

    // Connects (giving up after options.connectTimeout) and streams until the node ends the
    // stream or stop() is called; then `onEnd` runs once. False if already running.
    bool start(MetricsWatchOptions options, SnapshotHandler onSnapshot, EndHandler onEnd = {});
    // Cancels the stream and waits for the thread; no handler runs after it returns. Must not be
    // called from a handler.
    void stop();
    bool running() const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

// A WatchEvents stream on a thread of its own, like TelemetryWatch.
class EventWatch final {
public:
    using EventHandler = std::function<void(const ClusterEvent&)>;
    using EndHandler = std::function<void(const WatchEnd&)>;

    EventWatch();
    ~EventWatch();
    EventWatch(const EventWatch&) = delete;
    EventWatch& operator=(const EventWatch&) = delete;

    bool start(EventsWatchOptions options, EventHandler onEvent, EndHandler onEnd = {});
    void stop();
    bool running() const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace flowdeck::client
