#pragma once

#include "grpc/health/v1/health.grpc.pb.h"

#include <condition_variable>
#include <mutex>
#include <set>
#include <string>

namespace flowdeck::server {

// grpc.health.v1.Health on gRPC's sync threads. gRPC's default health service runs on the callback
// API, whose polling threads then read every ProcessMessage call's bytes and hand the call to the
// ProcessReactor's thread: a hand-off per call that costs 83 against 38 µs of server CPU at
// 5,000 calls/s with nothing behind them (docs/benchmarks.md, "Session 2026-12-08").
// "" and each service in `services` are SERVING until shutdown() and NOT_SERVING after it;
// Check on any other name is NOT_FOUND, and Watch on one reports SERVICE_UNKNOWN.
class HealthService final : public grpc::health::v1::Health::Service {
public:
    explicit HealthService(std::set<std::string> services);

    grpc::Status Check(grpc::ServerContext* context,
                       const grpc::health::v1::HealthCheckRequest* request,
                       grpc::health::v1::HealthCheckResponse* response) override;
    grpc::Status Watch(grpc::ServerContext* context,
                       const grpc::health::v1::HealthCheckRequest* request,
                       grpc::ServerWriter<grpc::health::v1::HealthCheckResponse>* writer) override;

    // Everything turns NOT_SERVING; watchers are told so and their streams end.
    void shutdown();

private:
    using Status = grpc::health::v1::HealthCheckResponse::ServingStatus;
    Status statusOf(const std::string& service) const; // under m_mutex

    const std::set<std::string> m_services;
    std::mutex m_mutex;
    std::condition_variable m_changed;
    bool m_shutdown = false;
};

} // namespace flowdeck::server
