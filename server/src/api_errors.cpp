#include "api_errors.h"

#include "access.h"

#include "flowdeck/v1/common.pb.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <random>

namespace flowdeck::server {

using engine::ErrorCode;

ApiStatus statusFor(ErrorCode code) {
    if (code == ErrorCode::VersionConflict) {
        return {grpc::StatusCode::ABORTED, 409};
    }
    switch (engine::categoryOf(code)) {
    case ErrorCode::ValidationError:
        return {grpc::StatusCode::INVALID_ARGUMENT, 400};
    case ErrorCode::FlowNotFound:
        return {grpc::StatusCode::NOT_FOUND, 404};
    case ErrorCode::TimeoutError:
        return {grpc::StatusCode::DEADLINE_EXCEEDED, 504};
    case ErrorCode::RateLimit:
        return {grpc::StatusCode::RESOURCE_EXHAUSTED, 429};
    default:
        return {grpc::StatusCode::INTERNAL, 500};
    }
}

std::string newTraceId() {
    thread_local std::mt19937_64 generator{std::random_device{}()};
    char text[17];
    std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(generator()));
    return text;
}

void toProto(const engine::EngineError& error, const std::string& traceId, v1::Error& out) {
    out.set_code(std::string(engine::toString(error.code)));
    out.set_message(error.message);
    for (const auto& [key, value] : error.details) {
        (*out.mutable_details())[key] = value;
    }
    out.set_trace_id(error.traceId.empty() ? traceId : error.traceId);
    out.set_category(std::string(engine::toString(engine::categoryOf(error.code))));
}

grpc::Status grpcError(const engine::EngineError& error, const std::string& traceId) {
    const ApiStatus status = statusFor(error.code);
    v1::Error detail;
    toProto(error, traceId, detail);
    v1::ErrorStatus envelope;
    envelope.set_code(status.grpc);
    envelope.set_message(error.message);
    envelope.add_details()->PackFrom(detail);
    return {status.grpc, error.message, envelope.SerializeAsString()};
}

grpc::Status grpcError(ErrorCode code, std::string message, const std::string& traceId) {
    return grpcError(engine::makeError(code, std::move(message)), traceId);
}

std::string httpErrorBody(const engine::EngineError& error, const std::string& traceId) {
    nlohmann::json details = nlohmann::json::object();
    for (const auto& [key, value] : error.details) {
        details[key] = value;
    }
    const nlohmann::json body = {{"status", "error"},
                                 {"error",
                                  {{"code", std::string(engine::toString(error.code))},
                                   {"message", error.message},
                                   {"details", details},
                                   {"trace_id", error.traceId.empty() ? traceId : error.traceId}}}};
    // Replace, not throw, on invalid UTF-8 in a message: an error body must always be written.
    return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

} // namespace flowdeck::server

namespace flowdeck::server {

grpc::Status grpcError(const Denial& denial, const std::string& traceId) {
    v1::Error detail;
    detail.set_code(denial.code);
    detail.set_message(denial.message);
    detail.set_trace_id(traceId);
    // RATE_LIMIT is one of the seed's categories; the auth codes are categories of their own.
    detail.set_category(denial.code);
    v1::ErrorStatus envelope;
    envelope.set_code(denial.grpc);
    envelope.set_message(denial.message);
    envelope.add_details()->PackFrom(detail);
    return {denial.grpc, denial.message, envelope.SerializeAsString()};
}

std::string httpErrorBody(const Denial& denial, const std::string& traceId) {
    const nlohmann::json body = {{"status", "error"},
                                 {"error",
                                  {{"code", denial.code},
                                   {"message", denial.message},
                                   {"details", nlohmann::json::object()},
                                   {"trace_id", traceId}}}};
    return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

} // namespace flowdeck::server
