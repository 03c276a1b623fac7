// Canary analysis across a cluster, with real processes: three flowd nodes on one throw-away
// PostgreSQL, and canary traffic sent only to the two nodes that do not drive rollouts. The
// leader still judges the canary — on the numbers the other nodes publish — so a failing canary
// is aborted by itself and a healthy one is promoted, and the analysis recorded in the rollout
// and its history counts every canary message the other nodes served, exactly.
#include "cluster/local_cluster.h"
#include "cluster_support.h"
#include "lookup_flow.h"
#include "node_stubs.h"

#include "flowdeck/v1/conversations.grpc.pb.h"
#include "flowdeck/v1/flows.grpc.pb.h"
#include "flowdeck/v1/releases.grpc.pb.h"
#include "flowdeck/v1/telemetry.grpc.pb.h"

#include <google/protobuf/util/time_util.h>
#include <grpcpp/grpcpp.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <array>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace {

namespace v1 = flowdeck::v1;
using Clock = std::chrono::steady_clock;
using google::protobuf::util::TimeUtil;

// The shop flow: its one integration calls `url` (tests/server/lookup_flow.h).
std::string shopFlow(const std::string& version, const std::string& url) {
    return flowd_test::lookupFlow("shop", version, url);
}

std::unique_ptr<grpc::ClientContext> context(int seconds = 5) {
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(seconds));
    ctx->AddMetadata("x-flowdeck-user", "stats-test");
    return ctx;
}

bool eventually(std::chrono::milliseconds timeout, const std::function<bool()>& check) {
    const auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
        if (check()) {
            return true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return check();
}

// An HTTP stub on 127.0.0.1: /ok answers 200 with JSON, /fail answers 500.
class StubServer final {
public:
    StubServer() {
        // Three nodes keep connections open to it: without this, idle keep-alive connections hold
        // every worker and a new one waits past the integration's timeout (a spurious error).
        m_server.set_keep_alive_max_count(1);
        m_server.new_task_queue = [] { return new httplib::ThreadPool(32); };
        m_server.Get("/ok", [](const httplib::Request&, httplib::Response& res) {
            res.set_content("{\"order\":{\"status\":\"shipped\"}}", "application/json");
        });
        m_server.Get("/fail", [](const httplib::Request&, httplib::Response& res) {
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

private:
    httplib::Server m_server;
    std::thread m_thread;
    int m_port = 0;
};

using Stubs = flowd_test::NodeStubs;

// What the traffic sent to the non-leader nodes did: canary conversations per node, stable ones.
struct Sent {
    std::array<int, 2> canary{0, 0};
    int stable = 0;
    std::string problem;
};

} // namespace

class tst_ReleaseClusterStats : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    StubServer m_stub;
    std::unique_ptr<flowdeck::cluster::LocalCluster> m_cluster;
    std::vector<std::unique_ptr<Stubs>> m_nodes;
    size_t m_leader = 0;
    std::array<size_t, 2> m_others{};

    Stubs& node(size_t i) { return *m_nodes.at(i); }

    int leaderFromLogs() const { return flowd_test::leaderFromLogs(*m_cluster); }

    // Whether WatchEvents on node `on` replays an automatic ABORTED entry of the rollout.
    bool sawAbortOn(size_t on, const std::string& rolloutId) {
        return eventually(std::chrono::seconds(5), [&] {
            grpc::ClientContext watch;
            watch.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(500));
            v1::WatchEventsRequest request;
            request.add_kinds(v1::EVENT_KIND_RELEASE);
            request.set_replay(1000);
            auto reader = node(on).telemetry->WatchEvents(&watch, request);
            v1::Event event;
            bool seen = false;
            while (!seen && reader->Read(&event)) {
                seen = event.release().rollout_id() == rolloutId &&
                       event.release().action() == v1::HISTORY_ACTION_ABORTED &&
                       event.release().automatic();
            }
            watch.TryCancel();
            reader->Finish();
            return seen;
        });
    }

    void store(size_t on, const std::string& version, const std::string& url, bool create) {
        grpc::Status status;
        if (create) {
            v1::CreateFlowRequest request;
            request.set_flow_id("shop");
            request.mutable_flow()->set_flow_json(shopFlow(version, url));
            request.set_publish(true);
            v1::CreateFlowResponse response;
            status = node(on).flows->CreateFlow(context().get(), request, &response);
        } else {
            v1::UpdateFlowRequest request;
            request.set_flow_id("shop");
            request.mutable_flow()->set_flow_json(shopFlow(version, url));
            v1::UpdateFlowResponse response;
            status = node(on).flows->UpdateFlow(context().get(), request, &response);
        }
        QVERIFY2(status.ok(), status.error_message().c_str());
    }

    uint32_t canaryPercent(size_t i) {
        v1::NodeInfo info;
        node(i).telemetry->GetNodeInfo(context().get(), {}, &info);
        for (const auto& flow : info.flows()) {
            if (flow.flow_id() == "shop") {
                return flow.canary_percent();
            }
        }
        return 0;
    }

    v1::Rollout deploy(const std::string& version, const std::vector<v1::CanaryStep>& steps,
                       uint64_t minMessages) {
        v1::DeployRequest request;
        request.set_flow_id("shop");
        request.set_version(version);
        for (const auto& step : steps) {
            *request.add_steps() = step;
        }
        request.mutable_thresholds()->set_max_error_rate(0.1);
        request.mutable_thresholds()->set_min_messages(minMessages);
        *request.mutable_thresholds()->mutable_check_interval() = TimeUtil::SecondsToDuration(1);
        request.set_reason("ship " + version);
        v1::Rollout rollout;
        const auto status = node(m_others[0]).releases->Deploy(context().get(), request, &rollout);
        if (!status.ok()) {
            qWarning("Deploy: %s", status.error_message().c_str());
        }
        return rollout;
    }

    v1::Rollout rollout(const std::string& id) {
        v1::GetRolloutRequest request;
        request.set_flow_id("shop");
        request.set_rollout_id(id);
        v1::Rollout out;
        node(m_others[1]).releases->GetRollout(context().get(), request, &out);
        return out;
    }

    // New conversations on "shop", only ever to the two non-leader nodes, until each of them
    // served exactly `perNode` canary conversations (a node that has them gets no more traffic).
    // Each reply is checked: the canary answers `canaryReply`, the stable "Found it (1)".
    Sent sendUntilCanaries(const std::string& prefix, int perNode, const std::string& canaryReply) {
        Sent sent;
        for (int i = 0; i < 400 && (sent.canary[0] < perNode || sent.canary[1] < perNode); ++i) {
            const size_t which =
                sent.canary[0] < perNode && (sent.canary[1] >= perNode || i % 2 == 0) ? 0 : 1;
            v1::ProcessMessageRequest request;
            request.set_tenant_id("default");
            request.set_conversation_id(prefix + std::to_string(i));
            request.mutable_content()->set_text("order 42");
            request.mutable_hints()->set_force_flow("shop");
            v1::ProcessMessageResponse response;
            const auto status =
                node(m_others[which])
                    .conversations->ProcessMessage(context().get(), request, &response);
            if (!status.ok()) {
                sent.problem = status.error_message();
                return sent;
            }
            const bool canary = response.ab_variant() == "canary";
            const std::string expected = canary ? canaryReply : "Found it (1)";
            if (!response.ab_variant().empty() && response.response().text() != expected) {
                // Not what the stub makes the version answer (e.g. the stub was too slow).
                sent.problem = request.conversation_id() + " on the " + response.ab_variant() +
                               " answered '" + response.response().text() + "'";
                return sent;
            }
            if (canary) {
                ++sent.canary[which];
            } else if (response.ab_variant() == "stable") {
                ++sent.stable;
            } else {
                sent.problem = "a conversation without a variant: the split is gone";
                return sent;
            }
        }
        return sent;
    }

    bool othersServeTheCanary() {
        return eventually(std::chrono::seconds(5), [this] {
            return canaryPercent(m_others[0]) == 50 && canaryPercent(m_others[1]) == 50;
        });
    }

    static v1::CanaryStep analysisStep(int seconds) {
        v1::CanaryStep step;
        step.set_percent(50);
        *step.mutable_analysis() = TimeUtil::SecondsToDuration(seconds);
        return step;
    }

    std::vector<v1::HistoryEntry> history() {
        v1::ListHistoryRequest request;
        request.set_flow_id("shop");
        request.set_limit(50);
        v1::ListHistoryResponse response;
        node(m_leader).releases->ListHistory(context().get(), request, &response);
        return {response.entries().begin(), response.entries().end()};
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_dir.isValid());
        flowd_test::letPostgresIn(m_dir.path());
        flowdeck::cluster::LocalClusterOptions options;
        options.dir = m_dir.filePath("cluster").toStdString();
        options.nodes = 3;
        options.flowdPath = TEST_BIN_DIR "/flowd";
        options.flowsDir = m_dir.filePath("flows").toStdString(); // none: only "shop" is served
        QVERIFY(QDir().mkpath(m_dir.filePath("flows")));
        std::string error;
        m_cluster = flowdeck::cluster::LocalCluster::start(options, &error);
        QVERIFY2(m_cluster, error.c_str());
        for (const auto& n : m_cluster->nodes()) {
            m_nodes.push_back(std::make_unique<Stubs>(n.grpcAddress()));
        }
        QVERIFY2(eventually(std::chrono::seconds(10), [this] { return leaderFromLogs() >= 0; }),
                 "no node says it drives rollouts");
        m_leader = static_cast<size_t>(leaderFromLogs());
        m_others = {(m_leader + 1) % 3, (m_leader + 2) % 3};
        store(m_others[1], "1", m_stub.url("/ok"), true);
        store(m_others[1], "2", m_stub.url("/fail"), false);
        store(m_others[1], "3", m_stub.url("/ok"), false);
    }

    void cleanupTestCase() {
        m_nodes.clear();
        if (m_cluster) {
            std::string error;
            QVERIFY2(m_cluster->stop(std::chrono::seconds(15), &error), error.c_str());
        }
    }

    void aFailingCanaryOnlyOtherNodesServeIsAbortedByTheLeader() {
        // 12 canary messages are needed for a verdict and each non-leader node serves 6: only
        // the two nodes' numbers together can abort, and the leader serves none of them.
        const v1::Rollout started = deploy("2", {analysisStep(120)}, 12);
        QCOMPARE(started.state(), v1::ROLLOUT_STATE_PROGRESSING);
        QVERIFY(othersServeTheCanary());
        const Sent sent = sendUntilCanaries("fail-", 6, "Sorry (2)");
        QVERIFY2(sent.problem.empty(), sent.problem.c_str());
        QCOMPARE(sent.canary[0], 6);
        QCOMPARE(sent.canary[1], 6);

        // Published every 2 s, checked every second: well before the 2-minute window ends.
        QVERIFY(eventually(std::chrono::seconds(15), [&] {
            return rollout(started.rollout_id()).state() == v1::ROLLOUT_STATE_ABORTED;
        }));
        const v1::Rollout aborted = rollout(started.rollout_id());
        QVERIFY2(aborted.state_reason().find("max_error_rate 1 > 0.1") != std::string::npos,
                 aborted.state_reason().c_str());
        const v1::AnalysisResult& analysis = aborted.last_analysis();
        QCOMPARE(analysis.verdict(), v1::VERDICT_FAIL);
        QCOMPARE(analysis.canary().messages(), uint64_t{12});
        QCOMPARE(analysis.canary().errors(), uint64_t{12});
        QCOMPARE(analysis.stable().messages(), static_cast<uint64_t>(sent.stable));
        QCOMPARE(analysis.stable().errors(), uint64_t{0});

        const auto entries = history();
        QVERIFY(!entries.empty());
        QCOMPARE(entries.front().action(), v1::HISTORY_ACTION_ABORTED);
        QVERIFY(entries.front().automatic());
        QCOMPARE(entries.front().metrics().canary().messages(), uint64_t{12});
        QCOMPARE(canaryPercent(m_others[0]), 0u);

        // The abort the leader decided is a RELEASE event on the other nodes too, so whoever
        // watches any node sees it.
        QVERIFY2(sawAbortOn(m_others[0], started.rollout_id()),
                 "a node other than the leader did not report the leader's abort");
    }

    void aHealthyCanaryOnlyOtherNodesServeIsPromotedByTheLeader() {
        // 6 canary messages needed, 3 on each non-leader node: on its own traffic alone (none)
        // the leader would pause the rollout as inconclusive when the analysis window ends.
        // Independent of the first test's outcome: no rollout of "shop" may be in progress.
        v1::AbortRequest abort;
        abort.set_flow_id("shop");
        abort.set_reason("clean slate");
        v1::Rollout ignored;
        node(m_leader).releases->Abort(context().get(), abort, &ignored);
        const v1::Rollout started = deploy("3", {analysisStep(10)}, 6);
        QCOMPARE(started.state(), v1::ROLLOUT_STATE_PROGRESSING);
        QVERIFY(othersServeTheCanary());
        const Sent sent = sendUntilCanaries("ok-", 3, "Found it (3)");
        QVERIFY2(sent.problem.empty(), sent.problem.c_str());

        QVERIFY(eventually(std::chrono::seconds(20), [&] {
            const auto state = rollout(started.rollout_id()).state();
            return state != v1::ROLLOUT_STATE_PROGRESSING;
        }));
        const v1::Rollout done = rollout(started.rollout_id());
        QVERIFY2(done.state() == v1::ROLLOUT_STATE_SUCCEEDED, done.state_reason().c_str());
        QCOMPARE(done.last_analysis().verdict(), v1::VERDICT_PASS);
        QCOMPARE(done.last_analysis().canary().messages(), uint64_t{6});
        QCOMPARE(done.last_analysis().stable().messages(), static_cast<uint64_t>(sent.stable));

        bool sawGate = false;
        for (const auto& entry : history()) {
            if (entry.action() == v1::HISTORY_ACTION_STEP_ADVANCED && entry.automatic()) {
                sawGate = true;
                QCOMPARE(entry.why(), std::string("analysis passed"));
                QCOMPARE(entry.metrics().canary().messages(), uint64_t{6});
                break;
            }
        }
        QVERIFY(sawGate);
        QVERIFY(eventually(std::chrono::seconds(2), [this] {
            return canaryPercent(m_others[0]) == 0 && canaryPercent(m_leader) == 0;
        }));
    }
};

QTEST_GUILESS_MAIN(tst_ReleaseClusterStats)
#include "tst_release_cluster_stats.moc"
