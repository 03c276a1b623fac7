#pragma once

#include "access.h"

#include <grpcpp/server_context.h>
#include <grpcpp/support/status.h>

#include <chrono>
#include <exception>
#include <optional>
#include <string>
#include <string_view>

namespace google::protobuf {
class Message;
}

namespace flowdeck::server {

class Node;

// What every unary call goes through around its work, whether gRPC's sync threads or the
// ProcessMessage reactor run it: first a trace id in the response metadata and admission (token,
// role, tenant, rate limit: AccessControl) with its rate-limit headers, then, once the work is
// done, the audit line for calls marked `audited`.
struct Admission {
    std::string traceId;
    std::optional<Principal> who; // empty when the call was refused: `refused` says why
    grpc::Status refused;
};

// Admits the call; a refused call is audited here (auditDenial) and must end with `refused`.
Admission admitCall(Node& node, grpc::ServerContext& context,
                    const google::protobuf::Message& request);

// The audit line for an admitted call that ended with `status` (for calls marked `audited`). A
// failure to write it is logged, never returned to the caller.
void auditCall(Node& node, const Admission& admission, const google::protobuf::Message& request,
               const grpc::Status& status);

// The status for an exception that escaped a call's work: STATE_ERROR "internal error: ...".
grpc::Status internalError(const std::exception& e, const std::string& traceId);

// What is left of the caller's deadline; nullopt when it set none.
std::optional<std::chrono::milliseconds> deadlineBudget(const grpc::ServerContext& context);

// The status code's name as flowdeck_requests_total labels it ("OK", "NOT_FOUND", ...).
std::string_view codeName(grpc::StatusCode code);

// Admits the call, runs `work(traceId, principal)` with no exception past the API, and audits.
template <class Work>
grpc::Status admitAndRun(Node& node, grpc::ServerContext& context,
                         const google::protobuf::Message& request, Work&& work) {
    const Admission admission = admitCall(node, context, request);
    if (!admission.who) {
        return admission.refused;
    }
    grpc::Status status;
    try {
        status = work(admission.traceId, *admission.who);
    } catch (const std::exception& e) {
        status = internalError(e, admission.traceId);
    }
    auditCall(node, admission, request, status);
    return status;
}

} // namespace flowdeck::server
