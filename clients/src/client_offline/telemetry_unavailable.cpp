// TelemetryWatch, EventWatch and fetchNodeInfo for a build without gRPC (FLOWDECK_BUILD_PROTO=OFF):
// every call fails at once with a message that says why, so flowctl still builds and its offline
// commands work.
#include "flowdeck/client/telemetry_client.h"

namespace flowdeck::client {

namespace {

constexpr int kUnimplemented = 12; // grpc::StatusCode::UNIMPLEMENTED
constexpr const char* kWhy =
    "this build has no gRPC client (configured with FLOWDECK_BUILD_PROTO=OFF)";

} // namespace

struct TelemetryWatch::Impl {};
struct EventWatch::Impl {};

TelemetryWatch::TelemetryWatch() = default;
TelemetryWatch::~TelemetryWatch() = default;

bool TelemetryWatch::start(MetricsWatchOptions, SnapshotHandler, EndHandler onEnd) {
    if (onEnd) {
        onEnd(WatchEnd{false, kUnimplemented, kWhy});
    }
    return true;
}

void TelemetryWatch::stop() {}

bool TelemetryWatch::running() const {
    return false;
}

EventWatch::EventWatch() = default;
EventWatch::~EventWatch() = default;

bool EventWatch::start(EventsWatchOptions, EventHandler, EndHandler onEnd) {
    if (onEnd) {
        onEnd(WatchEnd{false, kUnimplemented, kWhy});
    }
    return true;
}

void EventWatch::stop() {}

bool EventWatch::running() const {
    return false;
}

std::optional<NodeInfo> fetchNodeInfo(const std::string&, std::chrono::milliseconds,
                                      std::string* error, const Credentials&) {
    if (error != nullptr) {
        *error = kWhy;
    }
    return std::nullopt;
}

} // namespace flowdeck::client
