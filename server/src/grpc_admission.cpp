#include "grpc_admission.h"

#include "api_errors.h"
#include "node.h"
#include "status_names.h"

#include <algorithm>
#include <cctype>

namespace flowdeck::server {

Admission admitCall(Node& node, grpc::ServerContext& context,
                    const google::protobuf::Message& request) {
    Admission admission;
    admission.traceId = newTraceId();
    context.AddInitialMetadata("x-flowdeck-trace-id", admission.traceId);
    RateInfo rate;
    auto admitted = node.access().admit(context, request, &rate);
    for (const auto& [name, value] : rate.headers()) {
        std::string key = name;
        std::transform(key.begin(), key.end(), key.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        context.AddInitialMetadata(key, value);
    }
    if (const auto* denial = std::get_if<Denial>(&admitted)) {
        try {
            node.access().auditDenial(*denial, request, admission.traceId);
        } catch (const std::exception& e) {
            logLine(std::string("audit log: ") + e.what() + " (trace " + admission.traceId + ")");
        }
        admission.refused = grpcError(*denial, admission.traceId);
        return admission;
    }
    admission.who = std::get<Principal>(std::move(admitted));
    return admission;
}

void auditCall(Node& node, const Admission& admission, const google::protobuf::Message& request,
               const grpc::Status& status) {
    try {
        node.access().audit(*admission.who, request, codeName(status.error_code()),
                            admission.traceId);
    } catch (const std::exception& e) {
        logLine(std::string("audit log: ") + e.what() + " (trace " + admission.traceId + ")");
    }
}

grpc::Status internalError(const std::exception& e, const std::string& traceId) {
    return grpcError(engine::ErrorCode::StateError, std::string("internal error: ") + e.what(),
                     traceId);
}

std::optional<std::chrono::milliseconds> deadlineBudget(const grpc::ServerContext& context) {
    const auto now = std::chrono::system_clock::now();
    const auto deadline = context.deadline();
    if (deadline > now + std::chrono::hours(24)) {
        return std::nullopt; // no deadline (gRPC reports "infinite" as a far-future time)
    }
    return std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now);
}

std::string_view codeName(grpc::StatusCode code) {
    const std::string_view name = proto::statusCodeName(code);
    return name.empty() ? "UNKNOWN" : name;
}

} // namespace flowdeck::server
