#include "flowdeck/v1/common.pb.h"
#include "flowdeck/v1/conversations.grpc.pb.h"
#include "flowdeck/v1/flows.grpc.pb.h"

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <httplib.h>

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QtTest>

#include <memory>
#include <thread>

namespace {

namespace v1 = flowdeck::v1;

const QString kFlowd = QStringLiteral(TEST_BIN_DIR "/flowd");
const char* kTenant = "tenant_test";

// A port nobody listens on right now: bind port 0, read what the kernel chose, release it.
int freePort() {
    QTcpServer server;
    if (!server.listen(QHostAddress::LocalHost, 0)) {
        qFatal("cannot bind a free port");
    }
    return server.serverPort();
}

QJsonObject parseObject(const std::string& text) {
    return QJsonDocument::fromJson(QByteArray::fromStdString(text)).object();
}

std::string processBody(const std::string& conversationId, const std::string& text) {
    return R"({"tenant_id":")" + std::string(kTenant) + R"(","conversation_id":")" +
           conversationId + R"(","content":{"type":"text","text":")" + text + R"("}})";
}

grpc::ByteBuffer bytes(const std::string& data) {
    grpc::Slice slice(data);
    return grpc::ByteBuffer(&slice, 1);
}

std::string text(const grpc::ByteBuffer& buffer) {
    grpc::Slice slice;
    return buffer.TrySingleSlice(&slice).ok() || buffer.DumpToSingleSlice(&slice).ok()
               ? std::string(reinterpret_cast<const char*>(slice.begin()), slice.size())
               : std::string();
}

// Waits for one operation of a generic call (the health and reflection protos are not shipped as
// C++ by Debian, so these calls are made on raw bytes).
bool await(grpc::CompletionQueue& queue) {
    void* tag = nullptr;
    bool ok = false;
    return queue.AsyncNext(&tag, &ok,
                           std::chrono::system_clock::now() + std::chrono::seconds(10)) ==
               grpc::CompletionQueue::GOT_EVENT &&
           ok;
}

} // namespace

class tst_Flowd : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_data;
    std::unique_ptr<QProcess> m_flowd;
    int m_httpPort = 0;
    int m_grpcPort = 0;

    httplib::Client http() const {
        httplib::Client client("127.0.0.1", m_httpPort);
        client.set_connection_timeout(5);
        client.set_read_timeout(10);
        return client;
    }

    std::unique_ptr<v1::Conversations::Stub> conversations() const {
        return v1::Conversations::NewStub(grpc::CreateChannel(
            "127.0.0.1:" + std::to_string(m_grpcPort), grpc::InsecureChannelCredentials()));
    }

    // Starts flowd on fresh ports over m_data and waits until /ready says 200.
    bool startFlowd(const QString& flowsDir = QStringLiteral(RESOURCES_DIR "/flows"),
                    const QStringList& extra = {}) {
        m_httpPort = freePort();
        m_grpcPort = freePort();
        m_flowd = std::make_unique<QProcess>();
        m_flowd->start(kFlowd,
                       QStringList{"--data", m_data.path(), "--grpc",
                                   QString("127.0.0.1:%1").arg(m_grpcPort), "--http",
                                   QString("127.0.0.1:%1").arg(m_httpPort), "--flows", flowsDir} +
                           extra);
        if (!m_flowd->waitForStarted(10000)) {
            return false;
        }
        QElapsedTimer timer;
        timer.start();
        while (timer.elapsed() < 30000 && m_flowd->state() == QProcess::Running) {
            auto client = http();
            client.set_connection_timeout(1);
            if (auto result = client.Get("/ready"); result && result->status == 200) {
                return true;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        return false;
    }

    bool stopFlowd(int* exitCode, qint64* elapsedMs) {
        QElapsedTimer timer;
        timer.start();
        m_flowd->terminate(); // SIGTERM
        const bool finished = m_flowd->waitForFinished(15000);
        *elapsedMs = timer.elapsed();
        *exitCode = m_flowd->exitStatus() == QProcess::NormalExit ? m_flowd->exitCode() : -1;
        if (!finished) {
            m_flowd->kill();
            m_flowd->waitForFinished();
        }
        return finished;
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_data.isValid());
        QVERIFY2(QFile::exists(kFlowd), qPrintable(kFlowd + " is not built"));
        QVERIFY2(startFlowd(), "flowd did not become ready");
    }

    void cleanupTestCase() {
        if (m_flowd && m_flowd->state() != QProcess::NotRunning) {
            m_flowd->kill();
            m_flowd->waitForFinished();
        }
    }

    void processesOrderSupportOverHttp() {
        auto client = http();
        const auto result = client.Post(
            "/api/v2/process", processBody("http-1", "where is my order?"), "application/json");
        QVERIFY(result);
        QCOMPARE(result->status, 200);
        const QJsonObject body = parseObject(result->body);
        QCOMPARE(body["conversation_id"].toString(), QString("http-1"));
        QCOMPARE(body["current_state"].toString(), QString("ask_order"));
        QCOMPARE(body["flow_id"].toString(), QString("order_support"));
        QVERIFY(body["response"].toObject()["text"].toString().contains("order number"));
        QVERIFY(!body["trace_id"].toString().isEmpty());
    }

    void processesOverGrpcAndBothApisSeeTheSameConversations() {
        const auto stub = conversations();
        v1::ProcessMessageRequest request;
        request.set_tenant_id(kTenant);
        request.set_conversation_id("grpc-1");
        request.mutable_content()->set_text("where is my order?");
        request.set_include_trace(true);
        v1::ProcessMessageResponse response;
        grpc::ClientContext context;
        context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
        const grpc::Status status = stub->ProcessMessage(&context, request, &response);
        QVERIFY2(status.ok(), status.error_message().c_str());
        QCOMPARE(response.current_state(), std::string("ask_order"));
        QCOMPARE(response.conversation_version(), int64_t(1));
        QVERIFY(response.trace_size() > 0);
        QVERIFY(context.GetServerInitialMetadata().count("x-flowdeck-trace-id") == 1);

        // The HTTP conversation, read over gRPC.
        v1::GetStateRequest stateRequest;
        stateRequest.set_tenant_id(kTenant);
        stateRequest.set_conversation_id("http-1");
        stateRequest.set_include_history(true);
        v1::GetStateResponse state;
        grpc::ClientContext stateContext;
        const grpc::Status stateStatus =
            stub->GetConversationState(&stateContext, stateRequest, &state);
        QVERIFY2(stateStatus.ok(), stateStatus.error_message().c_str());
        QCOMPARE(state.current_state(), std::string("ask_order"));
        QCOMPARE(state.flow_id(), std::string("order_support"));
        QCOMPARE(state.messages_size(), 1);
        QCOMPARE(state.messages(0).input(), std::string("where is my order?"));

        // The gRPC conversation, read over HTTP.
        auto client = http();
        const auto result =
            client.Get("/api/v2/conversations/grpc-1/state?tenant_id=" + std::string(kTenant));
        QVERIFY(result);
        QCOMPARE(result->status, 200);
        QCOMPARE(parseObject(result->body)["current_state"].toString(), QString("ask_order"));
    }

    void unknownConversationIsNotFoundOnBothApis() {
        auto client = http();
        const auto result =
            client.Get("/api/v2/conversations/nobody/state?tenant_id=" + std::string(kTenant));
        QVERIFY(result);
        QCOMPARE(result->status, 404);
        QCOMPARE(parseObject(result->body)["error"].toObject()["code"].toString(),
                 QString("CONVERSATION_NOT_FOUND"));

        v1::GetStateRequest request;
        request.set_tenant_id(kTenant);
        request.set_conversation_id("nobody");
        v1::GetStateResponse state;
        grpc::ClientContext context;
        const grpc::Status status =
            conversations()->GetConversationState(&context, request, &state);
        QVERIFY(status.error_code() == grpc::StatusCode::NOT_FOUND);
    }

    void resetForgetsTheConversationAndReturnsTheOpening() {
        const auto stub = conversations();
        v1::ResetRequest request;
        request.set_tenant_id(kTenant);
        request.set_conversation_id("grpc-1");
        v1::ResetResponse response;
        grpc::ClientContext context;
        const grpc::Status status = stub->ResetConversation(&context, request, &response);
        QVERIFY2(status.ok(), status.error_message().c_str());
        QVERIFY(response.existed());
        QCOMPARE(response.flow_id(), std::string("order_support"));
        QCOMPARE(response.current_state(), std::string("greeting"));
        QVERIFY(!response.response().text().empty());

        auto client = http();
        const auto state =
            client.Get("/api/v2/conversations/grpc-1/state?tenant_id=" + std::string(kTenant));
        QVERIFY(state);
        QCOMPARE(state->status, 404);
    }

    void flowsServiceListsGetsAndValidates() {
        const auto stub = v1::Flows::NewStub(grpc::CreateChannel(
            "127.0.0.1:" + std::to_string(m_grpcPort), grpc::InsecureChannelCredentials()));
        v1::ListFlowsResponse list;
        grpc::ClientContext listContext;
        QVERIFY(stub->ListFlows(&listContext, v1::ListFlowsRequest(), &list).ok());
        QCOMPARE(list.total(), 3u); // booking, generated_1000, order_support

        v1::GetFlowRequest get;
        get.set_flow_id("order_support");
        v1::GetFlowResponse flow;
        grpc::ClientContext getContext;
        QVERIFY(stub->GetFlow(&getContext, get, &flow).ok());
        QCOMPARE(flow.flow().initial_state(), std::string("greeting"));
        QVERIFY(flow.flow().flow_json().find("ask_order") != std::string::npos);

        v1::ValidateFlowRequest validate;
        validate.mutable_flow()->set_flow_json(R"({"name":"x","initial_state":"a","states":{"a":)"
                                               R"({"type":"response","transitions":)"
                                               R"([{"condition":"always","target_state":"b"}]}}})");
        v1::ValidateFlowResponse report;
        grpc::ClientContext validateContext;
        QVERIFY(stub->ValidateFlow(&validateContext, validate, &report).ok());
        QVERIFY(!report.valid());
        QVERIFY(report.error_count() >= 1);

        v1::CreateFlowResponse created;
        grpc::ClientContext createContext;
        const grpc::Status refused =
            stub->CreateFlow(&createContext, v1::CreateFlowRequest(), &created);
        // An empty request has no document (tests/server/tst_flows.cpp covers storing flows).
        QVERIFY(refused.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
    }

    void grpcHealthSaysServing() {
        grpc::GenericStub stub(grpc::CreateChannel("127.0.0.1:" + std::to_string(m_grpcPort),
                                                   grpc::InsecureChannelCredentials()));
        grpc::CompletionQueue queue;
        grpc::ClientContext context;
        // HealthCheckRequest{service: ""} is empty on the wire.
        auto call =
            stub.PrepareUnaryCall(&context, "/grpc.health.v1.Health/Check", bytes(""), &queue);
        call->StartCall();
        grpc::ByteBuffer response;
        grpc::Status status;
        call->Finish(&response, &status, reinterpret_cast<void*>(1));
        QVERIFY(await(queue));
        QVERIFY2(status.ok(), status.error_message().c_str());
        QCOMPARE(text(response), std::string("\x08\x01", 2)); // status: SERVING
    }

    void reflectionListsTheFlowdeckServices() {
        grpc::GenericStub stub(grpc::CreateChannel("127.0.0.1:" + std::to_string(m_grpcPort),
                                                   grpc::InsecureChannelCredentials()));
        grpc::CompletionQueue queue;
        grpc::ClientContext context;
        auto call = stub.PrepareCall(
            &context, "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", &queue);
        void* tag = reinterpret_cast<void*>(1);
        call->StartCall(tag);
        QVERIFY(await(queue));
        call->Write(bytes(std::string("\x3a\x00", 2)), tag); // list_services: ""
        QVERIFY(await(queue));
        call->WritesDone(tag);
        QVERIFY(await(queue));
        grpc::ByteBuffer response;
        call->Read(&response, tag);
        QVERIFY(await(queue));
        const std::string listing = text(response);
        QVERIFY2(listing.find("flowdeck.v1.Conversations") != std::string::npos, listing.c_str());
        QVERIFY(listing.find("flowdeck.v1.Flows") != std::string::npos);
        grpc::Status status;
        call->Finish(&status, tag);
        QVERIFY(await(queue));
    }

    void healthReportsEveryDependency() {
        auto client = http();
        const auto result = client.Get("/health");
        QVERIFY(result);
        QCOMPARE(result->status, 200);
        const QJsonObject body = parseObject(result->body);
        QCOMPARE(body["status"].toString(), QString("healthy"));
        QVERIFY(!body["timestamp"].toString().isEmpty());
        QVERIFY(!body["version"].toString().isEmpty());
        const QJsonObject checks = body["checks"].toObject();
        QCOMPARE(checks["store"].toObject()["status"].toString(), QString("healthy"));
        QCOMPARE(checks["flows"].toObject()["status"].toString(), QString("healthy"));
        QVERIFY(checks["flows"].toObject()["loaded"].toInt() >= 1);
    }

    void metricsPassPromtoolAndCountRequests() {
        auto client = http();
        const auto result = client.Get("/metrics");
        QVERIFY(result);
        QCOMPARE(result->status, 200);
        QVERIFY(result->get_header_value("Content-Type").starts_with("text/plain; version=0.0.4"));
        const std::string& text = result->body;
        QVERIFY(
            text.find("flowdeck_requests_total{method=\"POST /api/v2/process\",code=\"200\"}") !=
            std::string::npos);
        QVERIFY(text.find("flowdeck_requests_total{method=\"flowdeck.v1.Conversations/"
                          "ProcessMessage\",code=\"OK\"}") != std::string::npos);
        QVERIFY(text.find("flowdeck_request_duration_seconds_bucket") != std::string::npos);

        QProcess promtool;
        promtool.setProcessChannelMode(QProcess::MergedChannels);
        promtool.start("/usr/bin/promtool", {"check", "metrics"});
        QVERIFY(promtool.waitForStarted(10000));
        promtool.write(QByteArray::fromStdString(text));
        promtool.closeWriteChannel();
        QVERIFY(promtool.waitForFinished(30000));
        QVERIFY2(promtool.exitCode() == 0, promtool.readAll().constData());
    }

    void emptyConversationIdIsRejectedOnBothApis() {
        auto client = http();
        const auto result =
            client.Post("/api/v2/process", processBody("", "hello"), "application/json");
        QVERIFY(result);
        QCOMPARE(result->status, 400);
        const QJsonObject body = parseObject(result->body);
        QCOMPARE(body["status"].toString(), QString("error"));
        const QJsonObject error = body["error"].toObject();
        QCOMPARE(error["code"].toString(), QString("VALIDATION_ERROR"));
        QVERIFY(error["message"].toString().contains("conversation_id"));
        QVERIFY(!error["trace_id"].toString().isEmpty());
        QVERIFY(error.contains("details"));

        v1::ProcessMessageRequest request;
        request.set_tenant_id(kTenant);
        request.mutable_content()->set_text("hello");
        v1::ProcessMessageResponse response;
        grpc::ClientContext context;
        const grpc::Status status = conversations()->ProcessMessage(&context, request, &response);
        QVERIFY(status.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
        v1::ErrorStatus details;
        QVERIFY(details.ParseFromString(status.error_details()));
        QVERIFY(details.details_size() >= 1);
        v1::Error detail;
        QVERIFY(details.details(0).UnpackTo(&detail));
        QCOMPARE(detail.code(), std::string("VALIDATION_ERROR"));
        QVERIFY(!detail.trace_id().empty());
    }

    void oversizedBodiesAndUnknownPathsGetTheErrorBody() {
        auto client = http();
        const auto tooBig =
            client.Post("/api/v2/process", processBody("big", std::string(2 * 1024 * 1024, 'a')),
                        "application/json");
        QVERIFY(tooBig);
        QCOMPARE(tooBig->status, 413);
        QJsonObject error = parseObject(tooBig->body)["error"].toObject();
        QCOMPARE(error["code"].toString(), QString("MESSAGE_TOO_LARGE"));
        QVERIFY2(error["message"].toString().contains("at most 1048576 bytes"),
                 qPrintable(error["message"].toString()));

        const auto nowhere = client.Get("/api/v2/nowhere");
        QVERIFY(nowhere);
        QCOMPARE(nowhere->status, 404);
        const QJsonObject body = parseObject(nowhere->body);
        QCOMPARE(body["status"].toString(), QString("error"));
        error = body["error"].toObject();
        QVERIFY2(error["message"].toString().contains("GET /api/v2/nowhere"),
                 qPrintable(error["message"].toString()));
        QVERIFY(!error["trace_id"].toString().isEmpty());
    }

    void sigtermExitsCleanlyAndConversationsSurviveRestart() {
        int exitCode = -1;
        qint64 elapsed = 0;
        QVERIFY2(stopFlowd(&exitCode, &elapsed), "flowd did not exit after SIGTERM");
        QCOMPARE(exitCode, 0);
        QVERIFY2(elapsed < 10000, qPrintable(QString("took %1 ms").arg(elapsed)));

        // Restart on the same data, with a flow that has linter errors next to order_support and
        // a drain period during which /ready must say 503.
        QTemporaryDir flows;
        QVERIFY(QFile::copy(RESOURCES_DIR "/flows/order_support.json",
                            flows.filePath("order_support.json")));
        QVERIFY(QFile::copy(TEST_DATA_DIR "/flows/valid_lint_only.json",
                            flows.filePath("broken.json")));
        QVERIFY2(startFlowd(flows.path(), {"--drain-ms", "1500"}), "flowd did not restart");
        auto client = http();
        const auto result =
            client.Get("/api/v2/conversations/http-1/state?tenant_id=" + std::string(kTenant));
        QVERIFY(result);
        QCOMPARE(result->status, 200);
        QCOMPARE(parseObject(result->body)["current_state"].toString(), QString("ask_order"));
        const auto health = client.Get("/health");
        QVERIFY(health);
        QCOMPARE(
            parseObject(health->body)["checks"].toObject()["flows"].toObject()["loaded"].toInt(),
            1);

        m_flowd->terminate();
        bool sawDraining = false;
        for (int i = 0; i < 50 && !sawDraining; ++i) {
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
            const auto ready = client.Get("/ready");
            sawDraining = ready && ready->status == 503;
        }
        QVERIFY2(sawDraining, "/ready never said 503 while draining");
        QVERIFY(stopFlowd(&exitCode, &elapsed));
        QCOMPARE(exitCode, 0);
        const QString log = QString::fromUtf8(m_flowd->readAllStandardError());
        QVERIFY2(log.contains("refused flow") && log.contains("UNKNOWN_TARGET"), qPrintable(log));
        QVERIFY(log.contains("shutdown complete"));
    }
};

QTEST_GUILESS_MAIN(tst_Flowd)
#include "tst_flowd.moc"
