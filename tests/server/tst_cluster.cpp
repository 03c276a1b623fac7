// Cluster mode with real processes: three flowd nodes on one throw-away PostgreSQL, started by
// the same harness as `flowctl cluster up`. Conversations spread over every node, one node is
// killed with SIGKILL under load, and afterwards no acknowledged message is lost or applied twice
// and every conversation ends as a single-node replay does. Releases made on one node reach the
// others within a second, and the rollouts go on when the node driving them dies.
#include "cluster/local_cluster.h"
#include "cluster_support.h"
#include "flowd_process.h"
#include "node_stubs.h"

#include "flowdeck/v1/conversations.grpc.pb.h"
#include "flowdeck/v1/flows.grpc.pb.h"
#include "flowdeck/v1/releases.grpc.pb.h"
#include "flowdeck/v1/telemetry.grpc.pb.h"

#include <google/protobuf/util/time_util.h>
#include <grpcpp/grpcpp.h>
#include <nlohmann/json.hpp>

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <atomic>
#include <csignal>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace {

namespace v1 = flowdeck::v1;
using Clock = std::chrono::steady_clock;
using google::protobuf::util::TimeUtil;

std::unique_ptr<grpc::ClientContext> context(int seconds = 5) {
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(seconds));
    ctx->AddMetadata("x-flowdeck-user", "cluster-test");
    return ctx;
}

std::vector<std::string> bookingScript() {
    std::vector<std::string> lines;
    std::ifstream in(RESOURCES_DIR "/flows/booking.script.txt");
    for (std::string line; std::getline(in, line);) {
        if (!line.empty()) {
            lines.push_back(line);
        }
    }
    return lines;
}

std::string echoFlow(const std::string& version) {
    const nlohmann::json flow = {
        {"name", "echo"},
        {"version", version},
        {"initial_state", "ask"},
        {"states",
         {{"ask",
           {{"type", "response"},
            {"config", {{"response_templates", {{"default", "echo " + version}}}}},
            {"transitions", {{{"condition", "any_input"}, {"target_state", "ask"}}}}}}}}};
    return flow.dump();
}

// Polls `check` every 50 ms until it holds or `timeout` passes.
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

using Stubs = flowd_test::NodeStubs;

} // namespace

class tst_Cluster : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    std::unique_ptr<flowdeck::cluster::LocalCluster> m_cluster;
    std::vector<std::unique_ptr<Stubs>> m_nodes;

    Stubs& node(size_t i) { return *m_nodes.at(i); }

    v1::NodeInfo nodeInfo(size_t i) {
        v1::NodeInfo info;
        node(i).telemetry->GetNodeInfo(context().get(), {}, &info);
        return info;
    }

    // The flow's stable version and canary share as node i serves them ("" when not served).
    std::pair<std::string, uint32_t> served(size_t i, const std::string& flowId) {
        const auto info = nodeInfo(i);
        for (const auto& flow : info.flows()) {
            if (flow.flow_id() == flowId) {
                return {flow.stable_version(), flow.canary_percent()};
            }
        }
        return {"", 0};
    }

    bool everyNodeServes(const std::string& flowId, const std::string& stable, uint32_t percent) {
        for (size_t i = 0; i < m_nodes.size(); ++i) {
            if (!m_cluster->isRunning(i)) {
                continue;
            }
            if (served(i, flowId) != std::make_pair(stable, percent)) {
                return false;
            }
        }
        return true;
    }

    // Sends one message, moving to the next node until one acknowledges it (same key each time,
    // so a message the dead node applied is answered as a duplicate, never applied twice).
    bool deliver(size_t firstNode, const v1::ProcessMessageRequest& request,
                 v1::ProcessMessageResponse* response) {
        for (int attempt = 0; attempt < 60; ++attempt) {
            const size_t target = (firstNode + attempt) % m_nodes.size();
            auto ctx = context(3);
            ctx->set_wait_for_ready(false);
            if (node(target).conversations->ProcessMessage(ctx.get(), request, response).ok() &&
                response->errors().empty()) {
                return true;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        return false;
    }

    std::string leaderIndexFromLogs() {
        const int leader = flowd_test::leaderFromLogs(*m_cluster);
        return leader < 0 ? std::string() : std::to_string(leader);
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_dir.isValid());
        flowd_test::letPostgresIn(m_dir.path());
        flowdeck::cluster::LocalClusterOptions options;
        options.dir = m_dir.filePath("cluster").toStdString();
        options.nodes = 3;
        options.flowdPath = TEST_BIN_DIR "/flowd";
        options.flowsDir = RESOURCES_DIR "/flows";
        std::string error;
        m_cluster = flowdeck::cluster::LocalCluster::start(options, &error);
        QVERIFY2(m_cluster, error.c_str());
        for (const auto& n : m_cluster->nodes()) {
            m_nodes.push_back(std::make_unique<Stubs>(n.grpcAddress()));
        }
    }

    void cleanupTestCase() {
        m_nodes.clear();
        if (m_cluster) {
            std::string error;
            QVERIFY2(m_cluster->stop(std::chrono::seconds(15), &error), error.c_str());
        }
    }

    void everyNodeKnowsItsPeersAndItsDatabase() {
        QVERIFY(eventually(std::chrono::seconds(5), [this] {
            const auto info = nodeInfo(0);
            int up = 0;
            for (const auto& peer : info.peers()) {
                up += peer.up() ? 1 : 0;
            }
            return up == 2;
        }));
        const auto info = nodeInfo(1);
        QVERIFY(info.store_kind() == v1::STORE_KIND_POSTGRES);
        QVERIFY2(QString::fromStdString(info.store_detail()).startsWith("postgresql://127.0.0.1:"),
                 info.store_detail().c_str());
        QVERIFY(info.store_detail().find("user") == std::string::npos); // no credentials shown
    }

    void noAcknowledgedMessageIsLostWhenANodeIsKilled() {
        const auto script = bookingScript();
        QVERIFY(script.size() >= 5);
        // Enough messages that the kill lands mid-traffic even where the cluster answers a few
        // thousand a second (168 were all answered within one 50 ms poll on a quiet machine).
        constexpr int kConversations = 60;
        constexpr int kThreads = 4;
        const int total = kConversations * static_cast<int>(script.size());
        std::atomic<int> acknowledged{0};
        std::atomic<int> failures{0};
        std::vector<std::thread> senders;
        // A failed check returns early: the senders still finish (deliver() is bounded) and are
        // joined, instead of std::thread's destructor aborting the whole test binary.
        struct JoinAll {
            std::vector<std::thread>& threads;
            ~JoinAll() {
                for (auto& thread : threads) {
                    if (thread.joinable()) {
                        thread.join();
                    }
                }
            }
        } joinAll{senders};
        for (int t = 0; t < kThreads; ++t) {
            senders.emplace_back([&, t] {
                // Each thread walks its conversations in lockstep, so each conversation's
                // messages go to a different node each time.
                for (size_t line = 0; line < script.size(); ++line) {
                    for (int c = t; c < kConversations; c += kThreads) {
                        v1::ProcessMessageRequest request;
                        request.set_tenant_id("acme");
                        request.set_conversation_id("kill-" + std::to_string(c));
                        request.mutable_content()->set_type("text");
                        request.mutable_content()->set_text(script[line]);
                        request.mutable_hints()->set_force_flow("table_booking");
                        request.set_idempotency_key("kill-" + std::to_string(c) + "-" +
                                                    std::to_string(line));
                        v1::ProcessMessageResponse response;
                        if (deliver(static_cast<size_t>(c) + line, request, &response)) {
                            ++acknowledged;
                        } else {
                            ++failures;
                        }
                    }
                }
            });
        }
        // Polled every millisecond, not every 50 ms like eventually(): a third of the way in.
        const auto deadline = Clock::now() + std::chrono::seconds(60);
        while (acknowledged <= total / 3 && Clock::now() < deadline) {
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
        QVERIFY2(acknowledged > total / 3, "a third of the messages were not answered in 60 s");
        std::string error;
        const int beforeKill = acknowledged.load();
        QVERIFY2(m_cluster->kill(1, SIGKILL, &error), error.c_str()); // node-2, mid-traffic
        QVERIFY2(beforeKill < total * 9 / 10, "the kill came too late to test anything");
        for (auto& sender : senders) {
            sender.join();
        }
        qInfo("node-2 killed after %d of %d messages were acknowledged", beforeKill, total);
        QCOMPARE(failures.load(), 0);
        QCOMPARE(acknowledged.load(), total);

        // The survivors report node-2 down within 5 s.
        QVERIFY(eventually(std::chrono::seconds(5), [this] {
            const auto info = nodeInfo(0);
            for (const auto& peer : info.peers()) {
                if (peer.node_id() == "node-2") {
                    return !peer.up();
                }
            }
            return false;
        }));

        // Every message exactly once, in order, whichever node applied it.
        for (int c = 0; c < kConversations; ++c) {
            v1::GetStateRequest request;
            request.set_tenant_id("acme");
            request.set_conversation_id("kill-" + std::to_string(c));
            request.set_include_history(true);
            request.set_include_context(true);
            request.set_history_limit(100);
            v1::GetStateResponse state;
            QVERIFY(
                node(2).conversations->GetConversationState(context().get(), request, &state).ok());
            QCOMPARE(state.conversation_version(), static_cast<int64_t>(script.size()));
            QCOMPARE(state.messages_size(), static_cast<int>(script.size()));
            for (size_t line = 0; line < script.size(); ++line) {
                QCOMPARE(state.messages(static_cast<int>(line)).input(), script[line]);
            }
            m_clusterStates[c] = state;
        }
    }

    void everyConversationEndsAsASingleNodeReplayDoes() {
        QVERIFY2(!m_clusterStates.empty(),
                 "runs after noAcknowledgedMessageIsLostWhenANodeIsKilled");
        QTemporaryDir data;
        flowd_test::FlowdProcess single;
        QVERIFY2(single.start(data.path(), RESOURCES_DIR "/flows"), qPrintable(single.log()));
        Stubs replay(single.grpcTarget());
        const auto script = bookingScript();
        for (const auto& [c, clustered] : m_clusterStates) {
            const std::string id = "kill-" + std::to_string(c);
            for (size_t line = 0; line < script.size(); ++line) {
                v1::ProcessMessageRequest request;
                request.set_tenant_id("acme");
                request.set_conversation_id(id);
                request.mutable_content()->set_type("text");
                request.mutable_content()->set_text(script[line]);
                request.mutable_hints()->set_force_flow("table_booking");
                v1::ProcessMessageResponse response;
                QVERIFY(
                    replay.conversations->ProcessMessage(context().get(), request, &response).ok());
            }
            v1::GetStateRequest request;
            request.set_tenant_id("acme");
            request.set_conversation_id(id);
            request.set_include_context(true);
            request.set_include_history(true);
            request.set_history_limit(100);
            v1::GetStateResponse alone;
            QVERIFY(
                replay.conversations->GetConversationState(context().get(), request, &alone).ok());
            QCOMPARE(clustered.current_state(), alone.current_state());
            QCOMPARE(clustered.conversation_version(), alone.conversation_version());
            QCOMPARE(clustered.context_size(), alone.context_size());
            for (const auto& [key, value] : alone.context()) {
                QVERIFY2(clustered.context().count(key) == 1, key.c_str());
                QCOMPARE(clustered.context().at(key), value);
            }
            for (int m = 0; m < alone.messages_size(); ++m) {
                QCOMPARE(clustered.messages(m).reply(), alone.messages(m).reply());
            }
        }
        int exitCode = -1;
        QVERIFY(single.stop(&exitCode));
    }

    void aKilledNodeComesBackAndServesTheSameConversations() {
        std::string error;
        QVERIFY2(m_cluster->restart(1, &error), error.c_str());
        QVERIFY(eventually(std::chrono::seconds(5), [this] {
            const auto info = nodeInfo(0);
            for (const auto& peer : info.peers()) {
                if (peer.node_id() == "node-2") {
                    return peer.up();
                }
            }
            return false;
        }));
        v1::GetStateRequest request;
        request.set_tenant_id("acme");
        request.set_conversation_id("kill-5");
        // A channel to a node that died backs off before reconnecting; a restarted node is a new
        // peer to talk to.
        m_nodes[1] = std::make_unique<Stubs>(m_cluster->nodes()[1].grpcAddress());
        v1::GetStateResponse state;
        auto ctx = context();
        ctx->set_wait_for_ready(true);
        const auto status = node(1).conversations->GetConversationState(ctx.get(), request, &state);
        QVERIFY2(status.ok(), status.error_message().c_str());
        QCOMPARE(state.current_state(), m_clusterStates.at(5).current_state());
    }

    void releasesMadeOnOneNodeReachTheOthersWithinASecond() {
        v1::CreateFlowRequest create;
        create.set_tenant_id("acme");
        create.set_flow_id("echo");
        create.mutable_flow()->set_flow_json(echoFlow("1"));
        create.set_publish(true);
        v1::CreateFlowResponse created;
        QVERIFY(node(0).flows->CreateFlow(context().get(), create, &created).ok());
        QVERIFY(eventually(std::chrono::milliseconds(1000),
                           [this] { return everyNodeServes("echo", "1", 0); }));

        v1::UpdateFlowRequest update;
        update.set_tenant_id("acme");
        update.set_flow_id("echo");
        update.mutable_flow()->set_flow_json(echoFlow("2"));
        v1::UpdateFlowResponse updated;
        QVERIFY(node(1).flows->UpdateFlow(context().get(), update, &updated).ok());

        v1::DeployRequest deploy;
        deploy.set_tenant_id("acme");
        deploy.set_flow_id("echo");
        deploy.set_version("2");
        deploy.set_reason("cluster test");
        auto* step = deploy.add_steps();
        step->set_percent(50);
        step->set_manual(true);
        v1::Rollout rollout;
        const auto status = node(2).releases->Deploy(context().get(), deploy, &rollout);
        QVERIFY2(status.ok(), status.error_message().c_str());
        QVERIFY(eventually(std::chrono::milliseconds(1000),
                           [this] { return everyNodeServes("echo", "1", 50); }));

        // A second deploy on another node sees the rollout in progress.
        v1::Rollout refused;
        QCOMPARE(node(0).releases->Deploy(context().get(), deploy, &refused).error_code(),
                 grpc::StatusCode::FAILED_PRECONDITION);

        v1::PromoteRequest promote;
        promote.set_tenant_id("acme");
        promote.set_flow_id("echo");
        promote.set_to_full(true);
        promote.set_reason("looks good");
        QVERIFY(node(0).releases->Promote(context().get(), promote, &rollout).ok());
        QCOMPARE(rollout.state(), v1::ROLLOUT_STATE_SUCCEEDED);
        QVERIFY(eventually(std::chrono::milliseconds(1000),
                           [this] { return everyNodeServes("echo", "2", 0); }));

        v1::RollbackRequest rollback;
        rollback.set_tenant_id("acme");
        rollback.set_flow_id("echo");
        rollback.set_reason("back to 1");
        v1::RollbackResponse rolledBack;
        QVERIFY(node(1).releases->Rollback(context().get(), rollback, &rolledBack).ok());
        QVERIFY(eventually(std::chrono::milliseconds(1000),
                           [this] { return everyNodeServes("echo", "1", 0); }));

        v1::ListHistoryRequest list;
        list.set_tenant_id("acme");
        list.set_flow_id("echo");
        v1::ListHistoryResponse history;
        QVERIFY(node(2).releases->ListHistory(context().get(), list, &history).ok());
        QCOMPARE(history.entries_size(), 5); // published, deploy, promote, completed, rollback
    }

    // "echo" (created in the case above) as node i lists it: its last_used in Unix ms, or -1.
    int64_t echoLastUsedOn(size_t i) {
        v1::ListFlowsRequest request;
        request.set_tenant_id("acme");
        v1::ListFlowsResponse listed;
        if (!node(i).flows->ListFlows(context().get(), request, &listed).ok()) {
            return -1;
        }
        for (const auto& summary : listed.flows()) {
            if (summary.flow_id() == "echo" && summary.has_last_used()) {
                return google::protobuf::util::TimeUtil::TimestampToMilliseconds(
                    summary.last_used());
            }
        }
        return -1;
    }

    void aFlowUsedOnOneNodeShowsItsLastUseOnEveryNode() {
        QCOMPARE(echoLastUsedOn(0), int64_t(-1));
        const int64_t before = std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count();
        v1::ProcessMessageRequest request;
        request.set_tenant_id("acme");
        request.set_conversation_id("last-used-1");
        request.mutable_content()->set_text("hello");
        request.mutable_hints()->set_force_flow("echo");
        v1::ProcessMessageResponse response;
        const auto status =
            node(2).conversations->ProcessMessage(context().get(), request, &response);
        QVERIFY2(status.ok(), status.error_message().c_str());
        QCOMPARE(response.flow_id(), std::string("echo"));
        const int64_t onNode3 = echoLastUsedOn(2);
        QVERIFY2(onNode3 >= before, std::to_string(onNode3 - before).c_str());
        // The others learn it from the store once node-3 reports (every five seconds).
        QVERIFY(eventually(std::chrono::seconds(12), [&] {
            return echoLastUsedOn(0) == onNode3 && echoLastUsedOn(1) == onNode3;
        }));
    }

    void aRolloutGoesOnWhenItsLeaderDies() {
        const std::string leader = leaderIndexFromLogs();
        QVERIFY2(!leader.empty(), "no node says it drives rollouts");
        const size_t leaderIndex = std::stoul(leader);
        const size_t other = (leaderIndex + 1) % 3;

        v1::DeployRequest deploy;
        deploy.set_tenant_id("acme");
        deploy.set_flow_id("echo");
        deploy.set_version("2");
        deploy.set_reason("failover test");
        auto* step = deploy.add_steps();
        step->set_percent(20);
        *step->mutable_pause() = TimeUtil::SecondsToDuration(2);
        v1::Rollout rollout;
        QVERIFY(node(other).releases->Deploy(context().get(), deploy, &rollout).ok());

        std::string error;
        QVERIFY2(m_cluster->kill(leaderIndex, SIGKILL, &error), error.c_str());
        // Another node takes over the lock at once and ends the pause on time.
        QVERIFY(eventually(std::chrono::seconds(8), [&] {
            v1::GetRolloutRequest get;
            get.set_tenant_id("acme");
            get.set_flow_id("echo");
            get.set_rollout_id(rollout.rollout_id());
            v1::Rollout now;
            return node(other).releases->GetRollout(context().get(), get, &now).ok() &&
                   now.state() == v1::ROLLOUT_STATE_SUCCEEDED;
        }));
        QVERIFY(eventually(std::chrono::milliseconds(1000),
                           [this] { return everyNodeServes("echo", "2", 0); }));
        QVERIFY(!leaderIndexFromLogs().empty());
        QVERIFY(leaderIndexFromLogs() != leader);
        QVERIFY2(m_cluster->restart(leaderIndex, &error), error.c_str());
        m_nodes[leaderIndex] =
            std::make_unique<Stubs>(m_cluster->nodes()[leaderIndex].grpcAddress());
    }

private:
    std::map<int, v1::GetStateResponse> m_clusterStates;
};

QTEST_GUILESS_MAIN(tst_Cluster)
#include "tst_cluster.moc"
