#include "telemetry_api.h"

#include "api_errors.h"
#include "telemetry_convert.h"

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <variant>

namespace flowdeck::server {

namespace {

using engine::ErrorCode;
using Rejection = std::optional<engine::EngineError>;
using Clock = std::chrono::steady_clock;

constexpr int kMaxFamilyPrefixes = 64;
constexpr size_t kMaxPrefixBytes = 256;
constexpr uint32_t kMaxReplay = 1000;
constexpr size_t kEventsPerTake = 64;

std::chrono::milliseconds intervalOf(const v1::WatchMetricsRequest& request) {
    using std::chrono::milliseconds;
    const auto& interval = request.interval();
    if (interval.seconds() == 0 && interval.nanos() == 0) {
        return milliseconds(1000);
    }
    // Clamp the seconds first: a huge value must not overflow into a short interval.
    const int64_t seconds = std::clamp<int64_t>(interval.seconds(), -1, 60);
    const int64_t ms = seconds * 1000 + interval.nanos() / 1000000;
    return std::clamp(milliseconds(ms), milliseconds(100), milliseconds(60000));
}

Rejection checkRequest(const v1::WatchMetricsRequest& request) {
    if (request.families_size() > kMaxFamilyPrefixes) {
        return engine::makeError(ErrorCode::ValidationError,
                                 "families: at most " + std::to_string(kMaxFamilyPrefixes) +
                                     " prefixes, not " + std::to_string(request.families_size()));
    }
    for (const auto& prefix : request.families()) {
        if (prefix.size() > kMaxPrefixBytes) {
            return engine::makeError(ErrorCode::ValidationError,
                                     "families: a prefix is at most " +
                                         std::to_string(kMaxPrefixBytes) + " bytes");
        }
    }
    return std::nullopt;
}

std::optional<EventKind> kindOf(int value) {
    switch (value) {
    case v1::EVENT_KIND_ALERT_FIRING:
        return EventKind::AlertFiring;
    case v1::EVENT_KIND_ALERT_RESOLVED:
        return EventKind::AlertResolved;
    case v1::EVENT_KIND_RELEASE:
        return EventKind::Release;
    case v1::EVENT_KIND_NODE_UP:
        return EventKind::NodeUp;
    case v1::EVENT_KIND_NODE_DOWN:
        return EventKind::NodeDown;
    case v1::EVENT_KIND_FAULT:
        return EventKind::Fault;
    case v1::EVENT_KIND_CAPTURE:
        return EventKind::Capture;
    default:
        return std::nullopt;
    }
}

Rejection kindsOf(const v1::WatchEventsRequest& request, std::set<EventKind>& out) {
    for (const int value : request.kinds()) {
        const auto kind = kindOf(value);
        if (!kind) {
            return engine::makeError(ErrorCode::ValidationError,
                                     "kinds: " + std::to_string(value) + " is not an EventKind");
        }
        out.insert(*kind);
    }
    return std::nullopt;
}

std::string traceFor(grpc::ServerContext& context) {
    std::string traceId = newTraceId();
    context.AddInitialMetadata("x-flowdeck-trace-id", traceId);
    return traceId;
}

// Telemetry requests name no tenant: a token needs the viewer role, whatever its tenants. What it
// then sees is another matter: metrics are the node's (as on /metrics), but events about a
// tenant's flows and conversations go only to callers bound to that tenant (WatchEvents).
std::variant<Principal, grpc::Status> admitted(Node& node, const grpc::ServerContext& context,
                                               const google::protobuf::Message& request,
                                               const std::string& traceId) {
    RateInfo rate;
    auto admitted = node.access().admit(context, request, &rate);
    if (const auto* denial = std::get_if<Denial>(&admitted)) {
        return grpcError(*denial, traceId);
    }
    return std::get<Principal>(std::move(admitted));
}

std::optional<grpc::Status> refused(Node& node, const grpc::ServerContext& context,
                                    const google::protobuf::Message& request,
                                    const std::string& traceId) {
    auto who = admitted(node, context, request, traceId);
    if (auto* status = std::get_if<grpc::Status>(&who)) {
        return std::move(*status);
    }
    return std::nullopt;
}

} // namespace

// One open stream, counted for the cap and the gauge for as long as the handler runs.
class TelemetryService::StreamSlot final {
public:
    StreamSlot(TelemetryService& service, std::string_view rpc)
        : m_service(service)
        , m_gauge(service.m_streamGauge != nullptr ? &service.m_streamGauge->withLabels({rpc})
                                                   : nullptr) {
        std::lock_guard lock(service.m_mutex);
        m_closing = service.m_closing;
        m_open = !m_closing && service.m_openStreams < kMaxStreams;
        if (m_open) {
            ++service.m_openStreams;
            if (m_gauge != nullptr) {
                m_gauge->inc();
            }
        }
    }
    ~StreamSlot() {
        if (!m_open) {
            return;
        }
        std::lock_guard lock(m_service.m_mutex);
        --m_service.m_openStreams;
        if (m_gauge != nullptr) {
            m_gauge->dec();
        }
    }
    StreamSlot(const StreamSlot&) = delete;
    StreamSlot& operator=(const StreamSlot&) = delete;

    bool open() const { return m_open; }
    grpc::Status refusal(const std::string& traceId) const {
        if (m_closing) {
            return {grpc::StatusCode::UNAVAILABLE, "flowd is shutting down"};
        }
        return grpcError(ErrorCode::RateLimit,
                         "too many telemetry streams are open on this node (" +
                             std::to_string(kMaxStreams) + "); close one and try again",
                         traceId);
    }

private:
    TelemetryService& m_service;
    engine::Gauge* m_gauge;
    bool m_closing = false;
    bool m_open = false;
};

TelemetryService::TelemetryService(Node& node)
    : m_node(node) {
    auto& metrics = node.metrics();
    m_streamGauge = metrics.gaugeFamily("flowdeck_telemetry_streams",
                                        "Open Telemetry streams, by method.", {"rpc"});
    if (m_streamGauge != nullptr) {
        m_streamGauge->withLabels({"WatchMetrics"}); // present as 0 from the start
        m_streamGauge->withLabels({"WatchEvents"});
    }
    m_eventsDropped =
        metrics.counter("flowdeck_events_dropped_total",
                        "Events dropped because a WatchEvents caller read too slowly.");
}

TelemetryService::~TelemetryService() {
    closeStreams();
}

void TelemetryService::closeStreams() {
    std::lock_guard lock(m_mutex);
    m_closing = true;
    for (auto* subscription : m_subscriptions) {
        subscription->interrupt();
    }
    m_wake.notify_all();
}

bool TelemetryService::sleepUntil(Clock::time_point until, const grpc::ServerContext& context) {
    std::unique_lock lock(m_mutex);
    while (!m_closing && !context.IsCancelled()) {
        const auto now = Clock::now();
        if (now >= until) {
            return true;
        }
        m_wake.wait_until(lock, std::min(until, now + kCancelPoll));
    }
    return false;
}

grpc::Status TelemetryService::endStatus(const grpc::ServerContext& context) const {
    if (context.IsCancelled()) {
        return grpc::Status::CANCELLED;
    }
    return {grpc::StatusCode::UNAVAILABLE, "flowd is shutting down"};
}

grpc::Status TelemetryService::WatchMetrics(grpc::ServerContext* context,
                                            const v1::WatchMetricsRequest* request,
                                            grpc::ServerWriter<v1::MetricsSnapshot>* writer) {
    const std::string traceId = traceFor(*context);
    if (auto denied = refused(m_node, *context, *request, traceId)) {
        return *denied;
    }
    if (auto rejected = checkRequest(*request)) {
        return grpcError(*rejected, traceId);
    }
    StreamSlot slot(*this, "WatchMetrics");
    if (!slot.open()) {
        return slot.refusal(traceId);
    }
    const auto interval = intervalOf(*request);
    auto next = Clock::now();
    for (uint64_t sequence = 1;; ++sequence) {
        v1::MetricsSnapshot snapshot;
        snapshot.set_node_id(m_node.identity().nodeId);
        toProto(std::chrono::system_clock::now(), *snapshot.mutable_taken_at());
        snapshot.set_sequence(sequence);
        if (!fillSnapshot(m_node.metrics().snapshot(), *request, snapshot) && sequence == 1) {
            logLine("WatchMetrics: snapshot over " + std::to_string(kMaxSnapshotBytes) +
                    " bytes trimmed (trace " + traceId + ")");
        }
        if (sequence == 1) {
            fillHistogramLayout(*snapshot.mutable_histogram_layout());
        }
        if (!writer->Write(snapshot)) {
            return grpc::Status::CANCELLED;
        }
        // A reader slower than the interval gets the next snapshot at once, never a burst.
        next = std::max(next + interval, Clock::now());
        if (!sleepUntil(next, *context)) {
            return endStatus(*context);
        }
    }
}

grpc::Status TelemetryService::GetNodeInfo(grpc::ServerContext* context,
                                           const v1::GetNodeInfoRequest* request,
                                           v1::NodeInfo* response) {
    const std::string traceId = traceFor(*context);
    if (auto denied = refused(m_node, *context, *request, traceId)) {
        return *denied;
    }
    fillNodeInfo(m_node, *response);
    return grpc::Status::OK;
}

grpc::Status TelemetryService::WatchEvents(grpc::ServerContext* context,
                                           const v1::WatchEventsRequest* request,
                                           grpc::ServerWriter<v1::Event>* writer) {
    const std::string traceId = traceFor(*context);
    auto who = admitted(m_node, *context, *request, traceId);
    if (auto* denied = std::get_if<grpc::Status>(&who)) {
        return *denied;
    }
    std::set<EventKind> kinds;
    if (auto rejected = kindsOf(*request, kinds)) {
        return grpcError(*rejected, traceId);
    }
    StreamSlot slot(*this, "WatchEvents");
    if (!slot.open()) {
        return slot.refusal(traceId);
    }
    auto audience = [principal = std::get<Principal>(std::move(who))](const std::string& tenant) {
        return principal.mayUse(tenant);
    };
    auto subscription = m_node.events().subscribe(
        std::move(kinds), std::min(request->replay(), kMaxReplay), std::move(audience));
    if (!subscription) {
        return slot.refusal(traceId);
    }
    {
        std::lock_guard lock(m_mutex);
        m_subscriptions.insert(subscription.get());
        if (m_closing) {
            subscription->interrupt();
        }
    }
    // Subscribed before the headers go out: a caller that waits for them misses no event.
    writer->SendInitialMetadata();
    const grpc::Status status = eventLoop(*subscription, *context, *writer);
    std::lock_guard lock(m_mutex);
    m_subscriptions.erase(subscription.get());
    return status;
}

grpc::Status TelemetryService::eventLoop(EventBus::Subscription& subscription,
                                         const grpc::ServerContext& context,
                                         grpc::ServerWriter<v1::Event>& writer) {
    const std::string nodeId = m_node.identity().nodeId;
    const std::string prefix = eventIdPrefix(m_node);
    uint64_t notices = 0;
    while (!context.IsCancelled()) {
        EventBus::Batch batch = subscription.take(Clock::now() + kCancelPoll, kEventsPerTake);
        if (batch.missed > 0) {
            if (m_eventsDropped != nullptr) {
                m_eventsDropped->inc(batch.missed);
            }
            v1::Event notice;
            fillMissedNotice(batch.missed, nodeId, prefix + "dropped-" + std::to_string(++notices),
                             notice);
            if (!writer.Write(notice)) {
                return grpc::Status::CANCELLED;
            }
        }
        for (const NodeEvent& event : batch.events) {
            v1::Event out;
            toProto(event, nodeId, prefix, out);
            if (!writer.Write(out)) {
                return grpc::Status::CANCELLED;
            }
        }
        if (batch.interrupted) {
            return {grpc::StatusCode::UNAVAILABLE, "flowd is shutting down"};
        }
    }
    return grpc::Status::CANCELLED;
}

} // namespace flowdeck::server
