#include "exec_run.h"

namespace flowdeck::engine::exec {
namespace {

bool sameLimits(const LuaLimits& a, const LuaLimits& b) {
    return a.instructionBudget == b.instructionBudget && a.memoryBytes == b.memoryBytes &&
           a.timeout == b.timeout;
}

// The limits for one evaluation in `state`: the engine's Lua limits, with the wall clock cut to
// what the state (and the message's deadline) still allows. `onDeadline`: the message's
// deadline is what set the wall clock.
LuaLimits limitsFor(const Run& run, const CompiledState& state, bool& onDeadline) {
    LuaLimits limits = run.limits.lua;
    bool cut = false;
    const std::chrono::milliseconds budget = run.stateBudget(state, &cut);
    onDeadline = cut && budget < limits.timeout;
    limits.timeout = std::min(limits.timeout, budget);
    return limits;
}

} // namespace

LuaSandbox& threadSandbox(const LuaLimits& limits) {
    // One Lua state per thread: a LuaSandbox is not thread-safe, and creating one per message
    // would throw away its compiled-chunk cache.
    struct Holder {
        std::unique_ptr<LuaSandbox> sandbox;
        LuaLimits applied;
    };
    thread_local Holder holder;
    if (!holder.sandbox) {
        holder.sandbox = std::make_unique<LuaSandbox>(limits);
        holder.applied = limits;
    } else if (!sameLimits(holder.applied, limits)) {
        holder.sandbox->setLimits(limits);
        holder.applied = limits;
    }
    return *holder.sandbox;
}

LuaOutcome Run::evaluateExpression(const CompiledState& state, const CompiledTransition& t) {
    LuaEnvironment env;
    env.slots = &conversation.slots;
    env.vars = &conversation.vars;
    env.user = &conversation.user;
    const IntentInfo* intent = t.expressionUsesIntent ? &intentFor(state) : knownIntent();
    if (intent != nullptr) {
        env.intent = intent->intent;
        env.confidence = intent->confidence;
    }
    env.input = input();
    bool onDeadline = false;
    const LuaLimits limits = limitsFor(*this, state, onDeadline);
    LuaOutcome outcome = threadSandbox(limits).evaluate(t.source->expression, env);
    if (outcome.timedOut) {
        checkDeadline(state, onDeadline);
    }
    return outcome;
}

LuaOutcome Run::runScript(const CompiledState& state) {
    beginMutation();
    // A failed script leaves nothing behind: whatever it wrote before failing is put back.
    Json slots = conversation.slots;
    Json vars = conversation.vars;
    Json user = conversation.user;
    LuaEnvironment env;
    env.slots = &conversation.slots;
    env.vars = &conversation.vars;
    env.user = &conversation.user;
    if (const IntentInfo* intent = knownIntent()) {
        env.intent = intent->intent;
        env.confidence = intent->confidence;
    }
    env.input = input();
    bool onDeadline = false;
    const LuaLimits limits = limitsFor(*this, state, onDeadline);
    LuaOutcome outcome = threadSandbox(limits).run(state.script, env);
    if (!outcome.ok) {
        conversation.slots = std::move(slots);
        conversation.vars = std::move(vars);
        conversation.user = std::move(user);
    }
    if (outcome.timedOut) {
        checkDeadline(state, onDeadline); // after the rollback: the whole message fails anyway
    }
    return outcome;
}

} // namespace flowdeck::engine::exec
