// Integration states over real HTTP: the executor with CurlGateway against a flowdeck-http-stub
// process on 127.0.0.1. A slow endpoint must end in the flow's failure path (or its error) within
// the state's timeout, never hold the conversation hostage.

#include "../support/http_stub_process.h"
#include "executor_harness.h"

#include <QtTest>

#include <chrono>

using namespace flowdeck::engine;
using namespace flowdeck::engine::test;
using namespace std::chrono_literals;

namespace {

using Clock = std::chrono::steady_clock;

long long msSince(Clock::time_point start) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
}

bool contains(const std::string& text, std::string_view part) {
    return text.find(part) != std::string::npos;
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
    for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at)) {
        text.replace(at, from.size(), to);
        at += to.size();
    }
    return text;
}

// BASE is replaced by the stub's address, PATH by the endpoint, TRANSITIONS by the call state's
// transitions. The state allows 300 ms.
constexpr const char* kLookupFlow = R"json({
  "name": "lookup", "initial_state": "ask", "error_state": "sorry",
  "states": {
    "ask": { "type": "response", "config": { "response_templates": { "default": "Order number?" } },
      "transitions": [ { "condition": "any_input", "target_state": "call" } ] },
    "call": { "type": "integration",
      "config": { "integration": "orders", "url": "BASEPATH", "timeout_ms": 300,
                  "response_mapping": { "vars.status": "$.status", "vars.customer": "$.customer.name" } },
      "transitions": [ TRANSITIONS ] },
    "found": { "type": "response",
      "config": { "response_templates": { "default": "{{vars.customer}}, order {{input}} is {{vars.status}}." } },
      "transitions": [ { "condition": "any_input", "target_state": "call" } ] },
    "failed": { "type": "response",
      "config": { "response_templates": { "default": "The order system is not answering." } },
      "transitions": [ { "condition": "any_input", "target_state": "call" } ] },
    "late": { "type": "response",
      "config": { "response_templates": { "default": "The order system is slow today." } },
      "transitions": [ { "condition": "any_input", "target_state": "call" } ] },
    "sorry": { "type": "response",
      "config": { "response_templates": { "default": "Sorry, something went wrong." } } }
  }
})json";

constexpr const char* kSuccessAndFailure =
    R"json({ "condition": "on_success", "target_state": "found" },
       { "condition": "on_failure", "target_state": "failed" })json";

} // namespace

class tst_ExecutorIntegration : public QObject {
    Q_OBJECT
private:
    flowdeck::test::HttpStubProcess m_stub;
    CurlGateway m_gateway;
    Executor m_executor{m_gateway};

    Chat lookupChat(const std::string& path, const std::string& transitions) {
        std::string text = replaced(kLookupFlow, "BASE", m_stub.url());
        text = replaced(text, "PATH", path);
        Chat chat(m_executor, compileText(replaced(text, "TRANSITIONS", transitions)));
        chat.start();
        return chat;
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY2(m_stub.start(), qPrintable(m_stub.errorString())); }

    void answeredCallMapsTheResponseIntoTheReply() {
        Chat chat = lookupChat("/json/{{input}}", kSuccessAndFailure);
        const ExecutionResult r = chat.say("AB-42");
        QVERIFY2(r.ok, describeErrors(r).c_str());
        QCOMPARE(r.stateAfter, std::string("found"));
        QCOMPARE(r.reply, std::string("Zoë, order AB-42 is shipped."));
        QCOMPARE(r.contextUpdates.at("vars.status"), std::string("\"shipped\""));
    }
    void errorStatusTakesOnFailure() {
        Chat chat = lookupChat("/status/503", kSuccessAndFailure);
        const ExecutionResult r = chat.say("AB-42");
        QVERIFY2(r.ok, describeErrors(r).c_str());
        QCOMPARE(r.stateAfter, std::string("failed"));
        QVERIFY(r.failedIntegrations == std::vector<std::string>{"orders"});
    }
    void slowEndpointTakesOnFailureWithinTheStateTimeout() {
        Chat chat = lookupChat("/delay/5000", kSuccessAndFailure);
        chat.options.trace = true;
        const auto start = Clock::now();
        const ExecutionResult r = chat.say("AB-42");
        const long long elapsed = msSince(start);
        QVERIFY2(elapsed >= 250 && elapsed < 2000, qPrintable(QString::number(elapsed)));
        QVERIFY2(r.ok, describeErrors(r).c_str());
        QCOMPARE(r.stateAfter, std::string("failed"));
        QCOMPARE(r.reply, std::string("The order system is not answering."));
        QVERIFY(r.failedIntegrations == std::vector<std::string>{"orders"});
        QVERIFY(!chat.conversation.vars.contains("status"));
        const TraceEvent* call = findEvent(r.trace, TraceKind::IntegrationCall, "call");
        QVERIFY(call != nullptr);
        const Json data = Json::parse(call->data);
        QCOMPARE(data["response"]["timed_out"].get<bool>(), true);
        QCOMPARE(data["outcome"].get<std::string>(), std::string("timeout"));
        QVERIFY2(contains(call->detail, "timed out"), call->detail.c_str());
        QVERIFY2(call->durationUs >= 250000, qPrintable(QString::number(call->durationUs)));
    }
    void slowEndpointTakesTheTimeoutTransitionWhenThereIsOne() {
        Chat chat =
            lookupChat("/delay/5000", R"json({ "condition": "on_success", "target_state": "found" },
            { "condition": "timeout", "target_state": "late" },
            { "condition": "on_failure", "target_state": "failed" })json");
        const auto start = Clock::now();
        const ExecutionResult r = chat.say("AB-42");
        QVERIFY2(msSince(start) < 2000, qPrintable(QString::number(msSince(start))));
        QCOMPARE(r.stateAfter, std::string("late"));
        QCOMPARE(r.reply, std::string("The order system is slow today."));
    }
    void slowEndpointWithoutFailurePathEndsInTheErrorState() {
        Chat chat = lookupChat("/delay/5000",
                               R"json({ "condition": "on_success", "target_state": "found" })json");
        const auto start = Clock::now();
        const ExecutionResult r = chat.say("AB-42");
        QVERIFY2(msSince(start) < 2000, qPrintable(QString::number(msSince(start))));
        QVERIFY(!r.ok);
        QVERIFY(r.errors.at(0).code == ErrorCode::IntegrationError);
        QVERIFY2(contains(r.errors[0].message, "integration 'orders' timed out in state 'call'"),
                 r.errors[0].message.c_str());
        QCOMPARE(r.stateAfter, std::string("sorry"));
        QCOMPARE(r.reply, std::string("Sorry, something went wrong."));
    }
    void messageDeadlineCutsALongStateTimeoutShort() {
        // The state would wait 300 ms, the request allows 150: the request's deadline wins, and
        // running out of it is the message's TIMEOUT_ERROR, not the flow's failure path.
        Chat chat = lookupChat("/delay/5000", kSuccessAndFailure);
        const auto start = Clock::now();
        chat.options.deadline = start + 150ms;
        const ExecutionResult r = chat.say("AB-42");
        const long long elapsed = msSince(start);
        QVERIFY2(elapsed >= 100 && elapsed < 1000, qPrintable(QString::number(elapsed)));
        QVERIFY(!r.ok);
        QVERIFY2(r.errors.at(0).code == ErrorCode::TimeoutError, describeErrors(r).c_str());
        QCOMPARE(r.errors[0].details.at("state"), std::string("call"));
    }
};

QTEST_GUILESS_MAIN(tst_ExecutorIntegration)
#include "tst_executor_integration.moc"
