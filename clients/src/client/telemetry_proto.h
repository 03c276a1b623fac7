#pragma once

// Internal to libflowdeck_client: telemetry.proto messages as the plain values of
// telemetry_client.h.

#include "flowdeck/client/telemetry_client.h"

#include "flowdeck/v1/telemetry.pb.h"

namespace flowdeck::client::detail {

HistogramLayout fromProto(const v1::HistogramLayout& layout);
MetricsSnapshot fromProto(const v1::MetricsSnapshot& snapshot);
NodeInfo fromProto(const v1::NodeInfo& info);
ClusterEvent fromProto(const v1::Event& event);
v1::EventKind toProto(EventKind kind);

} // namespace flowdeck::client::detail
