#include "exec_run.h"

namespace flowdeck::engine::exec {
namespace {

bool sameLimits(const LuaLimits& a, const LuaLimits& b) {
    return a.instructionBudget == b.instructionBudget && a.memoryBytes == b.memoryBytes &&
           a.timeout == b.timeout;
}

// The limits for one evaluation in `state`: the engine's Lua limits, with the wall clock cut to
// what the state (and the message's deadline) still allows.
LuaLimits limitsFor(const Run& run, const CompiledState& state) {
    LuaLimits limits = run.limits.lua;
    limits.timeout = std::min(limits.timeout, run.stateBudget(state));
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
    return threadSandbox(limitsFor(*this, state)).evaluate(t.source->expression, env);
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
    LuaOutcome outcome = threadSandbox(limitsFor(*this, state)).run(state.script, env);
    if (!outcome.ok) {
        conversation.slots = std::move(slots);
        conversation.vars = std::move(vars);
        conversation.user = std::move(user);
    }
    return outcome;
}

} // namespace flowdeck::engine::exec
