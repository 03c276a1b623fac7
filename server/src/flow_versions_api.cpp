// CreateFlow, UpdateFlow, DeleteFlow and ListVersions over the node's flow store.
//
// Versions are immutable: an update appends one. A flow with linter errors is refused (issue 4:
// "CreateFlow/UpdateFlow validate with the engine linter and refuse flows with errors") with
// INVALID_ARGUMENT, the findings in the status details, and nothing is stored; warnings are fine.
// Unpublished versions (drafts) are stored only when they are clean. Publishing makes the version
// active in the FlowRegistry: new conversations start on it, running ones stay on the version they
// started with.
#include "flows_api.h"

#include "flowdeck/engine/flow_json.h"
#include "flowdeck/engine/linter.h"

#include <algorithm>
#include <mutex>

namespace flowdeck::server {

namespace {

using engine::ErrorCode;
using engine::FlowStoreStatus;

constexpr size_t kMaxFlowIdBytes = 128;

// A flow document, parsed and linted.
struct Checked {
    std::string json; // the document checked (flowconv::documentOf)
    std::optional<engine::Flow> flow;
    std::vector<engine::Diagnostic> diagnostics;
    uint32_t errors = 0;
    uint32_t warnings = 0;
};

Checked check(const std::string& json) {
    Checked out;
    auto parsed = engine::parseFlow(json);
    out.diagnostics = std::move(parsed.diagnostics);
    if (parsed.flow) {
        auto lint = engine::lintFlow(*parsed.flow);
        out.diagnostics.insert(out.diagnostics.end(), lint.begin(), lint.end());
        out.flow = std::move(parsed.flow);
    }
    // The contract orders findings errors first, then in document order.
    std::stable_partition(out.diagnostics.begin(), out.diagnostics.end(),
                          [](const auto& d) { return d.severity == engine::Severity::Error; });
    for (const auto& d : out.diagnostics) {
        out.errors += d.severity == engine::Severity::Error ? 1 : 0;
        out.warnings += d.severity == engine::Severity::Warning ? 1 : 0;
    }
    return out;
}

FlowFailure failure(ErrorCode code, std::string message, const std::string& flowId,
                    std::optional<ApiStatus> status = std::nullopt) {
    FlowFailure out{engine::makeError(code, std::move(message)), status, {}};
    if (!flowId.empty()) {
        out.error.details["flow_id"] = flowId;
    }
    return out;
}

FlowFailure refusedForErrors(const Checked& checked, const std::string& flowId, bool parsed) {
    FlowFailure out =
        failure(ErrorCode::ValidationError,
                parsed ? "flow '" + flowId + "' has " + std::to_string(checked.errors) +
                             " linter error(s) and cannot be stored; first: " +
                             engine::formatDiagnostic(checked.diagnostics.front())
                       : "flow.flow_json is not a flow document: " +
                             engine::formatDiagnostic(checked.diagnostics.front()),
                flowId);
    out.diagnostics = checked.diagnostics;
    return out;
}

std::optional<FlowFailure> checkFlowId(const std::string& flowId) {
    const bool valid =
        !flowId.empty() && flowId.size() <= kMaxFlowIdBytes &&
        std::all_of(flowId.begin(), flowId.end(), [](char c) {
            return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
        });
    if (valid) {
        return std::nullopt;
    }
    return failure(ErrorCode::ValidationError,
                   "flow id '" + flowId.substr(0, kMaxFlowIdBytes) +
                       "' is invalid: use 1-128 letters, digits, '_', '-' or '.'",
                   {});
}

// Parses and lints the request's document; a failure when it cannot be stored.
std::optional<FlowFailure> checkDocument(const v1::FlowDefinition& definition,
                                         const std::string& flowId, Checked& checked) {
    std::string json;
    std::string why;
    if (!flowconv::documentOf(definition, &json, &why)) {
        return failure(ErrorCode::ValidationError, why, flowId);
    }
    checked = check(json);
    checked.json = std::move(json);
    if (!checked.flow) {
        return refusedForErrors(checked, flowId, false);
    }
    if (checked.errors > 0) {
        return refusedForErrors(checked, flowId.empty() ? checked.flow->name : flowId, true);
    }
    return std::nullopt;
}

engine::StoredFlowVersion newVersion(const std::string& tenant, const std::string& flowId,
                                     const Checked& checked, const std::string& json,
                                     const std::string& note, const std::string& baseVersion,
                                     const std::string& who) {
    engine::StoredFlowVersion v;
    v.tenantId = tenant;
    v.flowId = flowId;
    v.version = checked.flow->version;
    v.createdBy = who;
    v.changeNote = note;
    v.baseVersion = baseVersion;
    v.flowJson = json;
    v.name = checked.flow->name;
    v.description = checked.flow->description;
    v.errorCount = checked.errors;
    v.warningCount = checked.warnings;
    return v;
}

std::optional<FlowFailure> storeFailure(const engine::FlowStoreResult& result,
                                        const std::string& flowId) {
    switch (result.status) {
    case FlowStoreStatus::Ok:
        return std::nullopt;
    case FlowStoreStatus::AlreadyExists:
        return failure(ErrorCode::ValidationError, "flow '" + flowId + "' already exists", flowId,
                       ApiStatus{grpc::StatusCode::ALREADY_EXISTS, 409});
    case FlowStoreStatus::Conflict:
        return failure(ErrorCode::VersionConflict,
                       "flow '" + flowId + "' changed while this version was being stored", flowId);
    case FlowStoreStatus::NotFound:
        return failure(ErrorCode::FlowNotFound, "flow '" + flowId + "' does not exist", flowId);
    case FlowStoreStatus::Failed:
        break;
    }
    return failure(ErrorCode::StorageError, "cannot store flow '" + flowId + "': " + result.error,
                   flowId);
}

// Stores `version`, publishes it on request, and reads back what the response reports.
// Called with the node's flow edit mutex held.
template <class Out>
std::optional<FlowFailure> storeAndPublish(Node& node, const engine::StoredFlowVersion& version,
                                           int64_t expectedRevision, bool publish,
                                           const Checked& checked, Out& out) {
    if (publish && node.releases().inProgress(version.tenantId, version.flowId)) {
        return FlowFailure{engine::makeError(ErrorCode::ValidationError,
                                             "flow '" + version.flowId +
                                                 "' has a rollout in progress; promote, abort or "
                                                 "roll it back (Releases) before publishing"),
                           ApiStatus{grpc::StatusCode::FAILED_PRECONDITION, 409},
                           {}};
    }
    const auto before = node.flowStore().flow(version.tenantId, version.flowId);
    const auto stored = node.flowStore().append(version, expectedRevision);
    if (auto failed = storeFailure(stored, version.flowId)) {
        return failed;
    }
    if (publish) {
        std::string why;
        if (node.flowStore().activate(version.tenantId, version.flowId, stored.version.version) !=
                FlowStoreStatus::Ok ||
            !node.serveVersion(
                node.flowStore()
                    .version(version.tenantId, version.flowId, stored.version.version)
                    .value_or(stored.version),
                &why)) {
            return failure(ErrorCode::StorageError,
                           "flow '" + version.flowId + "' version " + stored.version.version +
                               " was stored but could not be published: " + why,
                           version.flowId);
        }
    }
    if (publish) {
        node.releases().recordPublished(version.tenantId, version.flowId,
                                        before ? before->activeVersion : "", stored.version.version,
                                        version.createdBy.empty() ? "anonymous" : version.createdBy,
                                        version.changeNote);
    }
    if (publish) {
        node.flowChanged(version.tenantId, version.flowId);
    }
    const auto flow = node.flowStore().flow(version.tenantId, version.flowId);
    auto facts = stored.version;
    facts.published = publish;
    out.set_flow_id(version.flowId);
    flowconv::toProto(facts, flow.value_or(engine::StoredFlow{}), *out.mutable_version());
    flowconv::toProto(checked.diagnostics, *out.mutable_diagnostics());
    out.set_published(publish);
    return std::nullopt;
}

} // namespace

FlowRejection createFlow(Node& node, const v1::CreateFlowRequest& request, const std::string& who,
                         v1::CreateFlowResponse& out) {
    Checked checked;
    if (auto failed = checkDocument(request.flow(), request.flow_id(), checked)) {
        return failed;
    }
    const std::string flowId = request.flow_id().empty() ? checked.flow->name : request.flow_id();
    if (auto failed = checkFlowId(flowId)) {
        return failed;
    }
    const std::string tenant = flowconv::tenantOf(request.tenant_id());
    std::lock_guard lock(node.flowEditMutex());
    if (const auto owner = node.flowOwner(flowId); owner && *owner != tenant) {
        return failure(ErrorCode::ValidationError,
                       "flow id '" + flowId +
                           "' is taken on this node by another tenant (flow ids are node-wide); "
                           "choose another id",
                       flowId, ApiStatus{grpc::StatusCode::ALREADY_EXISTS, 409});
    }
    if (node.isFileFlow(flowId) && !node.flowStore().flow(tenant, flowId)) {
        return failure(ErrorCode::ValidationError,
                       "flow '" + flowId +
                           "' already exists (loaded from the flows directory); add a version "
                           "with UpdateFlow",
                       flowId, ApiStatus{grpc::StatusCode::ALREADY_EXISTS, 409});
    }
    const auto version =
        newVersion(tenant, flowId, checked, checked.json, request.change_note(), {}, who);
    return storeAndPublish(node, version, 0, request.publish(), checked, out);
}

FlowRejection updateFlow(Node& node, const v1::UpdateFlowRequest& request, const std::string& who,
                         v1::UpdateFlowResponse& out) {
    const std::string& flowId = request.flow_id();
    if (auto failed = checkFlowId(flowId)) {
        return failed;
    }
    Checked checked;
    if (auto failed = checkDocument(request.flow(), flowId, checked)) {
        return failed;
    }
    const std::string tenant = flowconv::tenantOf(request.tenant_id());
    std::lock_guard lock(node.flowEditMutex());
    const auto stored = node.flowStore().flow(tenant, flowId);
    const auto fileEntry = node.isFileFlow(flowId) ? node.flows().active(flowId) : std::nullopt;
    if (!stored && !fileEntry) {
        return failure(ErrorCode::FlowNotFound, "flow '" + flowId + "' does not exist", flowId);
    }
    // A file's flow has one version; its first update starts its stored history at revision 1.
    const std::string latest = stored ? stored->latestVersion : fileEntry->version;
    if (!request.base_version().empty() && request.base_version() != latest) {
        return failure(ErrorCode::VersionConflict,
                       "flow '" + flowId + "' was edited from version " + request.base_version() +
                           " but its latest version is now " + latest +
                           "; reload it and apply the change again",
                       flowId);
    }
    const auto version = newVersion(tenant, flowId, checked, checked.json, request.change_note(),
                                    request.base_version(), who);
    return storeAndPublish(node, version, stored ? stored->latestRevision : 0, request.publish(),
                           checked, out);
}

FlowRejection deleteFlow(Node& node, const v1::DeleteFlowRequest& request,
                         v1::DeleteFlowResponse& out) {
    const std::string tenant = flowconv::tenantOf(request.tenant_id());
    const std::string& flowId = request.flow_id();
    std::lock_guard lock(node.flowEditMutex());
    if (!node.flowStore().flow(tenant, flowId)) {
        if (node.isFileFlow(flowId)) {
            return failure(ErrorCode::ValidationError,
                           "flow '" + flowId +
                               "' is loaded from the flows directory; remove its file instead",
                           flowId, ApiStatus{grpc::StatusCode::FAILED_PRECONDITION, 400});
        }
        return failure(ErrorCode::FlowNotFound, "flow '" + flowId + "' does not exist", flowId);
    }
    if (node.releases().inProgress(tenant, flowId)) {
        return failure(ErrorCode::ValidationError,
                       "flow '" + flowId +
                           "' has a rollout in progress; abort it (Releases) before archiving",
                       flowId, ApiStatus{grpc::StatusCode::FAILED_PRECONDITION, 409});
    }
    if (node.flowStore().archive(tenant, flowId) != FlowStoreStatus::Ok) {
        return failure(ErrorCode::StorageError, "cannot archive flow '" + flowId + "'", flowId);
    }
    node.flows().deactivate(flowId); // pinned conversations keep their version
    node.flowChanged(tenant, flowId);
    flowconv::toProto(*node.flowStore().flow(tenant, flowId), *out.mutable_flow());
    return std::nullopt;
}

FlowRejection listVersions(Node& node, const v1::ListVersionsRequest& request,
                           v1::ListVersionsResponse& out) {
    const std::string tenant = flowconv::tenantOf(request.tenant_id());
    const size_t limit = request.limit() == 0 ? 50 : std::min<uint32_t>(request.limit(), 1000);
    const auto stored = node.flowStore().flow(tenant, request.flow_id());
    if (!stored) {
        const auto entry = node.isFileFlow(request.flow_id())
                               ? node.flows().active(request.flow_id())
                               : std::nullopt;
        if (!entry) {
            return failure(ErrorCode::FlowNotFound,
                           "flow '" + request.flow_id() + "' does not exist", request.flow_id());
        }
        out.set_total(1);
        if (request.offset() == 0) {
            auto* version = out.add_versions();
            version->set_flow_id(entry->flowId);
            version->set_version(entry->version);
            version->set_revision(1);
            version->set_state(v1::VERSION_STATE_ACTIVE);
        }
        return std::nullopt;
    }
    const auto page = node.flowStore().versions(tenant, request.flow_id(), limit, request.offset());
    for (const auto& version : page.versions) {
        flowconv::toProto(version, *stored, *out.add_versions());
    }
    out.set_total(static_cast<uint32_t>(page.total));
    return std::nullopt;
}

} // namespace flowdeck::server
