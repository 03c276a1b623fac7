// Executor throughput in memory: transitions per second on one core (target: >= 1,000,000 for
// states that do not wait). items/s below counts transitions, not messages.
//   chain/<kind>/N — a waiting response state, then N non-waiting states of one kind, then back
//                    to the waiting state: one message takes N+1 transitions.
//                    kind: fallback (condition states, fallback only: the engine's own cost),
//                    slot_filled (condition states testing a slot: no Lua),
//                    expression (a Lua expression per state), script (a Lua script per state).
//   block_flow/S   — engine-embedded's generateBlockFlow(S) (every state type), walked from the
//                    first block to the last with an in-memory integration gateway: intent
//                    classification, slot extraction, integration call + JSONPath mapping,
//                    expression, script and templates on the way.
// Run: build-<dir>/bin/bench-executor --benchmark_min_time=0.5

#include "flowdeck/engine/executor.h"
#include "flowdeck/engine/flow_generator.h"
#include "flowdeck/engine/integration_gateway.h"

#include <benchmark/benchmark.h>

#include <stdexcept>
#include <string>

using namespace flowdeck::engine;

namespace {

enum class Kind { Fallback, SlotFilled, Expression, Script };

// Answers every call at once, like an integration that is always up (no locks, no recording:
// StubGateway keeps every request, which would be the thing measured).
class InstantGateway final : public IntegrationGateway {
public:
    IntegrationResponse call(const IntegrationRequest&) override {
        IntegrationResponse response;
        response.status = 200;
        response.body = R"({"status":"in stock"})";
        response.attempts = 1;
        return response;
    }
};

Transition to(ConditionType condition, std::string target) {
    Transition t;
    t.condition = condition;
    t.target = std::move(target);
    return t;
}

State chainState(Kind kind, int i, const std::string& next) {
    State s;
    s.name = "s" + std::to_string(i);
    s.type = kind == Kind::Script ? StateType::Script : StateType::Condition;
    switch (kind) {
    case Kind::Fallback:
        break;
    case Kind::SlotFilled: {
        Transition t = to(ConditionType::SlotFilled, next);
        t.conditionValue = "account";
        t.priority = 10;
        s.transitions.push_back(t);
        break;
    }
    case Kind::Expression: {
        Transition t = to(ConditionType::Expression, next);
        t.expression = "slots.account ~= nil and vars.level < 5";
        t.priority = 10;
        s.transitions.push_back(t);
        break;
    }
    case Kind::Script:
        s.config = {{"script", "vars.level = " + std::to_string(i % 5)}};
        break;
    }
    s.transitions.push_back(to(ConditionType::Fallback, next));
    return s;
}

Flow chainFlow(Kind kind, int length) {
    Flow flow;
    flow.name = "chain";
    flow.initialState = "wait";
    flow.settings = {{"max_transitions_per_message", length + 10}};
    State wait;
    wait.name = "wait";
    wait.config = {{"response_templates", {{"default", "Level {{vars.level}}."}}}};
    wait.transitions.push_back(to(ConditionType::AnyInput, "s0"));
    flow.states.push_back(wait);
    for (int i = 0; i < length; ++i) {
        const std::string next = i + 1 < length ? "s" + std::to_string(i + 1) : "wait";
        flow.states.push_back(chainState(kind, i, next));
    }
    return flow;
}

void runChain(benchmark::State& state, Kind kind, bool trace) {
    const int length = static_cast<int>(state.range(0));
    const auto flow = compileFlow(chainFlow(kind, length));
    InstantGateway gateway;
    const Executor executor(gateway);
    ConversationState conversation;
    conversation.slots = {{"account", "A-1"}};
    conversation.vars = {{"level", 1}};
    ExecutionOptions options;
    options.trace = trace;
    executor.start(*flow, conversation, options);
    InboundMessage message;
    message.text = "next";
    int64_t transitions = 0;
    for (auto _ : state) {
        const ExecutionResult result = executor.process(*flow, conversation, message, options);
        if (!result.ok || result.transitions != length + 1) {
            state.SkipWithError("the chain did not run through");
            break;
        }
        transitions += result.transitions;
    }
    state.SetItemsProcessed(transitions);
    state.counters["transitions/msg"] = length + 1;
}

void chainFallback(benchmark::State& state) {
    runChain(state, Kind::Fallback, false);
}
void chainSlotFilled(benchmark::State& state) {
    runChain(state, Kind::SlotFilled, false);
}
void chainExpression(benchmark::State& state) {
    runChain(state, Kind::Expression, false);
}
void chainScript(benchmark::State& state) {
    runChain(state, Kind::Script, false);
}
void chainFallbackTraced(benchmark::State& state) {
    runChain(state, Kind::Fallback, true);
}

// One walk through the generated flow: in each block "next 3" goes menu -> route (intent) ->
// form (slot_filling, fills qty from the same message) -> call (integration) -> check
// (expression) -> calc (script) -> ok, then "go" goes on to the next block's menu.
void blockFlow(benchmark::State& state) {
    const auto states = static_cast<size_t>(state.range(0));
    const auto flow = compileFlow(generateBlockFlow(states));
    const size_t blocks = (states + 9) / 10;
    InstantGateway gateway;
    const Executor executor(gateway);
    InboundMessage next;
    next.text = "next 3";
    InboundMessage go;
    go.text = "go";
    int64_t transitions = 0;
    int64_t messages = 0;
    for (auto _ : state) {
        ConversationState conversation;
        executor.start(*flow, conversation);
        for (size_t k = 0; k < blocks; ++k) {
            for (const InboundMessage* message : {&next, &go}) {
                const ExecutionResult result = executor.process(*flow, conversation, *message);
                if (!result.ok) {
                    state.SkipWithError(result.errors.front().message.c_str());
                    return;
                }
                transitions += result.transitions;
                ++messages;
            }
        }
        if (conversation.currentState != "end_" + std::to_string(blocks - 1)) {
            state.SkipWithError(("the walk ended in " + conversation.currentState).c_str());
            return;
        }
    }
    state.SetItemsProcessed(transitions);
    state.counters["transitions/msg"] =
        messages > 0 ? static_cast<double>(transitions) / static_cast<double>(messages) : 0.0;
    state.counters["messages/s"] =
        benchmark::Counter(static_cast<double>(messages), benchmark::Counter::kIsRate);
}

} // namespace

BENCHMARK(chainFallback)->Name("chain/fallback")->Arg(10)->Arg(40);
BENCHMARK(chainSlotFilled)->Name("chain/slot_filled")->Arg(40);
BENCHMARK(chainExpression)->Name("chain/expression")->Arg(40);
BENCHMARK(chainScript)->Name("chain/script")->Arg(40);
BENCHMARK(chainFallbackTraced)->Name("chain/fallback_traced")->Arg(40);
BENCHMARK(blockFlow)->Name("block_flow")->Arg(100)->Arg(1000);

BENCHMARK_MAIN();
