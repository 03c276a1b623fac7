// ReleasesClient over gRPC: the node's Flows and Releases services, one blocking call each.
#include "flowdeck/client/releases_client.h"

#include "channel.h"
#include "release_convert.h"

#include "flowdeck/v1/common.pb.h"
#include "flowdeck/v1/flows.grpc.pb.h"
#include "flowdeck/v1/releases.grpc.pb.h"

#include <grpcpp/grpcpp.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <limits>

namespace flowdeck::client {

namespace {

namespace rel = engine::release;

template <class T> CallResult<T> failed(CallError error) {
    return CallResult<T>{std::nullopt, std::move(error)};
}

template <class T> CallResult<T> succeeded(T value) {
    return CallResult<T>{std::move(value), {}};
}

std::string describe(std::chrono::milliseconds duration) {
    if (duration.count() % 1000 == 0) {
        return std::to_string(duration.count() / 1000) + " s";
    }
    return std::to_string(duration.count()) + " ms";
}

// The node's ErrorStatus envelope, when the status carries one (flowd's own failures do; a
// transport failure or a proxy does not).
std::optional<v1::Error> nodeErrorOf(const grpc::Status& status) {
    v1::ErrorStatus envelope;
    if (status.error_details().empty() || !envelope.ParseFromString(status.error_details())) {
        return std::nullopt;
    }
    for (const auto& detail : envelope.details()) {
        v1::Error error;
        if (detail.UnpackTo(&error)) {
            return error;
        }
    }
    return std::nullopt;
}

std::string versionStateName(v1::VersionState state) {
    constexpr std::string_view kPrefix = "VERSION_STATE_";
    std::string name = v1::VersionState_Name(state);
    return name.starts_with(kPrefix) ? name.substr(kPrefix.size()) : name;
}

RemoteFlow fromProto(const v1::FlowSummary& summary) {
    RemoteFlow out;
    out.flowId = summary.flow_id();
    out.name = summary.name();
    out.description = summary.description();
    out.activeVersion = summary.active_version();
    out.latestVersion = summary.latest_version();
    out.canaryVersion = summary.canary_version();
    out.versionCount = summary.version_count();
    out.updatedAtMs = protoconv::msFromProto(summary.updated_at());
    return out;
}

RemoteFlowVersion fromProto(const v1::FlowVersion& version) {
    RemoteFlowVersion out;
    out.flowId = version.flow_id();
    out.version = version.version();
    out.revision = version.revision();
    out.createdAtMs = protoconv::msFromProto(version.created_at());
    out.createdBy = version.created_by();
    out.changeNote = version.change_note();
    out.baseVersion = version.base_version();
    out.digest = version.digest();
    out.errorCount = version.error_count();
    out.warningCount = version.warning_count();
    out.state = versionStateName(version.state());
    return out;
}

// The flow's name from a flow document, the default flow id; empty when there is none.
std::string flowNameOf(const std::string& flowJson) {
    const auto document = nlohmann::json::parse(flowJson, nullptr, false);
    if (!document.is_object() || !document.contains("name") || !document["name"].is_string()) {
        return {};
    }
    return document["name"].get<std::string>();
}

uint32_t clampToUint32(size_t value) {
    return static_cast<uint32_t>(std::min<size_t>(value, std::numeric_limits<uint32_t>::max()));
}

} // namespace

struct ReleasesClient::Impl {
    ClientOptions options;
    // A TLS file that could not be read (set while `channel` is made, so declared before it):
    // every failed call reports it.
    std::string setupError;
    std::shared_ptr<grpc::Channel> channel;
    std::unique_ptr<v1::Flows::Stub> flows;
    std::unique_ptr<v1::Releases::Stub> releases;

    explicit Impl(ClientOptions o)
        : options(std::move(o))
        , channel(detail::openChannel(options.address, options.credentials, &setupError))
        , flows(v1::Flows::NewStub(channel))
        , releases(v1::Releases::NewStub(channel)) {}

    // A context whose deadline is the client's timeout from now. Calls fail fast when the node
    // refuses connections (no wait_for_ready): an unreachable node is an answer, not a wait.
    std::unique_ptr<grpc::ClientContext> context() const {
        auto context = std::make_unique<grpc::ClientContext>();
        context->set_deadline(std::chrono::system_clock::now() + options.timeout);
        detail::authorize(*context, options.credentials);
        return context;
    }

    CallError errorOf(const grpc::Status& status, const std::string& method) const;
};

CallError ReleasesClient::Impl::errorOf(const grpc::Status& status,
                                        const std::string& method) const {
    CallError error;
    error.grpcCode = status.error_code();
    if (!setupError.empty()) {
        error.message = setupError;
        return error;
    }
    if (const auto nodeError = nodeErrorOf(status)) {
        error.errorCode = nodeError->code();
        error.message =
            nodeError->message().empty() ? status.error_message() : nodeError->message();
        error.traceId = nodeError->trace_id();
        return error;
    }
    const std::string& address = options.address;
    switch (status.error_code()) {
    case grpc::StatusCode::UNAVAILABLE:
        error.message = "cannot reach " + address + ": " + status.error_message();
        break;
    case grpc::StatusCode::DEADLINE_EXCEEDED:
        error.message =
            channel->GetState(false) == GRPC_CHANNEL_READY
                ? method + " on " + address + " did not answer within " + describe(options.timeout)
                : "cannot reach " + address + " within " + describe(options.timeout);
        break;
    case grpc::StatusCode::UNIMPLEMENTED:
        error.message =
            "the node at " + address + " does not implement " + method + " (an older flowd?)";
        break;
    default:
        error.message = method + " on " + address + " failed: " + status.error_message();
        break;
    }
    return error;
}

ReleasesClient::ReleasesClient(ClientOptions options)
    : m_impl(std::make_unique<Impl>(std::move(options))) {}

ReleasesClient::~ReleasesClient() = default;

const ClientOptions& ReleasesClient::options() const {
    return m_impl->options;
}

CallResult<std::vector<RemoteFlow>> ReleasesClient::listFlows() {
    std::vector<RemoteFlow> flows;
    v1::ListFlowsRequest request;
    request.set_tenant_id(m_impl->options.tenantId);
    request.set_limit(1000);
    // Pages until every flow is read; the bound keeps a misbehaving node from looping us forever.
    for (int page = 0; page < 1000; ++page) {
        request.set_offset(clampToUint32(flows.size()));
        v1::ListFlowsResponse response;
        const auto status = m_impl->flows->ListFlows(m_impl->context().get(), request, &response);
        if (!status.ok()) {
            return failed<std::vector<RemoteFlow>>(m_impl->errorOf(status, "Flows.ListFlows"));
        }
        for (const auto& summary : response.flows()) {
            flows.push_back(fromProto(summary));
        }
        if (response.flows().empty() || flows.size() >= response.total()) {
            break;
        }
    }
    return succeeded(std::move(flows));
}

CallResult<std::vector<RemoteFlowVersion>> ReleasesClient::listVersions(const std::string& flowId,
                                                                        uint32_t limit) {
    v1::ListVersionsRequest request;
    request.set_tenant_id(m_impl->options.tenantId);
    request.set_flow_id(flowId);
    request.set_limit(std::clamp<uint32_t>(limit, 1, 1000));
    v1::ListVersionsResponse response;
    const auto status = m_impl->flows->ListVersions(m_impl->context().get(), request, &response);
    if (!status.ok()) {
        return failed<std::vector<RemoteFlowVersion>>(
            m_impl->errorOf(status, "Flows.ListVersions"));
    }
    std::vector<RemoteFlowVersion> versions;
    for (const auto& version : response.versions()) {
        versions.push_back(fromProto(version));
    }
    return succeeded(std::move(versions));
}

CallResult<RemoteFlowVersion> ReleasesClient::version(const std::string& flowId,
                                                      const std::string& version) {
    v1::GetFlowRequest request;
    request.set_tenant_id(m_impl->options.tenantId);
    request.set_flow_id(flowId);
    request.set_version(version);
    v1::GetFlowResponse response;
    const auto status = m_impl->flows->GetFlow(m_impl->context().get(), request, &response);
    if (!status.ok()) {
        return failed<RemoteFlowVersion>(m_impl->errorOf(status, "Flows.GetFlow"));
    }
    RemoteFlowVersion out = fromProto(response.version());
    out.flowJson = response.flow().flow_json();
    return succeeded(std::move(out));
}

CallResult<PushedVersion> ReleasesClient::push(const std::string& flowId,
                                               const std::string& flowJson,
                                               const std::string& changeNote) {
    const std::string id = flowId.empty() ? flowNameOf(flowJson) : flowId;
    if (id.empty()) {
        return failed<PushedVersion>(
            {3, "VALIDATION_ERROR", "the flow has no \"name\" and no flow id was given", {}});
    }
    // The latest version is the base of the update, so that a concurrent push fails with
    // VERSION_CONFLICT instead of silently burying it.
    const auto latest = listVersions(id, 1);
    if (!latest && latest.error.grpcCode != grpc::StatusCode::NOT_FOUND) {
        return failed<PushedVersion>(latest.error);
    }
    if (!latest) {
        v1::CreateFlowRequest request;
        request.set_tenant_id(m_impl->options.tenantId);
        request.set_flow_id(id);
        request.mutable_flow()->set_flow_json(flowJson);
        request.set_change_note(changeNote);
        v1::CreateFlowResponse response;
        const auto status = m_impl->flows->CreateFlow(m_impl->context().get(), request, &response);
        if (!status.ok()) {
            return failed<PushedVersion>(m_impl->errorOf(status, "Flows.CreateFlow"));
        }
        return succeeded(PushedVersion{response.flow_id(), response.version().version(), true});
    }
    v1::UpdateFlowRequest request;
    request.set_tenant_id(m_impl->options.tenantId);
    request.set_flow_id(id);
    request.mutable_flow()->set_flow_json(flowJson);
    request.set_change_note(changeNote);
    if (!latest->empty()) {
        request.set_base_version(latest->front().version);
    }
    v1::UpdateFlowResponse response;
    const auto status = m_impl->flows->UpdateFlow(m_impl->context().get(), request, &response);
    if (!status.ok()) {
        return failed<PushedVersion>(m_impl->errorOf(status, "Flows.UpdateFlow"));
    }
    return succeeded(PushedVersion{response.flow_id(), response.version().version(), false});
}

CallResult<rel::Rollout> ReleasesClient::deploy(const rel::DeployPlan& plan) {
    v1::DeployRequest request;
    request.set_tenant_id(plan.tenantId.empty() ? m_impl->options.tenantId : plan.tenantId);
    request.set_flow_id(plan.flowId);
    request.set_version(plan.version);
    for (const auto& step : plan.steps) {
        protoconv::toProto(step, *request.add_steps());
    }
    protoconv::toProto(plan.thresholds, *request.mutable_thresholds());
    request.set_reason(plan.reason);
    v1::Rollout response;
    const auto status = m_impl->releases->Deploy(m_impl->context().get(), request, &response);
    if (!status.ok()) {
        return failed<rel::Rollout>(m_impl->errorOf(status, "Releases.Deploy"));
    }
    return succeeded(protoconv::fromProto(response));
}

CallResult<rel::Rollout> ReleasesClient::rollout(const std::string& flowId,
                                                 const std::string& rolloutId) {
    v1::GetRolloutRequest request;
    request.set_tenant_id(m_impl->options.tenantId);
    request.set_flow_id(flowId);
    request.set_rollout_id(rolloutId);
    v1::Rollout response;
    const auto status = m_impl->releases->GetRollout(m_impl->context().get(), request, &response);
    if (!status.ok()) {
        return failed<rel::Rollout>(m_impl->errorOf(status, "Releases.GetRollout"));
    }
    return succeeded(protoconv::fromProto(response));
}

CallResult<rel::Rollout> ReleasesClient::promote(const std::string& flowId,
                                                 const std::string& rolloutId, bool toFull,
                                                 const std::string& reason) {
    v1::PromoteRequest request;
    request.set_tenant_id(m_impl->options.tenantId);
    request.set_flow_id(flowId);
    request.set_rollout_id(rolloutId);
    request.set_to_full(toFull);
    request.set_reason(reason);
    v1::Rollout response;
    const auto status = m_impl->releases->Promote(m_impl->context().get(), request, &response);
    if (!status.ok()) {
        return failed<rel::Rollout>(m_impl->errorOf(status, "Releases.Promote"));
    }
    return succeeded(protoconv::fromProto(response));
}

CallResult<rel::Rollout> ReleasesClient::abort(const std::string& flowId,
                                               const std::string& rolloutId,
                                               const std::string& reason) {
    v1::AbortRequest request;
    request.set_tenant_id(m_impl->options.tenantId);
    request.set_flow_id(flowId);
    request.set_rollout_id(rolloutId);
    request.set_reason(reason);
    v1::Rollout response;
    const auto status = m_impl->releases->Abort(m_impl->context().get(), request, &response);
    if (!status.ok()) {
        return failed<rel::Rollout>(m_impl->errorOf(status, "Releases.Abort"));
    }
    return succeeded(protoconv::fromProto(response));
}

CallResult<rel::RollbackOutcome> ReleasesClient::rollback(const std::string& flowId,
                                                          const std::string& toVersion,
                                                          const std::string& reason) {
    v1::RollbackRequest request;
    request.set_tenant_id(m_impl->options.tenantId);
    request.set_flow_id(flowId);
    request.set_to_version(toVersion);
    request.set_reason(reason);
    v1::RollbackResponse response;
    const auto status = m_impl->releases->Rollback(m_impl->context().get(), request, &response);
    if (!status.ok()) {
        return failed<rel::RollbackOutcome>(m_impl->errorOf(status, "Releases.Rollback"));
    }
    rel::RollbackOutcome out;
    out.flowId = response.flow_id();
    out.activeVersion = response.active_version();
    out.previousVersion = response.previous_version();
    out.entry = protoconv::fromProto(response.entry());
    return succeeded(std::move(out));
}

CallResult<rel::HistoryPage> ReleasesClient::history(const rel::HistoryQuery& query) {
    v1::ListHistoryRequest request;
    request.set_tenant_id(m_impl->options.tenantId);
    request.set_flow_id(query.flowId);
    request.set_limit(clampToUint32(query.limit));
    request.set_offset(clampToUint32(query.offset));
    if (query.sinceMs > 0) {
        protoconv::toProto(query.sinceMs, *request.mutable_since());
    }
    v1::ListHistoryResponse response;
    const auto status = m_impl->releases->ListHistory(m_impl->context().get(), request, &response);
    if (!status.ok()) {
        return failed<rel::HistoryPage>(m_impl->errorOf(status, "Releases.ListHistory"));
    }
    rel::HistoryPage page;
    page.total = response.total();
    for (const auto& entry : response.entries()) {
        page.entries.push_back(protoconv::fromProto(entry));
    }
    return succeeded(std::move(page));
}

} // namespace flowdeck::client
