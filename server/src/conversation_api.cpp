#include "conversation_api.h"

#include "api_errors.h"

#include "flowdeck/engine/executor.h"

#include <algorithm>
#include <limits>

namespace flowdeck::server {

namespace {

using engine::ErrorCode;

std::optional<int> priorityOf(const std::string& text) {
    if (text.empty() || text == "normal") {
        return 0;
    }
    if (text == "low") {
        return -1;
    }
    if (text == "high") {
        return 1;
    }
    if (text == "urgent") {
        return 2;
    }
    return std::nullopt;
}

Rejection toEngine(const v1::ProcessMessageRequest& in,
                   std::optional<std::chrono::milliseconds> budget, engine::MessageRequest& out) {
    const auto priority = priorityOf(in.hints().priority());
    if (!priority) {
        return makeError(ErrorCode::ValidationError,
                         "hints.priority must be low, normal, high or urgent, not '" +
                             in.hints().priority() + "'");
    }
    out.tenantId = in.tenant_id();
    out.conversationId = in.conversation_id();
    out.content.type = in.content().type().empty() ? "text" : in.content().type();
    out.content.text = in.content().text();
    out.content.attributes.insert(in.content().attributes().begin(),
                                  in.content().attributes().end());
    out.metadata.insert(in.metadata().begin(), in.metadata().end());
    out.hints.priority = *priority;
    out.hints.bypassCache = in.hints().bypass_cache();
    out.hints.forceFlow = in.hints().force_flow();
    out.hints.timeoutMs = in.hints().timeout_ms();
    if (budget) {
        // A caller's deadline shorter than timeout_ms wins (docs: ProcessingHints.timeout_ms).
        const int64_t left = std::max<int64_t>(1, budget->count());
        out.hints.timeoutMs = out.hints.timeoutMs > 0 ? std::min(out.hints.timeoutMs, left) : left;
    }
    out.idempotencyKey = in.idempotency_key();
    out.includeTrace = in.include_trace();
    return std::nullopt;
}

void toProto(const engine::TraceEvent& event, v1::TraceEvent& out) {
    out.set_kind(static_cast<v1::TraceKind>(static_cast<int>(event.kind) + 1));
    out.set_state(event.state);
    if (event.transition >= 0) {
        out.set_transition(event.transition);
    }
    out.set_detail(event.detail);
    out.set_data(event.data);
    out.set_start_us(event.startUs);
    out.set_duration_us(event.durationUs);
}

void toProto(const engine::ProcessResult& result, const std::string& traceId,
             v1::ProcessMessageResponse& out) {
    out.set_conversation_id(result.conversationId);
    out.set_current_state(result.currentState);
    out.mutable_response()->set_type("text");
    out.mutable_response()->set_text(result.response);
    out.mutable_context_updates()->insert(result.contextUpdates.begin(),
                                          result.contextUpdates.end());
    for (const auto& action : result.actionsPerformed) {
        out.add_actions_performed(action);
    }
    out.set_processing_time_ms(static_cast<int32_t>(
        std::min<double>(result.processingTimeMs, std::numeric_limits<int32_t>::max())));
    out.set_ab_variant(result.abVariant);
    for (const auto& error : result.errors) {
        server::toProto(error, traceId, *out.add_errors());
    }
    for (const auto& event : result.trace) {
        toProto(event, *out.add_trace());
    }
    out.set_flow_id(result.flowId);
    out.set_flow_version(result.flowVersion);
    out.set_conversation_version(result.version);
    out.set_duplicate(result.duplicate);
    out.set_trace_id(traceId);
}

Rejection checkIds(const std::string& tenantId, const std::string& conversationId) {
    if (tenantId.empty() || conversationId.empty()) {
        return makeError(ErrorCode::ValidationError, "tenant_id and conversation_id are required");
    }
    return std::nullopt;
}

void addContext(const char* prefix, const engine::Json& object, v1::GetStateResponse& out) {
    if (!object.is_object()) {
        return;
    }
    for (const auto& [key, value] : object.items()) {
        (*out.mutable_context())[std::string(prefix) + key] =
            value.dump(-1, ' ', false, engine::Json::error_handler_t::replace);
    }
}

Rejection answer(Node& node, const engine::MessageRequest& message,
                 const engine::ProcessResult& result, const std::string& traceId,
                 v1::ProcessMessageResponse& out) {
    if (!result.errors.empty()) {
        node.reportEngineErrors(message, result, traceId); // WatchEvents: circuit breaks etc.
    }
    // Rejected before running (nothing stored): the call fails as a whole.
    if (!result.errors.empty() && !result.stored) {
        return result.errors.front();
    }
    toProto(result, traceId, out);
    return std::nullopt;
}

} // namespace

Rejection processMessage(Node& node, const v1::ProcessMessageRequest& request,
                         const std::string& traceId,
                         std::optional<std::chrono::milliseconds> budget,
                         v1::ProcessMessageResponse& out) {
    engine::MessageRequest message;
    if (auto rejected = toEngine(request, budget, message)) {
        return rejected;
    }
    return answer(node, message, node.engine().process(message), traceId, out);
}

bool tryProcessMessage(Node& node, const v1::ProcessMessageRequest& request,
                       const std::string& traceId, std::optional<std::chrono::milliseconds> budget,
                       v1::ProcessMessageResponse& out, Rejection& rejected) {
    engine::MessageRequest message;
    if ((rejected = toEngine(request, budget, message))) {
        return true;
    }
    auto result = node.engine().tryProcess(message);
    if (!result) {
        return false;
    }
    rejected = answer(node, message, *result, traceId, out);
    return true;
}

Rejection getConversationState(Node& node, const v1::GetStateRequest& request,
                               v1::GetStateResponse& out) {
    if (auto rejected = checkIds(request.tenant_id(), request.conversation_id())) {
        return rejected;
    }
    const size_t limit =
        request.history_limit() == 0 ? 50 : std::min<size_t>(request.history_limit(), 1000);
    auto view = node.engine().conversation(request.tenant_id(), request.conversation_id(),
                                           request.include_history() ? limit : 0);
    if (!view) {
        return makeError(ErrorCode::ConversationNotFound,
                         "conversation '" + request.conversation_id() + "' of tenant '" +
                             request.tenant_id() + "' does not exist");
    }
    const auto& state = view->state;
    out.set_conversation_id(state.conversationId);
    out.set_current_state(state.currentState);
    out.set_flow_id(state.flowId);
    out.set_flow_version(state.flowVersion);
    out.set_ab_variant(state.abVariant);
    out.set_conversation_version(state.version);
    out.set_created_at(state.createdAtMs);
    out.set_last_updated(state.updatedAtMs);
    if (request.include_context()) {
        addContext("slots.", state.slots, out);
        addContext("vars.", state.vars, out);
        addContext("user.", state.user, out);
    }
    for (const auto& message : view->history) {
        out.add_state_history(message.stateAfter);
        auto* item = out.add_messages();
        item->set_input(message.input);
        item->set_reply(message.reply);
        item->set_state_before(message.stateBefore);
        item->set_state_after(message.stateAfter);
        item->set_created_at(message.createdAtMs);
    }
    return std::nullopt;
}

Rejection resetConversation(Node& node, const v1::ResetRequest& request, v1::ResetResponse& out) {
    if (auto rejected = checkIds(request.tenant_id(), request.conversation_id())) {
        return rejected;
    }
    const std::string flowId =
        request.force_flow().empty() ? node.flows().defaultFlow() : request.force_flow();
    const auto flow = node.flows().active(flowId);
    if (!flow) {
        return makeError(ErrorCode::FlowNotFound, flowId.empty()
                                                      ? "no flow is deployed"
                                                      : "flow '" + flowId + "' is not deployed");
    }
    out.set_conversation_id(request.conversation_id());
    out.set_existed(node.engine().reset(request.tenant_id(), request.conversation_id()));
    out.set_flow_id(flow->flowId);
    out.set_current_state(engine::sourceFlow(*flow->compiled).initialState);
    out.mutable_response()->set_type("text");
    out.mutable_response()->set_text(node.engine().openingMessage(flowId).value_or(""));
    return std::nullopt;
}

} // namespace flowdeck::server
