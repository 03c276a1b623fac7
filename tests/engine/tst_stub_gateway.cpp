#include "flowdeck/engine/integration_gateway.h"

#include <QtTest>

#include <atomic>
#include <thread>

using namespace flowdeck::engine;
using namespace std::chrono_literals;

namespace {

IntegrationRequest requestFor(const std::string& integration,
                              std::chrono::milliseconds timeout = 1000ms, int retries = 0) {
    IntegrationRequest r;
    r.integration = integration;
    r.url = "https://api.example.invalid/" + integration;
    r.timeout = timeout;
    r.retries = retries;
    return r;
}

StubResponse stub(StubResponse::Kind kind, int status = 200, std::string body = "{}",
                  std::chrono::milliseconds delay = 0ms) {
    StubResponse s;
    s.kind = kind;
    s.status = status;
    s.body = std::move(body);
    s.delay = delay;
    return s;
}

long long ms(std::chrono::microseconds elapsed) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count();
}

// Stands in for CurlGateway behind a live stub.
class CountingGateway final : public IntegrationGateway {
public:
    IntegrationResponse call(const IntegrationRequest& request) override {
        ++calls;
        IntegrationResponse r;
        r.status = 201;
        r.body = R"({"live":")" + request.url + R"("})";
        r.attempts = 1;
        return r;
    }
    std::atomic<int> calls{0};
};

} // namespace

class tst_StubGateway : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void fixedResponseAnswersEveryCall() {
        StubGateway gateway;
        gateway.setResponse("orders", stub(StubResponse::Kind::Success, 200, R"({"id":7})"));
        for (int i = 0; i < 3; ++i) {
            const IntegrationResponse r = gateway.call(requestFor("orders"));
            QVERIFY(r.ok());
            QCOMPARE(r.status, 200);
            QCOMPARE(r.body, std::string(R"({"id":7})"));
            QCOMPARE(r.attempts, 1);
        }
    }
    void sequencePlaysInOrderThenRepeatsTheLast() {
        StubGateway gateway;
        gateway.setSequence("pay", {stub(StubResponse::Kind::Success, 200, "first"),
                                    stub(StubResponse::Kind::Failure, 502, "second"),
                                    stub(StubResponse::Kind::Success, 200, "third")});
        QCOMPARE(gateway.call(requestFor("pay")).body, std::string("first"));
        const IntegrationResponse second = gateway.call(requestFor("pay"));
        QCOMPARE(second.status, 502);
        QVERIFY(!second.ok());
        QCOMPARE(gateway.call(requestFor("pay")).body, std::string("third"));
        QCOMPARE(gateway.call(requestFor("pay")).body, std::string("third"));
    }
    void setResponseReplacesASequence() {
        StubGateway gateway;
        gateway.setSequence("a", {stub(StubResponse::Kind::Success, 200, "1"),
                                  stub(StubResponse::Kind::Success, 200, "2")});
        gateway.call(requestFor("a"));
        gateway.setResponse("a", stub(StubResponse::Kind::Success, 200, "fixed"));
        QCOMPARE(gateway.call(requestFor("a")).body, std::string("fixed"));
        QCOMPARE(gateway.call(requestFor("a")).body, std::string("fixed"));
    }
    void slowStubAnswersAfterItsDelay() {
        StubGateway gateway;
        gateway.setResponse("slow", stub(StubResponse::Kind::Slow, 200, "late", 60ms));
        const IntegrationResponse r = gateway.call(requestFor("slow", 1000ms));
        QVERIFY(r.ok());
        QCOMPARE(r.body, std::string("late"));
        QVERIFY2(ms(r.elapsed) >= 60, qPrintable(QString::number(ms(r.elapsed))));
        QVERIFY(ms(r.elapsed) < 1000);
    }
    void slowStubBeyondTheTimeoutTimesOutAtTheTimeout() {
        StubGateway gateway;
        gateway.setResponse("slow", stub(StubResponse::Kind::Slow, 200, "late", 2000ms));
        const IntegrationResponse r = gateway.call(requestFor("slow", 100ms));
        QVERIFY(r.timedOut);
        QVERIFY(!r.ok());
        QCOMPARE(r.status, 0);
        QCOMPARE(r.error, std::string("timed out after 100 ms"));
        QVERIFY2(ms(r.elapsed) >= 100 && ms(r.elapsed) < 1000,
                 qPrintable(QString::number(ms(r.elapsed))));
    }
    void timeoutStubWaitsTheRequestTimeout() {
        StubGateway gateway;
        gateway.setResponse("t", stub(StubResponse::Kind::Timeout));
        const IntegrationResponse r = gateway.call(requestFor("t", 80ms, 3));
        QVERIFY(r.timedOut);
        QCOMPARE(r.error, std::string("timed out after 80 ms"));
        QCOMPARE(r.attempts, 1); // no time is left for a retry
        QVERIFY2(ms(r.elapsed) >= 80 && ms(r.elapsed) < 1000,
                 qPrintable(QString::number(ms(r.elapsed))));
    }
    void failureDefaultsTo500AndKeepsAnExplicitStatus() {
        StubGateway gateway;
        gateway.setResponse("down", stub(StubResponse::Kind::Failure, 200, R"({"e":1})"));
        gateway.setResponse("missing", stub(StubResponse::Kind::Failure, 404, R"({"e":2})"));
        const IntegrationResponse down = gateway.call(requestFor("down"));
        QCOMPARE(down.status, 500);
        QCOMPARE(down.body, std::string(R"({"e":1})"));
        QVERIFY(!down.ok());
        QVERIFY(down.error.empty()); // an HTTP answer, not a transport error
        QCOMPARE(gateway.call(requestFor("missing")).status, 404);
    }
    void retriesTakeTheNextResponseAfterA5xx() {
        StubGateway gateway;
        gateway.setSequence("flaky", {stub(StubResponse::Kind::Failure, 503),
                                      stub(StubResponse::Kind::Failure, 503),
                                      stub(StubResponse::Kind::Success, 200, "ok")});
        const IntegrationResponse r = gateway.call(requestFor("flaky", 1000ms, 2));
        QVERIFY(r.ok());
        QCOMPARE(r.attempts, 3);
        QCOMPARE(r.body, std::string("ok"));
        QCOMPARE(gateway.calls().size(), size_t(1)); // one call, three attempts
    }
    void unconfiguredIntegrationIsAnErrorAndNeverLive() {
        auto live = std::make_shared<CountingGateway>();
        StubGateway gateway(live);
        gateway.setResponse("known", stub(StubResponse::Kind::Success));
        const IntegrationResponse r = gateway.call(requestFor("crm"));
        QCOMPARE(r.error, std::string("no stub configured for integration 'crm'"));
        QVERIFY(!r.ok());
        QCOMPARE(r.status, 0);
        QCOMPARE(live->calls.load(), 0);
    }
    void liveStubForwardsToTheLiveGateway() {
        auto live = std::make_shared<CountingGateway>();
        StubGateway gateway(live);
        gateway.setResponse("real", stub(StubResponse::Kind::Live));
        const IntegrationResponse r = gateway.call(requestFor("real"));
        QCOMPARE(live->calls.load(), 1);
        QCOMPARE(r.status, 201);
        QCOMPARE(r.body, std::string("{\"live\":\"https://api.example.invalid/real\"}"));
    }
    void liveStubWithoutLiveGatewayIsAnError() {
        StubGateway gateway;
        gateway.setResponse("real", stub(StubResponse::Kind::Live));
        const IntegrationResponse r = gateway.call(requestFor("real"));
        QVERIFY(!r.ok());
        QVERIFY(r.error.find("no live gateway") != std::string::npos);
    }
    void recordsCallsInOrderUntilCleared() {
        StubGateway gateway;
        gateway.setResponse("a", stub(StubResponse::Kind::Success));
        IntegrationRequest withBody = requestFor("a");
        withBody.method = "POST";
        withBody.body = R"({"q":1})";
        withBody.headers["X-Trace"] = "t1";
        gateway.call(withBody);
        gateway.call(requestFor("b")); // unconfigured calls are recorded too
        const auto calls = gateway.calls();
        QCOMPARE(calls.size(), size_t(2));
        QCOMPARE(calls[0].method, std::string("POST"));
        QCOMPARE(calls[0].body, std::string(R"({"q":1})"));
        QCOMPARE(calls[0].headers.at("X-Trace"), std::string("t1"));
        QCOMPARE(calls[1].integration, std::string("b"));
        gateway.clear();
        QVERIFY(gateway.calls().empty());
        QCOMPARE(gateway.call(requestFor("a")).error,
                 std::string("no stub configured for integration 'a'"));
    }
    void slowCallsDoNotBlockOtherIntegrations() {
        StubGateway gateway;
        gateway.setResponse("slow", stub(StubResponse::Kind::Slow, 200, "{}", 400ms));
        gateway.setResponse("fast", stub(StubResponse::Kind::Success));
        std::thread slow([&gateway] { gateway.call(requestFor("slow", 2000ms)); });
        std::this_thread::sleep_for(50ms);
        const IntegrationResponse fast = gateway.call(requestFor("fast"));
        slow.join();
        QVERIFY(fast.ok());
        QVERIFY2(ms(fast.elapsed) < 200, qPrintable(QString::number(ms(fast.elapsed))));
        QCOMPARE(gateway.calls().size(), size_t(2));
    }
};

QTEST_GUILESS_MAIN(tst_StubGateway)
#include "tst_stub_gateway.moc"
