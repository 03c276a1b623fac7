// The executor against DESIGN.md §3: every state type and transition condition, templates,
// global handlers, and the semantics that must hold (opening message, all-or-nothing messages,
// the circuit breaker, limits with clear errors, traces). Integration calls go through a
// StubGateway here; tst_executor_integration.cpp does the same over real HTTP.
//
// Most tests use tests/data/flows/exec_every_state.json: a greeting that routes by keyword or
// intent to a state of every type. Small flows written inline show one rule each. (moc reads
// multi-line raw strings as code: no "//" and no "#" inside them, or the test class vanishes.)

#include "executor_harness.h"

#include <QtTest>

#include <algorithm>
#include <chrono>

using namespace flowdeck::engine;
using namespace flowdeck::engine::test;
using namespace std::chrono_literals;

namespace {

using Clock = std::chrono::steady_clock;

long long msSince(Clock::time_point start) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
}

StubResponse stubbed(StubResponse::Kind kind, int status = 200, std::string body = "{}") {
    StubResponse s;
    s.kind = kind;
    s.status = status;
    s.body = std::move(body);
    return s;
}

bool contains(const std::string& text, std::string_view part) {
    return text.find(part) != std::string::npos;
}

bool hasAction(const ExecutionResult& result, const std::string& action) {
    return std::find(result.actions.begin(), result.actions.end(), action) != result.actions.end();
}

std::vector<const TraceEvent*> eventsOf(const Trace& trace, TraceKind kind,
                                        std::string_view state) {
    std::vector<const TraceEvent*> events;
    for (const auto& event : trace) {
        if (event.kind == kind && event.state == state) {
            events.push_back(&event);
        }
    }
    return events;
}

constexpr const char* kOrderBody =
    R"json({"order": {"status": "shipped", "eta": "Thursday", "carrier": "DHL"}})json";

// An integration state whose transitions are TRANSITIONS; the stub answers "slow" with a timeout.
constexpr const char* kSlowCallFlow = R"json({"name": "t", "initial_state": "start", "states": {
  "start": { "type": "response", "transitions": [ { "condition": "any_input", "target_state": "call" } ] },
  "call": { "type": "integration", "config": { "integration": "slow", "url": "slow.example/status", "timeout_ms": 50 },
    "transitions": [ TRANSITIONS ] },
  "late": { "type": "end", "config": { "response_templates": { "default": "Timed out." } } },
  "failed": { "type": "end", "config": { "response_templates": { "default": "Failed." } } } } })json";

std::string withTransitions(std::string flow, const std::string& transitions) {
    const size_t at = flow.find("TRANSITIONS");
    return flow.replace(at, std::string_view("TRANSITIONS").size(), transitions);
}

} // namespace

class tst_Executor : public QObject {
    Q_OBJECT
private:
    std::shared_ptr<const CompiledFlow> m_every =
        compileFile(TEST_DATA_DIR "/flows/exec_every_state.json");
    StubGateway m_gateway;
    Executor m_executor{m_gateway};

    Chat chat(std::shared_ptr<const CompiledFlow> flow = nullptr) {
        Chat c(m_executor, flow ? std::move(flow) : m_every);
        c.conversation.user = {{"name", "Zoë"}, {"account", "A 7/1"}};
        return c;
    }

private Q_SLOTS:
    void init() {
        m_gateway.clear();
        m_gateway.setResponse("orders", stubbed(StubResponse::Kind::Success, 200, kOrderBody));
    }

    // --- state types -----------------------------------------------------------------

    void startRendersInitialStateAsOpeningMessage() {
        Chat c = chat();
        const ExecutionResult r = c.start();
        QVERIFY2(r.ok, describeErrors(r).c_str());
        QCOMPARE(r.reply, std::string("Hi Zoë! Say order, form, sum, agent or bye."));
        QCOMPARE(c.conversation.currentState, std::string("hello"));
        QCOMPARE(r.transitions, 0);
        c.options.locale = "es-MX"; // no es-MX variant: falls back to the language
        QCOMPARE(c.start().reply, std::string("¡Hola Zoë!"));
    }
    void responseStateWaitsThenAnyInputMovesOn() {
        Chat c = chat();
        c.start();
        const ExecutionResult r = c.say("hmm, not sure");
        QVERIFY2(r.ok, describeErrors(r).c_str());
        QCOMPARE(r.stateBefore, std::string("hello"));
        // any_input -> detect (intent, no match) -> fallback -> clarify, which waits.
        QCOMPARE(r.stateAfter, std::string("clarify"));
        QCOMPARE(r.transitions, 2);
        QCOMPARE(r.reply, std::string("Sorry, I did not get that."));
    }
    void intentStateRoutesByBuiltInClassifier() {
        Chat c = chat();
        c.start();
        const ExecutionResult r = c.say("Where is my order?");
        QVERIFY2(r.ok, describeErrors(r).c_str());
        QCOMPARE(r.intent, std::string("order"));
        QVERIFY2(r.confidence >= 0.5, qPrintable(QString::number(r.confidence)));
        QCOMPARE(r.stateAfter, std::string("shipped"));
        QCOMPARE(r.reply, std::string("Your order has shipped, Zoë; it arrives Thursday."));
    }
    void intentStateTrustsExternalNluAboveThreshold() {
        Chat c = chat();
        c.start();
        InboundMessage sure = textMessage("xyz");
        sure.attributes = {{"intent", "bye"}, {"intent_confidence", "0.9"}};
        QCOMPARE(c.send(sure).stateAfter, std::string("bye"));

        Chat unsure = chat();
        unsure.start();
        InboundMessage weak = textMessage("goodbye");
        weak.attributes = {{"intent", "bye"}, {"intent_confidence", "0.2"}};
        const ExecutionResult r = unsure.send(weak);
        QCOMPARE(r.confidence, 0.2);
        QCOMPARE(r.stateAfter, std::string("clarify")); // below 0.5: the fallback
    }
    void slotFillingAsksForEachMissingSlotWithRenderedPrompt() {
        Chat c = chat();
        c.start();
        ExecutionResult r = c.say("form");
        QCOMPARE(r.stateAfter, std::string("form"));
        QCOMPARE(r.reply, std::string("How many, Zoë?"));
        r = c.say("I'd like 4 please");
        QCOMPARE(r.stateAfter, std::string("form"));
        QCOMPARE(r.reply, std::string("Which email for 4 items?"));
        QCOMPARE(r.contextUpdates.at("slots.qty"), std::string("4"));
        r = c.say("it's zoe@example.com");
        QVERIFY2(r.ok, describeErrors(r).c_str());
        // slot_filled -> sum (script) -> fallback -> total
        QCOMPARE(r.stateAfter, std::string("total"));
        QCOMPARE(r.reply, std::string("order of 4: 12 EUR, receipt to zoe@example.com."));
        QCOMPARE(r.contextUpdates.at("slots.email"), std::string("\"zoe@example.com\""));
        QCOMPARE(r.contextUpdates.at("vars.total"), std::string("12"));
    }
    void slotFillingRepromptsWhenAnswerHasNoValue() {
        Chat c = chat();
        c.start();
        c.say("form");
        const ExecutionResult r = c.say("not telling");
        QCOMPARE(r.stateAfter, std::string("form"));
        QCOMPARE(r.reply, std::string("How many, Zoë?"));
        QVERIFY(!c.conversation.slots.contains("qty"));
    }
    void slotFillingTakesValuesFromTheMessageThatEntersIt() {
        // The number and email in the entering message fill both slots: no question is asked.
        const auto flow = compileText(R"json({"name": "f", "initial_state": "start", "states": {
          "start": { "type": "response", "transitions": [ { "condition": "any_input", "target_state": "form" } ] },
          "form": { "type": "slot_filling",
            "config": { "slots": [ { "name": "qty", "type": "number", "prompt": "How many?" },
                                   { "name": "email", "type": "email", "prompt": "Email?" } ] },
            "transitions": [ { "condition": "slot_filled", "condition_value": "email", "target_state": "done" } ] },
          "done": { "type": "end", "config": { "response_templates": { "default": "{{slots.qty}} to {{slots.email}}" } } } } })json");
        Chat c = chat(flow);
        c.start();
        const ExecutionResult r = c.say("3 for bob@example.org");
        QCOMPARE(r.stateAfter, std::string("done"));
        QCOMPARE(r.reply, std::string("3 to bob@example.org"));
    }
    void slotFillingDoesNotTakeAnswersMeantForThePreviousQuestion() {
        const auto flow = compileText(R"json({"name": "f", "initial_state": "ask", "states": {
          "ask": { "type": "slot_filling",
            "config": { "slots": [ { "name": "email", "type": "email", "prompt": "Your email?" } ] },
            "transitions": [ { "condition": "slot_filled", "target_state": "confirm" } ] },
          "confirm": { "type": "slot_filling",
            "config": { "slots": [ { "name": "ok", "type": "boolean", "prompt": "Send it to {{slots.email}}?" } ] },
            "transitions": [ { "condition": "expression", "expression": "slots.ok == true", "target_state": "sent", "priority": 5 },
                             { "condition": "slot_filled", "target_state": "ask" } ] },
          "sent": { "type": "end", "config": { "response_templates": { "default": "Sent." } } } } })json");
        Chat c = chat(flow);
        QCOMPARE(c.start().reply, std::string("Your email?"));
        // "yes" answers nothing yet: the confirmation has not been asked.
        ExecutionResult r = c.say("yes, bob@example.org");
        QCOMPARE(r.stateAfter, std::string("confirm"));
        QCOMPARE(r.reply, std::string("Send it to bob@example.org?"));
        QVERIFY(!c.conversation.slots.contains("ok"));
        r = c.say("yes");
        QCOMPARE(r.stateAfter, std::string("sent"));
    }
    void integrationSuccessMapsResponseAndRendersRequest() {
        Chat c = chat();
        c.start();
        const ExecutionResult r = c.say("track my order");
        QVERIFY2(r.ok, describeErrors(r).c_str());
        QVERIFY(hasAction(r, "integration:orders"));
        QCOMPARE(c.conversation.vars.value("status", ""), std::string("shipped"));
        QCOMPARE(r.contextUpdates.at("vars.eta"), std::string("\"Thursday\""));
        const auto calls = m_gateway.calls();
        QCOMPARE(calls.size(), size_t(1));
        // Referenced values are percent-encoded in the URL; headers are rendered as text.
        QCOMPARE(calls[0].url, std::string("https://orders.example/orders/A%207%2F1"));
        QCOMPARE(calls[0].headers.at("X-Customer"), std::string("Zoë"));
        QCOMPARE(static_cast<long long>(calls[0].timeout.count()), 100LL);
    }
    void integrationFailureTakesOnFailure() {
        m_gateway.setResponse("orders", stubbed(StubResponse::Kind::Failure, 503));
        Chat c = chat();
        c.start();
        const ExecutionResult r = c.say("where is my order");
        QVERIFY2(r.ok, describeErrors(r).c_str());
        QCOMPARE(r.stateAfter, std::string("lookup_failed"));
        QCOMPARE(r.reply, std::string("The order system did not answer."));
        QVERIFY(r.failedIntegrations == std::vector<std::string>{"orders"});
        QVERIFY(!c.conversation.vars.contains("status"));
    }
    void unreadableResponseIsAFailureNotAHalfMapping() {
        m_gateway.setResponse("orders", stubbed(StubResponse::Kind::Success, 200, "not json"));
        Chat c = chat();
        c.start();
        const ExecutionResult r = c.say("where is my order");
        QCOMPARE(r.stateAfter, std::string("lookup_failed"));
        QVERIFY(!c.conversation.vars.contains("status"));
    }
    void conditionStateBranchesWithoutWaiting() {
        m_gateway.setResponse("orders", stubbed(StubResponse::Kind::Success, 200,
                                                R"json({"order": {"status": "packed"}})json"));
        Chat c = chat();
        c.start();
        const ExecutionResult r = c.say("where is my order");
        // hello -> detect -> lookup -> branch (expression false) -> fallback -> other
        QCOMPARE(r.stateAfter, std::string("other"));
        QCOMPARE(r.reply, std::string("Your order is packed."));
        QCOMPARE(r.transitions, 4);
    }
    void scriptStateSetsVariablesForLaterStates() {
        Chat c = chat();
        c.start();
        c.conversation.slots["qty"] = 5;
        const ExecutionResult r = c.say("sum");
        QVERIFY2(r.ok, describeErrors(r).c_str());
        QCOMPARE(r.stateAfter, std::string("total"));
        QCOMPARE(c.conversation.vars.value("total", 0), 15);
        QCOMPARE(r.reply, std::string("order of 5: 15 EUR, receipt to ."));
    }
    void contextUpdatesListChangedAddedAndRemovedValuesOnly() {
        const auto flow = compileText(R"json({"name": "u", "initial_state": "start", "states": {
          "start": { "type": "response", "transitions": [ { "condition": "any_input", "target_state": "edit" } ] },
          "edit": { "type": "script",
            "config": { "script": "vars.b = nil\nvars.c = 30\nvars.e = 5\nslots.s = 'new'" },
            "transitions": [ { "condition": "fallback", "target_state": "start" } ] } } })json");
        Chat c = chat(flow);
        c.start();
        c.conversation.vars = {{"a", 1}, {"b", 2}, {"c", 3}, {"d", 4}};
        const ExecutionResult r = c.say("go");
        QVERIFY2(r.ok, describeErrors(r).c_str());
        const std::map<std::string, std::string> expected = {
            {"vars.b", "null"}, {"vars.c", "30"}, {"vars.e", "5"}, {"slots.s", "\"new\""}};
        QVERIFY2(r.contextUpdates == expected, Json(r.contextUpdates).dump().c_str());
    }
    void failingScriptTakesOnFailureAndLeavesNoPartialWrites() {
        const auto flow = compileText(R"json({"name": "s", "initial_state": "start", "states": {
          "start": { "type": "response", "transitions": [ { "condition": "any_input", "target_state": "calc" } ] },
          "calc": { "type": "script", "config": { "script": "vars.half = 1\nerror('no price list')" },
            "transitions": [ { "condition": "on_failure", "target_state": "sorry" },
                             { "condition": "fallback", "target_state": "start" } ] },
          "sorry": { "type": "response",
            "config": { "response_templates": { "default": "Cannot price that [{{vars.half}}]." } } } } })json");
        Chat c = chat(flow);
        c.start();
        const ExecutionResult r = c.say("price it");
        QVERIFY2(r.ok, describeErrors(r).c_str());
        QCOMPARE(r.stateAfter, std::string("sorry"));
        QCOMPARE(r.reply, std::string("Cannot price that []."));
        QVERIFY(!c.conversation.vars.contains("half"));
    }
    void failingScriptWithoutOnFailureIsAnExpressionError() {
        const auto flow = compileText(R"json({"name": "s", "initial_state": "start", "states": {
          "start": { "type": "response", "config": { "response_templates": { "default": "Ready." } },
                     "transitions": [ { "condition": "any_input", "target_state": "calc" } ] },
          "calc": { "type": "script", "config": { "script": "vars.x = nil + 1" },
            "transitions": [ { "condition": "fallback", "target_state": "start" } ] } } })json");
        Chat c = chat(flow);
        c.start();
        const ExecutionResult r = c.say("go");
        QVERIFY(!r.ok);
        QCOMPARE(r.errors.size(), size_t(1));
        QVERIFY(r.errors[0].code == ErrorCode::ExpressionError);
        QVERIFY2(contains(r.errors[0].message, "script of state 'calc' failed"),
                 r.errors[0].message.c_str());
        QCOMPARE(c.conversation.currentState, std::string("start")); // no error_state: kept
        QCOMPARE(r.reply, std::string());
    }
    void handoffStateRecordsQueueAndWaits() {
        Chat c = chat();
        c.start();
        const ExecutionResult r = c.say("I want to talk to a person");
        QVERIFY2(r.ok, describeErrors(r).c_str());
        QCOMPARE(r.stateAfter, std::string("agent"));
        QCOMPARE(r.reply, std::string("Passing you to billing."));
        QVERIFY(hasAction(r, "handoff:billing"));
    }
    void endStateWaitsAndStaysEnded() {
        Chat c = chat();
        c.start();
        QCOMPARE(c.say("goodbye").stateAfter, std::string("bye"));
        const ExecutionResult again = c.say("hello?");
        QVERIFY2(again.ok, describeErrors(again).c_str());
        QCOMPARE(again.stateAfter, std::string("bye"));
        QCOMPARE(again.transitions, 0);
        QCOMPARE(again.reply, std::string("Goodbye!"));
    }

    // --- conditions --------------------------------------------------------------------

    void timeoutConditionHearsIdleEventsOnly() {
        const auto flow = compileText(R"json({"name": "t", "initial_state": "ask", "states": {
          "ask": { "type": "response", "config": { "response_templates": { "default": "Still there?" } },
            "transitions": [ { "condition": "any_input", "target_state": "answered" },
                             { "condition": "timeout", "target_state": "nudge" } ] },
          "answered": { "type": "end", "config": { "response_templates": { "default": "Thanks." } } },
          "nudge": { "type": "end", "config": { "response_templates": { "default": "Closing this chat." } } } } })json");
        Chat idle = chat(flow);
        idle.start();
        const ExecutionResult r = idle.send(idleEvent());
        QCOMPARE(r.stateAfter, std::string("nudge"));
        QCOMPARE(r.reply, std::string("Closing this chat."));
        Chat talking = chat(flow);
        talking.start();
        QCOMPARE(talking.say("yes").stateAfter, std::string("answered"));
    }
    void idleEventWithoutTimeoutTransitionStaysQuietly() {
        Chat c = chat();
        c.start();
        const ExecutionResult r = c.send(idleEvent());
        QVERIFY(r.ok);
        QCOMPARE(r.stateAfter, std::string("hello"));
        QCOMPARE(r.transitions, 0);
        QCOMPARE(r.reply, std::string());
    }
    void integrationTimeoutTakesTimeoutTransitionOrOnFailure() {
        m_gateway.setResponse("slow", stubbed(StubResponse::Kind::Timeout));
        Chat a = chat(compileText(withTransitions(kSlowCallFlow, R"json(
            { "condition": "timeout", "target_state": "late" },
            { "condition": "on_failure", "target_state": "failed" })json")));
        a.start();
        const auto start = Clock::now();
        ExecutionResult r = a.say("go");
        QCOMPARE(r.stateAfter, std::string("late"));
        QVERIFY2(msSince(start) < 1000, qPrintable(QString::number(msSince(start))));

        Chat b = chat(compileText(withTransitions(
            kSlowCallFlow, R"json({ "condition": "on_failure", "target_state": "failed" })json")));
        b.start();
        r = b.say("go");
        QCOMPARE(r.stateAfter, std::string("failed")); // a timeout is a failure when unhandled
        QVERIFY(r.failedIntegrations == std::vector<std::string>{"slow"});
    }
    void integrationWithoutFailurePathMovesToErrorState() {
        const auto flow = compileText(
            R"json({"name": "t", "initial_state": "start", "error_state": "sorry", "states": {
          "start": { "type": "response", "transitions": [ { "condition": "any_input", "target_state": "call" } ] },
          "call": { "type": "integration", "config": { "integration": "down", "url": "down.example/status" },
            "transitions": [ { "condition": "on_success", "target_state": "start" } ] },
          "sorry": { "type": "response", "config": { "response_templates": { "default": "We are having trouble." } } } } })json");
        m_gateway.setResponse("down", stubbed(StubResponse::Kind::Failure, 500));
        Chat c = chat(flow);
        c.start();
        const ExecutionResult r = c.say("go");
        QVERIFY(!r.ok);
        QVERIFY(r.errors.at(0).code == ErrorCode::IntegrationError);
        QVERIFY2(contains(r.errors[0].message, "integration 'down' failed in state 'call'"),
                 r.errors[0].message.c_str());
        QCOMPARE(r.stateAfter, std::string("sorry"));
        QCOMPARE(r.errors[0].details.at("error_state"), std::string("sorry"));
        QCOMPARE(r.reply, std::string("We are having trouble."));
    }
    void higherPriorityWinsThenDocumentOrder() {
        // The fallback's priority does not matter: it is only taken when nothing else holds.
        const auto flow = compileText(R"json({"name": "p", "initial_state": "start", "states": {
          "start": { "type": "response", "transitions": [ { "condition": "any_input", "target_state": "pick" } ] },
          "pick": { "type": "condition", "transitions": [
            { "condition": "expression", "expression": "true", "target_state": "low", "priority": 1 },
            { "condition": "expression", "expression": "input:len() > 0", "target_state": "first", "priority": 7 },
            { "condition": "expression", "expression": "true", "target_state": "second", "priority": 7 },
            { "condition": "fallback", "target_state": "low", "priority": 100 } ] },
          "low": { "type": "end" }, "first": { "type": "end" }, "second": { "type": "end" } } })json");
        Chat c = chat(flow);
        c.start();
        QCOMPARE(c.say("x").stateAfter, std::string("first"));
    }
    void failingExpressionCountsAsFalse() {
        const auto flow = compileText(R"json({"name": "e", "initial_state": "start", "states": {
          "start": { "type": "response", "transitions": [
            { "condition": "expression", "expression": "slots.age > 17", "target_state": "adult", "priority": 5 },
            { "condition": "fallback", "target_state": "unknown" } ] },
          "adult": { "type": "end" },
          "unknown": { "type": "end", "config": { "response_templates": { "default": "How old are you?" } } } } })json");
        Chat c = chat(flow);
        c.options.trace = true;
        c.start();
        const ExecutionResult r = c.say("hi"); // slots.age is nil: nil > 17 is a Lua error
        QVERIFY2(r.ok, describeErrors(r).c_str());
        QCOMPARE(r.stateAfter, std::string("unknown"));
        const TraceEvent* verdict = findEvent(r.trace, TraceKind::ConditionEvaluated, "start");
        QVERIFY(verdict != nullptr);
        QVERIFY2(contains(verdict->detail, "error, counted as false"), verdict->detail.c_str());
    }
    void unknownTargetFailsTheMessageWithStateError() {
        const auto flow = compileText(R"json({"name": "u", "initial_state": "start", "states": {
          "start": { "type": "response", "transitions": [ { "condition": "any_input", "target_state": "nowhere" } ] } } })json");
        Chat c = chat(flow);
        c.start();
        const ExecutionResult r = c.say("hi");
        QVERIFY(!r.ok);
        QVERIFY(r.errors.at(0).code == ErrorCode::StateError);
        QVERIFY2(contains(r.errors[0].message, "unknown state 'nowhere'"),
                 r.errors[0].message.c_str());
        QCOMPARE(c.conversation.currentState, std::string("start"));
    }

    // --- global handlers ---------------------------------------------------------------

    void globalHandlerByKeywordWinsFromAnyState() {
        Chat c = chat();
        c.start();
        c.say("form");
        QCOMPARE(c.conversation.currentState, std::string("form"));
        const ExecutionResult r = c.say("Cancel!");
        QVERIFY2(r.ok, describeErrors(r).c_str());
        QCOMPARE(r.stateAfter, std::string("bye"));
        QCOMPARE(r.reply, std::string("Goodbye!"));
    }
    void globalHandlerByIntentUsesFlowClassifier() {
        Chat c = chat();
        c.start();
        c.say("form"); // a slot_filling state, whose own transitions know nothing of agents
        const ExecutionResult r = c.say("human agent please");
        QCOMPARE(r.stateAfter, std::string("agent"));
        QVERIFY(hasAction(r, "handoff:billing"));
    }

    // --- the circuit breaker and limits ------------------------------------------------

    void circuitBreakerStopsNonWaitingLoopIntoErrorState() {
        const auto flow = compileText(
            R"json({"name": "loop", "initial_state": "start", "error_state": "oops", "states": {
          "start": { "type": "response", "transitions": [ { "condition": "any_input", "target_state": "a" } ] },
          "a": { "type": "script", "config": { "script": "vars.n = (vars.n or 0) + 1" },
                 "transitions": [ { "condition": "fallback", "target_state": "b" } ] },
          "b": { "type": "condition", "transitions": [ { "condition": "fallback", "target_state": "a" } ] },
          "oops": { "type": "response", "config": { "response_templates": { "default": "Sorry, I got stuck." } } } } })json");
        Chat c = chat(flow);
        c.start();
        const auto start = Clock::now();
        const ExecutionResult r = c.say("go");
        QVERIFY2(msSince(start) < 2000, qPrintable(QString::number(msSince(start))));
        QVERIFY(!r.ok);
        QCOMPARE(r.errors.size(), size_t(1));
        const EngineError& e = r.errors[0];
        QVERIFY(e.code == ErrorCode::CircularTransition);
        QVERIFY2(contains(e.message, "stopped after 50 transitions"), e.message.c_str());
        QVERIFY2(contains(e.details.at("last_states"), "a -> b -> a"),
                 e.details.at("last_states").c_str());
        // DESIGN §3: moved to the flow's error state, whose message is the reply; the loop's
        // 25 script runs leave nothing behind.
        QCOMPARE(r.stateAfter, std::string("oops"));
        QCOMPARE(c.conversation.currentState, std::string("oops"));
        QCOMPARE(r.reply, std::string("Sorry, I got stuck."));
        QVERIFY2(!c.conversation.vars.contains("n"), c.conversation.vars.dump().c_str());
        QVERIFY(r.contextUpdates.empty());
    }
    void circuitBreakerWithoutErrorStateKeepsConversation() {
        const auto flow = compileText(R"json({"name": "loop", "initial_state": "start",
          "settings": { "max_transitions_per_message": 7 }, "states": {
          "start": { "type": "response", "config": { "response_templates": { "default": "Ready." } },
                     "transitions": [ { "condition": "any_input", "target_state": "a" } ] },
          "a": { "type": "condition", "transitions": [ { "condition": "fallback", "target_state": "b" } ] },
          "b": { "type": "condition", "transitions": [ { "condition": "fallback", "target_state": "a" } ] } } })json");
        Chat c = chat(flow);
        c.start();
        const ExecutionResult r = c.say("go");
        QVERIFY(!r.ok);
        QVERIFY(r.errors.at(0).code == ErrorCode::CircularTransition);
        QVERIFY2(contains(r.errors[0].message, "stopped after 7 transitions"),
                 r.errors[0].message.c_str());
        QCOMPARE(c.conversation.currentState, std::string("start"));
        QCOMPARE(r.stateAfter, std::string("start"));
        QCOMPARE(r.reply, std::string());
    }
    void runawayExpressionFailsItsTransitionWithClearError() {
        const auto flow = compileText(R"json({"name": "spin", "initial_state": "start", "states": {
          "start": { "type": "response", "transitions": [
            { "condition": "expression", "expression": "(function() while true do end end)()", "target_state": "never", "priority": 5 },
            { "condition": "any_input", "target_state": "done" } ] },
          "never": { "type": "end" },
          "done": { "type": "end", "config": { "response_templates": { "default": "Done." } } } } })json");
        Chat c = chat(flow);
        c.options.trace = true;
        c.start();
        const auto start = Clock::now();
        const ExecutionResult r = c.say("go");
        QVERIFY2(msSince(start) < 5000, qPrintable(QString::number(msSince(start))));
        QVERIFY2(r.ok, describeErrors(r).c_str());
        QCOMPARE(r.stateAfter, std::string("done"));
        const TraceEvent* verdict = findEvent(r.trace, TraceKind::ConditionEvaluated, "start");
        QVERIFY(verdict != nullptr);
        QCOMPARE(verdict->transition, 0);
        QVERIFY2(contains(verdict->detail, "counted as false") &&
                     contains(verdict->detail, "budget"),
                 verdict->detail.c_str());
        const Json data = Json::parse(verdict->data);
        QCOMPARE(data["result"].get<bool>(), false);
        QVERIFY(contains(data["inputs"]["error"].get<std::string>(), "budget"));
    }
    void runawayScriptIsStoppedAndReported() {
        const auto flow = compileText(R"json({"name": "spin", "initial_state": "start", "states": {
          "start": { "type": "response", "transitions": [ { "condition": "any_input", "target_state": "spin" } ] },
          "spin": { "type": "script", "config": { "script": "vars.started = true\nwhile true do end" },
                    "transitions": [ { "condition": "fallback", "target_state": "start" } ] } } })json");
        Chat c = chat(flow);
        c.start();
        const auto start = Clock::now();
        const ExecutionResult r = c.say("go");
        QVERIFY2(msSince(start) < 5000, qPrintable(QString::number(msSince(start))));
        QVERIFY(!r.ok);
        QVERIFY(r.errors.at(0).code == ErrorCode::ExpressionError);
        QVERIFY2(contains(r.errors[0].message, "budget"), r.errors[0].message.c_str());
        QVERIFY(!c.conversation.vars.contains("started"));
    }
    void contextOverTheLimitIsRejectedAndNothingApplied() {
        const auto flow = compileText(
            R"json({"name": "big", "initial_state": "start", "error_state": "oops", "states": {
          "start": { "type": "response", "transitions": [ { "condition": "any_input", "target_state": "grow" } ] },
          "grow": { "type": "script", "config": { "script": "vars.blob = string.rep('x', 1024 * 1024)" },
                    "transitions": [ { "condition": "fallback", "target_state": "start" } ] },
          "oops": { "type": "response" } } })json");
        Chat c = chat(flow);
        c.start();
        c.conversation.vars["kept"] = "yes";
        const Json varsBefore = c.conversation.vars;
        const ExecutionResult r = c.say("go");
        QVERIFY(!r.ok);
        QCOMPARE(r.errors.size(), size_t(1));
        const EngineError& e = r.errors[0];
        QVERIFY(e.code == ErrorCode::ContextTooLarge);
        const std::string bytes = e.details.at("context_bytes");
        QVERIFY(std::stoul(bytes) > 1024 * 1024);
        QCOMPARE(e.details.at("limit_bytes"), std::string("1048576"));
        // Just over 1 MiB rounds to "1 MiB": the message then gives exact sizes.
        QCOMPARE(e.message, "conversation context would be " + bytes +
                                " bytes, limit is 1 MiB (1048576 bytes)");
        // The message is refused as a whole: not even the error state is entered.
        QCOMPARE(c.conversation.currentState, std::string("start"));
        QVERIFY(c.conversation.vars == varsBefore);
        QVERIFY(r.contextUpdates.empty());
    }
    void oversizedMessageIsRejectedBeforeAnythingRuns() {
        Chat c = chat();
        c.start();
        const ExecutionResult r = c.say(std::string(64 * 1024 + 1, 'a'));
        QVERIFY(!r.ok);
        QVERIFY(r.errors.at(0).code == ErrorCode::MessageTooLarge);
        QCOMPARE(r.errors[0].message,
                 std::string("message is 65537 bytes, limit is 64 KiB (65536 bytes)"));
        QCOMPARE(r.errors[0].details.at("message_bytes"), std::string("65537"));
        QCOMPARE(c.conversation.currentState, std::string("hello"));
        QCOMPARE(r.transitions, 0);
        // Attributes count too: a small text with a huge attribute is just as large.
        InboundMessage attributes = textMessage("hi");
        attributes.attributes["blob"] = std::string(70 * 1024, 'b');
        const ExecutionResult big = c.send(attributes);
        QVERIFY(big.errors.at(0).code == ErrorCode::MessageTooLarge);
        QVERIFY2(contains(big.errors[0].message, "message is 70.01 KiB, limit is 64 KiB"),
                 big.errors[0].message.c_str());
        QVERIFY(c.say(std::string(64 * 1024, 'a')).ok); // exactly at the limit is fine
    }
    void expiredDeadlineEndsMessageWithTimeoutError() {
        Chat c = chat();
        c.start();
        c.options.deadline = Clock::now() - 1ms;
        const ExecutionResult r = c.say("where is my order");
        QVERIFY(!r.ok);
        QVERIFY(r.errors.at(0).code == ErrorCode::TimeoutError);
        QVERIFY(m_gateway.calls().empty());
    }

    // --- trace -------------------------------------------------------------------------

    void traceRecordsEveryStepOfAMessage() {
        Chat c = chat();
        c.start();
        c.options.trace = true;
        const ExecutionResult r = c.say("where is my order");
        QVERIFY2(r.ok, describeErrors(r).c_str());
        const Trace& t = r.trace;
        QVERIFY(!t.empty());
        QVERIFY(t.front().kind == TraceKind::MessageReceived);
        QVERIFY(t.back().kind == TraceKind::Waiting);
        QCOMPARE(t.back().state, std::string("shipped"));
        for (size_t i = 1; i < t.size(); ++i) {
            QVERIFY2(t[i].startUs >= t[i - 1].startUs, toString(t[i].kind));
            QVERIFY2(t[i].data.empty() || Json::accept(t[i].data), t[i].data.c_str());
        }
        // Every condition of the waiting state, in evaluation order (priority 5 first), with
        // its position as written and its result.
        const auto hello = eventsOf(t, TraceKind::ConditionEvaluated, "hello");
        QCOMPARE(hello.size(), size_t(3));
        QCOMPARE(hello[0]->transition, 0);
        QCOMPARE(Json::parse(hello[0]->data)["result"].get<bool>(), false);
        QVERIFY2(contains(hello[0]->detail, "input == 'form'"), hello[0]->detail.c_str());
        QCOMPARE(hello[2]->transition, 2);
        QCOMPARE(Json::parse(hello[2]->data)["condition"].get<std::string>(),
                 std::string("any_input"));
        QCOMPARE(Json::parse(hello[2]->data)["result"].get<bool>(), true);
        // One TransitionTaken per transition, each naming both ends.
        QCOMPARE(countEvents(t, TraceKind::TransitionTaken), r.transitions);
        const TraceEvent* taken = findEvent(t, TraceKind::TransitionTaken, "hello");
        QVERIFY(taken != nullptr && contains(taken->detail, "hello -> detect"));
        // The classifier's verdict, the call with its request and response, the template.
        const TraceEvent* intent = findEvent(t, TraceKind::IntentClassified, "detect");
        QVERIFY(intent != nullptr);
        QCOMPARE(Json::parse(intent->data)["intent"].get<std::string>(), std::string("order"));
        const TraceEvent* call = findEvent(t, TraceKind::IntegrationCall, "lookup");
        QVERIFY(call != nullptr);
        const Json callData = Json::parse(call->data);
        QCOMPARE(callData["request"]["url"].get<std::string>(),
                 std::string("https://orders.example/orders/A%207%2F1"));
        QCOMPARE(callData["request"]["headers"]["Authorization"].get<std::string>(),
                 std::string("***"));
        QVERIFY(!contains(call->data, "secret-token"));
        QCOMPARE(callData["response"]["status"].get<int>(), 200);
        QCOMPARE(callData["mapping"]["vars.status"].get<std::string>(), std::string("shipped"));
        QCOMPARE(callData["outcome"].get<std::string>(), std::string("success"));
        const TraceEvent* branch = findEvent(t, TraceKind::ConditionEvaluated, "branch");
        QVERIFY(branch != nullptr && Json::parse(branch->data)["result"].get<bool>());
        const TraceEvent* rendered = findEvent(t, TraceKind::TemplateRendered, "shipped");
        QVERIFY(rendered != nullptr);
        QCOMPARE(Json::parse(rendered->data)["text"].get<std::string>(), r.reply);
        QVERIFY(findEvent(t, TraceKind::StateEntered, "branch") != nullptr);
    }
    void traceShowsSlotsAndMissingTemplateValues() {
        Chat c = chat();
        c.start();
        c.say("form");
        c.options.trace = true;
        const ExecutionResult r = c.say("5");
        const TraceEvent* slot = findEvent(r.trace, TraceKind::SlotExtracted, "form");
        QVERIFY(slot != nullptr);
        QCOMPARE(Json::parse(slot->data)["value"].get<int>(), 5);

        Chat fresh = chat(); // the script runs with no slots: the total says what was missing
        fresh.options.trace = true;
        fresh.start();
        const ExecutionResult s = fresh.say("sum");
        const TraceEvent* total = findEvent(s.trace, TraceKind::TemplateRendered, "total");
        QVERIFY(total != nullptr);
        QVERIFY2(contains(total->detail, "rendered empty: {{slots.email}}"), total->detail.c_str());
        const TraceEvent* script = findEvent(s.trace, TraceKind::ScriptRun, "sum");
        QVERIFY(script != nullptr && Json::parse(script->data)["ok"].get<bool>());
    }
    void traceIsEmptyWhenOff() {
        Chat c = chat();
        c.start();
        QVERIFY(c.say("where is my order").trace.empty());
    }
};

QTEST_GUILESS_MAIN(tst_Executor)
#include "tst_executor.moc"
