#include "flowd_process.h"

#include "flowdeck/v1/common.pb.h"
#include "flowdeck/v1/conversations.grpc.pb.h"
#include "flowdeck/v1/flows.grpc.pb.h"
#include "flowdeck/v1/releases.grpc.pb.h"
#include "flowdeck/v1/telemetry.grpc.pb.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <nlohmann/json.hpp>

#include <QFile>
#include <QtTest>

#include <map>
#include <set>

#include <future>
#include <string>
#include <vector>

namespace {

namespace v1 = flowdeck::v1;
namespace pb = google::protobuf;
using flowd_test::FlowdProcess;

struct Caller {
    std::string name;
    std::string token; // empty: no authorization header
    v1::Role role = v1::ROLE_UNSPECIFIED;
    std::vector<std::string> tenants;

    bool mayUse(const std::string& tenant) const {
        for (const auto& t : tenants) {
            if (t == "*" || t == tenant) {
                return true;
            }
        }
        return false;
    }
};

const std::vector<Caller>& callers() {
    static const std::vector<Caller> all = {
        {"nobody", "", v1::ROLE_UNSPECIFIED, {}},
        {"stranger", "not-a-token-anyone-was-given", v1::ROLE_UNSPECIFIED, {}},
        {"view-acme", "viewer-token-acme-0001", v1::ROLE_VIEWER, {"acme"}},
        {"ops-acme", "operator-token-acme-0002", v1::ROLE_OPERATOR, {"acme"}},
        {"ops-globex", "operator-token-globex-003", v1::ROLE_OPERATOR, {"globex"}},
        {"root", "admin-token-everywhere-04", v1::ROLE_ADMIN, {"*"}},
    };
    return all;
}

std::string tokensJson() {
    nlohmann::json tokens = nlohmann::json::array();
    const char* roles[] = {"", "viewer", "operator", "admin"};
    for (const Caller& c : callers()) {
        if (c.role != v1::ROLE_UNSPECIFIED) {
            tokens.push_back({{"subject", c.name},
                              {"role", roles[c.role]},
                              {"tenants", c.tenants},
                              {"token", c.token}});
        }
    }
    return nlohmann::json{{"tokens", tokens}}.dump(2);
}

// A unary call by method name with an otherwise empty request whose tenant_id is `tenant`.
grpc::Status callGeneric(grpc::Channel& channel, const pb::MethodDescriptor& method,
                         const Caller& caller, const std::string& tenant) {
    std::unique_ptr<pb::Message> request(
        pb::MessageFactory::generated_factory()->GetPrototype(method.input_type())->New());
    if (const auto* field = method.input_type()->FindFieldByName("tenant_id")) {
        request->GetReflection()->SetString(request.get(), field, tenant);
    }
    const std::string bytes = request->SerializeAsString();
    grpc::Slice slice(bytes);
    grpc::ByteBuffer in(&slice, 1);
    grpc::ByteBuffer out;
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    if (!caller.token.empty()) {
        context.AddMetadata("authorization", "Bearer " + caller.token);
    }
    grpc::TemplatedGenericStub<grpc::ByteBuffer, grpc::ByteBuffer> stub(
        std::shared_ptr<grpc::Channel>(&channel, [](grpc::Channel*) {}));
    std::promise<grpc::Status> done;
    stub.UnaryCall(&context, "/" + method.service()->full_name() + "/" + method.name(), {}, &in,
                   &out, [&](grpc::Status status) { done.set_value(status); });
    return done.get_future().get();
}

std::string errorCodeOf(const grpc::Status& status) {
    v1::ErrorStatus envelope;
    v1::Error error;
    if (envelope.ParseFromString(status.error_details()) && envelope.details_size() > 0 &&
        envelope.details(0).UnpackTo(&error)) {
        return error.code();
    }
    return {};
}

} // namespace

class tst_Security : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_data;
    QTemporaryDir m_flowsDir;
    FlowdProcess m_flowd;
    QString m_tokensFile;

    std::shared_ptr<grpc::Channel> channel() const {
        return grpc::CreateChannel(m_flowd.grpcTarget(), grpc::InsecureChannelCredentials());
    }

    std::vector<std::string> auditLines() const {
        QFile file(m_data.filePath("audit.log"));
        std::vector<std::string> lines;
        if (file.open(QIODevice::ReadOnly)) {
            for (const QByteArray& line : file.readAll().split('\n')) {
                if (!line.isEmpty()) {
                    lines.push_back(line.toStdString());
                }
            }
        }
        return lines;
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_data.isValid() && m_flowsDir.isValid());
        QFile::copy(RESOURCES_DIR "/flows/booking.json", m_flowsDir.filePath("booking.json"));
        m_tokensFile = m_data.filePath("tokens.json");
        QFile file(m_tokensFile);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(QByteArray::fromStdString(tokensJson()));
        file.close();
        QVERIFY(file.setPermissions(QFile::ReadOwner | QFile::WriteOwner));
        QVERIFY2(
            m_flowd.start(m_data.path(), m_flowsDir.path(),
                          {"--tokens", m_tokensFile, "--rate-limit", "60", "--rate-burst", "20"}),
            qPrintable(m_flowd.log()));
    }

    void everyMethodChecksRoleAndTenant() {
        auto ch = channel();
        int checked = 0;
        for (const char* name : {"Conversations", "MCPEngine", "Flows", "Releases", "Telemetry"}) {
            const pb::ServiceDescriptor* service =
                pb::DescriptorPool::generated_pool()->FindServiceByName(
                    std::string("flowdeck.v1.") + name);
            QVERIFY(service != nullptr);
            for (int i = 0; i < service->method_count(); ++i) {
                const pb::MethodDescriptor* method = service->method(i);
                if (method->server_streaming() || method->client_streaming()) {
                    continue; // WatchMetrics and WatchEvents: see streamsNeedAViewerToken
                }
                const int needed = method->options().GetExtension(v1::required_role);
                QVERIFY2(needed > 0, method->full_name().c_str());
                const bool tenanted = method->input_type()->FindFieldByName("tenant_id");
                for (const Caller& caller : callers()) {
                    for (const std::string tenant : {"acme", "globex"}) {
                        const grpc::Status status = callGeneric(*ch, *method, caller, tenant);
                        const std::string where = method->full_name() + " as " + caller.name +
                                                  " for " + tenant + ": " + status.error_message();
                        grpc::StatusCode expected = grpc::StatusCode::OK;
                        if (caller.role == v1::ROLE_UNSPECIFIED) {
                            expected = grpc::StatusCode::UNAUTHENTICATED;
                        } else if (caller.role < needed || (tenanted && !caller.mayUse(tenant))) {
                            expected = grpc::StatusCode::PERMISSION_DENIED;
                        }
                        if (expected == grpc::StatusCode::OK) {
                            // Admitted: whatever the empty request earns, it is not an auth
                            // failure.
                            QVERIFY2(status.error_code() != grpc::StatusCode::UNAUTHENTICATED &&
                                         status.error_code() != grpc::StatusCode::PERMISSION_DENIED,
                                     where.c_str());
                        } else {
                            QVERIFY2(status.error_code() == expected, where.c_str());
                            QCOMPARE(errorCodeOf(status),
                                     std::string(expected == grpc::StatusCode::UNAUTHENTICATED
                                                     ? "UNAUTHENTICATED"
                                                     : "PERMISSION_DENIED"));
                        }
                        ++checked;
                    }
                }
            }
        }
        QVERIFY2(checked >= 6 * 2 * 20, std::to_string(checked).c_str());
    }

    void streamsNeedAViewerToken() {
        auto telemetry = v1::Telemetry::NewStub(channel());
        for (const bool withToken : {false, true}) {
            grpc::ClientContext context;
            context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
            if (withToken) {
                context.AddMetadata("authorization", "Bearer viewer-token-acme-0001");
            }
            v1::WatchMetricsRequest request;
            auto reader = telemetry->WatchMetrics(&context, request);
            v1::MetricsSnapshot snapshot;
            const bool got = reader->Read(&snapshot);
            if (got) {
                context.TryCancel(); // the stream would go on for ever
            }
            const grpc::Status status = reader->Finish();
            if (withToken) {
                QVERIFY(got);
            } else {
                QVERIFY(!got);
                QCOMPARE(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
            }
        }
    }

    void auditedCallsAreLoggedWithWhoAndWhat() {
        auto releases = v1::Releases::NewStub(channel());
        grpc::ClientContext context;
        context.AddMetadata("authorization", "Bearer operator-token-acme-0002");
        v1::AbortRequest request;
        request.set_tenant_id("acme");
        request.set_flow_id("booking");
        request.set_reason("testing the audit log");
        v1::Rollout out;
        const auto status = releases->Abort(&context, request, &out);
        QCOMPARE(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
        bool found = false;
        for (const std::string& line : auditLines()) {
            const auto entry = nlohmann::json::parse(line);
            if (entry["method"] == "flowdeck.v1.Releases/Abort" &&
                entry["request"].value("reason", "") == "testing the audit log") {
                found = true;
                QCOMPARE(entry["who"].get<std::string>(), std::string("ops-acme"));
                QCOMPARE(entry["role"].get<std::string>(), std::string("operator"));
                QCOMPARE(entry["tenant"].get<std::string>(), std::string("acme"));
                QCOMPARE(entry["outcome"].get<std::string>(), std::string("FAILED_PRECONDITION"));
                QVERIFY(!entry["trace_id"].get<std::string>().empty());
            }
            // Reads are never audited, and no token ever reaches the log.
            QVERIFY2(entry["method"].get<std::string>().find("/List") == std::string::npos,
                     line.c_str());
            QVERIFY2(line.find("-token-") == std::string::npos, line.c_str());
        }
        QVERIFY(found);
    }

    void refusedCallsAreLoggedWithWhoTriedAndWhy() {
        auto releases = v1::Releases::NewStub(channel());
        const auto abort = [&](const std::string& token, const std::string& tenant,
                               const std::string& reason) {
            grpc::ClientContext context;
            if (!token.empty()) {
                context.AddMetadata("authorization", "Bearer " + token);
            }
            v1::AbortRequest request;
            request.set_tenant_id(tenant);
            request.set_flow_id("booking");
            request.set_reason(reason);
            v1::Rollout out;
            return releases->Abort(&context, request, &out).error_code();
        };
        QCOMPARE(abort("viewer-token-acme-0001", "acme", "denied: role"),
                 grpc::StatusCode::PERMISSION_DENIED);
        QCOMPARE(abort("operator-token-acme-0002", "globex", "denied: tenant"),
                 grpc::StatusCode::PERMISSION_DENIED);
        QCOMPARE(abort("", "acme", "denied: no token"), grpc::StatusCode::UNAUTHENTICATED);
        std::map<std::string, nlohmann::json> byReason;
        for (const std::string& line : auditLines()) {
            const auto entry = nlohmann::json::parse(line);
            byReason[entry["request"].value("reason", "")] = entry;
            QVERIFY2(line.find("-token-") == std::string::npos, line.c_str());
        }
        const auto expect = [&](const std::string& reason, const std::string& who,
                                const std::string& outcome) {
            QVERIFY2(byReason.count(reason) == 1, reason.c_str());
            const auto& entry = byReason[reason];
            QCOMPARE(entry["method"].get<std::string>(), std::string("flowdeck.v1.Releases/Abort"));
            QCOMPARE(entry["who"].get<std::string>(), who);
            QCOMPARE(entry["outcome"].get<std::string>(), outcome);
            QVERIFY(!entry["trace_id"].get<std::string>().empty());
        };
        expect("denied: role", "view-acme", "PERMISSION_DENIED");
        expect("denied: tenant", "ops-acme", "PERMISSION_DENIED");
        expect("denied: no token", "unauthenticated", "UNAUTHENTICATED");
    }

    void aStoredVersionNamesItsAuthor() {
        auto flows = v1::Flows::NewStub(channel());
        grpc::ClientContext create;
        create.AddMetadata("authorization", "Bearer operator-token-acme-0002");
        v1::CreateFlowRequest request;
        request.set_tenant_id("acme");
        request.set_flow_id("authored");
        QFile booking(RESOURCES_DIR "/flows/booking.json");
        QVERIFY(booking.open(QIODevice::ReadOnly));
        request.mutable_flow()->set_flow_json(booking.readAll().toStdString());
        v1::CreateFlowResponse created;
        const auto status = flows->CreateFlow(&create, request, &created);
        QVERIFY2(status.ok(), status.error_message().c_str());
        QCOMPARE(created.version().created_by(), std::string("ops-acme"));
    }

    void eventsOfATenantReachOnlyCallersBoundToIt() {
        auto flows = v1::Flows::NewStub(channel());
        QFile booking(RESOURCES_DIR "/flows/booking.json");
        QVERIFY(booking.open(QIODevice::ReadOnly));
        const std::string document = booking.readAll().toStdString();
        // Publishing a flow is a release event of its tenant.
        for (const auto& [token, tenant] : std::vector<std::pair<std::string, std::string>>{
                 {"operator-token-acme-0002", "acme"}, {"operator-token-globex-003", "globex"}}) {
            grpc::ClientContext context;
            context.AddMetadata("authorization", "Bearer " + token);
            v1::CreateFlowRequest request;
            request.set_tenant_id(tenant);
            request.set_flow_id("events-" + tenant);
            request.set_publish(true);
            request.mutable_flow()->set_flow_json(document);
            v1::CreateFlowResponse created;
            const auto status = flows->CreateFlow(&context, request, &created);
            QVERIFY2(status.ok(), status.error_message().c_str());
        }
        const auto releaseFlows = [this](const std::string& token) {
            auto telemetry = v1::Telemetry::NewStub(channel());
            grpc::ClientContext context;
            // Replayed events arrive at once; then the stream waits for live ones until the
            // deadline ends it, so everything this caller may see has been read by then.
            context.set_deadline(std::chrono::system_clock::now() +
                                 std::chrono::milliseconds(1500));
            context.AddMetadata("authorization", "Bearer " + token);
            v1::WatchEventsRequest request;
            request.add_kinds(v1::EVENT_KIND_RELEASE);
            request.set_replay(1000);
            auto reader = telemetry->WatchEvents(&context, request);
            std::set<std::string> seen;
            v1::Event event;
            while (reader->Read(&event)) {
                seen.insert(event.release().tenant_id() + "/" + event.release().flow_id());
            }
            reader->Finish();
            return seen;
        };
        const std::set<std::string> acmeSees = releaseFlows("viewer-token-acme-0001");
        QVERIFY2(acmeSees.contains("acme/events-acme"), "a viewer of acme misses acme's release");
        QVERIFY2(!acmeSees.contains("globex/events-globex"),
                 "a viewer of acme saw globex's release");
        const std::set<std::string> rootSees = releaseFlows("admin-token-everywhere-04");
        QVERIFY(rootSees.contains("acme/events-acme"));
        QVERIFY(rootSees.contains("globex/events-globex"));
    }

    // Flow ids are node-wide, but a flow stored by one tenant runs only that tenant's
    // conversations, and another tenant cannot take its id over.
    void aTenantsFlowRunsOnlyItsOwnConversations() {
        const std::string root = "admin-token-everywhere-04";
        auto flows = v1::Flows::NewStub(channel());
        QFile booking(RESOURCES_DIR "/flows/booking.json");
        QVERIFY(booking.open(QIODevice::ReadOnly));
        const std::string document = booking.readAll().toStdString();
        const auto create = [&](const std::string& tenant) {
            grpc::ClientContext context;
            context.AddMetadata("authorization", "Bearer " + root);
            v1::CreateFlowRequest request;
            request.set_tenant_id(tenant);
            request.set_flow_id("initech-only");
            request.set_publish(true);
            request.mutable_flow()->set_flow_json(document);
            v1::CreateFlowResponse created;
            return flows->CreateFlow(&context, request, &created);
        };
        grpc::Status status = create("initech");
        QVERIFY2(status.ok(), status.error_message().c_str());
        status = create("umbrella");
        QCOMPARE(status.error_code(), grpc::StatusCode::ALREADY_EXISTS);
        QVERIFY2(status.error_message().find("another tenant") != std::string::npos,
                 status.error_message().c_str());

        auto conversations = v1::Conversations::NewStub(channel());
        const auto start = [&](const std::string& tenant, v1::ProcessMessageResponse* out) {
            grpc::ClientContext context;
            context.AddMetadata("authorization", "Bearer " + root);
            v1::ProcessMessageRequest request;
            request.set_tenant_id(tenant);
            request.set_conversation_id("flow-of-another-tenant");
            request.mutable_content()->set_text("hello");
            request.mutable_hints()->set_force_flow("initech-only");
            return conversations->ProcessMessage(&context, request, out);
        };
        v1::ProcessMessageResponse response;
        status = start("umbrella", &response);
        QCOMPARE(status.error_code(), grpc::StatusCode::NOT_FOUND);
        QCOMPARE(errorCodeOf(status), std::string("FLOW_NOT_FOUND"));
        // Said exactly as for a flow that does not exist, so its existence does not leak.
        QCOMPARE(status.error_message(), std::string("flow 'initech-only' is not deployed"));
        status = start("initech", &response);
        QVERIFY2(status.ok(), status.error_message().c_str());
        QCOMPARE(response.flow_id(), std::string("initech-only"));
    }

    // A flow shipped in the flows directory serves every tenant: an operator bound to one
    // tenant may not give it a new version or roll it out, since that would change what the
    // other tenants' conversations run. A token for every tenant may.
    void aFlowEveryTenantRunsIsChangedOnlyWithATokenForEveryTenant() {
        QFile booking(RESOURCES_DIR "/flows/booking.json");
        QVERIFY(booking.open(QIODevice::ReadOnly));
        const std::string document = booking.readAll().toStdString();
        const std::string shared = "table_booking"; // booking.json in the flows directory
        auto flows = v1::Flows::NewStub(channel());
        auto releases = v1::Releases::NewStub(channel());
        const auto update = [&](const std::string& token, const std::string& tenant) {
            grpc::ClientContext context;
            context.AddMetadata("authorization", "Bearer " + token);
            v1::UpdateFlowRequest request;
            request.set_tenant_id(tenant);
            request.set_flow_id(shared);
            request.mutable_flow()->set_flow_json(document);
            v1::UpdateFlowResponse out;
            return flows->UpdateFlow(&context, request, &out);
        };
        grpc::Status status = update("operator-token-acme-0002", "acme");
        QCOMPARE(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
        QCOMPARE(errorCodeOf(status), std::string("PERMISSION_DENIED"));
        QVERIFY2(status.error_message().find("serves every tenant") != std::string::npos,
                 status.error_message().c_str());

        grpc::ClientContext deployContext;
        deployContext.AddMetadata("authorization", "Bearer operator-token-acme-0002");
        v1::DeployRequest deploy;
        deploy.set_tenant_id("acme");
        deploy.set_flow_id(shared);
        deploy.set_version("1");
        v1::Rollout rollout;
        status = releases->Deploy(&deployContext, deploy, &rollout);
        QCOMPARE(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);

        grpc::ClientContext rollbackContext;
        rollbackContext.AddMetadata("authorization", "Bearer operator-token-globex-003");
        v1::RollbackRequest rollback;
        rollback.set_tenant_id("globex");
        rollback.set_flow_id(shared);
        v1::RollbackResponse rolledBack;
        status = releases->Rollback(&rollbackContext, rollback, &rolledBack);
        QCOMPARE(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);

        // The admin bound to every tenant may (the version is the same document, so it passes).
        status = update("admin-token-everywhere-04", "acme");
        QVERIFY2(status.ok(), status.error_message().c_str());
        // And the refusal is audited like any other.
        bool audited = false;
        for (const auto& line : auditLines()) {
            audited = audited || (line.find("ops-acme") != std::string::npos &&
                                  line.find("UpdateFlow") != std::string::npos &&
                                  line.find("PERMISSION_DENIED") != std::string::npos);
        }
        QVERIFY(audited);
    }

    void httpAcceptsBearerAndApiKey() {
        auto http = m_flowd.http();
        const std::string body =
            "{\"tenant_id\":\"acme\",\"conversation_id\":\"h1\",\"content\":{\"text\":\"hi\"}}";
        auto none = http.Post("/api/v2/process", body, "application/json");
        QVERIFY(none);
        QCOMPARE(none->status, 401);
        QCOMPARE(none->get_header_value("WWW-Authenticate"), std::string("Bearer"));
        QVERIFY(none->body.find("\"UNAUTHENTICATED\"") != std::string::npos);

        auto ok = http.Post("/api/v2/process", {{"Authorization", "ApiKey viewer-token-acme-0001"}},
                            body, "application/json");
        QVERIFY(ok);
        QCOMPARE(ok->status, 200);
        QCOMPARE(ok->get_header_value("X-RateLimit-Limit"), std::string("60"));
        QCOMPARE(ok->get_header_value("X-RateLimit-Type"), std::string("tenant_based"));

        auto other = http.Get("/api/v2/flows?tenant_id=acme",
                              {{"Authorization", "Bearer operator-token-globex-003"}});
        QVERIFY(other);
        QCOMPARE(other->status, 403);
        QVERIFY(other->body.find("tenant 'acme'") != std::string::npos);
        QCOMPARE(http.Get("/health")->status, 200); // probes need no token
        QCOMPARE(http.Get("/metrics")->status, 200);
    }

    void aTenantOverItsRateGetsResourceExhausted() {
        auto conversations = v1::Conversations::NewStub(channel());
        int admitted = 0;
        grpc::Status refused;
        std::string remaining;
        for (int i = 0; i < 30 && refused.ok(); ++i) {
            grpc::ClientContext context;
            context.AddMetadata("authorization", "Bearer admin-token-everywhere-04");
            v1::ProcessMessageRequest request;
            request.set_tenant_id("hammer");
            request.set_conversation_id("c" + std::to_string(i));
            request.mutable_content()->set_text("hi");
            v1::ProcessMessageResponse response;
            const grpc::Status status = conversations->ProcessMessage(&context, request, &response);
            if (status.ok()) {
                ++admitted;
            } else {
                refused = status;
            }
            const auto& metadata = context.GetServerInitialMetadata();
            if (const auto it = metadata.find("x-ratelimit-remaining"); it != metadata.end()) {
                remaining = std::string(it->second.data(), it->second.size());
            }
        }
        // A burst of 20, plus at most a token or two refilled at 1 a second meanwhile.
        QVERIFY2(admitted >= 20 && admitted <= 23, std::to_string(admitted).c_str());
        QCOMPARE(refused.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
        QCOMPARE(errorCodeOf(refused), std::string("RATE_LIMIT"));
        QCOMPARE(remaining, std::string("0"));
        // Another tenant is not affected.
        grpc::ClientContext context;
        context.AddMetadata("authorization", "Bearer admin-token-everywhere-04");
        v1::ProcessMessageRequest request;
        request.set_tenant_id("calm");
        request.set_conversation_id("c1");
        request.mutable_content()->set_text("hi");
        v1::ProcessMessageResponse response;
        QVERIFY(conversations->ProcessMessage(&context, request, &response).ok());
    }

    void aTokensFileOthersCanReadIsRefused() {
        QTemporaryDir data;
        const QString loose = data.filePath("tokens.json");
        QVERIFY(QFile::copy(m_tokensFile, loose));
        QVERIFY(QFile::setPermissions(loose, QFile::ReadOwner | QFile::WriteOwner |
                                                 QFile::ReadGroup | QFile::ReadOther));
        QProcess flowd;
        flowd.start(flowd_test::kFlowd,
                    {"--data", data.path(), "--flows", m_flowsDir.path(), "--grpc", "127.0.0.1:0",
                     "--http", "127.0.0.1:0", "--tokens", loose});
        QVERIFY(flowd.waitForFinished(15000));
        QVERIFY(flowd.exitCode() != 0);
        const QString log = QString::fromUtf8(flowd.readAllStandardError());
        QVERIFY2(log.contains("chmod 600"), qPrintable(log));
    }

    void flagsComeFromAConfigFileToo() {
        QTemporaryDir data;
        const QString config = data.filePath("flowd.toml");
        QFile file(config);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("# limits for the test\nrate-limit = 60\nrate-burst = 1\n");
        file.close();
        FlowdProcess flowd;
        QVERIFY2(flowd.start(data.path(), m_flowsDir.path(), {"--config", config}),
                 qPrintable(flowd.log()));
        auto http = flowd.http();
        const std::string body =
            "{\"tenant_id\":\"acme\",\"conversation_id\":\"cfg\",\"content\":{\"text\":\"hi\"}}";
        QCOMPARE(http.Post("/api/v2/process", body, "application/json")->status, 200);
        QCOMPARE(http.Post("/api/v2/process", body, "application/json")->status, 429);
        int exitCode = -1;
        QVERIFY(flowd.stop(&exitCode));

        QFile bad(data.filePath("bad.toml"));
        QVERIFY(bad.open(QIODevice::WriteOnly));
        bad.write("rate-limmit = 60\n");
        bad.close();
        QProcess refused;
        refused.start(flowd_test::kFlowd, {"--config", bad.fileName()});
        QVERIFY(refused.waitForFinished(15000));
        QVERIFY(refused.exitCode() != 0);
        QVERIFY(QString::fromUtf8(refused.readAllStandardError() + refused.readAllStandardOutput())
                    .contains("rate-limmit"));
    }

    void cleanupTestCase() {
        int exitCode = -1;
        QVERIFY(m_flowd.stop(&exitCode));
        QCOMPARE(exitCode, 0);
    }
};

QTEST_GUILESS_MAIN(tst_Security)
#include "tst_security.moc"
