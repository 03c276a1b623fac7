// The simulator's engine side: the executor's step hook (breakpoints, single-stepping) and
// Simulation sessions (snapshots, edits between messages, time travel, replay against an edited
// flow), on the sample flow order_support with its recorded stubs.
#include "executor_harness.h"
#include "flowdeck/engine/simulation.h"
#include "flowdeck/engine/stub_file.h"

#include <QtTest>

#include <thread>

using namespace flowdeck::engine;
using namespace std::chrono_literals;
using test::compileFile;
using test::compileText;
using test::textMessage;

namespace {

const std::string kFlows = RESOURCES_DIR "/flows/";

std::shared_ptr<StubGateway> sampleStubs() {
    auto stubs = std::make_shared<StubGateway>();
    const auto diagnostics = loadStubFile(kFlows + "order_support.stubs.json", *stubs);
    if (!diagnostics.empty()) {
        throw std::runtime_error(formatDiagnostic(diagnostics.front()));
    }
    return stubs;
}

std::vector<std::string> enteredStates(const ExecutionResult& result) {
    std::vector<std::string> states;
    for (const auto& event : result.trace) {
        if (event.kind == TraceKind::StateEntered) {
            states.push_back(event.state);
        }
    }
    return states;
}

QString joined(const std::vector<std::string>& states) {
    QStringList list;
    for (const auto& s : states) {
        list << QString::fromStdString(s);
    }
    return list.join(" -> ");
}

// The order_support conversation up to the order number prompt.
Simulation atOrderPrompt(std::shared_ptr<StubGateway> stubs, const Json& user = {{"name", "Ana"}}) {
    Simulation simulation(compileFile(kFlows + "order_support.json"), std::move(stubs));
    simulation.start(user);
    simulation.send(textMessage("where is my order?"));
    return simulation;
}

// Three non-waiting states in a row, then a response: every entry goes through the hook.
const char* kChainFlow = R"({
  "name": "chain", "initial_state": "start",
  "states": {
    "start": { "type": "response", "config": { "response_templates": { "default": "ready" } },
               "transitions": [ { "condition": "any_input", "target_state": "compute" } ] },
    "compute": { "type": "script", "config": { "script": "vars.n = (vars.n or 0) + 1" },
                 "transitions": [ { "condition": "fallback", "target_state": "check" } ] },
    "check": { "type": "condition",
               "transitions": [ { "condition": "fallback", "target_state": "done" } ] },
    "done": { "type": "response", "config": { "response_templates": { "default": "n={{vars.n}}" } },
              "transitions": [ { "condition": "any_input", "target_state": "compute" } ] }
  }
})";

} // namespace

class tst_Simulation : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void hookSeesEveryStateInTheOrderTheTraceEntersThem() {
        auto flow = compileFile(kFlows + "order_support.json");
        auto stubs = sampleStubs();
        const Executor executor(*stubs);
        test::Chat chat(executor, flow);
        std::vector<std::string> seen;
        std::vector<int> transitions;
        chat.options.trace = true;
        chat.options.onStep = [&](const StepPoint& point) {
            seen.emplace_back(point.state);
            transitions.push_back(point.transition);
            return StepDecision::Continue;
        };
        std::vector<std::string> traced;
        auto check = [&](const ExecutionResult& result) {
            QVERIFY2(result.ok, test::describeErrors(result).c_str());
            const auto entered = enteredStates(result);
            traced.insert(traced.end(), entered.begin(), entered.end());
        };
        check(chat.start());
        QCOMPARE(transitions.front(), -1); // the initial state is entered by no transition
        for (const char* line : {"where is my order?", "it's AB-12345", "thanks, goodbye"}) {
            check(chat.say(line));
        }
        QVERIFY2(seen == traced, qPrintable(joined(seen) + " vs trace " + joined(traced)));
        QCOMPARE(seen.size(), size_t(9)); // greeting, detect ... report_shipped, detect, goodbye
    }

    void hookReportsWhereItComesFromAndTheStepCount() {
        auto flow = compileText(kChainFlow);
        StubGateway stubs;
        const Executor executor(stubs);
        test::Chat chat(executor, flow);
        QVERIFY(chat.start().ok);
        std::vector<std::tuple<std::string, std::string, int, int>> points;
        chat.options.onStep = [&](const StepPoint& point) {
            points.emplace_back(point.state, point.fromState, point.transition, point.step);
            return StepDecision::Continue;
        };
        QVERIFY(chat.say("go").ok);
        const decltype(points) expected = {
            {"compute", "start", 0, 1}, {"check", "compute", 0, 2}, {"done", "check", 0, 3}};
        QVERIFY(points == expected);
    }

    void hookSeesSlotsAndVariablesSetEarlierInTheSameMessage() {
        Simulation simulation = atOrderPrompt(sampleStubs());
        Json orderIdAtLookup;
        Json statusAtCheck;
        ExecutionOptions options;
        options.onStep = [&](const StepPoint& point) {
            if (point.state == "lookup_order") {
                orderIdAtLookup = point.conversation->slots.value("order_id", Json());
            } else if (point.state == "check_status") {
                statusAtCheck = point.conversation->vars.value("order_status", Json());
            }
            return StepDecision::Continue;
        };
        QVERIFY(simulation.send(textMessage("it's AB-12345"), options).result.ok);
        QCOMPARE(orderIdAtLookup, Json("AB-12345")); // filled by ask_order in this message
        QCOMPARE(statusAtCheck, Json("shipped"));    // mapped from the orders API response
    }

    void abortLeavesTheConversationAsItWasEvenWithAnErrorState() {
        Simulation simulation = atOrderPrompt(sampleStubs());
        const ConversationState before = simulation.conversation();
        ExecutionOptions options;
        options.onStep = [](const StepPoint& point) {
            return point.state == "check_status" ? StepDecision::Abort : StepDecision::Continue;
        };
        const SimTurn& turn = simulation.send(textMessage("it's AB-12345"), options);
        QVERIFY(!turn.result.ok);
        QCOMPARE(turn.result.errors.size(), size_t(1));
        QVERIFY(turn.result.errors[0].code == ErrorCode::StateError);
        QCOMPARE(turn.result.errors[0].details.at("aborted"), std::string("true"));
        QCOMPARE(turn.result.reply, std::string()); // not the error_state's apology
        const ConversationState& after = simulation.conversation();
        QCOMPARE(after.currentState, std::string("ask_order"));
        QCOMPARE(after.slots, before.slots); // order_id, filled before the abort, is gone again
        QCOMPARE(after.vars, before.vars);   // so is what the lookup mapped
        // The next message runs normally from where the conversation was.
        QCOMPARE(simulation.send(textMessage("AB-12345")).after.currentState,
                 std::string("report_shipped"));
    }

    void abortOnStartLeavesTheConversationUnstarted() {
        Simulation simulation(compileFile(kFlows + "order_support.json"), sampleStubs());
        ExecutionOptions options;
        options.onStep = [](const StepPoint&) { return StepDecision::Abort; };
        const SimTurn& turn = simulation.start({{"name", "Ana"}}, options);
        QVERIFY(!turn.result.ok);
        QCOMPARE(turn.after.currentState, std::string());
        QCOMPARE(turn.result.reply, std::string());
    }

    void timeSpentInTheHookCountsAgainstNoTimeout() {
        EngineLimits limits;
        limits.stateTimeout = 100ms;
        Simulation simulation(compileText(kChainFlow), nullptr, limits);
        QVERIFY(simulation.start().result.ok);
        ExecutionOptions options;
        options.deadline = std::chrono::steady_clock::now() + 100ms;
        options.onStep = [](const StepPoint&) {
            std::this_thread::sleep_for(200ms); // the designer looks at the breakpoint
            return StepDecision::Continue;
        };
        const SimTurn& turn = simulation.send(textMessage("go"), options);
        QVERIFY2(turn.result.ok, test::describeErrors(turn.result).c_str());
        QCOMPARE(turn.result.reply, std::string("n=1"));
        // The trace's clock and the turn's engine time leave the 3 x 200 ms of waiting out.
        QVERIFY2(turn.result.trace.back().startUs < 200000,
                 qPrintable(QString::number(turn.result.trace.back().startUs)));
        QVERIFY2(turn.engineUs < 200000, qPrintable(QString::number(turn.engineUs)));
    }

    void startRecordsTheOpeningAsTurnZero() {
        Simulation simulation(compileFile(kFlows + "order_support.json"), sampleStubs());
        const SimTurn& turn = simulation.start({{"name", "Ana"}});
        QCOMPARE(turn.input.type, std::string("start"));
        QCOMPARE(turn.before.currentState, std::string());
        QCOMPARE(turn.after.currentState, std::string("greeting"));
        QCOMPARE(turn.path, std::vector<std::string>{"greeting"});
        QVERIFY(turn.result.reply.find("Hi Ana!") == 0);
        QVERIFY(!turn.result.trace.empty()); // always traced
        QCOMPARE(simulation.turns().size(), size_t(1));
    }

    void turnsKeepPathTransitionsAndFullSnapshots() {
        Simulation simulation = atOrderPrompt(sampleStubs());
        const SimTurn& turn = simulation.send(textMessage("it's AB-12345"));
        const std::vector<std::string> path = {"lookup_order", "check_status", "report_shipped"};
        QCOMPARE(turn.path, path);
        const std::vector<std::pair<std::string, int>> taken = {
            {"ask_order", 1}, {"lookup_order", 0}, {"check_status", 0}};
        QVERIFY(turn.transitionsTaken == taken);
        QCOMPARE(turn.before.currentState, std::string("ask_order"));
        QVERIFY(!turn.before.slots.contains("order_id"));
        QCOMPARE(turn.after.slots["order_id"], Json("AB-12345"));
        QCOMPARE(turn.after.vars["carrier"], Json("DHL"));
        QCOMPARE(simulation.turns().size(), size_t(3));
    }

    void editingTheUserBetweenMessagesChangesThePath() {
        auto stubs = std::make_shared<StubGateway>();
        QVERIFY(loadStubs(R"({"orders_api": {"body": {"order": {"status": "delayed"}}}})", *stubs)
                    .empty());
        Simulation simulation = atOrderPrompt(stubs);
        simulation.conversation().user["premium"] = true; // what if the user were premium?
        const SimTurn& turn = simulation.send(textMessage("AB-12345"));
        QCOMPARE(turn.before.user["premium"], Json(true)); // the edit is part of the record
        QCOMPARE(turn.after.currentState, std::string("handoff_priority"));
    }

    void rewindForksTheConversationFromAnEarlierTurn() {
        Simulation simulation = atOrderPrompt(sampleStubs());
        simulation.send(textMessage("AB-12345"));
        simulation.send(textMessage("thanks, goodbye"));
        QCOMPARE(simulation.turns().size(), size_t(4));
        simulation.rewindTo(1); // back to the order number prompt
        QCOMPARE(simulation.turns().size(), size_t(2));
        QCOMPARE(simulation.conversation().currentState, std::string("ask_order"));
        QVERIFY(!simulation.conversation().slots.contains("order_id"));
        const SimTurn& fork = simulation.send(textMessage("talk to a person"));
        QCOMPARE(fork.after.currentState, std::string("handoff_standard"));
        QCOMPARE(simulation.turns().size(), size_t(3));
        simulation.rewindTo(7); // out of range: nothing happens
        QCOMPARE(simulation.turns().size(), size_t(3));
    }

    void stubChoiceChangesThePathAndMissingStubsNeverReachTheNetwork() {
        Simulation failing = atOrderPrompt(nullptr); // no stubs at all
        const SimTurn& turn = failing.send(textMessage("AB-12345"));
        QCOMPARE(turn.after.currentState, std::string("lookup_failed"));
        QCOMPARE(turn.result.failedIntegrations, std::vector<std::string>{"orders_api"});
        Simulation working = atOrderPrompt(sampleStubs());
        QCOMPARE(working.send(textMessage("AB-12345")).after.currentState,
                 std::string("report_shipped"));
    }

    void setFlowRunsLaterTurnsOnTheNewFlow() {
        Simulation simulation = atOrderPrompt(sampleStubs());
        std::string text = test::readTextFile(kFlows + "order_support.json");
        const std::string from = "has shipped with";
        text.replace(text.find(from), from.size(), "is on its way with");
        simulation.setFlow(compileText(text));
        QVERIFY(simulation.send(textMessage("AB-12345")).result.reply.find("is on its way with") !=
                std::string::npos);
    }

    void replayAgainstAnEditedFlowShowsWhereThePathChanges() {
        auto stubs = std::make_shared<StubGateway>();
        QVERIFY(loadStubs(R"({"orders_api": {"body": {"order": {"status": "delayed"}}}})", *stubs)
                    .empty());
        Simulation simulation = atOrderPrompt(stubs);
        simulation.send(textMessage("AB-12345"));
        simulation.send(textMessage("bye"));
        const auto& original = simulation.turns();

        const auto same = replayInputs(original, compileFile(kFlows + "order_support.json"), stubs);
        QCOMPARE(same.size(), original.size());
        QVERIFY(!firstDivergence(original, same).has_value());

        std::string text = test::readTextFile(kFlows + "order_support.json");
        const std::string from = R"("target_state": "report_delayed_reply")";
        text.replace(text.find(from), from.size(), R"("target_state": "report_other")");
        const auto edited = replayInputs(original, compileText(text), stubs);
        const auto divergence = firstDivergence(original, edited);
        QVERIFY(divergence.has_value());
        QCOMPARE(divergence->turn, size_t(2));
        QCOMPARE(divergence->oldPath.back(), std::string("report_delayed_reply"));
        QCOMPARE(divergence->newPath.back(), std::string("report_other"));
        QVERIFY(divergence->oldReply != divergence->newReply);
    }

    void replayRepeatsEditsMadeBetweenMessages() {
        auto stubs = std::make_shared<StubGateway>();
        QVERIFY(loadStubs(R"({"orders_api": {"body": {"order": {"status": "delayed"}}}})", *stubs)
                    .empty());
        Simulation simulation = atOrderPrompt(stubs);
        simulation.conversation().user["premium"] = true;
        simulation.conversation().vars["note"] = "vip";
        simulation.send(textMessage("AB-12345"));
        const auto replayed =
            replayInputs(simulation.turns(), compileFile(kFlows + "order_support.json"), stubs);
        QCOMPARE(replayed.back().after.currentState, std::string("handoff_priority"));
        QCOMPARE(replayed.back().before.vars["note"], Json("vip"));
        QVERIFY(!firstDivergence(simulation.turns(), replayed).has_value());
    }

    void untracedSessionsRecordTheSamePathsAsTracedOnes() {
        // order_support's conversations, and a flow whose failure moves to its error_state.
        const char* failing = R"({"name": "f", "initial_state": "a", "error_state": "oops",
          "states": {
            "a": {"type": "response", "transitions": [{"condition": "any_input", "target_state": "b"}]},
            "b": {"type": "condition", "transitions": [{"condition": "fallback", "target_state": "gone"}]},
            "oops": {"type": "response", "config": {"response_templates": {"default": "sorry"}},
                     "transitions": [{"condition": "any_input", "target_state": "a"}]}}})";
        struct Script {
            std::shared_ptr<const CompiledFlow> flow;
            std::vector<std::string> lines;
        };
        const std::vector<Script> scripts = {
            {compileFile(kFlows + "order_support.json"),
             {"hello", "where is my order?", "AB-12345", "cancel"}},
            {compileText(failing), {"go", "again"}}};
        for (const Script& script : scripts) {
            Simulation traced(script.flow, sampleStubs());
            Simulation untraced(script.flow, sampleStubs());
            untraced.setTracing(false);
            traced.start({{"name", "Ana"}});
            untraced.start({{"name", "Ana"}});
            for (const auto& line : script.lines) {
                traced.send(textMessage(line));
                untraced.send(textMessage(line));
            }
            for (size_t i = 0; i < traced.turns().size(); ++i) {
                const SimTurn& a = traced.turns()[i];
                const SimTurn& b = untraced.turns()[i];
                QVERIFY2(a.path == b.path, qPrintable(joined(a.path) + " vs " + joined(b.path)));
                QVERIFY(a.transitionsTaken == b.transitionsTaken);
                QVERIFY(b.result.trace.empty());
            }
        }
        Simulation check(compileText(failing), nullptr);
        check.start();
        QCOMPARE(check.send(textMessage("go")).path, (std::vector<std::string>{"b", "oops"}));
    }

    void contextPatchRoundTripsEditsIncludingRemovals() {
        ConversationState from;
        from.slots = {{"a", 1}, {"gone", "x"}};
        from.user = {{"name", "Ana"}};
        ConversationState to = from;
        to.slots.erase("gone");
        to.slots["b"] = 2;
        to.user["premium"] = true;
        const Json patch = contextPatch(from, to);
        QCOMPARE(patch, Json::parse(R"({"slots": {"b": 2, "gone": null},
                                        "user": {"premium": true}})"));
        ConversationState applied = from;
        applyContextPatch(applied, patch);
        QCOMPARE(applied.slots, to.slots);
        QCOMPARE(applied.user, to.user);
        QVERIFY(contextPatch(to, to).empty());
    }
};

QTEST_GUILESS_MAIN(tst_Simulation)
#include "tst_simulation.moc"
