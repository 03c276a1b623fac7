#include "flows_api.h"

#include "api_errors.h"

#include "flowdeck/engine/executor.h"
#include "flowdeck/engine/flow_json.h"
#include "flowdeck/engine/linter.h"

#include <algorithm>

namespace flowdeck::server {

namespace {

using engine::ErrorCode;

v1::Severity toProto(engine::Severity severity) {
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

template <class Out>
void addDiagnostics(const std::vector<engine::Diagnostic>& diagnostics, Out& out) {
    for (const auto& d : diagnostics) {
        auto* item = out.add_diagnostics();
        item->set_severity(toProto(d.severity));
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

void fillSummary(const engine::FlowRegistry::Entry& entry, v1::FlowSummary& out) {
    const engine::Flow& flow = engine::sourceFlow(*entry.compiled);
    out.set_flow_id(entry.flowId);
    out.set_name(flow.name);
    out.set_description(flow.description);
    out.set_status(v1::FLOW_STATUS_ACTIVE);
    out.set_active_version(entry.version);
    out.set_latest_version(entry.version);
    out.set_version_count(1);
}

} // namespace

Rejection validateFlow(const v1::ValidateFlowRequest& request, v1::ValidateFlowResponse& out) {
    if (request.flow().flow_json().empty()) {
        return makeError(ErrorCode::ValidationError,
                         "flow.flow_json is required: this server validates the JSON document "
                         "only (structured FlowDefinition fields are not supported yet)");
    }
    const auto result = engine::validateFlowText(request.flow().flow_json());
    out.set_valid(result.valid);
    addDiagnostics(result.diagnostics, out);
    for (const auto& d : result.diagnostics) {
        if (d.severity == engine::Severity::Error) {
            out.set_error_count(out.error_count() + 1);
        } else if (d.severity == engine::Severity::Warning) {
            out.set_warning_count(out.warning_count() + 1);
        }
    }
    return std::nullopt;
}

Rejection listFlows(Node& node, const v1::ListFlowsRequest& request, v1::ListFlowsResponse& out) {
    const uint32_t limit = request.limit() == 0 ? 50 : std::min<uint32_t>(request.limit(), 1000);
    const bool wantsActive = request.status() == v1::FLOW_STATUS_UNSPECIFIED ||
                             request.status() == v1::FLOW_STATUS_ACTIVE;
    uint32_t total = 0;
    for (const auto& flowId : node.flows().flowIds()) {
        const auto entry = node.flows().active(flowId);
        if (!entry || !wantsActive ||
            (!request.query().empty() && flowId.find(request.query()) == std::string::npos)) {
            continue;
        }
        if (total >= request.offset() && total - request.offset() < limit) {
            fillSummary(*entry, *out.add_flows());
        }
        ++total;
    }
    out.set_total(total);
    out.set_limit(limit);
    out.set_offset(request.offset());
    return std::nullopt;
}

Rejection getFlow(Node& node, const v1::GetFlowRequest& request, v1::GetFlowResponse& out) {
    const auto entry = request.version().empty()
                           ? node.flows().active(request.flow_id())
                           : node.flows().find(request.flow_id(), request.version());
    if (!entry) {
        return makeError(ErrorCode::FlowNotFound,
                         "flow '" + request.flow_id() + "'" +
                             (request.version().empty() ? "" : " version " + request.version()) +
                             " is not loaded");
    }
    const engine::Flow& flow = engine::sourceFlow(*entry->compiled);
    auto* definition = out.mutable_flow();
    definition->set_name(flow.name);
    definition->set_description(flow.description);
    definition->set_version(flow.version);
    definition->set_initial_state(flow.initialState);
    definition->set_error_state(flow.errorState);
    for (const auto& [key, target] : flow.globalHandlers) {
        (*definition->mutable_global_handlers())[key] = target;
    }
    definition->set_flow_json(engine::serializeFlow(flow));
    auto* version = out.mutable_version();
    version->set_flow_id(entry->flowId);
    version->set_version(entry->version);
    version->set_revision(1);
    version->set_state(v1::VERSION_STATE_ACTIVE);
    const auto diagnostics = engine::lintFlow(flow);
    for (const auto& d : diagnostics) {
        if (d.severity == engine::Severity::Warning) {
            version->set_warning_count(version->warning_count() + 1);
        }
    }
    fillSummary(*entry, *out.mutable_summary());
    addDiagnostics(diagnostics, out);
    return std::nullopt;
}

} // namespace flowdeck::server
