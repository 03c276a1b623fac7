#include "exec_steps.h"

namespace flowdeck::engine::exec {
namespace {

void traceWaiting(Run& run, const CompiledState& state, std::string detail) {
    if (run.tracing()) {
        run.trace(TraceKind::Waiting, state.index, -1, std::move(detail));
    }
}

void renderResponse(Run& run, const CompiledState& state) {
    if (const CompiledTemplate* text = run.flow.responseTemplate(state, run.options.locale)) {
        run.renderReply(state, *text, "response_templates");
    }
}

[[noreturn]] void deadEnd(const CompiledState& state) {
    throw ExecFailure{ErrorCode::StateError,
                      "state '" + state.name + "' (" + std::string(toString(state.type)) +
                          ") does not wait for input and none of its transitions matched; add a "
                          "fallback transition",
                      state.name,
                      {}};
}

const CompiledTransition* onward(Run& run, const CompiledState& state, Visit& visit) {
    if (const CompiledTransition* t = selectTransition(run, state, visit)) {
        return t;
    }
    deadEnd(state);
}

const CompiledTransition* enterIntent(Run& run, const CompiledState& state) {
    run.intentFor(state); // classify now, so the trace shows it even when no condition asks
    Visit visit;
    return onward(run, state, visit);
}

const CompiledTransition* enterScript(Run& run, const CompiledState& state) {
    const int64_t start = run.elapsedUs();
    const LuaOutcome outcome = run.runScript(state);
    if (run.tracing()) {
        run.traceJson(TraceKind::ScriptRun, state.index, -1,
                      outcome.ok ? "script ran" : "script failed: " + outcome.error,
                      {{"ok", outcome.ok},
                       {"error", outcome.error},
                       {"timed_out", outcome.timedOut},
                       {"budget_exceeded", outcome.budgetExceeded},
                       {"memory_exceeded", outcome.memoryExceeded}},
                      start, run.elapsedUs() - start);
    }
    Visit visit;
    visit.scriptFailed = !outcome.ok;
    visit.timedOut = outcome.timedOut;
    if (outcome.timedOut) {
        run.checkDeadline(state);
    }
    if (const CompiledTransition* t = selectTransition(run, state, visit)) {
        return t;
    }
    if (outcome.ok) {
        deadEnd(state);
    }
    // A failed script is handled by an on_failure (or, when it timed out, a timeout) transition.
    // A fallback does not count: it is the designer's "otherwise" branch for a script that ran,
    // and taking it after a failure would carry on with variables that were never set.
    throw ExecFailure{outcome.timedOut ? ErrorCode::TimeoutError : ErrorCode::ExpressionError,
                      "the script of state '" + state.name + "' failed: " + outcome.error,
                      state.name,
                      {{"script_error", outcome.error}}};
}

const CompiledTransition* enterIntegration(Run& run, const CompiledState& state) {
    Visit visit;
    visit.outcome = callIntegration(run, state);
    visit.timedOut = visit.outcome == CallOutcome::TimedOut;
    if (const CompiledTransition* t = selectTransition(run, state, visit)) {
        return t;
    }
    if (visit.outcome == CallOutcome::Success) {
        deadEnd(state);
    }
    const std::string& name = state.integration->name;
    throw ExecFailure{ErrorCode::IntegrationError,
                      "integration '" + name + "' " + (visit.timedOut ? "timed out" : "failed") +
                          " in state '" + state.name + "', which has no on_failure transition",
                      state.name,
                      {{"integration", name}}};
}

const CompiledTransition* enterSlotFilling(Run& run, const CompiledState& state) {
    renderResponse(run, state);
    // The message that leads here may already hold this state's values ("where is my order
    // AB-12345"). But when it was the answer to a previous state's question, it is not an answer
    // to questions not yet asked: "yes, ana@example.com" gives the email, and must not also say
    // yes to a confirmation the user has not seen.
    if (!run.filledSlots) {
        extractSlots(run, state, -1);
    }
    Visit visit;
    visit.mode = EvalMode::Entry;
    const int missing = firstMissingRequired(run.conversation.slots, state);
    visit.requiredMissing = missing >= 0;
    if (const CompiledTransition* t = selectTransition(run, state, visit)) {
        return t;
    }
    if (missing >= 0) {
        promptForSlot(run, state, missing);
    }
    traceWaiting(run, state, "waiting for input");
    return nullptr;
}

// No transition matched a message: the conversation stays, and says so.
void stay(Run& run, const CompiledState& state) {
    traceWaiting(run, state, "no transition matched; staying in '" + state.name + "'");
    if (state.noMatch) {
        run.renderReply(state, *state.noMatch, "no_match");
    } else {
        renderResponse(run, state);
    }
}

} // namespace

const CompiledTransition* enterState(Run& run, int index) {
    const CompiledState& state = run.flow.state(index);
    run.current = index;
    run.noteVisited(index);
    if (run.tracing()) {
        run.traceJson(TraceKind::StateEntered, index, -1,
                      "entered '" + state.name + "' (" + std::string(toString(state.type)) + ")",
                      {{"type", toString(state.type)}});
    }
    switch (state.type) {
    case StateType::Response:
    case StateType::End:
        renderResponse(run, state);
        traceWaiting(run, state, "waiting for input");
        return nullptr;
    case StateType::Handoff:
        renderResponse(run, state);
        run.result.actions.push_back("handoff:" + state.queue);
        traceWaiting(run, state, "handed off to queue '" + state.queue + "'");
        return nullptr;
    case StateType::SlotFilling:
        return enterSlotFilling(run, state);
    case StateType::Intent:
        return enterIntent(run, state);
    case StateType::Condition: {
        Visit visit;
        return onward(run, state, visit);
    }
    case StateType::Script:
        return enterScript(run, state);
    case StateType::Integration:
        return enterIntegration(run, state);
    }
    return nullptr;
}

const CompiledTransition* receiveMessage(Run& run, int index) {
    const CompiledState& state = run.flow.state(index);
    if (!isWaiting(state.type)) {
        // Only reachable when the conversation was parked in a state that does not wait (an
        // error_state of that kind, or a flow changed under it): run it as if just entered.
        return enterState(run, index);
    }
    Visit visit;
    visit.mode = run.isTimeoutEvent() ? EvalMode::TimeoutEvent : EvalMode::Message;
    if (state.type == StateType::SlotFilling && run.hasInput()) {
        extractSlots(run, state, firstMissingRequired(run.conversation.slots, state));
        visit.requiredMissing = firstMissingRequired(run.conversation.slots, state) >= 0;
    }
    if (const CompiledTransition* t = selectTransition(run, state, visit)) {
        return t;
    }
    if (run.isTimeoutEvent()) {
        traceWaiting(run, state, "idle event and no timeout transition; staying quietly");
        return nullptr;
    }
    const int missing = state.type == StateType::SlotFilling
                            ? firstMissingRequired(run.conversation.slots, state)
                            : -1;
    if (missing >= 0) {
        promptForSlot(run, state, missing);
        traceWaiting(run, state,
                     "waiting for slot '" + state.slots[static_cast<size_t>(missing)].spec.name +
                         "'");
        return nullptr;
    }
    stay(run, state);
    return nullptr;
}

} // namespace flowdeck::engine::exec
