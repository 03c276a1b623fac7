#include "flowdeck/engine/engine.h"
#include "flowdeck/engine/flow_json.h"
#include "flowdeck/engine/integration_gateway.h"
#include "flowdeck/engine/memory_store.h"
#include "flowdeck/engine/sqlite_store.h"
#include "flowdeck/engine/stub_file.h"

#include <QTemporaryDir>
#include <QtTest>

#include <atomic>
#include <thread>

using namespace flowdeck::engine;

namespace {

// Every message goes through a script that counts it, so the count in the context and in each
// reply shows whether a message was applied twice or lost.
constexpr const char* kCounterFlow = R"({
  "name": "counter", "version": "1", "initial_state": "wait",
  "states": {
    "wait":  { "type": "response", "config": { "response_templates": { "default": "n={{vars.n}}" } },
               "transitions": [ { "condition": "any_input", "target_state": "count" } ] },
    "count": { "type": "script", "config": { "script": "vars.n = (vars.n or 0) + 1" },
               "transitions": [ { "condition": "fallback", "target_state": "wait" } ] }
  }
})";

Flow parse(const std::string& text) {
    auto parsed = parseFlow(text);
    if (!parsed.ok()) {
        qFatal("test flow does not parse: %s", formatDiagnostic(parsed.diagnostics.at(0)).c_str());
    }
    return *parsed.flow;
}

Flow loadResourceFlow(const char* name) {
    auto parsed = parseFlowFile(std::string(RESOURCES_DIR "/flows/") + name);
    if (!parsed.ok()) {
        qFatal("%s does not parse", name);
    }
    return *parsed.flow;
}

MessageRequest message(std::string conversation, std::string text, std::string key = {}) {
    MessageRequest request;
    request.tenantId = "acme";
    request.conversationId = std::move(conversation);
    request.content.text = std::move(text);
    request.idempotencyKey = std::move(key);
    return request;
}

// One default flow, a stub gateway and an in-memory store: what most tests need.
struct Rig {
    FlowRegistry flows;
    StubGateway gateway;
    MemoryStore store;

    explicit Rig(const Flow& flow) {
        flows.add(flow);
        flows.setDefaultFlow(flow.name);
    }
    Engine engine(ConversationStore& on, EngineOptions options = {},
                  MetricsRegistry* metrics = nullptr) {
        return Engine(flows, on, gateway, std::move(options), metrics);
    }
};

bool hasError(const ProcessResult& result, ErrorCode code) {
    for (const auto& error : result.errors) {
        if (error.code == code) {
            return true;
        }
    }
    return false;
}

} // namespace

class tst_Engine : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;

    // Sends `perThread` messages from each of `threads` threads to one conversation, through
    // `engines` engines sharing the store (as flowd nodes share a database), each message sent
    // twice with the same key as a client retry would. Returns false on any failed message.
    static bool hammer(std::vector<Engine*> engines, int threads, int perThread) {
        std::atomic<bool> ok{true};
        std::vector<std::thread> workers;
        for (int t = 0; t < threads; ++t) {
            workers.emplace_back([&, t] {
                Engine& engine = *engines[static_cast<size_t>(t) % engines.size()];
                for (int i = 0; i < perThread && ok; ++i) {
                    const std::string key = std::to_string(t) + ":" + std::to_string(i);
                    const auto first = engine.process(message("shared", "hi", key));
                    const auto retry = engine.process(message("shared", "hi", key));
                    if (!first.ok || !retry.duplicate || retry.response != first.response ||
                        retry.version != first.version) {
                        ok = false;
                    }
                }
            });
        }
        for (auto& worker : workers) {
            worker.join();
        }
        return ok;
    }

    static void checkAppliedOnceInOrder(ConversationStore& store, int64_t total) {
        const auto state = store.load("acme", "shared");
        QVERIFY(state.has_value());
        QCOMPARE(state->vars.value("n", 0), total);
        QCOMPARE(state->version, total);
        const auto history = store.history("acme", "shared", static_cast<size_t>(total) + 10);
        QCOMPARE(static_cast<int64_t>(history.size()), total);
        std::map<int, int> lastPerThread;
        for (size_t i = 0; i < history.size(); ++i) {
            // The store's order is the order the messages were applied in; the count in each
            // reply shows each was applied exactly once, at that position.
            QCOMPARE(history[i].seq, static_cast<int64_t>(i + 1));
            QCOMPARE(history[i].reply, "n=" + std::to_string(i + 1));
            // A thread sends its messages one after the other: they must apply in that order.
            const auto& key = history[i].idempotencyKey;
            const int thread = std::stoi(key.substr(0, key.find(':')));
            const int index = std::stoi(key.substr(key.find(':') + 1));
            const auto last = lastPerThread.find(thread);
            QVERIFY(last == lastPerThread.end() || last->second + 1 == index);
            lastPerThread[thread] = index;
        }
    }

private Q_SLOTS:
    void runsTheSampleOrderFlowAndKeepsTheConversation() {
        Rig rig(loadResourceFlow("order_support.json"));
        QVERIFY(loadStubFile(RESOURCES_DIR "/flows/order_support.stubs.json", rig.gateway).empty());
        Engine engine = rig.engine(rig.store);

        auto r = engine.process(message("c1", "where is my order?"));
        QVERIFY2(r.ok, r.errors.empty() ? "" : r.errors[0].message.c_str());
        QCOMPARE(r.currentState, std::string("ask_order"));
        QCOMPARE(r.version, int64_t(1));
        r = engine.process(message("c1", "it's AB-12345"));
        QVERIFY(r.ok);
        QVERIFY2(r.response.find("DHL") != std::string::npos, r.response.c_str());
        QCOMPARE(r.actionsPerformed, std::vector<std::string>{"integration:orders_api"});
        QCOMPARE(r.contextUpdates.at("slots.order_id"), std::string("\"AB-12345\""));
        QCOMPARE(r.version, int64_t(2));

        const auto view = engine.conversation("acme", "c1", 10);
        QVERIFY(view.has_value());
        QCOMPARE(view->state.currentState, r.currentState);
        QCOMPARE(view->history.size(), size_t(2));
        QCOMPARE(view->history[1].input, std::string("it's AB-12345"));
        QCOMPARE(rig.gateway.calls().size(), size_t(1));
    }

    void sameIdempotencyKeyAnswersAgainWithoutApplying() {
        Rig rig(parse(kCounterFlow));
        Engine engine = rig.engine(rig.store);
        const auto first = engine.process(message("c", "a", "k1"));
        const auto again = engine.process(message("c", "a", "k1"));
        QVERIFY(first.ok && !first.duplicate && first.stored);
        QVERIFY(again.duplicate && again.stored);
        QCOMPARE(again.response, std::string("n=1"));
        QCOMPARE(again.version, first.version);
        QCOMPARE(engine.process(message("c", "b", "k2")).response, std::string("n=2"));
        QCOMPARE(rig.store.history("acme", "c", 10).size(), size_t(2));
    }

    void rejectsBadRequestsWithoutTouchingTheConversation() {
        Rig rig(parse(kCounterFlow));
        Engine engine = rig.engine(rig.store);
        const auto invalid = engine.process(message("", "x"));
        QVERIFY(hasError(invalid, ErrorCode::ValidationError));
        QVERIFY(!invalid.stored);
        QVERIFY(hasError(engine.process(message("c", std::string(65 * 1024, 'x'))),
                         ErrorCode::MessageTooLarge));
        auto forced = message("c", "x");
        forced.hints.forceFlow = "nope";
        const auto missing = engine.process(forced);
        QVERIFY(hasError(missing, ErrorCode::FlowNotFound));
        QVERIFY(missing.errors[0].message.find("nope") != std::string::npos);
        QCOMPARE(rig.store.conversationCount(), int64_t(0));
    }

    void failedMessageIsRecordedAndKeepsItsAnswer() {
        // A non-waiting A -> B -> A loop: the circuit breaker stops it; the answer is stored, so
        // a retry gets the same error instead of running the loop again.
        Rig rig(parse(R"({"name": "loop", "initial_state": "w", "states": {
          "w": {"type": "response", "config": {"response_templates": {"default": "hi"}},
                "transitions": [{"condition": "any_input", "target_state": "a"}]},
          "a": {"type": "condition", "transitions": [{"condition": "fallback", "target_state": "b"}]},
          "b": {"type": "condition", "transitions": [{"condition": "fallback", "target_state": "a"}]}
        }})"));
        Engine engine = rig.engine(rig.store);
        const auto first = engine.process(message("c", "go", "k"));
        QVERIFY(hasError(first, ErrorCode::CircularTransition));
        QVERIFY(first.stored); // failed while running: recorded, unlike a rejected request
        const auto retry = engine.process(message("c", "go", "k"));
        QVERIFY(retry.duplicate);
        QVERIFY(hasError(retry, ErrorCode::CircularTransition));
        QCOMPARE(rig.store.history("acme", "c", 10).size(), size_t(1));
    }

    void countsMessagesErrorsAndTransitionsInTheRegistry() {
        Rig rig(loadResourceFlow(
            "order_support.json")); // no stubs: the orders API call fails and takes on_failure
        MetricsRegistry metrics;
        Engine engine = rig.engine(rig.store, {}, &metrics);
        engine.process(message("c", "where is my order", "k1"));
        engine.process(message("c", "AB-12345", "k2"));
        engine.process(message("c", "AB-12345", "k2")); // a retry
        engine.process(message("", "x"));               // invalid
        const std::string text = metrics.exposition();
        const auto has = [&](const char* line) { return text.find(line) != std::string::npos; };
        QVERIFY2(has("flowdeck_messages_total{tenant=\"acme\",flow=\"order_support\","
                     "outcome=\"ok\"} 2\n"),
                 text.c_str());
        QVERIFY(has("outcome=\"duplicate\"} 1\n"));
        QVERIFY(has("flowdeck_errors_total{code=\"VALIDATION_ERROR\"} 1\n"));
        QVERIFY(has("flowdeck_integration_failures_total{integration=\"orders_api\"} 1\n"));
        QVERIFY(has("flowdeck_state_transitions_total{flow=\"order_support\"} "));
    }

    void tryProcessAnswersAMessageThatNeverWaits() {
        Rig rig(parse(kCounterFlow));
        MetricsRegistry metrics;
        Engine engine = rig.engine(rig.store, {}, &metrics);
        const auto first = engine.tryProcess(message("c", "hi", "k1"));
        QVERIFY(first.has_value());
        QVERIFY(first->ok);
        QVERIFY(first->stored);
        QCOMPARE(first->response, std::string("n=1"));
        QCOMPARE(engine.process(message("c", "hi", "k2")).response, std::string("n=2"));
        const auto retry = engine.tryProcess(message("c", "hi", "k1"));
        QVERIFY(retry.has_value() && retry->duplicate);
        QCOMPARE(retry->response, std::string("n=1"));
        QVERIFY(metrics.exposition().find("outcome=\"ok\"} 2\n") != std::string::npos);
    }

    void tryProcessLeavesAMessageThatReachesAnIntegrationUntouched() {
        Rig rig(loadResourceFlow("order_support.json"));
        MetricsRegistry metrics;
        Engine engine = rig.engine(rig.store, {}, &metrics);
        QVERIFY(engine.process(message("c", "where is my order", "k1")).ok);
        const auto before = rig.store.load("acme", "c");
        QVERIFY(before.has_value());
        const std::string countsBefore = metrics.exposition();

        // The order number takes the flow to the orders API: tryProcess gives the message back.
        QVERIFY(!engine.tryProcess(message("c", "AB-12345", "k2")).has_value());
        QVERIFY(rig.gateway.calls().empty()); // nothing was sent
        const auto after = rig.store.load("acme", "c");
        QCOMPARE(after->version, before->version);
        QCOMPARE(after->currentState, before->currentState);
        QCOMPARE(rig.store.history("acme", "c", 10).size(), size_t(1));
        QCOMPARE(metrics.exposition(), countsBefore); // not counted either

        // Where waiting is fine, the same message runs as if tryProcess had never seen it.
        const auto result = engine.process(message("c", "AB-12345", "k2"));
        QCOMPARE(rig.gateway.calls().size(), size_t(1));
        QCOMPARE(result.version, before->version + 1);
        QCOMPARE(rig.store.history("acme", "c", 10).size(), size_t(2));
    }

    void tryProcessDoesNotWaitForAnotherMessageOfTheConversation() {
        Rig rig(loadResourceFlow("order_support.json"));
        StubResponse slow;
        slow.kind = StubResponse::Kind::Slow;
        slow.delay = std::chrono::milliseconds(3000);
        rig.gateway.setResponse("orders_api", slow);
        Engine engine = rig.engine(rig.store);
        QVERIFY(engine.process(message("c", "where is my order", "k1")).ok);

        std::atomic<bool> slowDone{false};
        std::thread waiting([&] {
            engine.process(message("c", "AB-12345", "k2")); // holds the conversation 3 s
            slowDone = true;
        });
        QTRY_COMPARE_WITH_TIMEOUT(rig.gateway.calls().size(), size_t(1), 5000);
        const auto busy = engine.tryProcess(message("c", "hello", "k3"));
        const bool returnedWhileBusy = !slowDone;
        waiting.join();
        QVERIFY(returnedWhileBusy);
        QVERIFY(!busy.has_value());
        QCOMPARE(rig.store.history("acme", "c", 10).size(), size_t(2)); // k3 was not applied
    }

    void resetStartsTheConversationAfresh() {
        Rig rig(parse(kCounterFlow));
        Engine engine = rig.engine(rig.store);
        engine.process(message("c", "a"));
        engine.process(message("c", "b"));
        QVERIFY(engine.reset("acme", "c"));
        QVERIFY(!engine.reset("acme", "c"));
        QCOMPARE(engine.process(message("c", "a")).response, std::string("n=1"));
        QCOMPARE(engine.openingMessage("counter").value_or("?"), std::string("n="));
    }

    // Two nodes share a store; a conversation started on a version only the first has loaded
    // (a canary started there moments ago) stays on it when its next message reaches the second.
    void aPinnedVersionThisNodeLacksIsLoadedNotReplaced() {
        std::string v2 = kCounterFlow;
        v2.replace(v2.find("\"version\": \"1\""), 14, "\"version\": \"2\"");
        v2.replace(v2.find("n={{vars.n}}"), 12, "v2 n={{vars.n}}");
        const Flow first = parse(kCounterFlow);
        const Flow second = parse(v2);
        Rig nodeA(second);
        Rig nodeB(first);
        Engine a = nodeA.engine(nodeA.store);
        QCOMPARE(a.process(message("pinned", "hi")).flowVersion, std::string("2"));

        std::vector<std::string> asked;
        EngineOptions options;
        options.loadVersion = [&](const std::string& tenant, const std::string& flowId,
                                  const std::string& version) {
            asked.push_back(tenant + "/" + flowId + "/" + version);
            nodeB.flows.add(second, flowId, false); // as flowd loads it from the flow store
            return true;
        };
        Engine b = nodeB.engine(nodeA.store, options);
        const ProcessResult result = b.process(message("pinned", "again"));
        QVERIFY(result.errors.empty());
        QCOMPARE(result.flowVersion, std::string("2"));
        QVERIFY2(result.response.rfind("v2 n=", 0) == 0, result.response.c_str());
        QCOMPARE(asked, std::vector<std::string>{"acme/counter/2"});
        QCOMPARE(nodeB.flows.active("counter")->version, std::string("1")); // still active

        // Without the hook the conversation moves to the active version, as before.
        Rig nodeC(first);
        Engine c = nodeC.engine(nodeA.store);
        QCOMPARE(c.process(message("pinned", "third")).flowVersion, std::string("1"));
    }

    void sixteenThreadsOnOneConversationApplyEachMessageOnceInOrder() {
        Rig rig(parse(kCounterFlow));
        std::string error;
        SqliteOptions keepAll;
        keepAll.historyLimitPerConversation = 20000; // the check reads every message back
        auto store = SqliteStore::open((m_dir.path() + "/one.db").toStdString(), keepAll, &error);
        QVERIFY2(store, error.c_str());
        Engine engine = rig.engine(*store);
        QVERIFY(hammer({&engine}, 16, 1000));
        checkAppliedOnceInOrder(*store, 16000);
    }

    void twoEnginesSharingAStoreStillApplyEachMessageOnce() {
        // Two engines do not share their striped locks, like two flowd nodes: only the store's
        // optimistic version check keeps them from applying a message twice or losing one.
        Rig rig(parse(kCounterFlow));
        std::string error;
        auto store = SqliteStore::open((m_dir.path() + "/two.db").toStdString(), {}, &error);
        QVERIFY2(store, error.c_str());
        EngineOptions options;
        options.maxCommitAttempts = 1000; // 8 threads race per engine: conflicts are expected
        Engine a = rig.engine(*store, options);
        Engine b = rig.engine(*store, options);
        QVERIFY(hammer({&a, &b}, 8, 250));
        checkAppliedOnceInOrder(*store, 2000);
    }

    void aFirstMessageSentTwiceAtOnceToTwoEnginesIsAppliedOnce() {
        // A new conversation has no messages, so the engine skips the key look-up before it
        // runs: two engines that both see "no conversation yet" must still end with one applied
        // message, the loser answering with the winner's reply as a duplicate.
        Rig rig(parse(kCounterFlow));
        std::string error;
        auto store = SqliteStore::open((m_dir.path() + "/first.db").toStdString(), {}, &error);
        QVERIFY2(store, error.c_str());
        Engine a = rig.engine(*store);
        Engine b = rig.engine(*store);
        for (int round = 0; round < 200; ++round) {
            const std::string id = "new-" + std::to_string(round);
            ProcessResult fromA;
            ProcessResult fromB;
            std::thread other([&] { fromB = b.process(message(id, "hi", "k")); });
            fromA = a.process(message(id, "hi", "k"));
            other.join();
            QVERIFY2(fromA.ok && fromB.ok, id.c_str());
            QCOMPARE(int(fromA.duplicate) + int(fromB.duplicate), 1);
            QCOMPARE(fromA.response, std::string("n=1"));
            QCOMPARE(fromB.response, std::string("n=1"));
            QCOMPARE(fromA.version, fromB.version);
            QCOMPARE(store->history("acme", id, 10).size(), size_t(1));
        }
    }
};

QTEST_GUILESS_MAIN(tst_Engine)
#include "tst_engine.moc"
