#pragma once

#include "node.h"

#include "flowdeck/v1/telemetry.grpc.pb.h"

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <set>

namespace flowdeck::server {

// The Telemetry service over the node's metrics registry and event bus (docs/api.md
// "Telemetry"). Each open stream holds one server thread, so streams are capped (kMaxStreams;
// more are refused with RESOURCE_EXHAUSTED) and counted in flowdeck_telemetry_streams{rpc}.
// A stream waits on a condition variable, waking at least every kCancelPoll to notice a caller
// that went away (the synchronous API has no cancellation callback).
class TelemetryService final : public v1::Telemetry::Service {
public:
    static constexpr size_t kMaxStreams = 256;
    static constexpr std::chrono::milliseconds kCancelPoll{200};

    explicit TelemetryService(Node& node);
    ~TelemetryService() override;

    grpc::Status WatchMetrics(grpc::ServerContext* context, const v1::WatchMetricsRequest* request,
                              grpc::ServerWriter<v1::MetricsSnapshot>* writer) override;
    grpc::Status GetNodeInfo(grpc::ServerContext* context, const v1::GetNodeInfoRequest* request,
                             v1::NodeInfo* response) override;
    grpc::Status WatchEvents(grpc::ServerContext* context, const v1::WatchEventsRequest* request,
                             grpc::ServerWriter<v1::Event>* writer) override;

    // Ends every open stream now (events already queued for a watcher are still sent first) and
    // refuses new ones. Streams never finish by themselves, so shutdown starts with this rather
    // than waiting out its grace period. Returns without waiting for the streams to end.
    void closeStreams();

private:
    class StreamSlot;

    // Sleeps until `until`; false when the stream must end instead (closing, or caller gone).
    bool sleepUntil(std::chrono::steady_clock::time_point until,
                    const grpc::ServerContext& context);
    grpc::Status endStatus(const grpc::ServerContext& context) const;
    grpc::Status eventLoop(EventBus::Subscription& subscription, const grpc::ServerContext& context,
                           grpc::ServerWriter<v1::Event>& writer);

    Node& m_node;
    engine::MetricFamily<engine::Gauge>* m_streamGauge = nullptr;
    engine::Counter* m_eventsDropped = nullptr;
    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_closing = false;
    size_t m_openStreams = 0;
    std::set<EventBus::Subscription*> m_subscriptions;
};

} // namespace flowdeck::server
