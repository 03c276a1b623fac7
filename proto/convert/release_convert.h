#pragma once

// flowdeck.v1 Releases messages <-> engine::release types, both ways, in one place: flowd converts
// what it serves, libflowdeck_client what it receives, and neither can drift from the other.

#include "flowdeck/engine/release.h"
#include "flowdeck/v1/releases.pb.h"

#include <cstdint>

namespace google::protobuf {
class Timestamp;
class Duration;
} // namespace google::protobuf

namespace flowdeck::protoconv {

// Wall-clock ms <-> Timestamp; 0 is an unset timestamp both ways.
void toProto(int64_t ms, google::protobuf::Timestamp& out);
int64_t msFromProto(const google::protobuf::Timestamp& in);

void toProto(const engine::release::CanaryStep& step, v1::CanaryStep& out);
engine::release::CanaryStep fromProto(const v1::CanaryStep& in);
void toProto(const engine::release::Thresholds& thresholds, v1::AnalysisThresholds& out);
engine::release::Thresholds fromProto(const v1::AnalysisThresholds& in);
void toProto(const engine::release::AnalysisResult& result, v1::AnalysisResult& out);
engine::release::AnalysisResult fromProto(const v1::AnalysisResult& in);
void toProto(const engine::release::Rollout& rollout, v1::Rollout& out);
engine::release::Rollout fromProto(const v1::Rollout& in);
void toProto(const engine::release::HistoryEntry& entry, v1::HistoryEntry& out);
engine::release::HistoryEntry fromProto(const v1::HistoryEntry& in);

} // namespace flowdeck::protoconv
