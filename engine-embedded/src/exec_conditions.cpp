#include "exec_steps.h"

#include <cstdio>

namespace flowdeck::engine::exec {
namespace {

// What a condition looked at and what it concluded, for the trace only.
struct Verdict {
    bool holds = false;
    std::string detail; // filled only when tracing
    Json inputs;        // null until tracing fills it: no allocation on the hot path
};

std::string yesNo(bool value) {
    return value ? "true" : "false";
}

Verdict anyInput(const Run& run, const Visit& visit) {
    Verdict v;
    v.holds = run.hasInput() && visit.mode != EvalMode::Entry;
    if (run.tracing()) {
        v.detail = !run.hasInput()                 ? "no user input"
                   : visit.mode == EvalMode::Entry ? "the message was consumed entering the state"
                                                   : "user input present";
    }
    return v;
}

Verdict intentMatch(Run& run, const CompiledState& state, const CompiledTransition& t) {
    Verdict v;
    if (!run.hasInput()) {
        if (run.tracing()) {
            v.detail = "no user input to classify";
        }
        return v;
    }
    const IntentInfo& info = run.intentFor(state);
    const double threshold = run.thresholdFor(state);
    const std::string& wanted = t.source->conditionValue;
    v.holds = !info.intent.empty() && info.intent == wanted && info.confidence >= threshold;
    if (run.tracing()) {
        char numbers[96];
        std::snprintf(numbers, sizeof numbers, " (confidence %.2f %s threshold %.2f)",
                      info.confidence, info.confidence >= threshold ? ">=" : "<", threshold);
        v.detail = "intent " +
                   (info.intent.empty() ? std::string("none") : "'" + info.intent + "'") + numbers +
                   ", wanted '" + wanted + "'";
        v.inputs = {
            {"intent", info.intent}, {"confidence", info.confidence}, {"threshold", threshold}};
    }
    return v;
}

Verdict slotFilledCondition(const Run& run, const CompiledState& state,
                            const CompiledTransition& t) {
    Verdict v;
    const std::string& name = t.source->conditionValue;
    const Json& slots = run.conversation.slots;
    if (name.empty()) {
        const int missing = firstMissingRequired(slots, state);
        v.holds = missing < 0;
        if (run.tracing()) {
            v.detail = v.holds
                           ? "all required slots are filled"
                           : "required slot '" +
                                 state.slots[static_cast<size_t>(missing)].spec.name + "' is empty";
        }
        return v;
    }
    v.holds = slotFilled(slots, name);
    if (run.tracing()) {
        v.detail = "slot '" + name + "' is " + (v.holds ? "filled" : "empty");
        const auto it = slots.find(name);
        v.inputs["slot"] = name;
        v.inputs["value"] = it == slots.end() ? Json() : *it;
    }
    return v;
}

Verdict expression(Run& run, const CompiledState& state, const CompiledTransition& t) {
    Verdict v;
    const LuaOutcome outcome = run.evaluateExpression(state, t);
    v.holds = outcome.ok && outcome.value;
    if (run.tracing()) {
        v.detail =
            "`" + excerpt(t.source->expression, 120) + "` -> " +
            (outcome.ok ? yesNo(outcome.value) : "error, counted as false: " + outcome.error);
        v.inputs = {{"expression", t.source->expression}, {"ok", outcome.ok}};
        if (outcome.ok) {
            v.inputs["value"] = outcome.value;
        } else {
            v.inputs["error"] = outcome.error;
        }
    }
    if (!outcome.ok && outcome.timedOut) {
        run.checkDeadline(state); // out of the message's time: that ends the message
    }
    return v;
}

Verdict timeout(const Run& run, const Visit& visit) {
    Verdict v;
    v.holds = run.isTimeoutEvent() || visit.timedOut;
    if (run.tracing()) {
        v.detail = run.isTimeoutEvent() ? "idle timeout event received"
                   : visit.timedOut     ? "the state's work timed out"
                                        : "nothing timed out";
    }
    return v;
}

Verdict callOutcome(const Run& run, const CompiledState& state, const CompiledTransition& t,
                    const Visit& visit) {
    Verdict v;
    const bool timedOutAsFailure =
        visit.outcome == CallOutcome::TimedOut && !state.hasTimeoutTransition;
    if (t.condition == ConditionType::OnSuccess) {
        v.holds = visit.outcome == CallOutcome::Success;
    } else {
        v.holds = visit.outcome == CallOutcome::Failure || timedOutAsFailure || visit.scriptFailed;
    }
    if (run.tracing()) {
        switch (visit.outcome) {
        case CallOutcome::None:
            v.detail = visit.scriptFailed ? "the script failed" : "no integration call was made";
            break;
        case CallOutcome::Success:
            v.detail = "the call succeeded";
            break;
        case CallOutcome::Failure:
            v.detail = "the call failed";
            break;
        case CallOutcome::TimedOut:
            v.detail = timedOutAsFailure ? "the call timed out (no timeout transition: a failure)"
                                         : "the call timed out";
            break;
        }
    }
    return v;
}

Verdict evaluate(Run& run, const CompiledState& state, const CompiledTransition& t, Visit& visit) {
    switch (t.condition) {
    case ConditionType::AnyInput:
        return anyInput(run, visit);
    case ConditionType::IntentMatch:
        return intentMatch(run, state, t);
    case ConditionType::SlotFilled:
        return slotFilledCondition(run, state, t);
    case ConditionType::Expression:
        return expression(run, state, t);
    case ConditionType::Timeout:
        return timeout(run, visit);
    case ConditionType::OnSuccess:
    case ConditionType::OnFailure:
        return callOutcome(run, state, t, visit);
    case ConditionType::Fallback:
        break;
    }
    return {};
}

void traceVerdict(Run& run, const CompiledState& state, const CompiledTransition& t,
                  Verdict& verdict, int64_t start) {
    const std::string condition(toString(t.condition));
    Json data = {{"condition", condition},
                 {"value", t.source->conditionValue},
                 {"target", t.source->target},
                 {"priority", t.priority},
                 {"result", verdict.holds}};
    if (verdict.inputs.is_object()) {
        data["inputs"] = std::move(verdict.inputs);
    }
    std::string label = condition;
    if (!t.source->conditionValue.empty()) {
        label += " '" + t.source->conditionValue + "'";
    }
    run.traceJson(TraceKind::ConditionEvaluated, state.index, t.index,
                  label + ": " + verdict.detail + " -> " + yesNo(verdict.holds), data, start,
                  run.elapsedUs() - start);
}

} // namespace

const CompiledTransition* selectTransition(Run& run, const CompiledState& state, Visit& visit) {
    for (const CompiledTransition& t : state.ordered) {
        if (visit.mode == EvalMode::TimeoutEvent && t.condition != ConditionType::Timeout) {
            continue; // an idle event is not input: only `timeout` transitions hear it
        }
        const int64_t start = run.tracing() ? run.elapsedUs() : 0;
        Verdict verdict = evaluate(run, state, t, visit);
        if (run.tracing()) {
            traceVerdict(run, state, t, verdict, start);
        }
        if (verdict.holds) {
            return &t;
        }
    }
    // A failed script does not take the fallback (see enterScript): only on_failure or timeout.
    if (!state.fallback || visit.mode == EvalMode::TimeoutEvent || visit.requiredMissing ||
        visit.scriptFailed) {
        return nullptr;
    }
    if (run.tracing()) {
        Verdict verdict;
        verdict.holds = true;
        verdict.detail = "no other transition matched";
        traceVerdict(run, state, *state.fallback, verdict, run.elapsedUs());
    }
    return &*state.fallback;
}

} // namespace flowdeck::engine::exec
