// flowd's ProcessMessage front end (server/src/process_reactor.cpp) as a real process: a message
// that waits for a slow integration runs beside the others instead of in front of them, messages
// of one conversation still apply in order, a waiting call is answered through a SIGTERM, and
// grpc.health.v1 (served by flowd itself, server/src/health_service.cpp) follows the shutdown.
#include "../support/http_stub_process.h"
#include "flowd_process.h"
#include "lookup_flow.h"

#include "flowdeck/v1/conversations.grpc.pb.h"
#include "grpc/health/v1/health.grpc.pb.h"

#include <grpcpp/grpcpp.h>
#include <nlohmann/json.hpp>

#include <QtTest>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace {

namespace v1 = flowdeck::v1;
namespace health = grpc::health::v1;
using flowd_test::FlowdProcess;
using Clock = std::chrono::steady_clock;

// Every message calls `url` (timeout 10 s) and is answered "Found it (1)" (lookup_flow.h).
std::string slowFlow(const std::string& url) {
    return flowd_test::lookupFlow("slow", "1", url, 10000);
}

v1::ProcessMessageRequest message(const std::string& conversation, const std::string& flow,
                                  const std::string& text) {
    v1::ProcessMessageRequest request;
    request.set_tenant_id("tenant_test");
    request.set_conversation_id(conversation);
    request.mutable_content()->set_type("text");
    request.mutable_content()->set_text(text);
    request.mutable_hints()->set_force_flow(flow);
    return request;
}

// One ProcessMessage call on its own thread, so a test can go on while it waits.
struct PendingCall {
    v1::ProcessMessageResponse response;
    grpc::Status status;
    std::atomic<bool> done{false};
    Clock::time_point finishedAt;
    std::thread thread;

    PendingCall(v1::Conversations::Stub& stub, v1::ProcessMessageRequest request) {
        thread = std::thread([this, &stub, request = std::move(request)] {
            grpc::ClientContext context;
            context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
            status = stub.ProcessMessage(&context, request, &response);
            finishedAt = Clock::now();
            done = true;
        });
    }
    ~PendingCall() {
        if (thread.joinable()) {
            thread.join();
        }
    }
    void join() { thread.join(); }
};

} // namespace

class tst_ProcessReactor : public QObject {
    Q_OBJECT

    QTemporaryDir m_data;
    QTemporaryDir m_flows;
    flowdeck::test::HttpStubProcess m_stub;
    FlowdProcess m_flowd;
    std::shared_ptr<grpc::Channel> m_channel;

    v1::ProcessMessageResponse send(const v1::ProcessMessageRequest& request,
                                    grpc::Status* status) {
        grpc::ClientContext context;
        context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
        v1::ProcessMessageResponse response;
        *status =
            v1::Conversations::NewStub(m_channel)->ProcessMessage(&context, request, &response);
        return response;
    }

    bool writeFlow(const QString& name, const std::string& text) {
        QFile file(m_flows.filePath(name));
        return file.open(QIODevice::WriteOnly) &&
               file.write(QByteArray::fromStdString(text)) == qint64(text.size());
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY2(m_stub.start(), qPrintable(m_stub.errorString()));
        QVERIFY(writeFlow("slow.json", slowFlow(m_stub.url("/delay/1500"))));
        QVERIFY(QFile::copy(RESOURCES_DIR "/flows/booking.json", m_flows.filePath("booking.json")));
        QVERIFY2(m_flowd.start(m_data.path(), m_flows.path()), qPrintable(m_flowd.log()));
        m_channel = grpc::CreateChannel(m_flowd.grpcTarget(), grpc::InsecureChannelCredentials());
    }

    void aSlowIntegrationDoesNotHoldUpOtherConversations() {
        grpc::Status status;
        send(message("slow-1", "slow", "hi"), &status);
        QVERIFY2(status.ok(), status.error_message().c_str());
        auto stub = v1::Conversations::NewStub(m_channel);
        const auto started = Clock::now();
        PendingCall slow(*stub, message("slow-1", "slow", "order 42")); // 1.5 s at the stub

        // Meanwhile other conversations go on, each answered long before the slow call.
        for (int i = 0; i < 20; ++i) {
            const auto response =
                send(message("quick-" + std::to_string(i), "table_booking", "hello"), &status);
            QVERIFY2(status.ok(), status.error_message().c_str());
            QVERIFY(!response.response().text().empty());
        }
        const auto quickDone = Clock::now();
        QVERIFY2(!slow.done, "the slow call ended before the quick ones: was the stub slow?");
        slow.join();
        QVERIFY2(slow.status.ok(), slow.status.error_message().c_str());
        QCOMPARE(slow.response.response().text(), std::string("Found it (1)"));
        QVERIFY(slow.finishedAt - started >= std::chrono::milliseconds(1400));
        QVERIFY(quickDone < slow.finishedAt);
    }

    void messagesOfAWaitingConversationApplyInOrder() {
        grpc::Status status;
        const auto first = send(message("slow-2", "slow", "hi"), &status);
        QVERIFY2(status.ok(), status.error_message().c_str());
        auto stub = v1::Conversations::NewStub(m_channel);
        PendingCall lookup(*stub, message("slow-2", "slow", "order 7"));
        QTest::qWait(300); // the lookup holds the conversation at the stub now
        // The next message of the same conversation must wait for it, not overtake it.
        const auto after = send(message("slow-2", "slow", "and again"), &status);
        QVERIFY2(status.ok(), status.error_message().c_str());
        lookup.join();
        QVERIFY2(lookup.status.ok(), lookup.status.error_message().c_str());
        QCOMPARE(lookup.response.conversation_version(), first.conversation_version() + 1);
        QCOMPARE(after.conversation_version(), first.conversation_version() + 2);
        QCOMPARE(after.response().text(), std::string("Found it (1)"));
    }

    void waitingCallsRunSideBySide() {
        // Twelve conversations at the 1.5 s stub at once: one after the other they would take
        // 18 s; side by side on the reactor's workers about 3 s (the stub serves 8 at a time).
        constexpr int kCalls = 12;
        auto stub = v1::Conversations::NewStub(m_channel);
        const auto started = Clock::now();
        std::vector<std::unique_ptr<PendingCall>> calls;
        for (int i = 0; i < kCalls; ++i) {
            calls.push_back(std::make_unique<PendingCall>(
                *stub, message("wide-" + std::to_string(i), "slow", "order")));
        }
        for (auto& call : calls) {
            call->join();
            QVERIFY2(call->status.ok(), call->status.error_message().c_str());
            QCOMPARE(call->response.response().text(), std::string("Found it (1)"));
        }
        const auto took = Clock::now() - started;
        QVERIFY2(
            took < std::chrono::seconds(8),
            qPrintable(
                QString("took %1 ms")
                    .arg(std::chrono::duration_cast<std::chrono::milliseconds>(took).count())));
    }

    void healthKnowsTheServices() {
        auto healthStub = health::Health::NewStub(m_channel);
        for (const char* service : {"", "flowdeck.v1.Conversations", "flowdeck.v1.Releases"}) {
            grpc::ClientContext context;
            health::HealthCheckRequest request;
            request.set_service(service);
            health::HealthCheckResponse response;
            const grpc::Status status = healthStub->Check(&context, request, &response);
            QVERIFY2(status.ok(), status.error_message().c_str());
            QCOMPARE(response.status(), health::HealthCheckResponse::SERVING);
        }
        grpc::ClientContext context;
        health::HealthCheckRequest request;
        request.set_service("no.such.Service");
        health::HealthCheckResponse response;
        QCOMPARE(healthStub->Check(&context, request, &response).error_code(),
                 grpc::StatusCode::NOT_FOUND);
    }

    // Last: it stops flowd.
    void sigtermAnswersTheWaitingCallAndHealthSaysNotServing() {
        grpc::Status status;
        send(message("slow-3", "slow", "hi"), &status);
        QVERIFY2(status.ok(), status.error_message().c_str());

        auto healthStub = health::Health::NewStub(m_channel);
        grpc::ClientContext watchContext;
        watchContext.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
        auto watch = healthStub->Watch(&watchContext, health::HealthCheckRequest());
        health::HealthCheckResponse seen;
        QVERIFY(watch->Read(&seen));
        QCOMPARE(seen.status(), health::HealthCheckResponse::SERVING);

        auto stub = v1::Conversations::NewStub(m_channel);
        PendingCall lookup(*stub, message("slow-3", "slow", "order 9"));
        QTest::qWait(300); // at the stub
        m_flowd.terminate();
        QVERIFY(watch->Read(&seen));
        QCOMPARE(seen.status(), health::HealthCheckResponse::NOT_SERVING);
        lookup.join();
        QVERIFY2(lookup.status.ok(), lookup.status.error_message().c_str());
        QCOMPARE(lookup.response.response().text(), std::string("Found it (1)"));
        QVERIFY(m_flowd.waitForFinished(15000));
        const QString log = m_flowd.log();
        QVERIFY2(log.contains("shutdown complete"), qPrintable(log));
    }
};

QTEST_GUILESS_MAIN(tst_ProcessReactor)
#include "tst_process_reactor.moc"
