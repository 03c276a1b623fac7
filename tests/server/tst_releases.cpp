#include "flowd_process.h"
#include "lookup_flow.h"

#include "flowdeck/v1/common.pb.h"
#include "flowdeck/v1/conversations.grpc.pb.h"
#include "flowdeck/v1/flows.grpc.pb.h"
#include "flowdeck/v1/releases.grpc.pb.h"
#include "flowdeck/v1/telemetry.grpc.pb.h"

#include <google/protobuf/util/time_util.h>
#include <grpcpp/grpcpp.h>
#include <nlohmann/json.hpp>

#include <QtTest>

#include <atomic>
#include <memory>
#include <string>
#include <thread>

namespace {

namespace v1 = flowdeck::v1;
using flowd_test::FlowdProcess;
using google::protobuf::util::TimeUtil;

// The shop flow: its one integration calls `url` (tests/server/lookup_flow.h).
std::string shopFlow(const std::string& version, const std::string& url) {
    return flowd_test::lookupFlow("shop", version, url);
}

std::unique_ptr<grpc::ClientContext> context(const std::string& user = "qa-bot") {
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    ctx->AddMetadata("x-flowdeck-user", user);
    return ctx;
}

// An HTTP stub on 127.0.0.1: /ok answers 200 with JSON, /fail answers 500.
class StubServer final {
public:
    StubServer() {
        m_server.Get("/ok", [](const httplib::Request&, httplib::Response& res) {
            res.set_content("{\"order\":{\"status\":\"shipped\"}}", "application/json");
        });
        m_server.Get("/fail", [this](const httplib::Request&, httplib::Response& res) {
            ++m_failures;
            res.status = 500;
            res.set_content("{\"error\":\"boom\"}", "application/json");
        });
        m_port = m_server.bind_to_any_port("127.0.0.1");
        m_thread = std::thread([this] { m_server.listen_after_bind(); });
    }
    ~StubServer() {
        m_server.stop();
        m_thread.join();
    }
    std::string url(const std::string& path) const {
        return "http://127.0.0.1:" + std::to_string(m_port) + path;
    }
    int failures() const { return m_failures; }

private:
    httplib::Server m_server;
    std::thread m_thread;
    int m_port = 0;
    std::atomic<int> m_failures{0};
};

} // namespace

class tst_Releases : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_data;
    QTemporaryDir m_flowsDir;
    FlowdProcess m_flowd;
    StubServer m_stub;

    std::shared_ptr<grpc::Channel> channel() const {
        return grpc::CreateChannel(m_flowd.grpcTarget(), grpc::InsecureChannelCredentials());
    }

    // Stores a version of "shop" (publishing it when asked); fails the test if refused.
    void store(const std::string& version, const std::string& url, bool publish) {
        auto flows = v1::Flows::NewStub(channel());
        v1::UpdateFlowRequest request;
        request.set_flow_id("shop");
        request.mutable_flow()->set_flow_json(shopFlow(version, url));
        request.set_publish(publish);
        request.set_change_note("version " + version);
        v1::UpdateFlowResponse response;
        grpc::Status status = flows->UpdateFlow(context().get(), request, &response);
        if (status.error_code() == grpc::StatusCode::NOT_FOUND) {
            v1::CreateFlowRequest create;
            create.set_flow_id("shop");
            *create.mutable_flow() = request.flow();
            create.set_publish(publish);
            v1::CreateFlowResponse created;
            status = flows->CreateFlow(context().get(), create, &created);
        }
        QVERIFY2(status.ok(), status.error_message().c_str());
    }

    // Opens a new conversation on "shop" and sends one message: its variant and reply.
    std::pair<std::string, std::string> converse(const std::string& conversationId) {
        auto stub = v1::Conversations::NewStub(channel());
        v1::ProcessMessageRequest request;
        request.set_tenant_id("default");
        request.set_conversation_id(conversationId);
        request.mutable_content()->set_text("order 42");
        request.mutable_hints()->set_force_flow("shop");
        v1::ProcessMessageResponse response;
        const auto status = stub->ProcessMessage(context().get(), request, &response);
        if (!status.ok()) {
            return {"error", status.error_message()};
        }
        return {response.ab_variant(), response.response().text()};
    }

    grpc::Status deploy(const std::string& version, const std::vector<v1::CanaryStep>& steps,
                        const v1::AnalysisThresholds& thresholds, v1::Rollout* out) {
        auto releases = v1::Releases::NewStub(channel());
        v1::DeployRequest request;
        request.set_flow_id("shop");
        request.set_version(version);
        for (const auto& step : steps) {
            *request.add_steps() = step;
        }
        *request.mutable_thresholds() = thresholds;
        request.set_reason("ship " + version);
        return releases->Deploy(context("ada").get(), request, out);
    }

    v1::Rollout current() {
        auto releases = v1::Releases::NewStub(channel());
        v1::GetRolloutRequest request;
        request.set_flow_id("shop");
        v1::Rollout rollout;
        const auto status = releases->GetRollout(context().get(), request, &rollout);
        if (!status.ok()) {
            qWarning("GetRollout: %s", status.error_message().c_str());
        }
        return rollout;
    }

    std::vector<v1::HistoryEntry> history() {
        auto releases = v1::Releases::NewStub(channel());
        v1::ListHistoryRequest request;
        request.set_flow_id("shop");
        request.set_limit(100);
        v1::ListHistoryResponse response;
        releases->ListHistory(context().get(), request, &response);
        return {response.entries().begin(), response.entries().end()};
    }

    static v1::CanaryStep manual(uint32_t percent) {
        v1::CanaryStep step;
        step.set_percent(percent);
        step.set_manual(true);
        return step;
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_data.isValid() && m_flowsDir.isValid());
        QVERIFY2(m_flowd.start(m_data.path(), m_flowsDir.path()), qPrintable(m_flowd.log()));
        store("1", m_stub.url("/ok"), true);
        store("2", m_stub.url("/fail"), false);
    }

    void aFailingCanaryAbortsByItselfAndTrafficGoesBack() {
        v1::CanaryStep step;
        step.set_percent(50);
        *step.mutable_analysis() = TimeUtil::SecondsToDuration(60);
        v1::AnalysisThresholds thresholds;
        thresholds.set_max_error_rate(0.1);
        thresholds.set_min_messages(5);
        *thresholds.mutable_check_interval() = TimeUtil::SecondsToDuration(1);
        v1::Rollout rollout;
        const auto status = deploy("2", {step, manual(100)}, thresholds, &rollout);
        QVERIFY2(status.ok(), status.error_message().c_str());
        QCOMPARE(rollout.state(), v1::ROLLOUT_STATE_PROGRESSING);
        QCOMPARE(rollout.current_percent(), 50u);
        QCOMPARE(rollout.stable_version(), std::string("1"));

        // The breach may abort the rollout while this traffic is still being sent (thresholds
        // are checked every second): from then on new conversations carry no variant.
        int canary = 0;
        int stable = 0;
        bool splitGone = false;
        std::string canaryConversation;
        for (int i = 0; i < 40; ++i) {
            const std::string id = "abort-" + std::to_string(i);
            const auto [variant, reply] = converse(id);
            if (variant.empty()) {
                splitGone = true;
                QCOMPARE(reply, std::string("Found it (1)"));
                continue;
            }
            QVERIFY2(!splitGone, "a conversation was split after the rollout ended");
            QVERIFY2(variant == "canary" || variant == "stable", (variant + reply).c_str());
            QCOMPARE(reply, std::string(variant == "canary" ? "Sorry (2)" : "Found it (1)"));
            if (variant == "canary") {
                ++canary;
                canaryConversation = id;
            } else {
                ++stable;
            }
        }
        QVERIFY2(canary >= 5 && stable >= 1, (std::to_string(canary) + " canary").c_str());
        QCOMPARE(m_stub.failures(), canary);

        // Checked every second: the breach aborts well before the analysis window ends.
        QTRY_COMPARE_WITH_TIMEOUT(current().state(), v1::ROLLOUT_STATE_ABORTED, 10000);
        const v1::Rollout aborted = current();
        QVERIFY2(aborted.state_reason().find("max_error_rate 1 > 0.1") != std::string::npos,
                 aborted.state_reason().c_str());
        QCOMPARE(aborted.current_percent(), 0u);
        QCOMPARE(aborted.last_analysis().verdict(), v1::VERDICT_FAIL);
        // A canary message may land between the breach's measurement and the abort.
        QVERIFY(aborted.last_analysis().canary().errors() >= 5);
        QVERIFY(aborted.last_analysis().canary().errors() <= uint64_t(canary));
        QCOMPARE(aborted.last_analysis().stable().errors(), uint64_t{0});

        const auto entries = history();
        QVERIFY(!entries.empty());
        QCOMPARE(entries.front().action(), v1::HISTORY_ACTION_ABORTED);
        QVERIFY(entries.front().automatic());
        QCOMPARE(entries.front().who(), std::string("flowd"));
        QCOMPARE(entries.back().action(), v1::HISTORY_ACTION_PUBLISHED);

        // New conversations are all on the stable version again, with no variant...
        for (int i = 0; i < 10; ++i) {
            const auto [variant, reply] = converse("after-" + std::to_string(i));
            QCOMPARE(variant, std::string());
            QCOMPARE(reply, std::string("Found it (1)"));
        }
        // ...while a conversation that started on the canary keeps its version and variant.
        const auto [variant, reply] = converse(canaryConversation);
        QCOMPARE(variant, std::string("canary"));
        QCOMPARE(reply, std::string("Sorry (2)"));
    }

    void theAbortIsAnEventAndAMetric() {
        auto telemetry = v1::Telemetry::NewStub(channel());
        v1::WatchEventsRequest request;
        request.add_kinds(v1::EVENT_KIND_RELEASE);
        request.set_replay(50);
        auto ctx = context();
        ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
        auto reader = telemetry->WatchEvents(ctx.get(), request);
        v1::Event event;
        bool sawAbort = false;
        while (reader->Read(&event)) {
            if (event.release().action() == v1::HISTORY_ACTION_ABORTED) {
                sawAbort = event.severity() == v1::EVENT_SEVERITY_CRITICAL &&
                           event.release().metrics().verdict() == v1::VERDICT_FAIL;
                break;
            }
        }
        ctx->TryCancel();
        QVERIFY(sawAbort);
        const auto samples = m_flowd.scrape();
        QCOMPARE(samples.at("flowdeck_rollout_step{flow=\"shop\"}"), 0.0);
        // 40 + 10 conversations had a message within the last five minutes.
        QCOMPARE(samples.at("flowdeck_conversations_active"), 50.0);
    }

    void refusalsMapToTheirStatuses() {
        v1::Rollout out;
        QCOMPARE(deploy("9", {}, {}, &out).error_code(), grpc::StatusCode::NOT_FOUND);
        QCOMPARE(deploy("1", {}, {}, &out).error_code(),
                 grpc::StatusCode::FAILED_PRECONDITION); // already active
        v1::CanaryStep backwards = manual(50);
        QCOMPARE(deploy("2", {backwards, manual(10)}, {}, &out).error_code(),
                 grpc::StatusCode::INVALID_ARGUMENT);
        QVERIFY(deploy("2", {manual(30)}, {}, &out).ok());
        QCOMPARE(deploy("2", {manual(30)}, {}, &out).error_code(),
                 grpc::StatusCode::FAILED_PRECONDITION); // one rollout at a time

        auto releases = v1::Releases::NewStub(channel());
        v1::PromoteRequest stale;
        stale.set_flow_id("shop");
        stale.set_rollout_id("ro-somebody-else");
        v1::Rollout promoted;
        QCOMPARE(releases->Promote(context().get(), stale, &promoted).error_code(),
                 grpc::StatusCode::ABORTED);

        auto flows = v1::Flows::NewStub(channel());
        v1::UpdateFlowRequest publish;
        publish.set_flow_id("shop");
        publish.mutable_flow()->set_flow_json(shopFlow("3", m_stub.url("/ok")));
        publish.set_publish(true);
        v1::UpdateFlowResponse published;
        const auto refused = flows->UpdateFlow(context().get(), publish, &published);
        QCOMPARE(refused.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
        QVERIFY(refused.error_message().find("rollout in progress") != std::string::npos);
    }

    void aRolloutSurvivesARestart() {
        const v1::Rollout before = current();
        QCOMPARE(before.state(), v1::ROLLOUT_STATE_PAUSED);
        QCOMPARE(before.current_percent(), 30u);
        int exitCode = -1;
        QVERIFY(m_flowd.stop(&exitCode));
        QVERIFY2(m_flowd.start(m_data.path(), m_flowsDir.path()), qPrintable(m_flowd.log()));
        const v1::Rollout after = current();
        QCOMPARE(after.rollout_id(), before.rollout_id());
        QCOMPARE(after.state(), v1::ROLLOUT_STATE_PAUSED);
        int canary = 0;
        for (int i = 0; i < 40; ++i) {
            canary += converse("restart-" + std::to_string(i)).first == "canary" ? 1 : 0;
        }
        QVERIFY2(canary >= 4 && canary <= 24, std::to_string(canary).c_str());
        QCOMPARE(m_flowd.scrape()["flowdeck_rollout_step{flow=\"shop\"}"], 1.0);
    }

    void promoteAndRollbackAreRecordedWithWhoAndWhy() {
        auto releases = v1::Releases::NewStub(channel());
        v1::PromoteRequest promote;
        promote.set_flow_id("shop");
        promote.set_to_full(true);
        promote.set_reason("errors are fine after the stub fix");
        v1::Rollout done;
        auto status = releases->Promote(context("grace").get(), promote, &done);
        QVERIFY2(status.ok(), status.error_message().c_str());
        QCOMPARE(done.state(), v1::ROLLOUT_STATE_SUCCEEDED);
        QCOMPARE(converse("full-1").second, std::string("Sorry (2)"));

        v1::RollbackRequest rollback;
        rollback.set_flow_id("shop");
        rollback.set_reason("customers see Sorry");
        v1::RollbackResponse rolled;
        status = releases->Rollback(context("grace").get(), rollback, &rolled);
        QVERIFY2(status.ok(), status.error_message().c_str());
        QCOMPARE(rolled.active_version(), std::string("1"));
        QCOMPARE(rolled.previous_version(), std::string("2"));
        QCOMPARE(converse("back-1").second, std::string("Found it (1)"));

        const auto entries = history();
        QCOMPARE(entries[0].action(), v1::HISTORY_ACTION_ROLLED_BACK);
        QCOMPARE(entries[0].who(), std::string("grace"));
        QCOMPARE(entries[0].why(), std::string("customers see Sorry"));
        QCOMPARE(entries[1].action(), v1::HISTORY_ACTION_COMPLETED);
        QCOMPARE(entries[2].action(), v1::HISTORY_ACTION_PROMOTED);
        QCOMPARE(entries[2].why(), std::string("errors are fine after the stub fix"));
        QCOMPARE(entries[3].action(), v1::HISTORY_ACTION_DEPLOY_STARTED);
        QCOMPARE(entries[3].who(), std::string("ada"));
        QCOMPARE(entries[3].percent(), 30u);
    }

    void aHealthyCanaryIsPromotedByItsAnalysis() {
        store("3", m_stub.url("/ok"), false);
        v1::CanaryStep step;
        step.set_percent(50);
        *step.mutable_analysis() = TimeUtil::SecondsToDuration(2);
        v1::AnalysisThresholds thresholds;
        thresholds.set_max_error_rate(0.1);
        thresholds.set_min_messages(5);
        *thresholds.mutable_check_interval() = TimeUtil::SecondsToDuration(1);
        v1::Rollout rollout;
        const auto status = deploy("3", {step}, thresholds, &rollout);
        QVERIFY2(status.ok(), status.error_message().c_str());
        int canary = 0;
        for (int i = 0; i < 30; ++i) {
            const auto [variant, reply] = converse("healthy-" + std::to_string(i));
            canary += variant == "canary" ? 1 : 0;
            // No variant: the analysis already passed and version 3 serves everyone.
            QCOMPARE(reply, std::string(variant == "stable" ? "Found it (1)" : "Found it (3)"));
        }
        QVERIFY2(canary >= 5, std::to_string(canary).c_str()); // enough for a verdict
        QTRY_COMPARE_WITH_TIMEOUT(current().state(), v1::ROLLOUT_STATE_SUCCEEDED, 10000);
        const v1::Rollout done = current();
        QCOMPARE(done.last_analysis().verdict(), v1::VERDICT_PASS);
        QVERIFY(done.last_analysis().canary().messages() >= 5);
        QVERIFY(done.last_analysis().canary().messages() <= uint64_t(canary));
        const auto entries = history();
        QCOMPARE(entries[0].action(), v1::HISTORY_ACTION_COMPLETED);
        QVERIFY(entries[0].automatic());
        QCOMPARE(converse("after-promotion").second, std::string("Found it (3)"));
    }

    void cleanupTestCase() {
        int exitCode = -1;
        QVERIFY(m_flowd.stop(&exitCode));
        QCOMPARE(exitCode, 0);
    }
};

QTEST_GUILESS_MAIN(tst_Releases)
#include "tst_releases.moc"
