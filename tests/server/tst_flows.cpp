#include "flowd_process.h"

#include "flowdeck/v1/common.pb.h"
#include "flowdeck/v1/conversations.grpc.pb.h"
#include "flowdeck/v1/flows.grpc.pb.h"

#include <google/protobuf/util/time_util.h>
#include <grpcpp/grpcpp.h>

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

#include <map>
#include <memory>
#include <string>

namespace {

namespace v1 = flowdeck::v1;
using flowd_test::FlowdProcess;

const char* kTenant = "acme";

// A one-state flow that answers `reply` to everything, so a reply tells which version ran.
std::string echoFlow(const std::string& version, const std::string& reply,
                     const std::string& initial = "ask") {
    return R"({"name":"echo","version":")" + version + R"(","initial_state":")" + initial +
           R"(","states":{"ask":{"type":"response","config":{"response_templates":{"default":")" +
           reply +
           R"("}},"transitions":[{"condition":"any_input","target_state":"ask"}]},"bye":{"type":"end"}}})";
}

std::unique_ptr<grpc::ClientContext> context() {
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    return ctx;
}

// The ErrorStatus a failed call carries in its details.
v1::ErrorStatus detailsOf(const grpc::Status& status) {
    v1::ErrorStatus envelope;
    envelope.ParseFromString(status.error_details());
    return envelope;
}

QJsonObject parseObject(const std::string& text) {
    return QJsonDocument::fromJson(QByteArray::fromStdString(text)).object();
}

} // namespace

class tst_Flows : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_data;
    QTemporaryDir m_flowsDir;
    FlowdProcess m_flowd;

    std::unique_ptr<v1::Flows::Stub> flows() const {
        return v1::Flows::NewStub(
            grpc::CreateChannel(m_flowd.grpcTarget(), grpc::InsecureChannelCredentials()));
    }

    // Sends "hi" in a conversation (on the echo flow when it is new); the reply and its version.
    std::pair<std::string, std::string> say(const std::string& conversationId,
                                            grpc::Status* status = nullptr) const {
        auto stub = v1::Conversations::NewStub(
            grpc::CreateChannel(m_flowd.grpcTarget(), grpc::InsecureChannelCredentials()));
        v1::ProcessMessageRequest request;
        request.set_tenant_id(kTenant);
        request.set_conversation_id(conversationId);
        request.mutable_content()->set_text("hi");
        request.mutable_hints()->set_force_flow("echo");
        v1::ProcessMessageResponse response;
        const grpc::Status result = stub->ProcessMessage(context().get(), request, &response);
        if (status != nullptr) {
            *status = result;
        }
        return {response.response().text(), response.flow_version()};
    }

    grpc::Status update(const std::string& json, bool publish, const std::string& base,
                        v1::UpdateFlowResponse* out) const {
        v1::UpdateFlowRequest request;
        request.set_tenant_id(kTenant);
        request.set_flow_id("echo");
        request.mutable_flow()->set_flow_json(json);
        request.set_publish(publish);
        request.set_base_version(base);
        request.set_change_note("edit");
        return flows()->UpdateFlow(context().get(), request, out);
    }

    v1::ListVersionsResponse versions() const {
        v1::ListVersionsRequest request;
        request.set_tenant_id(kTenant);
        request.set_flow_id("echo");
        v1::ListVersionsResponse out;
        const grpc::Status status = flows()->ListVersions(context().get(), request, &out);
        if (!status.ok()) {
            qWarning("ListVersions: %s", status.error_message().c_str());
        }
        return out;
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_data.isValid() && m_flowsDir.isValid());
        QVERIFY2(QFile::exists(flowd_test::kFlowd), "flowd is not built");
        QVERIFY(QFile::copy(TEST_DATA_DIR "/flows/valid_minimal.json",
                            m_flowsDir.filePath("minimal.json")));
        QVERIFY2(m_flowd.start(m_data.path(), m_flowsDir.path()), "flowd did not become ready");
    }

    void cleanupTestCase() { m_flowd.kill(); }

    void createsAPublishedFlowAndListsIt() {
        v1::CreateFlowRequest request;
        request.set_tenant_id(kTenant);
        request.mutable_flow()->set_flow_json(echoFlow("1.0", "v1 hello"));
        request.set_publish(true);
        request.set_change_note("first");
        v1::CreateFlowResponse created;
        const grpc::Status status = flows()->CreateFlow(context().get(), request, &created);
        QVERIFY2(status.ok(), status.error_message().c_str());
        QCOMPARE(created.flow_id(), std::string("echo"));
        QVERIFY(created.published());
        QCOMPARE(created.version().version(), std::string("1.0"));
        QCOMPARE(created.version().revision(), int64_t(1));
        QVERIFY(created.version().state() == v1::VERSION_STATE_ACTIVE);
        QCOMPARE(created.version().change_note(), std::string("first"));
        QVERIFY(created.version().digest().starts_with("sha256:"));

        v1::ListFlowsRequest listRequest;
        listRequest.set_tenant_id(kTenant);
        v1::ListFlowsResponse listed;
        QVERIFY(flows()->ListFlows(context().get(), listRequest, &listed).ok());
        QCOMPARE(listed.total(), 2u); // echo, and "minimal" from the flows directory
        QCOMPARE(listed.flows(0).flow_id(), std::string("echo"));
        QCOMPARE(listed.flows(0).active_version(), std::string("1.0"));
        QCOMPARE(listed.flows(0).version_count(), 1u);
        QVERIFY(listed.flows(0).status() == v1::FLOW_STATUS_ACTIVE);
        QCOMPARE(listed.flows(1).flow_id(), std::string("minimal"));

        const grpc::Status again = flows()->CreateFlow(context().get(), request, &created);
        QCOMPARE(again.error_code(), grpc::StatusCode::ALREADY_EXISTS);
    }

    void publishingMovesNewConversationsWhileOldOnesStayPinned() {
        QCOMPARE(say("pinned"), std::make_pair(std::string("v1 hello"), std::string("1.0")));
        v1::UpdateFlowResponse updated;
        const grpc::Status status = update(echoFlow("2.0", "v2 hello"), true, "1.0", &updated);
        QVERIFY2(status.ok(), status.error_message().c_str());
        QCOMPARE(updated.version().revision(), int64_t(2));
        QCOMPARE(updated.version().base_version(), std::string("1.0"));
        QVERIFY(updated.published());
        QCOMPARE(say("fresh"), std::make_pair(std::string("v2 hello"), std::string("2.0")));
        QCOMPARE(say("pinned"), std::make_pair(std::string("v1 hello"), std::string("1.0")));
        const auto listed = versions();
        QCOMPARE(listed.total(), 2u);
        QVERIFY(listed.versions(0).state() == v1::VERSION_STATE_ACTIVE);
        QVERIFY(listed.versions(1).state() == v1::VERSION_STATE_RETIRED);
    }

    void refusesToPublishAFlowWithLinterErrorsAndSaysWhy() {
        v1::UpdateFlowResponse updated;
        const grpc::Status status =
            update(echoFlow("3.0", "broken", "nowhere"), true, "2.0", &updated);
        QCOMPARE(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
        QVERIFY2(status.error_message().find("UNKNOWN_INITIAL_STATE") != std::string::npos,
                 status.error_message().c_str());
        const v1::ErrorStatus envelope = detailsOf(status);
        QCOMPARE(envelope.details_size(), 2);
        v1::DiagnosticList diagnostics;
        QVERIFY(envelope.details(1).UnpackTo(&diagnostics));
        QCOMPARE(diagnostics.diagnostics(0).code(), std::string("UNKNOWN_INITIAL_STATE"));
        QCOMPARE(diagnostics.diagnostics(0).pointer(), std::string("/initial_state"));
        QCOMPARE(versions().total(), 2u); // nothing stored
        QCOMPARE(say("fresh-2").first, std::string("v2 hello"));
    }

    void refusesAFlowWithErrorsEvenAsADraft() {
        v1::UpdateFlowResponse refused;
        const grpc::Status status =
            update(echoFlow("3.0", "draft", "nowhere"), false, "2.0", &refused);
        QCOMPARE(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
        QVERIFY2(status.error_message().find("cannot be stored") != std::string::npos,
                 status.error_message().c_str());
        QCOMPARE(versions().total(), 2u); // nothing stored

        // A clean version stored without publishing is a draft: the active version stays.
        v1::UpdateFlowResponse updated;
        const grpc::Status stored = update(echoFlow("3.0", "draft"), false, "2.0", &updated);
        QVERIFY2(stored.ok(), stored.error_message().c_str());
        QVERIFY(!updated.published());
        QVERIFY(updated.version().state() == v1::VERSION_STATE_DRAFT);
        QCOMPARE(say("fresh-3").first, std::string("v2 hello"));
    }

    void staleBaseVersionIsAVersionConflict() {
        v1::UpdateFlowResponse updated;
        const grpc::Status status = update(echoFlow("4.0", "late"), true, "2.0", &updated);
        QCOMPARE(status.error_code(), grpc::StatusCode::ABORTED);
        v1::Error error;
        QVERIFY(detailsOf(status).details(0).UnpackTo(&error));
        QCOMPARE(error.code(), std::string("VERSION_CONFLICT"));
        QCOMPARE(versions().total(), 3u);
    }

    void httpCreatesListsAndGetsFlowsInTheSeedShape() {
        auto client = m_flowd.http();
        const std::string seedBody =
            R"({"name":"seeded","description":"from REST","version":"1.0","flow_definition":)"
            R"({"initial_state":"done","states":{"done":{"type":"end"}}}})";
        auto created =
            client.Post("/api/v2/flows?tenant_id=acme&publish=true", seedBody, "application/json");
        QVERIFY(created);
        QCOMPARE(created->status, 201);
        QCOMPARE(parseObject(created->body)["flow_id"].toString(), QString("seeded"));

        auto got = client.Get("/api/v2/flows/seeded?tenant_id=acme");
        QVERIFY(got);
        QCOMPARE(got->status, 200);
        const QJsonObject body = parseObject(got->body);
        QCOMPARE(body["flow"].toObject()["description"].toString(), QString("from REST"));
        QCOMPARE(body["summary"].toObject()["status"].toString(), QString("FLOW_STATUS_ACTIVE"));

        auto listed = client.Get("/api/v2/flows?tenant_id=acme&query=SEED");
        QVERIFY(listed);
        QCOMPARE(parseObject(listed->body)["total"].toInt(), 1);

        auto refused = client.Post("/api/v2/flows?tenant_id=acme&publish=true",
                                   echoFlow("1.0", "x", "nowhere"), "application/json");
        QVERIFY(refused);
        QCOMPARE(refused->status, 400);
        const QJsonObject error = parseObject(refused->body)["error"].toObject();
        QCOMPARE(error["code"].toString(), QString("VALIDATION_ERROR"));
        QCOMPARE(error["diagnostics"].toArray()[0].toObject()["code"].toString(),
                 QString("UNKNOWN_INITIAL_STATE"));
    }

    // The seed's clients send FlowDefinition's fields rather than a JSON document.
    void structuredFieldsAreAFlowDocumentToo() {
        v1::FlowDefinition definition;
        definition.set_name("structured");
        definition.set_version("1.0");
        definition.set_initial_state("ask");
        v1::State& ask = (*definition.mutable_states())["ask"];
        ask.set_type("response");
        google::protobuf::Struct templates;
        (*templates.mutable_fields())["default"].set_string_value("hello from fields");
        *(*ask.mutable_config()->mutable_fields())["response_templates"].mutable_struct_value() =
            templates;
        v1::Transition* again = ask.add_transitions();
        again->set_condition("any_input");
        again->set_target_state("ask");

        v1::ValidateFlowRequest validate;
        *validate.mutable_flow() = definition;
        v1::ValidateFlowResponse validated;
        grpc::Status status = flows()->ValidateFlow(context().get(), validate, &validated);
        QVERIFY2(status.ok(), status.error_message().c_str());
        QVERIFY(validated.valid());

        v1::CreateFlowRequest request;
        request.set_tenant_id(kTenant);
        request.set_publish(true);
        *request.mutable_flow() = definition;
        v1::CreateFlowResponse created;
        status = flows()->CreateFlow(context().get(), request, &created);
        QVERIFY2(status.ok(), status.error_message().c_str());
        QCOMPARE(created.flow_id(), std::string("structured"));

        auto stub = v1::Conversations::NewStub(
            grpc::CreateChannel(m_flowd.grpcTarget(), grpc::InsecureChannelCredentials()));
        v1::ProcessMessageRequest message;
        message.set_tenant_id(kTenant);
        message.set_conversation_id("structured-1");
        message.mutable_content()->set_text("hi");
        message.mutable_hints()->set_force_flow("structured");
        v1::ProcessMessageResponse reply;
        status = stub->ProcessMessage(context().get(), message, &reply);
        QVERIFY2(status.ok(), status.error_message().c_str());
        QCOMPARE(reply.response().text(), std::string("hello from fields"));

        // The stored document is what the fields said, in the document format.
        v1::GetFlowRequest get;
        get.set_tenant_id(kTenant);
        get.set_flow_id("structured");
        v1::GetFlowResponse got;
        status = flows()->GetFlow(context().get(), get, &got);
        QVERIFY2(status.ok(), status.error_message().c_str());
        const QJsonObject document =
            QJsonDocument::fromJson(QByteArray::fromStdString(got.flow().flow_json())).object();
        QCOMPARE(document["initial_state"].toString(), QString("ask"));
        QCOMPARE(document["states"].toObject()["ask"].toObject()["type"].toString(),
                 QString("response"));
        // ... and comes back as fields too.
        QCOMPARE(got.flow().states().at("ask").transitions(0).target_state(), std::string("ask"));
        QCOMPARE(got.flow()
                     .states()
                     .at("ask")
                     .config()
                     .fields()
                     .at("response_templates")
                     .struct_value()
                     .fields()
                     .at("default")
                     .string_value(),
                 std::string("hello from fields"));

        // Faults in the fields are named like faults in a document.
        again->set_target_state("nowhere");
        *request.mutable_flow() = definition;
        request.set_flow_id("structured-broken");
        status = flows()->CreateFlow(context().get(), request, &created);
        QCOMPARE(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
        QVERIFY2(status.error_message().find("nowhere") != std::string::npos,
                 status.error_message().c_str());

        request.clear_flow();
        status = flows()->CreateFlow(context().get(), request, &created);
        QCOMPARE(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
        QVERIFY2(status.error_message().find("initial_state and states") != std::string::npos,
                 status.error_message().c_str());
    }

    // A flow document may be as large as the parser allows (16 MiB) on both APIs; past that the
    // parser's LIMIT_EXCEEDED names the limit, and a request past any document's size is refused
    // before it is read whole, with the API's error body.
    void flowDocumentsUpToTheParsersLimitPassBothApis() {
        constexpr size_t kMiB = 1024 * 1024;
        const auto padded = [](const std::string& name, size_t bytes) {
            std::string json = "{\"name\":\"" + name +
                               "\",\"version\":\"1.0\",\"initial_state\":\"done\","
                               "\"states\":{\"done\":{\"type\":\"end\"}}}";
            json.resize(bytes, ' '); // whitespace after the document is still JSON
            return json;
        };
        v1::CreateFlowRequest request;
        request.set_tenant_id(kTenant);
        request.set_flow_id("padded-grpc");
        request.mutable_flow()->set_flow_json(padded("padded-grpc", 6 * kMiB));
        v1::CreateFlowResponse created;
        grpc::Status status = flows()->CreateFlow(context().get(), request, &created);
        QVERIFY2(status.ok(), status.error_message().c_str()); // gRPC's default cap is 4 MiB

        request.set_flow_id("over-grpc");
        request.mutable_flow()->set_flow_json(padded("over-grpc", 16 * kMiB + 512 * 1024));
        status = flows()->CreateFlow(context().get(), request, &created);
        QCOMPARE(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
        QVERIFY2(status.error_message().find("16777216") != std::string::npos,
                 status.error_message().c_str());

        auto client = m_flowd.http();
        auto posted = client.Post("/api/v2/flows?tenant_id=acme", padded("padded-http", 6 * kMiB),
                                  "application/json");
        QVERIFY(posted);
        QCOMPARE(posted->status, 201);

        auto huge = client.Post("/api/v2/flows?tenant_id=acme", padded("huge", 18 * kMiB),
                                "application/json");
        QVERIFY(huge);
        QCOMPARE(huge->status, 413);
        const QJsonObject error = parseObject(huge->body)["error"].toObject();
        QCOMPARE(error["code"].toString(), QString("MESSAGE_TOO_LARGE"));
        QVERIFY2(error["message"].toString().contains("17 MiB"),
                 qPrintable(error["message"].toString()));
        QVERIFY(!error["trace_id"].toString().isEmpty());
    }

    // Each listed flow's last_used in Unix ms; absent when it has none.
    std::map<std::string, int64_t> lastUsedById() {
        v1::ListFlowsRequest request;
        request.set_tenant_id(kTenant);
        v1::ListFlowsResponse listed;
        const grpc::Status status = flows()->ListFlows(context().get(), request, &listed);
        if (!status.ok()) {
            qWarning("ListFlows: %s", status.error_message().c_str());
        }
        std::map<std::string, int64_t> out;
        for (const auto& summary : listed.flows()) {
            if (summary.has_last_used()) {
                out[summary.flow_id()] =
                    google::protobuf::util::TimeUtil::TimestampToMilliseconds(summary.last_used());
            }
        }
        return out;
    }

    void summariesSayWhenAMessageLastRanThroughAFlow() {
        auto lastUsed = lastUsedById();
        // "structured" answered a message in an earlier case; "padded-grpc" never ran.
        QVERIFY(lastUsed.count("structured"));
        const int64_t agoMs = std::chrono::duration_cast<std::chrono::milliseconds>(
                                  std::chrono::system_clock::now().time_since_epoch())
                                  .count() -
                              lastUsed["structured"];
        QVERIFY2(agoMs >= 0 && agoMs < 60'000, std::to_string(agoMs).c_str());
        QVERIFY(!lastUsed.count("padded-grpc"));
    }

    void everythingSurvivesARestart() {
        const auto lastUsedBefore = lastUsedById();
        QVERIFY(lastUsedBefore.count("structured"));
        int exitCode = -1;
        QVERIFY(m_flowd.stop(&exitCode));
        QCOMPARE(exitCode, 0);
        QVERIFY2(m_flowd.start(m_data.path(), m_flowsDir.path()), "flowd did not restart");
        // Stored when flowd stopped, even if that came before its next five-second report.
        QCOMPARE(lastUsedById(), lastUsedBefore);
        const auto listed = versions();
        QCOMPARE(listed.total(), 3u);
        QCOMPARE(listed.versions(0).version(), std::string("3.0"));
        QVERIFY(listed.versions(1).state() == v1::VERSION_STATE_ACTIVE);
        v1::GetFlowRequest request;
        request.set_tenant_id(kTenant);
        request.set_flow_id("echo");
        v1::GetFlowResponse got;
        QVERIFY(flows()->GetFlow(context().get(), request, &got).ok());
        QCOMPARE(got.version().version(), std::string("2.0"));
        QCOMPARE(got.flow().flow_json(), echoFlow("2.0", "v2 hello")); // the exact document
        QCOMPARE(say("after-restart").first, std::string("v2 hello"));
        QCOMPARE(say("pinned"), std::make_pair(std::string("v1 hello"), std::string("1.0")));
    }

    void deleteArchivesTheFlowButKeepsPinnedConversations() {
        v1::DeleteFlowRequest request;
        request.set_tenant_id(kTenant);
        request.set_flow_id("echo");
        request.set_reason("test");
        v1::DeleteFlowResponse deleted;
        const grpc::Status status = flows()->DeleteFlow(context().get(), request, &deleted);
        QVERIFY2(status.ok(), status.error_message().c_str());
        QVERIFY(deleted.flow().status() == v1::FLOW_STATUS_ARCHIVED);
        grpc::Status refused;
        say("too-late", &refused);
        QCOMPARE(refused.error_code(), grpc::StatusCode::NOT_FOUND);
        QCOMPARE(say("pinned").first, std::string("v1 hello"));

        v1::ListFlowsRequest listRequest;
        listRequest.set_tenant_id(kTenant);
        v1::ListFlowsResponse listed;
        QVERIFY(flows()->ListFlows(context().get(), listRequest, &listed).ok());
        for (const auto& flow : listed.flows()) {
            QVERIFY(flow.flow_id() != "echo");
        }
        listRequest.set_status(v1::FLOW_STATUS_ARCHIVED);
        QVERIFY(flows()->ListFlows(context().get(), listRequest, &listed).ok());
        QCOMPARE(listed.total(), 1u);
        QCOMPARE(listed.flows(0).version_count(), 3u);
    }
};

QTEST_GUILESS_MAIN(tst_Flows)
#include "tst_flows.moc"
