// CurlGateway against a real flowdeck-http-stub process on 127.0.0.1.
#include "../support/http_stub_process.h"
#include "flowdeck/engine/integration_gateway.h"

#include <nlohmann/json.hpp>

#include <QtTest>

#include <atomic>
#include <thread>

using namespace flowdeck::engine;
using namespace std::chrono_literals;
using Json = nlohmann::json;

namespace {

long long ms(std::chrono::microseconds elapsed) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count();
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

} // namespace

class tst_Gateway : public QObject {
    Q_OBJECT
private:
    flowdeck::test::HttpStubProcess m_stub;
    CurlGateway m_gateway;

    IntegrationRequest get(const std::string& path, std::chrono::milliseconds timeout = 5000ms,
                           int retries = 0) {
        IntegrationRequest r;
        r.integration = "test";
        r.url = m_stub.url(path);
        r.timeout = timeout;
        r.retries = retries;
        return r;
    }

    // How many requests the stub saw for `path` (its own /calls endpoint).
    long callsTo(const std::string& path) {
        const IntegrationResponse r = m_gateway.call(get("/calls"));
        const Json counts = Json::parse(r.body, nullptr, false);
        return counts.is_object() ? counts.value(path, 0L) : -1;
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY2(m_stub.start(), qPrintable(m_stub.errorString())); }

    void successfulJsonCallCanBeMappedWithJsonPath() {
        const IntegrationResponse r = m_gateway.call(get("/json/order-42"));
        QVERIFY2(r.ok(), r.error.c_str());
        QCOMPARE(r.status, 200);
        QCOMPARE(r.attempts, 1);
        QVERIFY(r.error.empty());
        std::string error;
        QCOMPARE(evaluateJsonPath(r.body, "$.id", &error), std::string(R"("order-42")"));
        QCOMPARE(evaluateJsonPath(r.body, "$.customer.name", &error), std::string(R"("Zoë")"));
        QCOMPARE(evaluateJsonPath(r.body, "$.items[*].sku", &error),
                 std::string(R"(["A-1","B-2"])"));
        QVERIFY(error.empty());
    }
    void slowEndpointTimesOutAtTheRequestTimeout() {
        const IntegrationResponse r = m_gateway.call(get("/delay/2000", 200ms));
        QVERIFY(r.timedOut);
        QVERIFY(!r.ok());
        QCOMPARE(r.status, 0);
        QCOMPARE(r.error, std::string("timed out after 200 ms"));
        QVERIFY2(ms(r.elapsed) >= 190 && ms(r.elapsed) < 1500,
                 qPrintable(QString::number(ms(r.elapsed))));
    }
    void retries503ThenSucceeds() {
        const std::string path = "/flaky/2/retries-then-succeeds";
        const IntegrationResponse r = m_gateway.call(get(path, 5000ms, 2));
        QVERIFY2(r.ok(), qPrintable(QString::number(r.status)));
        QCOMPARE(r.attempts, 3);
        QCOMPARE(r.status, 200);
        QCOMPARE(callsTo(path), 3L);
    }
    void givesUpWhenRetriesRunOut() {
        const std::string path = "/flaky/5/gives-up";
        const IntegrationResponse r = m_gateway.call(get(path, 5000ms, 1));
        QVERIFY(!r.ok());
        QCOMPARE(r.status, 503);
        QCOMPARE(r.attempts, 2);
        QVERIFY(!r.timedOut);
        QVERIFY(r.error.empty());
        QVERIFY(contains(r.body, "flaky")); // the API's own error body reaches the flow
        QCOMPARE(callsTo(path), 2L);
    }
    void serverErrorWithoutRetriesIsOneAttempt() {
        const IntegrationResponse r = m_gateway.call(get("/status/500"));
        QCOMPARE(r.status, 500);
        QCOMPARE(r.attempts, 1);
        QVERIFY(!r.ok());
        QCOMPARE(callsTo("/status/500"), 1L);
    }
    void clientErrorIsNeverRetried() {
        const IntegrationResponse r = m_gateway.call(get("/status/404", 5000ms, 3));
        QCOMPARE(r.status, 404);
        QCOMPARE(r.attempts, 1);
        QCOMPARE(callsTo("/status/404"), 1L);
    }
    void closedPortIsAClearConnectionRefused() {
        const int port = flowdeck::test::closedLoopbackPort();
        QVERIFY(port > 0);
        IntegrationRequest r;
        r.url = "http://127.0.0.1:" + std::to_string(port) + "/x";
        r.timeout = 2000ms;
        r.retries = 2;
        const IntegrationResponse response = m_gateway.call(r);
        QCOMPARE(response.error, "connection refused to 127.0.0.1:" + std::to_string(port));
        QCOMPARE(response.status, 0);
        QVERIFY(!response.timedOut);
        QCOMPARE(response.attempts, 3);
        QVERIFY(ms(response.elapsed) < 2000);
    }
    void retriesNeverRunPastTheDeadline() {
        IntegrationRequest r;
        r.url = "http://127.0.0.1:" + std::to_string(flowdeck::test::closedLoopbackPort()) + "/";
        r.timeout = 300ms;
        r.retries = 10;
        const IntegrationResponse response = m_gateway.call(r);
        QVERIFY(!response.ok());
        QVERIFY2(response.attempts >= 2 && response.attempts < 11,
                 qPrintable(QString::number(response.attempts)));
        QVERIFY2(ms(response.elapsed) < 300, qPrintable(QString::number(ms(response.elapsed))));
    }
    void oversizedBodyIsRejected() {
        for (const std::string path : {"/big/5000000", "/big/5000000?chunked=1"}) {
            const IntegrationResponse r = m_gateway.call(get(path));
            QVERIFY2(!r.ok(), path.c_str());
            QCOMPARE(r.error, std::string("response larger than 4 MiB"));
            QVERIFY(r.body.empty());
        }
        const IntegrationResponse exact = m_gateway.call(get("/big/4194304?chunked=1"));
        QVERIFY2(exact.ok(), exact.error.c_str());
        QCOMPARE(exact.body.size(), size_t(4194304));
    }
    void sendsMethodHeadersAndBody() {
        IntegrationRequest r = get("/echo/orders?source=flow");
        r.method = "POST";
        r.headers = {{"Content-Type", "application/json"}, {"X-Trace-Id", "trace-1"}};
        r.body = R"({"order":"o-42","note":"ünïcode"})";
        const IntegrationResponse response = m_gateway.call(r);
        QVERIFY2(response.ok(), response.error.c_str());
        const Json echo = Json::parse(response.body);
        QCOMPARE(echo["method"].get<std::string>(), std::string("POST"));
        QCOMPARE(echo["path"].get<std::string>(), std::string("/echo/orders"));
        QCOMPARE(echo["query"]["source"].get<std::string>(), std::string("flow"));
        QCOMPARE(echo["headers"]["X-Trace-Id"].get<std::string>(), std::string("trace-1"));
        QCOMPARE(echo["headers"]["Content-Type"].get<std::string>(),
                 std::string("application/json"));
        QCOMPARE(echo["body"].get<std::string>(), r.body);
    }
    void otherMethodsAreSentAsGiven() {
        for (const std::string method : {"PUT", "PATCH", "DELETE", "get"}) {
            IntegrationRequest r = get("/echo");
            r.method = method;
            r.body = method == "get" ? "" : "x=1";
            const IntegrationResponse response = m_gateway.call(r);
            QVERIFY2(response.ok(), response.error.c_str());
            const Json echo = Json::parse(response.body);
            QCOMPARE(echo["method"].get<std::string>(), method == "get" ? "GET" : method);
            QCOMPARE(echo["body"].get<std::string>(), r.body);
        }
    }
    void secretsNeverAppearInErrors() {
        IntegrationRequest r;
        r.url = "http://user:hunter2@127.0.0.1:" +
                std::to_string(flowdeck::test::closedLoopbackPort()) + "/x?token=hunter2";
        r.headers = {{"Authorization", "Bearer hunter2"}};
        const IntegrationResponse response = m_gateway.call(r);
        QVERIFY(!response.error.empty());
        QVERIFY2(!contains(response.error, "hunter2"), response.error.c_str());
        IntegrationRequest injected = get("/echo");
        injected.headers = {{"Authorization", "Bearer hunter2\r\nX-Evil: 1"}};
        const IntegrationResponse refused = m_gateway.call(injected);
        QVERIFY(contains(refused.error, "header 'Authorization'"));
        QVERIFY2(!contains(refused.error, "hunter2"), refused.error.c_str());
    }
    void headerInjectionIsRefusedBeforeSending() {
        const long before = callsTo("/echo/injected");
        IntegrationRequest r = get("/echo/injected");
        r.headers = {{"X-A", "1\r\nX-Evil: 1"}};
        QVERIFY(!m_gateway.call(r).error.empty());
        r.headers = {{"Bad Name", "1"}};
        QVERIFY(contains(m_gateway.call(r).error, "invalid header name 'Bad Name'"));
        QCOMPARE(callsTo("/echo/injected"), before);
    }
    void onlyHttpAndHttpsAreAllowed() {
        for (const std::string url : {"file:///etc/passwd", "ftp://127.0.0.1/", "gopher://x/"}) {
            IntegrationRequest r;
            r.url = url;
            const IntegrationResponse response = m_gateway.call(r);
            QVERIFY2(!response.ok(), url.c_str());
            QVERIFY2(contains(response.error, "only http and https"), response.error.c_str());
            QVERIFY(response.body.empty());
        }
    }
    void concurrentCallsFromManyThreads() {
        std::atomic<int> okCount{0};
        std::vector<std::thread> threads;
        for (int t = 0; t < 8; ++t) {
            threads.emplace_back([this, t, &okCount] {
                for (int i = 0; i < 10; ++i) {
                    const std::string id = "t" + std::to_string(t) + "-" + std::to_string(i);
                    const IntegrationResponse r = m_gateway.call(get("/json/" + id));
                    std::string error;
                    if (r.ok() && evaluateJsonPath(r.body, "$.id", &error) == '"' + id + '"') {
                        ++okCount;
                    }
                }
            });
        }
        for (auto& thread : threads) {
            thread.join();
        }
        QCOMPARE(okCount.load(), 80);
    }
    void routesFileServesRecordedResponsesInOrder() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QFile file(dir.filePath("routes.json"));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(R"({"/crm/customer": [{"status": 503},
                                         {"status": 200, "body": {"tier": "gold"}}]})");
        file.close();
        flowdeck::test::HttpStubProcess recorded;
        QVERIFY2(recorded.start({"--routes", file.fileName()}), qPrintable(recorded.errorString()));
        IntegrationRequest r;
        r.url = recorded.url("/crm/customer");
        r.retries = 1;
        const IntegrationResponse response = m_gateway.call(r);
        QVERIFY2(response.ok(), qPrintable(QString::number(response.status)));
        QCOMPARE(response.attempts, 2);
        std::string error;
        QCOMPARE(evaluateJsonPath(response.body, "$.tier", &error), std::string(R"("gold")"));
    }
};

QTEST_GUILESS_MAIN(tst_Gateway)
#include "tst_gateway.moc"
