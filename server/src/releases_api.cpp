// Releases (releases.proto) as thin adapters over engine::release::ReleaseController.
#include "releases_api.h"

#include "node.h"
#include "release_convert.h"

namespace flowdeck::server {

namespace {

namespace rel = engine::release;
using Kind = rel::ReleaseError::Kind;

// Unwraps a controller result into `out` through `convert`, or the refusal into a failure.
template <class T, class Convert>
FlowRejection answer(rel::ReleaseResult<T>&& result, Convert&& convert) {
    if (auto* error = std::get_if<rel::ReleaseError>(&result)) {
        return toFailure(*error);
    }
    convert(std::get<T>(result));
    return std::nullopt;
}

} // namespace

FlowFailure toFailure(const rel::ReleaseError& error) {
    using engine::ErrorCode;
    switch (error.kind) {
    case Kind::InvalidArgument:
        return {engine::makeError(ErrorCode::ValidationError, error.message), std::nullopt, {}};
    case Kind::NotFound:
        return {engine::makeError(ErrorCode::FlowNotFound, error.message), std::nullopt, {}};
    case Kind::FailedPrecondition:
        return {engine::makeError(ErrorCode::ValidationError, error.message),
                ApiStatus{grpc::StatusCode::FAILED_PRECONDITION, 409},
                {}};
    case Kind::Aborted:
        return {engine::makeError(ErrorCode::VersionConflict, error.message), std::nullopt, {}};
    case Kind::Unavailable:
        return {engine::makeError(ErrorCode::StorageError, error.message),
                ApiStatus{grpc::StatusCode::UNAVAILABLE, 503},
                {}};
    case Kind::Internal:
        break;
    }
    return {engine::makeError(ErrorCode::StorageError, error.message), std::nullopt, {}};
}

FlowRejection deploy(Node& node, const v1::DeployRequest& in, const std::string& who,
                     v1::Rollout& out) {
    rel::DeployPlan plan;
    plan.tenantId = flowconv::tenantOf(in.tenant_id());
    plan.flowId = in.flow_id();
    plan.version = in.version();
    for (const auto& step : in.steps()) {
        plan.steps.push_back(protoconv::fromProto(step));
    }
    plan.thresholds = protoconv::fromProto(in.thresholds());
    plan.reason = in.reason();
    return answer(node.releases().deploy(plan, who),
                  [&](const rel::Rollout& r) { protoconv::toProto(r, out); });
}

FlowRejection getRollout(Node& node, const v1::GetRolloutRequest& in, v1::Rollout& out) {
    return answer(
        node.releases().rollout(flowconv::tenantOf(in.tenant_id()), in.flow_id(), in.rollout_id()),
        [&](const rel::Rollout& r) { protoconv::toProto(r, out); });
}

FlowRejection promote(Node& node, const v1::PromoteRequest& in, const std::string& who,
                      v1::Rollout& out) {
    return answer(node.releases().promote(flowconv::tenantOf(in.tenant_id()), in.flow_id(),
                                          in.rollout_id(), in.to_full(), in.reason(), who),
                  [&](const rel::Rollout& r) { protoconv::toProto(r, out); });
}

FlowRejection abortRollout(Node& node, const v1::AbortRequest& in, const std::string& who,
                           v1::Rollout& out) {
    return answer(node.releases().abort(flowconv::tenantOf(in.tenant_id()), in.flow_id(),
                                        in.rollout_id(), in.reason(), who),
                  [&](const rel::Rollout& r) { protoconv::toProto(r, out); });
}

FlowRejection rollback(Node& node, const v1::RollbackRequest& in, const std::string& who,
                       v1::RollbackResponse& out) {
    return answer(node.releases().rollback(flowconv::tenantOf(in.tenant_id()), in.flow_id(),
                                           in.to_version(), in.reason(), who),
                  [&](const rel::RollbackOutcome& o) {
                      out.set_flow_id(o.flowId);
                      out.set_active_version(o.activeVersion);
                      out.set_previous_version(o.previousVersion);
                      protoconv::toProto(o.entry, *out.mutable_entry());
                  });
}

FlowRejection listHistory(Node& node, const v1::ListHistoryRequest& in,
                          v1::ListHistoryResponse& out) {
    if (in.limit() > 1000) {
        return toFailure({Kind::InvalidArgument,
                          "limit: " + std::to_string(in.limit()) + " is above the maximum 1000"});
    }
    rel::HistoryQuery query;
    query.tenantId = flowconv::tenantOf(in.tenant_id());
    query.flowId = in.flow_id();
    query.limit = in.limit();
    query.offset = in.offset();
    query.sinceMs = in.has_since() ? protoconv::msFromProto(in.since()) : 0;
    const rel::HistoryPage page = node.releases().history(query);
    for (const auto& entry : page.entries) {
        protoconv::toProto(entry, *out.add_entries());
    }
    out.set_total(static_cast<uint32_t>(page.total));
    return std::nullopt;
}

} // namespace flowdeck::server
