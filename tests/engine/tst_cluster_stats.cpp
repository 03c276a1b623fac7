// Canary analysis over a cluster's traffic: VariantStats merges other nodes' seconds exactly as
// one VariantStats that saw every message would, the controller judges (and records) the merged
// numbers, an unreadable peer source makes the verdict inconclusive instead of judging one
// node's share, and the latency column's text form round-trips.
#include "flowdeck/engine/flow_json.h"
#include "flowdeck/engine/flow_registry.h"
#include "flowdeck/engine/flow_version_store.h"
#include "flowdeck/engine/metrics.h"
#include "flowdeck/engine/postgres_variant_stats.h"
#include "flowdeck/engine/release.h"
#include "flowdeck/engine/release_controller.h"
#include "flowdeck/engine/variant_stats.h"

#include <QtTest>

#include <memory>
#include <random>
#include <string>
#include <vector>

using namespace flowdeck::engine;
using namespace flowdeck::engine::release;

namespace {

constexpr int64_t kStart = 1'700'000'000'000;

std::string echoFlow(const std::string& reply) {
    return "{\"name\":\"echo\",\"initial_state\":\"ask\",\"states\":{\"ask\":{"
           "\"type\":\"response\",\"config\":{\"response_templates\":{\"default\":\"" +
           reply +
           "\"}},\"transitions\":[{\"condition\":\"any_input\",\"target_state\":\"ask\"}]}}}";
}

std::vector<StatsSecond> concat(std::vector<StatsSecond> a, const std::vector<StatsSecond>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

// The leader of a cluster whose other nodes' seconds come from `peer` (through peerSeconds, as
// PostgreSQL hands them over), or fail to come while `peerDown`.
struct LeaderRig {
    FlowRegistry registry;
    std::unique_ptr<FlowVersionStore> flows = makeMemoryFlowVersionStore();
    std::unique_ptr<ReleaseStore> store = makeMemoryReleaseStore();
    VariantStats local;
    VariantStats peer;
    bool peerDown = false;
    int peerReads = 0;
    int64_t now = kStart;
    std::vector<HistoryEntry> announced;
    std::unique_ptr<ReleaseController> controller;

    LeaderRig() {
        ReleaseController::Dependencies deps{
            registry,
            *flows,
            *store,
            local,
            [this](const StoredFlowVersion& v, std::string* error) {
                auto parsed = parseFlow(v.flowJson);
                if (!parsed.flow) {
                    *error = "does not parse";
                    return false;
                }
                parsed.flow->version = v.version;
                registry.add(*parsed.flow, v.flowId, false);
                return true;
            },
            [this] { return now; },
            [this](const HistoryEntry& e, const Rollout*) { announced.push_back(e); },
            {},
            {},
            {},
            nullptr};
        deps.peerSeconds = [this](const std::string& flowId, const std::string& version,
                                  int64_t fromMs, int64_t toMs, std::vector<StatsSecond>* out,
                                  std::string* error) {
            ++peerReads;
            if (peerDown) {
                *error = "database unreachable";
                return false;
            }
            *out = peer.seconds(flowId, version, fromMs, toMs);
            return true;
        };
        controller = std::make_unique<ReleaseController>(std::move(deps));
        addVersion("1", true);
        addVersion("2", false);
    }

    void addVersion(const std::string& version, bool activate) {
        StoredFlowVersion v;
        v.tenantId = "default";
        v.flowId = "echo";
        v.version = version;
        v.flowJson = echoFlow("reply " + version);
        QVERIFY(flows->append(v, -1).status == FlowStoreStatus::Ok);
        if (activate) {
            QVERIFY(flows->activate("default", "echo", version) == FlowStoreStatus::Ok);
            auto parsed = parseFlow(v.flowJson);
            parsed.flow->version = version;
            registry.add(*parsed.flow, "echo");
        }
    }

    void deploy(const std::string& steps, const Thresholds& thresholds) {
        std::string error;
        const auto parsed = parseSteps(steps, &error);
        QVERIFY2(parsed, error.c_str());
        const auto result =
            controller->deploy({"default", "echo", "2", *parsed, thresholds, "try v2"}, "ada");
        QVERIFY(std::holds_alternative<Rollout>(result));
    }

    Rollout rollout() {
        auto result = controller->rollout("default", "echo", "");
        return std::holds_alternative<Rollout>(result) ? std::get<Rollout>(result) : Rollout{};
    }
};

} // namespace

class tst_ClusterStats : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void mergedSecondsMeasureAsOneNodeThatSawEverything() {
        VariantStats all;
        VariantStats nodes[3];
        std::mt19937 random(7);
        std::uniform_real_distribution<double> latencyMs(0.05, 900.0);
        // VariantStats takes samples in time order (a late one lands in the newest second).
        for (int i = 0; i < 3000; ++i) {
            // Spread over 40 s, and the slow tail mostly on one node: its p95 alone is far off.
            const int64_t at = kStart + (i / 75) * 1000 + (i % 75) * 13;
            const int node = i % 7 == 0 ? 2 : i % 2;
            const double ms = node == 2 ? latencyMs(random) : latencyMs(random) / 50.0;
            const VariantStats::Sample sample{i % 13 == 0, i % 5 == 0, ms};
            all.record("f", "2", sample, at);
            nodes[node].record("f", "2", sample, at);
        }
        const int64_t from = kStart + 5000;
        const int64_t to = kStart + 30'500;
        const auto others = concat(nodes[1].seconds("f", "2", 0, kStart + 60'000),
                                   nodes[2].seconds("f", "2", 0, kStart + 60'000));
        const VariantMetrics merged = nodes[0].measure("f", "2", from, to, others);
        const VariantMetrics expected = all.measure("f", "2", from, to);
        QVERIFY(expected.messages > 1500);
        QCOMPARE(merged.messages, expected.messages);
        QCOMPARE(merged.errors, expected.errors);
        QCOMPARE(merged.errorRate, expected.errorRate);
        QCOMPARE(merged.fallbackRate, expected.fallbackRate);
        QCOMPARE(merged.p95LatencyMs, expected.p95LatencyMs);
        QVERIFY(merged == expected);
        // Node 0 alone is nowhere near: the tail it never saw moves the p95.
        QVERIFY(nodes[0].measure("f", "2", from, to).p95LatencyMs < expected.p95LatencyMs / 5);
    }

    void mergingIsTheSameFromAnyNode() {
        VariantStats a;
        VariantStats b;
        for (int i = 0; i < 200; ++i) {
            a.record("f", "2", {i < 20, false, 2.0 + i}, kStart + i * 10);
            b.record("f", "2", {false, i < 50, 400.0 - i}, kStart + i * 10);
        }
        const auto fromA =
            a.measure("f", "2", kStart, kStart + 5000, b.seconds("f", "2", 0, kStart + 5000));
        const auto fromB =
            b.measure("f", "2", kStart, kStart + 5000, a.seconds("f", "2", 0, kStart + 5000));
        QVERIFY(fromA == fromB);
        QCOMPARE(fromA.messages, uint64_t{400});
        QCOMPARE(fromA.errors, uint64_t{20});
        QCOMPARE(fromA.fallbackRate, 50.0 / 400.0);
    }

    void otherNodesSecondsOutsideTheWindowAreNotCounted() {
        VariantStats local;
        std::vector<StatsSecond> others = {
            {kStart / 1000 - 1, 5, 5, 0, 1000, 1000, {{latency::bucketIndex(1000), 5}}},
            {kStart / 1000, 3, 1, 0, 2000, 2000, {{latency::bucketIndex(2000), 3}}},
            {kStart / 1000 + 10, 7, 7, 0, 9000, 9000, {{latency::bucketIndex(9000), 7}}}};
        const auto m = local.measure("f", "2", kStart, kStart + 9999, others);
        QCOMPARE(m.messages, uint64_t{3});
        QCOMPARE(m.errors, uint64_t{1});
        QVERIFY2(std::abs(m.p95LatencyMs - 2.0) < 0.01, std::to_string(m.p95LatencyMs).c_str());
        // This node has no series for the version at all: the others' numbers still count.
        QCOMPARE(local.measure("f", "9", kStart, kStart + 9999, others).messages, uint64_t{3});
    }

    void exportedSecondsKeepEveryCount() {
        VariantStats stats;
        stats.record("f", "2", {true, true, 1.5}, kStart + 100);
        stats.record("f", "2", {false, false, 0.2}, kStart + 900);
        stats.record("f", "2", {false, false, 3.0}, kStart + 2100);
        const auto seconds = stats.seconds("f", "2", kStart, kStart + 1999);
        QCOMPARE(seconds.size(), size_t{1});
        QCOMPARE(seconds[0].second, kStart / 1000);
        QCOMPARE(seconds[0].messages, uint64_t{2});
        QCOMPARE(seconds[0].errors, uint64_t{1});
        QCOMPARE(seconds[0].fallbacks, uint64_t{1});
        QCOMPARE(seconds[0].minMicros, uint64_t{200});
        QCOMPARE(seconds[0].maxMicros, uint64_t{1500});
        QCOMPARE(seconds[0].latency.size(), size_t{2});
        QVERIFY(seconds[0].latency[0].first < seconds[0].latency[1].first);
        QCOMPARE(stats.seconds("f", "2", 0, kStart + 5000).size(), size_t{2});
        QVERIFY(stats.seconds("f", "1", 0, kStart + 5000).empty());
    }

    void latencyColumnRoundTripsAndRefusesGarbage() {
        VariantStats stats;
        for (int i = 0; i < 50; ++i) {
            stats.record("f", "2", {false, false, 0.1 * i * i}, kStart);
        }
        const auto buckets = stats.seconds("f", "2", kStart, kStart)[0].latency;
        const std::string text = encodeLatencyBuckets(buckets);
        QVERIFY(decodeLatencyBuckets(text) == std::optional(buckets));
        QCOMPARE(encodeLatencyBuckets({{3, 2}, {1020, 7}}), std::string("3:2,1020:7"));
        const auto empty = decodeLatencyBuckets("");
        QVERIFY(empty && empty->empty());
        QVERIFY(!decodeLatencyBuckets("3:2,"));
        QVERIFY(!decodeLatencyBuckets("3:x"));
        QVERIFY(!decodeLatencyBuckets("7:1,3:2")); // not ascending
        QVERIFY(!decodeLatencyBuckets(std::to_string(latency::kBucketCount) + ":1"));
    }

    void theLeaderAbortsOnOtherNodesTrafficAndRecordsIt() {
        LeaderRig rig;
        Thresholds t;
        t.maxErrorRate = 0.1;
        t.minMessages = 10;
        t.checkIntervalMs = 1000;
        rig.deploy("50%:analysis=10m,100%", t);
        // The load balancer sends the leader nothing; another node sees the canary fail.
        for (int i = 0; i < 12; ++i) {
            rig.peer.record("echo", "2", {true, false, 4.0}, rig.now + 10);
            rig.peer.record("echo", "1", {false, false, 2.0}, rig.now + 10);
        }
        rig.now += 1000;
        rig.controller->tick();
        const Rollout r = rig.rollout();
        QVERIFY(r.state == RolloutState::Aborted);
        QVERIFY2(r.stateReason.find("max_error_rate 1 > 0.1") != std::string::npos,
                 r.stateReason.c_str());
        const HistoryEntry& last = rig.announced.back();
        QVERIFY(last.action == HistoryAction::Aborted);
        QVERIFY(last.metrics.has_value());
        QCOMPARE(last.metrics->canary.messages, uint64_t{12});
        QCOMPARE(last.metrics->canary.errors, uint64_t{12});
        QCOMPARE(last.metrics->stable.messages, uint64_t{12});
        QVERIFY(r.lastAnalysis && r.lastAnalysis->canary.messages == 12);
    }

    void aGatePassesOnOtherNodesTrafficAndCountsBoth() {
        LeaderRig rig;
        Thresholds t;
        t.maxErrorRate = 0.1;
        t.minMessages = 10;
        rig.deploy("50%:analysis=1m", t);
        for (int i = 0; i < 6; ++i) {
            rig.local.record("echo", "2", {false, false, 4.0}, rig.now + 10);
            rig.peer.record("echo", "2", {false, false, 4.0}, rig.now + 20);
        }
        rig.now += 60'000;
        rig.controller->tick();
        const Rollout r = rig.rollout();
        QVERIFY(r.state == RolloutState::Succeeded); // 6 alone would have been inconclusive
        QVERIFY(r.lastAnalysis && r.lastAnalysis->verdict == Verdict::Pass);
        QCOMPARE(r.lastAnalysis->canary.messages, uint64_t{12});
    }

    void unreadablePeersMakeTheAnalysisInconclusiveNotLocal() {
        LeaderRig rig;
        Thresholds t;
        t.maxErrorRate = 0.1;
        t.minMessages = 10;
        t.checkIntervalMs = 1000;
        rig.deploy("50%:analysis=10m,100%", t);
        // This node's own share breaches on its own, but it is not the whole cluster's traffic.
        for (int i = 0; i < 20; ++i) {
            rig.local.record("echo", "2", {true, false, 4.0}, rig.now + 10);
        }
        rig.peerDown = true;
        rig.now += 1000;
        rig.controller->tick();
        Rollout r = rig.rollout();
        QVERIFY(r.state == RolloutState::Progressing);
        QVERIFY(rig.peerReads > 0);
        QVERIFY(r.lastAnalysis && r.lastAnalysis->verdict == Verdict::Inconclusive);
        QCOMPARE(r.lastAnalysis->canary.messages, uint64_t{20});
        // Once the other nodes' numbers can be read, the breach is judged on everything.
        for (int i = 0; i < 20; ++i) {
            rig.peer.record("echo", "2", {false, false, 4.0}, rig.now);
        }
        rig.peerDown = false;
        rig.now += 1000;
        rig.controller->tick();
        r = rig.rollout();
        QVERIFY(r.state == RolloutState::Aborted);
        QVERIFY(r.lastAnalysis && r.lastAnalysis->canary.messages == 40);
        QCOMPARE(r.lastAnalysis->canary.errorRate, 0.5);
    }

    void aGateWaitsWhilePeersAreUnreadableAndOpensOnceTheyAre() {
        LeaderRig rig;
        Thresholds t;
        t.maxErrorRate = 0.1;
        t.minMessages = 5;
        rig.deploy("50%:analysis=1m", t);
        for (int i = 0; i < 10; ++i) {
            rig.local.record("echo", "2", {false, false, 4.0}, rig.now + 10);
        }
        rig.peerDown = true;
        rig.now += 60'000;
        rig.controller->tick();
        Rollout r = rig.rollout();
        // Never promoted on one node's share, and no person needed for a passing outage.
        QVERIFY(r.state == RolloutState::Progressing);
        QVERIFY2(r.stateReason.find("waits for the other nodes' numbers") != std::string::npos,
                 r.stateReason.c_str());
        QVERIFY(rig.registry.active("echo")->version == "1");
        rig.controller->tick(); // still unreadable: still waiting, still stable
        QVERIFY(rig.rollout().state == RolloutState::Progressing);

        rig.peerDown = false;
        rig.now += 250;
        rig.controller->tick();
        r = rig.rollout();
        QVERIFY(r.state == RolloutState::Succeeded);
        QVERIFY(rig.registry.active("echo")->version == "2");
    }
};

QTEST_GUILESS_MAIN(tst_ClusterStats)
#include "tst_cluster_stats.moc"
