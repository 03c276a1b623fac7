#include "linter_context.h"

// Names that must resolve: the initial state, the error state, every transition target and every
// global handler target; and conditions that lack what they need to be evaluated.
namespace flowdeck::engine::lint {
namespace {

std::string transitionLabel(const State& state, size_t index) {
    return "Transition " + std::to_string(index) + " of " + quote(state.name);
}

void checkFlowReferences(LintContext& context) {
    const Flow& flow = context.flow();
    if (flow.initialState.empty()) {
        context.report(kFlowLevel, Severity::Error, "MISSING_INITIAL_STATE", "/initial_state",
                       std::nullopt,
                       "The flow has no initial state: set \"initial_state\" to the state where "
                       "conversations begin.");
    } else if (!context.hasState(flow.initialState)) {
        context.report(kFlowLevel, Severity::Error, "UNKNOWN_INITIAL_STATE", "/initial_state",
                       std::nullopt,
                       "The initial state " + quote(flow.initialState) + " does not exist." +
                           context.suggestState(flow.initialState));
    }
    if (!flow.errorState.empty() && !context.hasState(flow.errorState)) {
        context.report(kFlowLevel, Severity::Error, "UNKNOWN_ERROR_STATE", "/error_state",
                       std::nullopt,
                       "The error state " + quote(flow.errorState) +
                           " does not exist, so a failed message would have nowhere to go." +
                           context.suggestState(flow.errorState));
    }
    for (const auto& [key, target] : flow.globalHandlers) {
        const std::string pointer = "/global_handlers/" + escapePointerToken(key);
        if (target.empty()) {
            context.report(kFlowLevel, Severity::Error, "MISSING_TARGET", pointer, std::nullopt,
                           "The global handler " + quote(key) + " has no target state.");
        } else if (!context.hasState(target)) {
            context.report(kFlowLevel, Severity::Error, "UNKNOWN_TARGET", pointer, std::nullopt,
                           "The global handler " + quote(key) + " goes to " + quote(target) +
                               ", which does not exist." + context.suggestState(target));
        }
    }
}

void checkTarget(LintContext& context, int stateIndex, const State& state, size_t i) {
    const Transition& t = state.transitions[i];
    const auto index = static_cast<int>(i);
    if (t.target.empty()) {
        context.report(stateIndex, Severity::Error, "MISSING_TARGET", transitionPointer(state, i),
                       index,
                       transitionLabel(state, i) + " (" + std::string(toString(t.condition)) +
                           ") has no target state: set \"target_state\".");
    } else if (!context.hasState(t.target)) {
        context.report(stateIndex, Severity::Error, "UNKNOWN_TARGET",
                       transitionPointer(state, i) + "/target_state", index,
                       transitionLabel(state, i) + " goes to " + quote(t.target) +
                           ", which does not exist." + context.suggestState(t.target));
    }
}

bool isBlank(std::string_view text) {
    return text.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

void checkCondition(LintContext& context, int stateIndex, const State& state, size_t i) {
    const Transition& t = state.transitions[i];
    const auto index = static_cast<int>(i);
    const auto pointer = [&] { return transitionPointer(state, i); };
    if (t.condition == ConditionType::IntentMatch && isBlank(t.conditionValue)) {
        context.report(stateIndex, Severity::Error, "INVALID_CONDITION", pointer(), index,
                       transitionLabel(state, i) +
                           " matches an intent but names none: set \"condition_value\" to the "
                           "intent's name.");
    } else if (t.condition == ConditionType::Expression && isBlank(t.expression)) {
        context.report(stateIndex, Severity::Error, "INVALID_CONDITION", pointer(), index,
                       transitionLabel(state, i) +
                           " is an expression condition without an \"expression\" to evaluate.");
    } else if ((t.condition == ConditionType::OnSuccess ||
                t.condition == ConditionType::OnFailure) &&
               state.type != StateType::Integration) {
        context.report(
            stateIndex, Severity::Error, "INVALID_CONDITION", pointer() + "/condition", index,
            transitionLabel(state, i) + " waits for " + std::string(toString(t.condition)) +
                ", which only integration states produce; " + quote(state.name) + " is a " +
                std::string(toString(state.type)) + " state, so it never fires.");
    }
}

} // namespace

void checkReferences(LintContext& context) {
    checkFlowReferences(context);
    const auto& states = context.flow().states;
    for (size_t s = 0; s < states.size(); ++s) {
        for (size_t i = 0; i < states[s].transitions.size(); ++i) {
            checkTarget(context, static_cast<int>(s), states[s], i);
            checkCondition(context, static_cast<int>(s), states[s], i);
        }
    }
}

} // namespace flowdeck::engine::lint
