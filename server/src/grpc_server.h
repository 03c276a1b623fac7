#pragma once

#include "node.h"
#include "tls.h"

#include <chrono>
#include <memory>
#include <string>

namespace grpc {
class Server;
class Service;
} // namespace grpc

namespace flowdeck::server {

class HealthService;
class ProcessReactor;
class TelemetryService;

// The gRPC front end: Conversations, Flows, Releases, Telemetry and the seed's MCPEngine, plus
// the standard grpc.health.v1.Health and server reflection. Every call is counted in
// flowdeck_requests_total{method="flowdeck.v1.Conversations/ProcessMessage",code="OK"} by an
// interceptor, so no handler can forget. ProcessMessage runs on the ProcessReactor; every other
// call on gRPC's sync threads.
class GrpcServer final {
public:
    explicit GrpcServer(Node& node);
    ~GrpcServer();

    // Binds and starts serving (over TLS when `tls` has a certificate, requiring client
    // certificates when it has a client CA); false with *error when the address cannot be bound.
    bool start(const std::string& address, const TlsMaterial& tls, std::string* error);
    int port() const { return m_port; }
    // Health turns NOT_SERVING, Telemetry streams end at once (they never finish by themselves),
    // new calls are refused, and calls in flight get until `grace` to finish before they are
    // cancelled.
    void shutdown(std::chrono::milliseconds grace);

private:
    Node& m_node;
    std::unique_ptr<grpc::Service> m_conversations;
    std::unique_ptr<grpc::Service> m_flows;
    std::unique_ptr<grpc::Service> m_seed;
    std::unique_ptr<grpc::Service> m_releases;
    std::unique_ptr<TelemetryService> m_telemetry;
    std::unique_ptr<HealthService> m_health;
    std::unique_ptr<ProcessReactor> m_reactor;
    std::unique_ptr<grpc::Server> m_server;
    int m_port = 0;
};

} // namespace flowdeck::server
