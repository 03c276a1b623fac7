#include "flowdeck/engine/flow_diff.h"
#include "flowdeck/engine/flow_generator.h"
#include "flowdeck/engine/flow_json.h"

#include <QElapsedTimer>
#include <QtTest>

using namespace flowdeck::engine;

namespace {

const char* const kSupport = R"({
  "name": "support", "version": "1.0", "initial_state": "greet",
  "states": {
    "greet": { "type": "response", "config": { "response_templates": { "default": "Hi" } },
               "transitions": [ { "condition": "any_input", "target_state": "detect" } ] },
    "detect": { "type": "intent",
                "config": { "intents": { "order_status": ["where is my order"], "help": ["help"] } },
                "transitions": [
                  { "condition": "intent_match", "condition_value": "order_status",
                    "target_state": "ask", "priority": 10 },
                  { "condition": "intent_match", "condition_value": "help",
                    "target_state": "help", "priority": 10 },
                  { "condition": "fallback", "target_state": "greet" } ] },
    "ask": { "type": "slot_filling",
             "config": { "slots": [
               { "name": "order_id", "type": "number", "prompt": "Order number?" },
               { "name": "email", "type": "email", "prompt": "Email?" } ] },
             "transitions": [ { "condition": "slot_filled", "target_state": "bye" } ] },
    "help": { "type": "response",
              "config": { "response_templates": { "default": "I can track orders." } },
              "transitions": [ { "condition": "any_input", "target_state": "detect" } ] },
    "bye": { "type": "end", "config": { "response_templates": { "default": "Bye" } } }
  },
  "global_handlers": { "cancel": "bye" }
})";

Flow parsed(const char* text) {
    auto result = parseFlow(text);
    if (!result.ok()) {
        qFatal("test flow does not parse: %s", formatDiagnostic(result.diagnostics[0]).c_str());
    }
    return *result.flow;
}

Flow support() {
    return parsed(kSupport);
}

State makeState(std::string name, StateType type, Json config = Json::object()) {
    State state;
    state.name = std::move(name);
    state.type = type;
    state.config = std::move(config);
    return state;
}

State& stateOf(Flow& flow, std::string_view name) {
    State* state = flow.findState(name);
    if (state == nullptr) {
        qFatal("no state %s", std::string(name).c_str());
    }
    return *state;
}

void renameState(Flow& flow, const std::string& from, const std::string& to) {
    for (auto& state : flow.states) {
        for (auto& t : state.transitions) {
            if (t.target == from) {
                t.target = to;
            }
        }
    }
    for (auto& [trigger, target] : flow.globalHandlers) {
        if (target == from) {
            target = to;
        }
    }
    if (flow.initialState == from) {
        flow.initialState = to;
    }
    stateOf(flow, from).name = to;
}

std::vector<std::string> pointersOf(const std::vector<FieldChange>& fields) {
    std::vector<std::string> out;
    for (const auto& f : fields) {
        out.push_back(f.pointer);
    }
    return out;
}

} // namespace

class tst_FlowDiff : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void identicalFlowsHaveAnEmptyDiff() {
        QVERIFY(diffFlows(support(), support()).empty());
        auto sample = parseFlowFile(RESOURCES_DIR "/flows/order_support.json");
        QVERIFY(sample.ok());
        const FlowDiff diff = diffFlows(*sample.flow, *sample.flow);
        QVERIFY(diff.empty());
        QCOMPARE(formatDiff(diff), std::string());
        QCOMPARE(diffToJson(diff)["equal"].get<bool>(), true);
    }

    void keyOrderInsideConfigIsNoChange() {
        const Flow before = support();
        Flow after = support();
        stateOf(after, "detect").config["intents"] =
            Json{{"help", {"help"}}, {"order_status", {"where is my order"}}};
        QVERIFY(diffFlows(before, after).empty());
    }

    void reportsAddedAndRemovedStatesNewOrderFirst() {
        const Flow before = support();
        Flow after = support();
        after.states.erase(after.states.begin() + 3); // help; detect still points to it
        State faq = makeState("faq", StateType::Response,
                              Json{{"response_templates", {{"default", "FAQ"}}}});
        after.states.insert(after.states.begin() + 1, faq);
        State survey = makeState("survey", StateType::End);
        after.states.push_back(survey);
        const FlowDiff diff = diffFlows(before, after);
        QCOMPARE(diff.states.size(), size_t(3));
        QVERIFY(diff.states[0].kind == ChangeKind::Added);
        QCOMPARE(diff.states[0].name, std::string("faq"));
        QVERIFY(diff.states[1].kind == ChangeKind::Added);
        QCOMPARE(diff.states[1].name, std::string("survey"));
        QVERIFY(diff.states[2].kind == ChangeKind::Removed);
        QCOMPARE(diff.states[2].name, std::string("help"));
        QVERIFY(diff.transitions.empty());
        QVERIFY(diff.flowFields.empty());
        const std::string text = formatDiff(diff);
        QVERIFY2(text.find("+ state faq\n") != std::string::npos, text.c_str());
        QVERIFY2(text.find("- state help\n") != std::string::npos, text.c_str());
    }

    void changedTemplateIsReportedAtItsLeafPointer() {
        const Flow before = support();
        Flow after = support();
        stateOf(after, "greet").config["response_templates"]["default"] = "Hello";
        stateOf(after, "greet").config["response_templates"]["de"] = "Hallo";
        const FlowDiff diff = diffFlows(before, after);
        QCOMPARE(diff.size(), size_t(1));
        const StateChange& s = diff.states[0];
        QVERIFY(s.kind == ChangeKind::Changed);
        QCOMPARE(s.name, std::string("greet"));
        QVERIFY(!s.renamedFrom);
        QCOMPARE(pointersOf(s.fields),
                 (std::vector<std::string>{"/config/response_templates/default",
                                           "/config/response_templates/de"}));
        QCOMPARE(s.fields[0].before, Json("Hi"));
        QCOMPARE(s.fields[0].after, Json("Hello"));
        QVERIFY(s.fields[1].before.is_null());
        const std::string text = formatDiff(diff);
        QVERIFY2(
            text.find("~ state greet: /config/response_templates/default \"Hi\" → \"Hello\"\n") !=
                std::string::npos,
            text.c_str());
        QVERIFY2(text.find("/config/response_templates/de (absent) → \"Hallo\"") !=
                     std::string::npos,
                 text.c_str());
    }

    void changedTypeIsAField() {
        const Flow before = support();
        Flow after = support();
        stateOf(after, "help").type = StateType::Handoff;
        const FlowDiff diff = diffFlows(before, after);
        QCOMPARE(diff.size(), size_t(1));
        QCOMPARE(pointersOf(diff.states[0].fields), std::vector<std::string>{"/type"});
        QCOMPARE(diff.states[0].fields[0].after, Json("handoff"));
    }

    void retargetedTransitionIsOneChangedTargetState() {
        const Flow before = support();
        Flow after = support();
        auto& transitions = stateOf(after, "detect").transitions;
        transitions[2].target = "help";
        Transition timeout;
        timeout.condition = ConditionType::Timeout;
        timeout.target = "bye";
        transitions.insert(transitions.begin(), timeout);
        const FlowDiff diff = diffFlows(before, after);
        QCOMPARE(diff.transitions.size(), size_t(2));
        const TransitionChange& added = diff.transitions[0];
        QVERIFY(added.kind == ChangeKind::Added);
        QCOMPARE(added.afterIndex, std::optional<int>(0));
        QCOMPARE(added.condition, std::string("timeout"));
        const TransitionChange& changed = diff.transitions[1];
        QVERIFY(changed.kind == ChangeKind::Changed);
        QCOMPARE(changed.state, std::string("detect"));
        QCOMPARE(changed.beforeIndex, std::optional<int>(2));
        QCOMPARE(changed.afterIndex, std::optional<int>(3));
        QCOMPARE(changed.target, std::string("help"));
        QCOMPARE(pointersOf(changed.fields), std::vector<std::string>{"/target_state"});
        QCOMPARE(changed.fields[0].before, Json("greet"));
        QCOMPARE(changed.fields[0].after, Json("help"));
        const std::string text = formatDiff(diff);
        QVERIFY2(text.find("+ transition detect[0] → bye (timeout)\n") != std::string::npos,
                 text.c_str());
        QVERIFY2(text.find("~ transition detect[3] → help: /target_state \"greet\" → \"help\"") !=
                     std::string::npos,
                 text.c_str());
    }

    void removedTransitionNamesItsOldIndexAndTarget() {
        const Flow before = support();
        Flow after = support();
        auto& transitions = stateOf(after, "detect").transitions;
        transitions.erase(transitions.begin() + 1);
        const FlowDiff diff = diffFlows(before, after);
        QCOMPARE(diff.size(), size_t(1));
        QVERIFY(diff.transitions[0].kind == ChangeKind::Removed);
        QCOMPARE(diff.transitions[0].beforeIndex, std::optional<int>(1));
        QVERIFY(!diff.transitions[0].afterIndex);
        QCOMPARE(diff.transitions[0].target, std::string("help"));
    }

    void transitionWithNewConditionValueMatchesByPosition() {
        const Flow before = support();
        Flow after = support();
        stateOf(after, "detect").transitions[1].conditionValue = "support";
        const FlowDiff diff = diffFlows(before, after);
        QCOMPARE(diff.size(), size_t(1));
        QVERIFY(diff.transitions[0].kind == ChangeKind::Changed);
        QCOMPARE(pointersOf(diff.transitions[0].fields),
                 std::vector<std::string>{"/condition_value"});
    }

    void renameByContentHidesItsIncomingTransitions() {
        const Flow before = support();
        Flow after = support();
        renameState(after, "help", "assist");
        renameState(after, "bye", "goodbye");   // global handler and slot_filled follow
        renameState(after, "greet", "welcome"); // initial_state and the fallback follow
        const FlowDiff diff = diffFlows(before, after);
        QVERIFY(diff.flowFields.empty());
        QVERIFY(diff.transitions.empty());
        QCOMPARE(diff.states.size(), size_t(3));
        QCOMPARE(diff.states[0].name, std::string("welcome"));
        QCOMPARE(diff.states[0].renamedFrom, std::optional<std::string>("greet"));
        QVERIFY(diff.states[0].fields.empty());
        QCOMPARE(diff.states[1].renamedFrom, std::optional<std::string>("help"));
        QCOMPARE(diff.states[2].renamedFrom, std::optional<std::string>("bye"));
        const std::string text = formatDiff(diff);
        QVERIFY2(text.find("~ state assist: renamed from help\n") != std::string::npos,
                 text.c_str());
    }

    void renameByMovedReferencesKeepsTheContentChanges() {
        const Flow before = support();
        Flow after = support();
        renameState(after, "help", "assist");
        stateOf(after, "assist").config["response_templates"]["default"] = "Ask me anything.";
        const FlowDiff diff = diffFlows(before, after);
        QCOMPARE(diff.size(), size_t(1));
        QCOMPARE(diff.states[0].name, std::string("assist"));
        QCOMPARE(diff.states[0].renamedFrom, std::optional<std::string>("help"));
        QCOMPARE(pointersOf(diff.states[0].fields),
                 std::vector<std::string>{"/config/response_templates/default"});
    }

    void selfLoopFollowsARename() {
        Flow before = support();
        stateOf(before, "help").transitions[0].target = "help";
        Flow after = before;
        renameState(after, "help", "assist");
        const FlowDiff diff = diffFlows(before, after);
        QCOMPARE(diff.size(), size_t(1));
        QCOMPARE(diff.states[0].renamedFrom, std::optional<std::string>("help"));
    }

    void ambiguousRenamesAreNotGuessed() {
        Flow before = support();
        before.states.push_back(makeState("end_a", StateType::End));
        before.states.push_back(makeState("end_b", StateType::End));
        Flow after = before;
        renameState(after, "end_a", "end_x");
        renameState(after, "end_b", "end_y");
        const FlowDiff diff = diffFlows(before, after);
        QCOMPARE(diff.states.size(), size_t(4));
        for (const auto& s : diff.states) {
            QVERIFY(s.kind != ChangeKind::Changed);
        }
    }

    void withoutRenameDetectionARenameIsRemovedPlusAdded() {
        const Flow before = support();
        Flow after = support();
        renameState(after, "help", "assist");
        const FlowDiff diff = diffFlows(before, after, DiffOptions{false});
        QCOMPARE(diff.states.size(), size_t(2));
        QVERIFY(diff.states[0].kind == ChangeKind::Added);
        QVERIFY(diff.states[1].kind == ChangeKind::Removed);
        QCOMPARE(diff.transitions.size(), size_t(1));
        QCOMPARE(pointersOf(diff.transitions[0].fields), std::vector<std::string>{"/target_state"});
    }

    void slotsAreComparedByName() {
        const Flow before = support();
        Flow after = support();
        Json& slots = stateOf(after, "ask").config["slots"];
        slots[1]["prompt"] = "Your email?";
        slots.push_back(Json{{"name", "phone"}, {"type", "text"}});
        slots.erase(0); // order_id
        const FlowDiff diff = diffFlows(before, after);
        QCOMPARE(diff.size(), size_t(1));
        QCOMPARE(pointersOf(diff.states[0].fields),
                 (std::vector<std::string>{"/config/slots/email/prompt", "/config/slots/phone",
                                           "/config/slots/order_id"}));
        QCOMPARE(diff.states[0].fields[0].after, Json("Your email?"));
        QVERIFY(diff.states[0].fields[1].before.is_null());
        QVERIFY(diff.states[0].fields[2].after.is_null());
    }

    void reorderedSlotsAreOneChangedList() {
        const Flow before = support();
        Flow after = support();
        Json& slots = stateOf(after, "ask").config["slots"];
        std::swap(slots[0], slots[1]);
        const FlowDiff diff = diffFlows(before, after);
        QCOMPARE(diff.size(), size_t(1));
        QCOMPARE(pointersOf(diff.states[0].fields), std::vector<std::string>{"/config/slots"});
    }

    void swappingEqualPriorityTransitionsIsAnOrderChange() {
        const Flow before = support();
        Flow after = support();
        auto& transitions = stateOf(after, "detect").transitions;
        std::swap(transitions[0], transitions[1]);
        const FlowDiff diff = diffFlows(before, after);
        QCOMPARE(diff.size(), size_t(1));
        const TransitionChange& t = diff.transitions[0];
        QVERIFY(t.kind == ChangeKind::Changed);
        QCOMPARE(pointersOf(t.fields), std::vector<std::string>{"/order"});
        QCOMPARE(t.target, std::string("help"));
        QCOMPARE(t.fields[0].before, Json(1));
        QCOMPARE(t.fields[0].after, Json(0));
    }

    void reorderingThatKeepsEvaluationOrderIsNoChange() {
        const Flow before = support();
        Flow after = support();
        auto& transitions = stateOf(after, "detect").transitions;
        // The fallback (priority 0) moves first in the document but is still evaluated last.
        std::rotate(transitions.begin(), transitions.begin() + 2, transitions.end());
        QVERIFY(diffFlows(before, after).empty());
    }

    void priorityChangeIsReportedWithoutAnOrderChange() {
        const Flow before = support();
        Flow after = support();
        stateOf(after, "detect").transitions[1].priority = 20;
        const FlowDiff diff = diffFlows(before, after);
        QCOMPARE(diff.size(), size_t(1));
        QCOMPARE(pointersOf(diff.transitions[0].fields), std::vector<std::string>{"/priority"});
        QCOMPARE(diff.transitions[0].fields[0].before, Json(10));
        QCOMPARE(diff.transitions[0].fields[0].after, Json(20));
    }

    void flowLevelFieldsAreReported() {
        const Flow before = support();
        Flow after = support();
        after.name = "support_v2";
        after.description = "Order support";
        after.version = "1.1";
        after.initialState = "help";
        after.globalHandlers = {{"cancel", "greet"}, {"agent", "help"}};
        after.settings = Json{{"max_transitions_per_message", 20}};
        after.extra = Json{{"owner", "team-a"}};
        const FlowDiff diff = diffFlows(before, after);
        QCOMPARE(pointersOf(diff.flowFields),
                 (std::vector<std::string>{"/name", "/description", "/version", "/initial_state",
                                           "/global_handlers/cancel", "/global_handlers/agent",
                                           "/settings/max_transitions_per_message", "/owner"}));
        QVERIFY(diff.flowFields[1].before.is_null());
        QCOMPARE(diff.flowFields[3].before, Json("greet"));
        QVERIFY(diff.states.empty());
        QVERIFY(diff.transitions.empty());
        const std::string text = formatDiff(diff);
        QVERIFY2(text.find("~ flow: /version \"1.0\" → \"1.1\"\n") != std::string::npos,
                 text.c_str());
    }

    void unicodeAndSpecialCharactersAreEscapedInPointers() {
        const char* text = R"({"name": "多语言", "initial_state": "开始状态", "states": {
            "开始状态": {"type": "intent", "config": {"intents": {"是/否~": ["是"]}},
                         "transitions": [{"condition": "fallback", "target_state": "a/b"}]},
            "a/b": {"type": "end", "config": {"response_templates": {"default": "再见"}}}}})";
        const Flow before = parsed(text);
        Flow after = parsed(text);
        stateOf(after, "开始状态").config["intents"]["是/否~"] = Json::array({"是", "对"});
        stateOf(after, "a/b").config["response_templates"]["default"] = "拜拜";
        stateOf(after, "a/b").transitions.push_back(Transition{});
        stateOf(after, "a/b").transitions[0].target = "开始状态";
        const FlowDiff diff = diffFlows(before, after);
        QCOMPARE(diff.states.size(), size_t(2));
        QCOMPARE(pointersOf(diff.states[0].fields),
                 std::vector<std::string>{"/config/intents/是~1否~0"});
        const Json json = diffToJson(diff);
        QCOMPARE(json["states"][0]["pointer"].get<std::string>(), std::string("/states/开始状态"));
        QCOMPARE(json["states"][1]["pointer"].get<std::string>(), std::string("/states/a~1b"));
        QCOMPARE(json["transitions"][0]["pointer"].get<std::string>(),
                 std::string("/states/a~1b/transitions/0"));
        QCOMPARE(json["transitions"][0]["target"].get<std::string>(), std::string("开始状态"));
        const std::string formatted = formatDiff(diff);
        QVERIFY2(formatted.find("~ state a/b: /config/response_templates/default \"再见\" → "
                                "\"拜拜\"") != std::string::npos,
                 formatted.c_str());
    }

    void jsonDescribesEachChange() {
        const Flow before = support();
        Flow after = support();
        stateOf(after, "detect").transitions[2].target = "help";
        after.states.erase(after.states.begin() + 4); // bye
        const Json json = diffToJson(diffFlows(before, after));
        QCOMPARE(json["equal"].get<bool>(), false);
        QCOMPARE(json["states"].size(), size_t(1));
        QCOMPARE(json["states"][0]["kind"].get<std::string>(), std::string("removed"));
        QCOMPARE(json["states"][0]["pointer"].get<std::string>(), std::string("/states/bye"));
        const Json& t = json["transitions"][0];
        QCOMPARE(t["kind"].get<std::string>(), std::string("changed"));
        QCOMPARE(t["state"].get<std::string>(), std::string("detect"));
        QCOMPARE(t["before_index"].get<int>(), 2);
        QCOMPARE(t["after_index"].get<int>(), 2);
        QCOMPARE(t["pointer"].get<std::string>(), std::string("/states/detect/transitions/2"));
        QCOMPARE(t["fields"][0]["pointer"].get<std::string>(), std::string("/target_state"));
        QCOMPARE(t["fields"][0]["before"].get<std::string>(), std::string("greet"));
    }

    void tenThousandStateFlowWithTenEditsGivesExactlyThoseTen() {
        const Flow before = generateBlockFlow(10000);
        Flow after = before;
        after.description = "edited";
        for (const char* name : {"menu_100", "ok_200", "end_999"}) {
            stateOf(after, name).config["response_templates"]["default"] = "edited";
        }
        stateOf(after, "form_123").config["slots"][0]["prompt"] = "How many, really?";
        stateOf(after, "fail_500").transitions[0].target = "menu_0";
        stateOf(after, "route_700").transitions[0].priority = 30;
        after.states.push_back(makeState("survey", StateType::End));
        after.states.erase(after.states.begin() + *after.indexOf("big_300"));
        renameState(after, "fail_42", "failed_42");

        QElapsedTimer timer;
        timer.start();
        const FlowDiff diff = diffFlows(before, after);
        const qint64 ms = timer.elapsed();
        qInfo("diff of two 10,000-state flows: %lld ms", ms);
        QVERIFY2(ms < 500, "the diff must stay linear in the size of the flows");

        QCOMPARE(diff.size(), size_t(10));
        QCOMPARE(pointersOf(diff.flowFields), std::vector<std::string>{"/description"});
        std::vector<std::string> states;
        for (const auto& s : diff.states) {
            states.push_back(std::string(toString(s.kind)) + " " + s.name +
                             (s.renamedFrom ? " from " + *s.renamedFrom : "") +
                             (s.fields.empty() ? "" : " " + s.fields[0].pointer));
        }
        QCOMPARE(states, (std::vector<std::string>{
                             "changed failed_42 from fail_42",
                             "changed menu_100 /config/response_templates/default",
                             "changed form_123 /config/slots/qty_123/prompt",
                             "changed ok_200 /config/response_templates/default",
                             "changed end_999 /config/response_templates/default",
                             "added survey",
                             "removed big_300",
                         }));
        QCOMPARE(diff.transitions.size(), size_t(2));
        QCOMPARE(diff.transitions[0].state, std::string("fail_500"));
        QCOMPARE(pointersOf(diff.transitions[0].fields), std::vector<std::string>{"/target_state"});
        QCOMPARE(diff.transitions[1].state, std::string("route_700"));
        QCOMPARE(pointersOf(diff.transitions[1].fields), std::vector<std::string>{"/priority"});
    }
};

QTEST_GUILESS_MAIN(tst_FlowDiff)
#include "tst_flow_diff.moc"
