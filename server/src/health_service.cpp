#include "health_service.h"

#include <chrono>
#include <optional>

namespace flowdeck::server {

namespace health = grpc::health::v1;

HealthService::HealthService(std::set<std::string> services)
    : m_services(std::move(services)) {}

HealthService::Status HealthService::statusOf(const std::string& service) const {
    if (!service.empty() && !m_services.contains(service)) {
        return health::HealthCheckResponse::SERVICE_UNKNOWN;
    }
    return m_shutdown ? health::HealthCheckResponse::NOT_SERVING
                      : health::HealthCheckResponse::SERVING;
}

grpc::Status HealthService::Check(grpc::ServerContext*, const health::HealthCheckRequest* request,
                                  health::HealthCheckResponse* response) {
    std::lock_guard lock(m_mutex);
    const Status status = statusOf(request->service());
    if (status == health::HealthCheckResponse::SERVICE_UNKNOWN) {
        return {grpc::StatusCode::NOT_FOUND, "unknown service '" + request->service() + "'"};
    }
    response->set_status(status);
    return grpc::Status::OK;
}

grpc::Status HealthService::Watch(grpc::ServerContext* context,
                                  const health::HealthCheckRequest* request,
                                  grpc::ServerWriter<health::HealthCheckResponse>* writer) {
    // A cancelled call wakes nobody: look at it this often.
    constexpr auto kCancelPoll = std::chrono::milliseconds(500);
    std::unique_lock lock(m_mutex);
    std::optional<Status> sent;
    for (;;) {
        const Status status = statusOf(request->service());
        if (status != sent) {
            health::HealthCheckResponse response;
            response.set_status(status);
            lock.unlock();
            const bool written = writer->Write(response);
            lock.lock();
            if (!written) {
                return grpc::Status::CANCELLED;
            }
            sent = status;
        }
        if (m_shutdown) {
            return {grpc::StatusCode::UNAVAILABLE, "flowd is shutting down"};
        }
        if (context->IsCancelled()) {
            return grpc::Status::CANCELLED;
        }
        m_changed.wait_for(lock, kCancelPoll);
    }
}

void HealthService::shutdown() {
    {
        std::lock_guard lock(m_mutex);
        m_shutdown = true;
    }
    m_changed.notify_all();
}

} // namespace flowdeck::server
