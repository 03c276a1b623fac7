// The sample flows shipped in resources/flows, run through the executor the way `flowctl
// simulate` and the console's simulator run them: their *.script.txt conversations (with the
// recorded integration answers of *.stubs.json), and the branches a designer would try next.

#include "executor_harness.h"
#include "flowdeck/engine/linter.h"

#include <QtTest>

#include <algorithm>

using namespace flowdeck::engine;
using namespace flowdeck::engine::test;

namespace {

const std::string kFlows = RESOURCES_DIR "/flows/";
constexpr int64_t kMonday = 1767614400000; // 2026-01-05 12:00 UTC, so "friday" is 2026-01-09

bool contains(const std::string& text, std::string_view part) {
    return text.find(part) != std::string::npos;
}

bool hasAction(const ExecutionResult& result, const std::string& action) {
    return std::find(result.actions.begin(), result.actions.end(), action) != result.actions.end();
}

StubResponse::Kind stubKind(const std::string& kind) {
    if (kind == "failure") {
        return StubResponse::Kind::Failure;
    }
    if (kind == "timeout") {
        return StubResponse::Kind::Timeout;
    }
    if (kind == "slow") {
        return StubResponse::Kind::Slow;
    }
    return StubResponse::Kind::Success;
}

// The stubs document: integration -> {kind, status, body, delay_ms}. Only the single-response
// form the samples use; a body that is not a string is sent as its JSON text.
void loadStubs(const std::string& path, StubGateway& gateway) {
    const Json stubs = Json::parse(readTextFile(path));
    for (auto it = stubs.begin(); it != stubs.end(); ++it) {
        const Json& spec = *it;
        StubResponse response;
        response.kind = stubKind(spec.value("kind", "success"));
        response.status = spec.value("status", 200);
        const Json body = spec.value("body", Json::object());
        response.body = body.is_string() ? body.get<std::string>() : body.dump();
        response.delay = std::chrono::milliseconds(spec.value("delay_ms", 0));
        gateway.setResponse(it.key(), response);
    }
}

StubResponse orderAnswer(const std::string& status) {
    StubResponse response;
    response.body =
        Json{{"order", {{"status", status}, {"eta", "Monday"}, {"carrier", "UPS"}}}}.dump();
    return response;
}

std::string lintErrors(const std::string& path) {
    const ParseResult parsed = parseFlowFile(path);
    if (!parsed.ok()) {
        return "does not parse";
    }
    std::string errors;
    for (const auto& d : lintFlow(*parsed.flow)) {
        if (d.severity == Severity::Error) {
            errors += d.code + " " + d.pointer + ": " + d.message + "; ";
        }
    }
    return errors;
}

// Runs `lines` one by one; returns the replies, opening message first.
std::vector<ExecutionResult> runScript(Chat& chat, const std::vector<std::string>& lines) {
    std::vector<ExecutionResult> results{chat.start()};
    for (const auto& line : lines) {
        results.push_back(chat.say(line));
    }
    return results;
}

} // namespace

class tst_ExecutorSamples : public QObject {
    Q_OBJECT
private:
    std::shared_ptr<const CompiledFlow> m_orders = compileFile(kFlows + "order_support.json");
    std::shared_ptr<const CompiledFlow> m_booking = compileFile(kFlows + "booking.json");
    StubGateway m_gateway;
    Executor m_executor{m_gateway};

    Chat orderChat(bool premium = false) {
        Chat chat(m_executor, m_orders);
        chat.conversation.user = {{"name", "Ana"}, {"premium", premium}};
        return chat;
    }
    Chat bookingChat() {
        Chat chat(m_executor, m_booking);
        chat.options.nowMs = kMonday;
        return chat;
    }
    // Runs a booking up to the confirmation question for a party of `people`.
    ExecutionResult bookUpToConfirmation(Chat& chat, const std::string& people) {
        chat.start();
        chat.say("yes");
        chat.say(people);
        chat.say("2026-12-24");
        chat.say("20:00");
        chat.say("inside");
        return chat.say("bob@example.org");
    }

private Q_SLOTS:
    void init() {
        m_gateway.clear();
        loadStubs(kFlows + "order_support.stubs.json", m_gateway);
    }

    void sampleFlowsHaveNoLintErrors() {
        QCOMPARE(lintErrors(kFlows + "order_support.json"), std::string());
        QCOMPARE(lintErrors(kFlows + "booking.json"), std::string());
    }

    // --- order_support -----------------------------------------------------------------

    void orderSupportScriptReportsTheShippedOrder() {
        Chat chat = orderChat();
        const auto lines = scriptLines(kFlows + "order_support.script.txt");
        QCOMPARE(lines.size(), size_t(4));
        const auto r = runScript(chat, lines);
        for (const auto& result : r) {
            QVERIFY2(result.ok, describeErrors(result).c_str());
            QVERIFY2(!contains(result.reply, "{{"), result.reply.c_str());
        }
        QCOMPARE(r[0].reply, std::string("Hi Ana! I can check an order, or put you through to a "
                                         "person. How can I help?"));
        // "hello" is no request: the flow asks again, with examples.
        QCOMPARE(r[1].stateAfter, std::string("clarify"));
        QVERIFY2(contains(r[1].reply, "where is my order"), r[1].reply.c_str());
        QCOMPARE(r[2].intent, std::string("order_status"));
        QCOMPARE(r[2].stateAfter, std::string("ask_order"));
        QCOMPARE(r[2].reply, std::string("What is your order number? It looks like AB-12345."));
        QCOMPARE(r[3].stateAfter, std::string("report_shipped"));
        QCOMPARE(r[3].reply, std::string("Order AB-12345 has shipped with DHL and should arrive on "
                                         "Thursday 📦. Anything else?"));
        QVERIFY(hasAction(r[3], "integration:orders_api"));
        QCOMPARE(r[4].stateAfter, std::string("goodbye"));
        QCOMPARE(r[4].reply, std::string("Thanks for contacting us. Goodbye! 👋"));
        const auto calls = m_gateway.calls();
        QCOMPARE(calls.size(), size_t(1));
        QCOMPARE(calls[0].url, std::string("http://127.0.0.1:8099/orders/AB-12345"));
        QCOMPARE(static_cast<long long>(calls[0].timeout.count()), 2000LL);
    }
    void orderSupportTakesTheOrderNumberFromTheFirstRequest() {
        Chat chat = orderChat();
        chat.start();
        const ExecutionResult r = chat.say("where is my order AB-12345?");
        QCOMPARE(r.stateAfter, std::string("report_shipped"));
    }
    void orderSupportGreetsInSpanish() {
        Chat chat = orderChat();
        chat.options.locale = "es-ES";
        QVERIFY2(contains(chat.start().reply, "¡Hola Ana!"), "no Spanish greeting");
    }
    void orderSupportApologisesForADelayedOrder() {
        m_gateway.setResponse("orders_api", orderAnswer("delayed"));
        Chat chat = orderChat();
        chat.start();
        chat.say("track my order");
        const ExecutionResult r = chat.say("AB-12345");
        QVERIFY2(r.ok, describeErrors(r).c_str());
        QCOMPARE(r.stateAfter, std::string("report_delayed_reply"));
        QCOMPARE(r.reply, std::string("I'm sorry, order AB-12345 is delayed; the new estimate is "
                                      "Monday. Anything else?"));
        QCOMPARE(chat.conversation.vars.value("apology_count", 0), 1);
        // A second delay in the same conversation goes to a person. (The flow keeps order_id
        // once filled, so it may look the order up again without asking for its number.)
        ExecutionResult again = chat.say("track my order");
        if (again.stateAfter == "ask_order") {
            again = chat.say("AB-12345");
        }
        QCOMPARE(again.stateAfter, std::string("handoff_standard"));
        QVERIFY(hasAction(again, "handoff:support"));
    }
    void orderSupportSendsPremiumCustomersToThePriorityQueue() {
        m_gateway.setResponse("orders_api", orderAnswer("delayed"));
        Chat chat = orderChat(true);
        chat.start();
        chat.say("where is my order");
        const ExecutionResult r = chat.say("CD-987654");
        QCOMPARE(r.stateAfter, std::string("handoff_priority"));
        QCOMPARE(r.reply, std::string("Connecting you to our priority team now, Ana."));
        QVERIFY(hasAction(r, "handoff:priority"));
    }
    void orderSupportReportsOtherStatuses() {
        m_gateway.setResponse("orders_api", orderAnswer("being packed"));
        Chat chat = orderChat();
        chat.start();
        chat.say("order status");
        QCOMPARE(chat.say("AB-1234").reply,
                 std::string("Order AB-1234 is being packed. Anything else?"));
    }
    void orderSupportOffersAPersonWhenTheLookupFails() {
        StubResponse down;
        down.kind = StubResponse::Kind::Failure;
        down.status = 503;
        m_gateway.setResponse("orders_api", down);
        Chat chat = orderChat();
        chat.start();
        chat.say("where is my order");
        const ExecutionResult failed = chat.say("AB-12345");
        QVERIFY2(failed.ok, describeErrors(failed).c_str());
        QCOMPARE(failed.stateAfter, std::string("lookup_failed"));
        QVERIFY(failed.failedIntegrations == std::vector<std::string>{"orders_api"});
        QCOMPARE(m_gateway.calls().size(), size_t(1)); // one call; its retry is the gateway's
        const ExecutionResult yes = chat.say("Yes please");
        QCOMPARE(yes.stateAfter, std::string("handoff_standard"));
    }
    void orderSupportAsksAgainForAMalformedOrderNumber() {
        Chat chat = orderChat();
        chat.start();
        chat.say("where is my order");
        const ExecutionResult r = chat.say("it is 12345");
        QCOMPARE(r.stateAfter, std::string("ask_order"));
        QCOMPARE(r.reply, std::string("What is your order number? It looks like AB-12345."));
        QVERIFY(m_gateway.calls().empty());
    }
    void orderSupportLooksUpEachNewOrderNumber() {
        Chat chat = orderChat();
        chat.start();
        QVERIFY(contains(chat.say("where is my order AB-12345").reply, "AB-12345"));
        const ExecutionResult r = chat.say("where is my order CD-99999");
        QVERIFY2(contains(r.reply, "CD-99999"), r.reply.c_str());
    }
    void orderSupportCancelEndsFromAnywhere() {
        Chat chat = orderChat();
        chat.start();
        chat.say("where is my order");
        QCOMPARE(chat.say("cancel").stateAfter, std::string("goodbye"));
    }

    // --- booking -----------------------------------------------------------------------

    void bookingScriptFillsEverySlotWithRenderedPrompts() {
        Chat chat = bookingChat();
        const auto lines = scriptLines(kFlows + "booking.script.txt");
        QCOMPARE(lines.size(), size_t(7));
        const auto r = runScript(chat, lines);
        for (const auto& result : r) {
            QVERIFY2(result.ok, describeErrors(result).c_str());
            QVERIFY2(!contains(result.reply, "{{"), result.reply.c_str());
        }
        QCOMPARE(r[0].reply,
                 std::string("Welcome to Trattoria Flow 🍝. Would you like to book a table?"));
        QCOMPARE(r[1].reply, std::string("For how many people?"));
        QCOMPARE(r[2].reply, std::string("On which day? (e.g. tomorrow, Friday or 2026-12-24)"));
        QCOMPARE(r[3].reply, std::string("At what time? (e.g. 19:30)"));
        QCOMPARE(r[4].reply, std::string("Inside or on the terrace?"));
        QCOMPARE(r[5].reply, std::string("Which email should we send the confirmation to?"));
        QCOMPARE(chat.conversation.slots.value("date", ""), std::string("2026-01-09"));
        // The confirmation prompt is a template over what the script computed from the slots.
        QCOMPARE(r[6].stateAfter, std::string("confirm"));
        QVERIFY2(contains(r[6].reply,
                          "Shall I book 4 people on 2026-01-09 at 19:30 (terrace)? (yes/no)"),
                 r[6].reply.c_str());
        QVERIFY2(!contains(r[6].reply, "deposit") && !contains(r[6].reply, "Deposit"),
                 r[6].reply.c_str()); // a party of four pays none, so none is mentioned
        QCOMPARE(r[7].stateAfter, std::string("booked"));
        QCOMPARE(r[7].reply, std::string("Booked: 4 people on 2026-01-09 at 19:30 (terrace). A "
                                         "confirmation is on its way to ana@example.com. See you "
                                         "soon!"));
    }
    void bookingAsksADepositOfLargeParties() {
        Chat chat = bookingChat();
        const ExecutionResult r = bookUpToConfirmation(chat, "we are 9");
        QVERIFY2(r.ok, describeErrors(r).c_str());
        QCOMPARE(chat.conversation.vars.value("deposit", 0), 90);
        QVERIFY2(contains(r.reply, "90 EUR"), r.reply.c_str());
        QVERIFY2(contains(r.reply, "Shall I book 9 people on 2026-12-24 at 20:00 (inside)?"),
                 r.reply.c_str());
        QCOMPARE(chat.say("no").stateAfter, std::string("cancelled"));
    }
    void bookingHandsVeryLargePartiesToTheEventsTeam() {
        Chat chat = bookingChat();
        const ExecutionResult r = bookUpToConfirmation(chat, "25 people");
        QCOMPARE(r.stateAfter, std::string("too_large"));
        QCOMPARE(r.reply, std::string("For 25 guests our events team will help you personally."));
        QVERIFY(hasAction(r, "handoff:events"));
    }
    void bookingTakesSeveralSlotsFromOneMessage() {
        Chat chat = bookingChat();
        chat.start();
        chat.say("yes");
        const ExecutionResult r = chat.say("2 people tomorrow at 19:30 on the terrace");
        QCOMPARE(r.reply, std::string("Which email should we send the confirmation to?"));
        QCOMPARE(chat.conversation.slots.value("date", ""), std::string("2026-01-06"));
        QCOMPARE(chat.conversation.slots.value("time", ""), std::string("19:30"));
    }
    void bookingAsksForConfirmationEvenWhenTheEmailAnswerSaysYes() {
        Chat chat = bookingChat();
        chat.start();
        for (const char* line : {"yes", "4", "friday", "19:30", "terrace"}) {
            chat.say(line);
        }
        const ExecutionResult r = chat.say("yes, ana@example.com");
        QCOMPARE(r.stateAfter, std::string("confirm"));
        QVERIFY2(contains(r.reply, "Shall I book 4 people"), r.reply.c_str());
    }
    void bookingDeclinedAtWelcomeEnds() {
        Chat chat = bookingChat();
        chat.start();
        const ExecutionResult r = chat.say("No thanks");
        QCOMPARE(r.stateAfter, std::string("bye"));
        QCOMPARE(r.reply, std::string("Maybe another time. Ciao!"));
    }
    void bookingWelcomeDoesNotReadNowAsNo() {
        Chat chat = bookingChat();
        chat.start();
        const ExecutionResult r = chat.say("now please");
        QCOMPARE(r.stateAfter, std::string("collect"));
    }
    void bookingCancelLeavesNothingBooked() {
        Chat chat = bookingChat();
        chat.start();
        chat.say("yes");
        chat.say("4");
        const ExecutionResult r = chat.say("cancel");
        QCOMPARE(r.stateAfter, std::string("cancelled"));
        QCOMPARE(r.reply, std::string("No problem, nothing was booked."));
    }
};

QTEST_GUILESS_MAIN(tst_ExecutorSamples)
#include "tst_executor_samples.moc"
