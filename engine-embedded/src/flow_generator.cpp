#include "flowdeck/engine/flow_generator.h"

#include <string>

namespace flowdeck::engine {
namespace {

Transition to(ConditionType condition, std::string target, std::string value = {},
              int priority = 0) {
    Transition t;
    t.condition = condition;
    t.target = std::move(target);
    if (condition == ConditionType::Expression) {
        t.expression = std::move(value);
    } else {
        t.conditionValue = std::move(value);
    }
    if (priority != 0) {
        t.priority = priority;
        t.hasPriority = true;
    }
    return t;
}

State state(std::string name, StateType type, Json config, std::vector<Transition> transitions) {
    State s;
    s.name = std::move(name);
    s.type = type;
    s.config = std::move(config);
    s.transitions = std::move(transitions);
    return s;
}

Json reply(const std::string& text) {
    return Json{{"response_templates", Json{{"default", text}}}};
}

void appendBlock(Flow& flow, size_t k, size_t blocks) {
    const std::string n = std::to_string(k);
    auto id = [&n](const char* role) { return std::string(role) + "_" + n; };
    const std::string next = k + 1 < blocks ? "menu_" + std::to_string(k + 1) : "end_" + n;
    const std::string back = k > 0 ? "menu_" + std::to_string(k - 1) : id("menu");
    using C = ConditionType;
    using S = StateType;

    flow.states.push_back(state(id("menu"), S::Response,
                                reply("Step " + n + ": next, back or done?"),
                                {to(C::AnyInput, id("route"))}));
    Json intents = {{"intents",
                     {{"next_" + n, {"next", "continue", "go on"}},
                      {"back_" + n, {"back", "previous step"}},
                      {"done_" + n, {"done", "finish", "stop here"}}}}};
    flow.states.push_back(state(
        id("route"), S::Intent, intents,
        {to(C::IntentMatch, id("form"), "next_" + n, 10), to(C::IntentMatch, back, "back_" + n, 10),
         to(C::IntentMatch, id("end"), "done_" + n, 10), to(C::Fallback, id("menu"))}));
    Json slots = {{"slots", Json::array({{{"name", "qty_" + n},
                                          {"type", "number"},
                                          {"prompt", "How many for step " + n + "?"}}})}};
    flow.states.push_back(
        state(id("form"), S::SlotFilling, slots, {to(C::SlotFilled, id("call"), "qty_" + n)}));
    Json call = {{"integration", "inventory"},
                 {"method", "GET"},
                 {"url", "http://127.0.0.1:8099/items/{{slots.qty_" + n + "}}"},
                 {"timeout_ms", 500},
                 {"response_mapping", {{"vars.status_" + n, "$.status"}}}};
    flow.states.push_back(state(id("call"), S::Integration, call,
                                {to(C::OnSuccess, id("check")), to(C::OnFailure, id("fail"))}));
    flow.states.push_back(state(id("check"), S::Condition, Json::object(),
                                {to(C::Expression, id("big"), "slots.qty_" + n + " > 10", 10),
                                 to(C::Fallback, id("calc"))}));
    Json script = {{"script", "vars.total_" + n + " = (slots.qty_" + n + " or 0) * 2"}};
    flow.states.push_back(state(id("calc"), S::Script, script, {to(C::Fallback, id("ok"))}));
    Json handoff = reply("A colleague will handle large orders.");
    handoff["queue"] = "bulk";
    flow.states.push_back(state(id("big"), S::Handoff, handoff, {}));
    flow.states.push_back(state(id("ok"), S::Response, reply("Total {{vars.total_" + n + "}}."),
                                {to(C::AnyInput, next)}));
    flow.states.push_back(state(id("fail"), S::Response, reply("The inventory did not answer."),
                                {to(C::AnyInput, id("menu"))}));
    flow.states.push_back(state(id("end"), S::End, reply("Goodbye from step " + n + "."), {}));
}

} // namespace

Flow generateBlockFlow(size_t states) {
    const size_t blocks = states == 0 ? 1 : (states + 9) / 10;
    Flow flow;
    flow.name = "generated_" + std::to_string(blocks * 10);
    flow.description = "Generated flow of " + std::to_string(blocks) + " blocks of ten states.";
    flow.version = "1.0";
    flow.initialState = "menu_0";
    flow.states.reserve(blocks * 10);
    for (size_t k = 0; k < blocks; ++k) {
        appendBlock(flow, k, blocks);
    }
    return flow;
}

Json generateSeedRingFlow(size_t states) {
    Json flow = {{"name", "large_flow"}, {"initial_state", "state_0"}, {"states", Json::object()}};
    Json& all = flow["states"];
    for (size_t i = 0; i < states; ++i) {
        const std::string next = "state_" + std::to_string((i + 1) % states);
        // push_back, not operator[]: ordered_json looks keys up linearly.
        all.push_back(Json::object_t::value_type(
            "state_" + std::to_string(i),
            Json{{"type", "response"},
                 {"config",
                  {{"response_templates", {{"default", "Response " + std::to_string(i)}}}}},
                 {"transitions",
                  {{{"condition", "intent_match"},
                    {"condition_value", "intent_" + std::to_string(i)},
                    {"target_state", next},
                    {"priority", i % 100}},
                   {{"condition", "expression"},
                    {"expression", "slots.value > " + std::to_string(i)},
                    {"target_state", next},
                    {"priority", (i + 50) % 100}}}}}));
    }
    return flow;
}

} // namespace flowdeck::engine
