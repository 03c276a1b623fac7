#include "flows_api.h"

#include "flowdeck/engine/executor.h"
#include "flowdeck/engine/flow_json.h"
#include "flowdeck/engine/linter.h"
#include "flowdeck/v1/common.pb.h"

#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/time_util.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>

namespace flowdeck::server {

namespace {

using engine::ErrorCode;
using google::protobuf::util::TimeUtil;

v1::Severity severityToProto(engine::Severity severity) {
    switch (severity) {
    case engine::Severity::Error:
        return v1::SEVERITY_ERROR;
    case engine::Severity::Warning:
        return v1::SEVERITY_WARNING;
    case engine::Severity::Info:
        return v1::SEVERITY_INFO;
    }
    return v1::SEVERITY_UNSPECIFIED;
}

void countFindings(const std::vector<engine::Diagnostic>& diagnostics, uint32_t* errors,
                   uint32_t* warnings) {
    for (const auto& d : diagnostics) {
        *errors += d.severity == engine::Severity::Error ? 1 : 0;
        *warnings += d.severity == engine::Severity::Warning ? 1 : 0;
    }
}

// A flow loaded from the flows directory and not in the store: one active version.
void fileSummary(const engine::FlowRegistry::Entry& entry, v1::FlowSummary& out) {
    const engine::Flow& flow = engine::sourceFlow(*entry.compiled);
    out.set_flow_id(entry.flowId);
    out.set_name(flow.name);
    out.set_description(flow.description);
    out.set_status(v1::FLOW_STATUS_ACTIVE);
    out.set_active_version(entry.version);
    out.set_latest_version(entry.version);
    out.set_version_count(1);
}

void fillDefinition(const engine::Flow& flow, const std::string& json,
                    v1::FlowDefinition& definition) {
    definition.set_name(flow.name);
    definition.set_description(flow.description);
    definition.set_version(flow.version);
    definition.set_initial_state(flow.initialState);
    definition.set_error_state(flow.errorState);
    for (const auto& [key, target] : flow.globalHandlers) {
        (*definition.mutable_global_handlers())[key] = target;
    }
    // The document's keys are the message's field names (flowconv::documentOf goes the other
    // way), so the states and settings come from reading the document as the message.
    v1::FlowDefinition read;
    google::protobuf::util::JsonParseOptions options;
    options.ignore_unknown_fields = true;
    if (google::protobuf::util::JsonStringToMessage(json, &read, options).ok()) {
        definition.mutable_states()->swap(*read.mutable_states());
        if (read.has_settings()) {
            definition.mutable_settings()->Swap(read.mutable_settings());
        }
    }
    definition.set_flow_json(json);
}

bool contains(const std::string& haystack, const std::string& needle) {
    const auto lower = [](char c) { return std::tolower(static_cast<unsigned char>(c)); };
    return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end(),
                       [&](char a, char b) { return lower(a) == lower(b); }) != haystack.end();
}

bool matches(const v1::ListFlowsRequest& request, const v1::FlowSummary& summary) {
    const bool statusOk = request.status() == v1::FLOW_STATUS_UNSPECIFIED
                              ? summary.status() != v1::FLOW_STATUS_ARCHIVED
                              : summary.status() == request.status();
    return statusOk && (request.query().empty() || contains(summary.flow_id(), request.query()) ||
                        contains(summary.name(), request.query()));
}

// What the node knows beside the flow's stored versions: the canary in progress and when a
// message last ran through the flow (node.flowLastUsed()).
void addLiveFacts(Node& node, const std::string& flowId, v1::FlowSummary& summary,
                  const std::map<std::string, int64_t>& lastUsed) {
    if (const auto split = node.flows().split(flowId)) {
        summary.set_canary_version(split->canaryVersion);
    }
    if (const auto it = lastUsed.find(flowId); it != lastUsed.end()) {
        *summary.mutable_last_used() =
            google::protobuf::util::TimeUtil::MillisecondsToTimestamp(it->second);
    }
}

Rejection getFileFlow(Node& node, const v1::GetFlowRequest& request, v1::GetFlowResponse& out) {
    const auto entry = request.version().empty()
                           ? node.flows().active(request.flow_id())
                           : node.flows().find(request.flow_id(), request.version());
    if (!entry || !node.isFileFlow(request.flow_id())) {
        return makeError(ErrorCode::FlowNotFound,
                         "flow '" + request.flow_id() + "'" +
                             (request.version().empty() ? "" : " version " + request.version()) +
                             " is not stored or loaded");
    }
    const engine::Flow& flow = engine::sourceFlow(*entry->compiled);
    fillDefinition(flow, engine::serializeFlow(flow), *out.mutable_flow());
    auto* version = out.mutable_version();
    version->set_flow_id(entry->flowId);
    version->set_version(entry->version);
    version->set_revision(1);
    version->set_state(v1::VERSION_STATE_ACTIVE);
    const auto diagnostics = engine::lintFlow(flow);
    uint32_t errors = 0;
    uint32_t warnings = 0;
    countFindings(diagnostics, &errors, &warnings);
    version->set_error_count(errors);
    version->set_warning_count(warnings);
    version->set_digest(engine::flowDigest(out.flow().flow_json()));
    fileSummary(*entry, *out.mutable_summary());
    addLiveFacts(node, request.flow_id(), *out.mutable_summary(), node.flowLastUsed());
    flowconv::toProto(diagnostics, *out.mutable_diagnostics());
    return std::nullopt;
}

} // namespace

namespace flowconv {

std::string tenantOf(const std::string& tenantId) {
    return tenantId.empty() ? "default" : tenantId;
}

bool documentOf(const v1::FlowDefinition& definition, std::string* json, std::string* error) {
    namespace pbu = google::protobuf::util;
    if (!definition.flow_json().empty()) {
        *json = definition.flow_json();
        return true;
    }
    if (definition.states().empty() && definition.initial_state().empty()) {
        *error = "flow has no document: set flow.flow_json, or the structured fields (at least "
                 "initial_state and states)";
        return false;
    }
    // The proto's field names are the document's keys (resources/schema/flow.schema.json), and
    // a Struct prints as the JSON object it holds, so the JSON form of the message is the
    // document. Unset fields are left out; the parser and linter then judge it like any other.
    pbu::JsonPrintOptions options;
    options.preserve_proto_field_names = true;
    const auto status = pbu::MessageToJsonString(definition, json, options);
    if (!status.ok()) {
        *error = "the structured flow fields cannot be written as JSON: " +
                 std::string(status.message());
        return false;
    }
    return true;
}

void toProto(const std::vector<engine::Diagnostic>& diagnostics,
             google::protobuf::RepeatedPtrField<v1::Diagnostic>& out) {
    for (const auto& d : diagnostics) {
        auto* item = out.Add();
        item->set_severity(severityToProto(d.severity));
        item->set_code(d.code);
        item->set_pointer(d.pointer);
        item->set_state(d.state);
        if (d.transition) {
            item->set_transition(*d.transition);
        }
        item->set_message(d.message);
        item->set_line(d.line);
        item->set_column(d.column);
    }
}

void toProto(const engine::StoredFlowVersion& version, const engine::StoredFlow& flow,
             v1::FlowVersion& out) {
    out.set_flow_id(version.flowId);
    out.set_version(version.version);
    out.set_revision(version.revision);
    *out.mutable_created_at() = TimeUtil::MillisecondsToTimestamp(version.createdAtMs);
    out.set_created_by(version.createdBy);
    out.set_change_note(version.changeNote);
    out.set_state(version.version == flow.activeVersion ? v1::VERSION_STATE_ACTIVE
                  : version.published                   ? v1::VERSION_STATE_RETIRED
                                                        : v1::VERSION_STATE_DRAFT);
    out.set_error_count(version.errorCount);
    out.set_warning_count(version.warningCount);
    out.set_digest(version.digest);
    out.set_base_version(version.baseVersion);
}

void toProto(const engine::StoredFlow& flow, v1::FlowSummary& out) {
    out.set_flow_id(flow.flowId);
    out.set_name(flow.name);
    out.set_description(flow.description);
    out.set_status(flow.archived                ? v1::FLOW_STATUS_ARCHIVED
                   : flow.activeVersion.empty() ? v1::FLOW_STATUS_DRAFT
                                                : v1::FLOW_STATUS_ACTIVE);
    out.set_active_version(flow.activeVersion);
    out.set_latest_version(flow.latestVersion);
    out.set_version_count(static_cast<uint32_t>(flow.versionCount));
    *out.mutable_created_at() = TimeUtil::MillisecondsToTimestamp(flow.createdAtMs);
    *out.mutable_updated_at() = TimeUtil::MillisecondsToTimestamp(flow.updatedAtMs);
}

} // namespace flowconv

ApiStatus statusOf(const FlowFailure& failure) {
    return failure.status ? *failure.status : statusFor(failure.error.code);
}

grpc::Status grpcError(const FlowFailure& failure, const std::string& traceId) {
    const ApiStatus status = statusOf(failure);
    v1::Error detail;
    toProto(failure.error, traceId, detail);
    v1::ErrorStatus envelope;
    envelope.set_code(status.grpc);
    envelope.set_message(failure.error.message);
    envelope.add_details()->PackFrom(detail);
    if (!failure.diagnostics.empty()) {
        v1::DiagnosticList list;
        flowconv::toProto(failure.diagnostics, *list.mutable_diagnostics());
        envelope.add_details()->PackFrom(list);
    }
    return {status.grpc, failure.error.message, envelope.SerializeAsString()};
}

std::string httpErrorBody(const FlowFailure& failure, const std::string& traceId) {
    nlohmann::json body = nlohmann::json::parse(httpErrorBody(failure.error, traceId));
    if (!failure.diagnostics.empty()) {
        auto& list = body["error"]["diagnostics"] = nlohmann::json::array();
        for (const auto& d : failure.diagnostics) {
            nlohmann::json item = {{"severity", engine::toString(d.severity)},
                                   {"code", d.code},
                                   {"pointer", d.pointer},
                                   {"state", d.state},
                                   {"message", d.message}};
            if (d.line > 0) {
                item["line"] = d.line;
                item["column"] = d.column;
            }
            list.push_back(std::move(item));
        }
    }
    return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Rejection validateFlow(const v1::ValidateFlowRequest& request, v1::ValidateFlowResponse& out) {
    std::string json;
    std::string why;
    if (!flowconv::documentOf(request.flow(), &json, &why)) {
        return makeError(ErrorCode::ValidationError, why);
    }
    const auto result = engine::validateFlowText(json);
    out.set_valid(result.valid);
    flowconv::toProto(result.diagnostics, *out.mutable_diagnostics());
    uint32_t errors = 0;
    uint32_t warnings = 0;
    countFindings(result.diagnostics, &errors, &warnings);
    out.set_error_count(errors);
    out.set_warning_count(warnings);
    return std::nullopt;
}

Rejection listFlows(Node& node, const v1::ListFlowsRequest& request, v1::ListFlowsResponse& out) {
    const uint32_t limit = request.limit() == 0 ? 50 : std::min<uint32_t>(request.limit(), 1000);
    std::map<std::string, v1::FlowSummary> all; // by flow id: the listing's order
    for (const auto& flowId : node.flows().flowIds()) {
        const auto entry = node.flows().active(flowId);
        if (entry && node.isFileFlow(flowId)) {
            fileSummary(*entry, all[flowId]);
        }
    }
    for (const auto& stored : node.flowStore().flows(flowconv::tenantOf(request.tenant_id()))) {
        v1::FlowSummary& summary = all[stored.flowId];
        summary.Clear(); // a stored flow wins over a file's flow of the same id
        flowconv::toProto(stored, summary);
    }
    const auto lastUsed = node.flowLastUsed();
    for (auto& [id, summary] : all) {
        addLiveFacts(node, id, summary, lastUsed);
    }
    uint32_t total = 0;
    for (auto& [id, summary] : all) {
        if (!matches(request, summary)) {
            continue;
        }
        if (total >= request.offset() && total - request.offset() < limit) {
            out.add_flows()->Swap(&summary);
        }
        ++total;
    }
    out.set_total(total);
    out.set_limit(limit);
    out.set_offset(request.offset());
    return std::nullopt;
}

Rejection getFlow(Node& node, const v1::GetFlowRequest& request, v1::GetFlowResponse& out) {
    const std::string tenant = flowconv::tenantOf(request.tenant_id());
    const auto stored = node.flowStore().flow(tenant, request.flow_id());
    if (!stored) {
        return getFileFlow(node, request, out);
    }
    const std::string wanted = !request.version().empty()       ? request.version()
                               : !stored->activeVersion.empty() ? stored->activeVersion
                                                                : stored->latestVersion;
    const auto version = node.flowStore().version(tenant, request.flow_id(), wanted);
    if (!version) {
        return makeError(ErrorCode::FlowNotFound,
                         "flow '" + request.flow_id() + "' has no version '" + wanted + "'");
    }
    auto parsed = engine::parseFlow(version->flowJson);
    auto diagnostics = parsed.diagnostics;
    if (parsed.flow) {
        const auto lint = engine::lintFlow(*parsed.flow);
        diagnostics.insert(diagnostics.end(), lint.begin(), lint.end());
        fillDefinition(*parsed.flow, version->flowJson, *out.mutable_flow());
    } else {
        out.mutable_flow()->set_flow_json(version->flowJson);
    }
    flowconv::toProto(*version, *stored, *out.mutable_version());
    flowconv::toProto(*stored, *out.mutable_summary());
    addLiveFacts(node, request.flow_id(), *out.mutable_summary(), node.flowLastUsed());
    flowconv::toProto(diagnostics, *out.mutable_diagnostics());
    return std::nullopt;
}

} // namespace flowdeck::server
