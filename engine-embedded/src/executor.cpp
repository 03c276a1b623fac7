#include "flowdeck/engine/executor.h"

#include "exec_steps.h"
#include "flowdeck/engine/integration_gateway.h"

#include <cstdio>

// Executor::start/process: the loop that takes transitions until a state waits, and everything
// that makes a message all-or-nothing (limits, the circuit breaker, rollback, the error state).
namespace flowdeck::engine {

using exec::ExecFailure;
using exec::Run;

namespace {

// "1 MiB", "1.05 MiB", "64 KiB", "812 bytes"
std::string formatBytes(size_t bytes) {
    auto scaled = [](double value, const char* unit) {
        char text[48];
        std::snprintf(text, sizeof text, "%.2f", value);
        std::string number = text;
        while (number.back() == '0') {
            number.pop_back();
        }
        if (number.back() == '.') {
            number.pop_back();
        }
        return number + " " + unit;
    };
    if (bytes >= 1024 * 1024) {
        return scaled(static_cast<double>(bytes) / (1024.0 * 1024.0), "MiB");
    }
    if (bytes >= 1024) {
        return scaled(static_cast<double>(bytes) / 1024.0, "KiB");
    }
    return std::to_string(bytes) + " bytes";
}

// "<size>, limit is <limit>". Rounded sizes read best, but a size just over its limit rounds to
// the limit ("1 MiB, limit is 1 MiB"), so then both are also given in exact bytes.
std::string overLimit(size_t bytes, size_t limit) {
    std::string size = formatBytes(bytes);
    std::string max = formatBytes(limit);
    if (size == max) {
        size = std::to_string(bytes) + " bytes";
        max += " (" + std::to_string(limit) + " bytes)";
    }
    return size + ", limit is " + max;
}

size_t messageBytes(const InboundMessage& message) {
    size_t bytes = message.text.size();
    for (const auto& [key, value] : message.attributes) {
        bytes += key.size() + value.size();
    }
    return bytes;
}

// Moves to `target`, counting the transition against the circuit breaker.
void moveTo(Run& run, int target, int transition, std::string_view why) {
    const CompiledState& from = run.flow.state(run.current);
    if (run.transitions >= run.maxTransitions) {
        const std::string last = run.recentStates();
        throw ExecFailure{
            ErrorCode::CircularTransition,
            "stopped after " + std::to_string(run.transitions) +
                " transitions in one message (max_transitions_per_message), "
                "probably a loop of states that do not wait; last states: " +
                last,
            from.name,
            {{"last_states", last}, {"max_transitions", std::to_string(run.maxTransitions)}}};
    }
    run.checkDeadline(from);
    ++run.transitions;
    run.result.transitions = run.transitions;
    if (run.tracing()) {
        const std::string& to = run.flow.state(target).name;
        run.traceJson(
            TraceKind::TransitionTaken, from.index, transition,
            from.name + " -> " + to + " (" + std::string(why) + ")",
            {{"from", from.name}, {"to", to}, {"reason", why}, {"count", run.transitions}});
    }
    run.stepHook(target, from.index, transition);
    run.current = target;
}

void follow(Run& run, const CompiledTransition* t) {
    while (t != nullptr) {
        if (t->target < 0) {
            const CompiledState& from = run.flow.state(run.current);
            const std::string& name = t->source->target;
            throw ExecFailure{
                ErrorCode::StateError,
                "transition " + std::to_string(t->index) + " of state '" + from.name + "' " +
                    (name.empty() ? "has no target_state" : "goes to unknown state '" + name + "'"),
                from.name,
                {{"transition", std::to_string(t->index)}}};
        }
        if (t->condition == ConditionType::Fallback) {
            run.result.tookFallback = true;
        }
        moveTo(run, t->target, t->index, toString(t->condition));
        t = exec::enterState(run, t->target);
    }
}

// Global handlers answer on every user message, before the current state's transitions: by the
// message's intent (external, or the built-in classifier over the whole flow when some handler
// key is an intent) or by the message text itself ("cancel", "Cancel!").
const CompiledFlow::GlobalHandler* matchGlobalHandler(Run& run) {
    const auto& handlers = run.flow.globalHandlers();
    if (handlers.empty() || !run.hasInput()) {
        return nullptr;
    }
    const std::string normalized = normalizeText(run.input());
    const exec::IntentInfo* intent = run.knownIntent();
    if (intent == nullptr && run.flow.handlersNeedIntent()) {
        intent = &run.flowIntent();
    }
    for (const auto& handler : handlers) {
        const bool byText = !handler.normalized.empty() && handler.normalized == normalized;
        const bool byIntent = intent != nullptr && !intent->intent.empty() &&
                              intent->intent == handler.key &&
                              intent->confidence >= run.limits.intentThreshold;
        if (byText || byIntent) {
            return &handler;
        }
    }
    return nullptr;
}

void processMessage(Run& run) {
    const std::string& name = run.conversation.currentState;
    run.current = run.flow.find(name);
    if (run.current < 0) {
        throw ExecFailure{ErrorCode::StateError,
                          name.empty()
                              ? "the conversation has not been started (no current state)"
                              : "the conversation is in state '" + name + "', which flow '" +
                                    run.flow.flow().name + "' does not have",
                          name,
                          {}};
    }
    run.checkDeadline(run.flow.state(run.current));
    if (const auto* handler = matchGlobalHandler(run)) {
        if (handler->target < 0) {
            throw ExecFailure{ErrorCode::StateError,
                              "global handler '" + handler->key + "' goes to an unknown state",
                              name,
                              {}};
        }
        moveTo(run, handler->target, -1, "global handler '" + handler->key + "'");
        follow(run, exec::enterState(run, handler->target));
        return;
    }
    follow(run, exec::receiveMessage(run, run.current));
}

void startConversation(Run& run) {
    const int initial = run.flow.initialState();
    if (initial < 0) {
        const std::string& name = run.flow.flow().initialState;
        throw ExecFailure{ErrorCode::StateError,
                          name.empty() ? "flow '" + run.flow.flow().name + "' has no initial_state"
                                       : "initial_state '" + name + "' is not a state of flow '" +
                                             run.flow.flow().name + "'",
                          name,
                          {}};
    }
    run.current = initial;
    run.stepHook(initial, -1, -1);
    follow(run, exec::enterState(run, initial));
}

void finish(Run& run, const EngineLimits& limits) {
    run.conversation.currentState = run.flow.state(run.current).name;
    if (run.mutated()) {
        // Only a message that changed the context can have grown it.
        const size_t bytes = contextBytes(run.conversation);
        if (bytes > limits.maxContextBytes) {
            throw ExecFailure{ErrorCode::ContextTooLarge,
                              "conversation context would be " +
                                  overLimit(bytes, limits.maxContextBytes),
                              run.conversation.currentState,
                              {{"context_bytes", std::to_string(bytes)},
                               {"limit_bytes", std::to_string(limits.maxContextBytes)}}};
        }
        run.collectContextUpdates();
    }
    run.result.ok = true;
    run.result.stateAfter = run.conversation.currentState;
}

// The message failed: nothing it did stays. Failures of the message itself (too large, context
// too large) leave the conversation exactly as it was; failures while running the flow move it
// to the flow's error_state when there is one (its message becomes the reply).
void fail(Run& run, const std::string& stateBefore, ExecFailure failure) {
    ExecutionResult& result = run.result;
    run.restoreContext();
    run.conversation.currentState = stateBefore;
    result.reply.clear();
    result.actions.clear();
    result.contextUpdates.clear();
    EngineError error{failure.code, std::move(failure.message), std::move(failure.details), {}};
    if (!failure.state.empty()) {
        error.details["state"] = failure.state;
    }
    if (run.tracing()) {
        run.traceJson(TraceKind::Error, run.current, -1, error.message,
                      {{"code", toString(error.code)}, {"details", error.details}});
    }
    const int errorState = failure.aborted ? -1 : run.flow.errorState();
    if (categoryOf(error.code) != ErrorCode::ValidationError && errorState >= 0) {
        const CompiledState& target = run.flow.state(errorState);
        run.conversation.currentState = target.name;
        error.details["error_state"] = target.name;
        if (run.tracing()) {
            run.trace(TraceKind::StateEntered, errorState, -1,
                      "entered error state '" + target.name + "'");
        }
        if (const CompiledTemplate* text = run.flow.responseTemplate(target, run.options.locale)) {
            run.renderReply(target, *text, "response_templates");
        }
    }
    result.errors.push_back(std::move(error));
    result.ok = false;
    result.stateAfter = run.conversation.currentState;
}

template <typename Body> void execute(Run& run, const EngineLimits& limits, Body&& body) {
    const std::string stateBefore = run.conversation.currentState;
    try {
        body(run);
        finish(run, limits);
    } catch (ExecFailure& failure) {
        fail(run, stateBefore, std::move(failure));
    } catch (const std::exception& e) {
        fail(run, stateBefore,
             {ErrorCode::StateError, std::string("internal error: ") + e.what(), {}, {}});
    }
}

} // namespace

Executor::Executor(IntegrationGateway& gateway, EngineLimits limits)
    : m_gateway(gateway)
    , m_limits(std::move(limits)) {}

ExecutionResult Executor::start(const CompiledFlow& flow, ConversationState& state,
                                const ExecutionOptions& options) const {
    ExecutionResult result;
    result.stateBefore = state.currentState;
    Run run(flow, m_limits, m_gateway, state, nullptr, options, result);
    execute(run, m_limits, startConversation);
    return result;
}

ExecutionResult Executor::process(const CompiledFlow& flow, ConversationState& state,
                                  const InboundMessage& message,
                                  const ExecutionOptions& options) const {
    ExecutionResult result;
    result.stateBefore = state.currentState;
    result.stateAfter = state.currentState;
    const size_t bytes = messageBytes(message);
    if (bytes > m_limits.maxMessageBytes) {
        result.ok = false;
        result.errors.push_back({ErrorCode::MessageTooLarge,
                                 "message is " + overLimit(bytes, m_limits.maxMessageBytes),
                                 {{"message_bytes", std::to_string(bytes)},
                                  {"limit_bytes", std::to_string(m_limits.maxMessageBytes)},
                                  {"state", state.currentState}},
                                 {}});
        return result;
    }
    Run run(flow, m_limits, m_gateway, state, &message, options, result);
    if (run.tracing()) {
        run.traceJson(
            TraceKind::MessageReceived, flow.find(state.currentState), -1,
            "message (" + message.type + "): \"" + exec::excerpt(message.text) + "\"",
            {{"type", message.type}, {"text", message.text}, {"attributes", message.attributes}});
    }
    execute(run, m_limits, processMessage);
    return result;
}

} // namespace flowdeck::engine
