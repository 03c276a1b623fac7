#pragma once

#include "node.h"

#include "flowdeck/v1/telemetry.pb.h"

#include <chrono>
#include <string>

namespace flowdeck::server {

// Node facts, metrics and events as telemetry.proto messages: what the Telemetry service sends.

// The largest snapshot sent: below gRPC's default 4 MiB receive limit, so any client reads it.
// Past it, histogram buckets go first (count, sum, min, max and the `le` counts stay), then whole
// families from the end of the sorted list.
inline constexpr size_t kMaxSnapshotBytes = 3 * 1024 * 1024;

void toProto(std::chrono::system_clock::time_point time, google::protobuf::Timestamp& out);

void fillHistogramLayout(v1::HistogramLayout& out);

// The families of `metrics` whose names start with one of `request.families()` (all if none),
// buckets left out on `request.omit_buckets()`, within kMaxSnapshotBytes. Returns false when it
// had to trim to stay within the cap.
bool fillSnapshot(const engine::MetricsSnapshot& metrics, const v1::WatchMetricsRequest& request,
                  v1::MetricsSnapshot& out);

void fillNodeInfo(Node& node, v1::NodeInfo& out);

// `idPrefix` makes ids unique across nodes and restarts: "<node id>/<start time>/".
void toProto(const NodeEvent& event, const std::string& nodeId, const std::string& idPrefix,
             v1::Event& out);
// Told to a watcher that fell behind: its queue was full and `missed` events were dropped.
void fillMissedNotice(uint64_t missed, const std::string& nodeId, const std::string& id,
                      v1::Event& out);

// The event id prefix of a node: "<node id>/<start time in ms>/".
std::string eventIdPrefix(const Node& node);

} // namespace flowdeck::server
