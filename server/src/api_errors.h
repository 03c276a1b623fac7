#pragma once

#include "flowdeck/engine/errors.h"

#include <grpcpp/support/status.h>

#include <string>

namespace flowdeck::v1 {
class Error;
}

namespace flowdeck::server {

// The one place engine error codes become API statuses (docs/api.md "Codes and statuses"): the
// category decides, except VERSION_CONFLICT, which is ABORTED / 409 so clients know a retry is
// safe. gRPC and HTTP both go through here so they can never disagree.
struct ApiStatus {
    grpc::StatusCode grpc = grpc::StatusCode::INTERNAL;
    int http = 500;
};
ApiStatus statusFor(engine::ErrorCode code);

// A fresh random id for one request (16 hex digits), quoted in errors, logs and metadata.
std::string newTraceId();

void toProto(const engine::EngineError& error, const std::string& traceId, v1::Error& out);

// A failed call: the mapped status with a flowdeck.v1.ErrorStatus (holding the Error) in the
// status details, as docs/api.md "Errors" describes.
grpc::Status grpcError(const engine::EngineError& error, const std::string& traceId);
grpc::Status grpcError(engine::ErrorCode code, std::string message, const std::string& traceId);

struct Denial;
// A refused call (no token, wrong role or tenant, over the rate) as a status whose details hold
// an Error with the denial's code ("UNAUTHENTICATED", "PERMISSION_DENIED", "RATE_LIMIT").
grpc::Status grpcError(const Denial& denial, const std::string& traceId);
std::string httpErrorBody(const Denial& denial, const std::string& traceId);

// The seed's HTTP error body: {"status":"error","error":{"code","message","details","trace_id"}}.
std::string httpErrorBody(const engine::EngineError& error, const std::string& traceId);

} // namespace flowdeck::server
