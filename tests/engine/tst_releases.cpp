#include "flowdeck/engine/flow_json.h"
#include "flowdeck/engine/flow_registry.h"
#include "flowdeck/engine/flow_version_store.h"
#include "flowdeck/engine/release.h"
#include "flowdeck/engine/release_controller.h"
#include "flowdeck/engine/variant_stats.h"

#include <QTemporaryDir>
#include <QtTest>

#include <memory>
#include <string>

using namespace flowdeck::engine;
using namespace flowdeck::engine::release;

namespace {

std::string echoFlow(const std::string& reply) {
    return "{\"name\":\"echo\",\"initial_state\":\"ask\",\"states\":{\"ask\":{"
           "\"type\":\"response\",\"config\":{\"response_templates\":{\"default\":\"" +
           reply +
           "\"}},\"transitions\":[{\"condition\":\"any_input\",\"target_state\":\"ask\"}]}}}";
}

// A controller over in-memory stores with a clock the test moves by hand.
struct Rig {
    FlowRegistry registry;
    std::unique_ptr<FlowVersionStore> flows = makeMemoryFlowVersionStore();
    std::unique_ptr<ReleaseStore> store = makeMemoryReleaseStore();
    VariantStats stats;
    int64_t now = 1'700'000'000'000;
    std::vector<HistoryEntry> announced;
    std::unique_ptr<ReleaseController> controller;

    Rig() { controller = makeController(); }

    std::unique_ptr<ReleaseController> makeController() {
        return std::make_unique<ReleaseController>(ReleaseController::Dependencies{
            registry,
            *flows,
            *store,
            stats,
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
            nullptr});
    }

    // Stores a version; the first one is made active (as a publish would).
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

    void traffic(const std::string& version, int messages, int errors, double latencyMs = 5.0) {
        for (int i = 0; i < messages; ++i) {
            stats.record("echo", version, {i < errors, false, latencyMs}, now);
        }
    }

    template <class T> static T value(ReleaseResult<T> result) {
        if (auto* error = std::get_if<ReleaseError>(&result)) {
            qWarning("release call refused: %s", error->message.c_str());
            return T{};
        }
        return std::get<T>(std::move(result));
    }

    static ReleaseError::Kind refusal(const ReleaseResult<Rollout>& result) {
        const auto* error = std::get_if<ReleaseError>(&result);
        return error ? error->kind : ReleaseError::Kind::Internal;
    }
};

DeployPlan canaryPlan(const std::string& steps, Thresholds thresholds = {}) {
    std::string error;
    auto parsed = parseSteps(steps, &error);
    if (!parsed) {
        qFatal("bad plan %s: %s", steps.c_str(), error.c_str());
    }
    return DeployPlan{"default", "echo", "2", *parsed, thresholds, "try v2"};
}

} // namespace

class tst_Releases : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void parsesAndFormatsCanaryPlans() {
        std::string error;
        const auto steps = parseSteps("10%:pause=30s, 50%:analysis=5m, 100%", &error);
        QVERIFY2(steps, error.c_str());
        QCOMPARE(steps->size(), size_t{3});
        QVERIFY(steps->at(0).gate == Gate::Pause);
        QCOMPARE(steps->at(0).durationMs, int64_t{30'000});
        QVERIFY(steps->at(1).gate == Gate::Analysis);
        QCOMPARE(steps->at(1).durationMs, int64_t{300'000});
        QVERIFY(steps->at(2).gate == Gate::Manual);
        QCOMPARE(formatSteps(*steps), std::string("10%:pause=30s,50%:analysis=5m,100%:manual"));
        QCOMPARE(parseDurationMs("1h30m"), std::optional<int64_t>(5'400'000));
        QCOMPARE(parseDurationMs("250ms"), std::optional<int64_t>(250));
        QCOMPARE(formatDurationMs(5'400'000), std::string("1h30m"));
    }

    void rejectsPlansNamingTheFaultyStep() {
        std::string error;
        QVERIFY(!parseSteps("50%,10%", &error));
        QVERIFY2(error.find("steps[1].percent") != std::string::npos, error.c_str());
        QVERIFY(!parseSteps("10%:pause=soon", &error));
        QVERIFY2(error.find("step 1") != std::string::npos, error.c_str());
        QVERIFY(!parseSteps("120%", &error));
        QVERIFY(!parseSteps("10%:wait=5s", &error));
        QVERIFY(!parseSteps("10%:pause=100ms", &error)); // shorter than 1 s
        Thresholds bad;
        bad.maxErrorRate = 5.0; // a percentage where a share is expected
        const auto problem = checkPlan({}, bad);
        QVERIFY(problem && problem->find("thresholds.max_error_rate") != std::string::npos);
    }

    void analysisPassesFailsOrIsInconclusive() {
        Thresholds t;
        t.maxErrorRate = 0.01;
        t.maxP95LatencyMs = 100;
        t.minMessages = 10;
        VariantMetrics canary{"2", 50, 0, 0.0, 20.0, 0.0};
        const VariantMetrics stable{"1", 500, 0, 0.0, 18.0, 0.0};
        QVERIFY(analyze(t, canary, stable, 0, 1).verdict == Verdict::Pass);
        canary.errorRate = 0.04;
        const auto failed = analyze(t, canary, stable, 0, 1);
        QVERIFY(failed.verdict == Verdict::Fail);
        QCOMPARE(failed.checks.size(), size_t{2});
        QCOMPARE(describeBreach(failed), std::string("max_error_rate 0.04 > 0.01"));
        canary.messages = 9;
        QVERIFY(analyze(t, canary, stable, 0, 1).verdict == Verdict::Inconclusive);
    }

    void documentsRoundTripAndGarbageIsRefused() {
        Rollout r;
        r.rolloutId = "ro-1";
        r.flowId = "echo";
        r.state = RolloutState::Paused;
        r.steps = {{10, Gate::Pause, 30'000}, {100, Gate::Manual, 0}};
        r.thresholds.maxErrorRate = 0.02;
        r.currentStep = 0;
        r.lastAnalysis = AnalysisResult{1, 2, Verdict::Fail, {"2", 3, 1, 0.33, 4, 0}, {}, {}};
        QCOMPARE(decodeRollout(encodeRollout(r)), std::optional<Rollout>(r));
        HistoryEntry e;
        e.entryId = "h-1";
        e.action = HistoryAction::RolledBack;
        e.why = "bad \"quote\" and 开始";
        QCOMPARE(decodeHistoryEntry(encodeHistoryEntry(e)), std::optional<HistoryEntry>(e));
        QVERIFY(!decodeRollout("[1,2]"));
        QVERIFY(!decodeRollout("{\"state\":2}")); // no id
        QVERIFY(!decodeHistoryEntry("not json"));
        const auto odd = decodeRollout("{\"rollout_id\":\"x\",\"state\":99}");
        QVERIFY(odd && odd->state == RolloutState::Unspecified);
    }

    void sqliteStoreKeepsRolloutsAndHistoryAcrossReopen() {
        QTemporaryDir dir;
        const std::string path = dir.filePath("releases.sqlite").toStdString();
        std::string error;
        {
            auto store = openSqliteReleaseStore(path, &error);
            QVERIFY2(store, error.c_str());
            Rollout r;
            r.rolloutId = "ro-a";
            r.tenantId = "t";
            r.flowId = "echo";
            r.state = RolloutState::Progressing;
            r.startedAtMs = 10;
            QVERIFY(store->saveRollout(r, &error));
            r.state = RolloutState::Paused; // replace
            QVERIFY(store->saveRollout(r, &error));
            for (int i = 0; i < 5; ++i) {
                HistoryEntry e;
                e.entryId = "h-" + std::to_string(i);
                e.tenantId = "t";
                e.flowId = i == 4 ? "other" : "echo";
                e.atMs = 100 + i;
                QVERIFY(store->appendHistory(e, &error));
            }
        }
        auto store = openSqliteReleaseStore(path, &error);
        QVERIFY2(store, error.c_str());
        QCOMPARE(store->inProgress().size(), size_t{1});
        QVERIFY(store->rollout("ro-a")->state == RolloutState::Paused);
        QCOMPARE(store->latestRollout("t", "echo")->rolloutId, std::string("ro-a"));
        const auto page = store->history({"t", "echo", 0, 2, 1});
        QCOMPARE(page.total, size_t{4});
        QCOMPARE(page.entries.size(), size_t{2});
        QCOMPARE(page.entries[0].entryId, std::string("h-2")); // newest first, one skipped
        QCOMPARE(store->history({"t", "", 103, 50, 0}).total, size_t{2});
        QCOMPARE(store->history({"nobody", "", 0, 50, 0}).total, size_t{0});
    }

    void variantStatsMeasureTheWindowAsked() {
        VariantStats stats;
        for (int i = 0; i < 100; ++i) {
            stats.record("f", "2", {i < 5, i < 20, i < 95 ? 10.0 : 500.0}, 10'000);
        }
        stats.record("f", "2", {true, false, 1.0}, 20'000);
        const auto m = stats.measure("f", "2", 10'000, 10'999);
        QCOMPARE(m.messages, uint64_t{100});
        QCOMPARE(m.errors, uint64_t{5});
        QCOMPARE(m.fallbackRate, 0.2);
        QVERIFY2(std::abs(m.p95LatencyMs - 10.0) < 0.1, std::to_string(m.p95LatencyMs).c_str());
        QCOMPARE(stats.measure("f", "2", 0, 30'000).messages, uint64_t{101});
        QCOMPARE(stats.measure("f", "1", 0, 30'000).messages, uint64_t{0});
        // Old seconds fall out of what is kept.
        stats.record("f", "2", {}, 10'000 + kMaxWindowMs + 10'000);
        QCOMPARE(stats.measure("f", "2", 0, 10'999).messages, uint64_t{0});
    }

    void registrySplitIsStableAndNearItsPercent() {
        Rig rig;
        rig.addVersion("1", true);
        rig.addVersion("2", false);
        auto parsed = parseFlow(echoFlow("two"));
        parsed.flow->version = "2";
        rig.registry.add(*parsed.flow, "echo", false);
        QCOMPARE(rig.registry.route("echo", "c-1")->variant, std::string());
        QVERIFY(rig.registry.setSplit("echo", "2", 30));
        QVERIFY(!rig.registry.setSplit("echo", "9", 30));
        int canary = 0;
        for (int i = 0; i < 10'000; ++i) {
            const auto route = rig.registry.route("echo", "conversation-" + std::to_string(i));
            canary += route->variant == "canary" ? 1 : 0;
            QCOMPARE(route->entry.version, std::string(route->variant == "canary" ? "2" : "1"));
        }
        QVERIFY2(canary > 2700 && canary < 3300, std::to_string(canary).c_str());
        // The same id always lands on the same side, whatever else happened.
        QCOMPARE(FlowRegistry::splitBucket("abc"), FlowRegistry::splitBucket("abc"));
        QCOMPARE(FlowRegistry::splitBucket(""), uint32_t{14695981039346656037ULL % 10000});
    }

    void deployWithoutStepsActivatesAtOnce() {
        Rig rig;
        rig.addVersion("1", true);
        rig.addVersion("2", false);
        DeployPlan plan{"default", "echo", "2", {}, {}, "hotfix"};
        const Rollout r = Rig::value(rig.controller->deploy(plan, "ada"));
        QVERIFY(r.state == RolloutState::Succeeded);
        QCOMPARE(r.currentPercent, 100u);
        QCOMPARE(rig.flows->flow("default", "echo")->activeVersion, std::string("2"));
        QCOMPARE(rig.registry.active("echo")->version, std::string("2"));
        QCOMPARE(rig.announced.size(), size_t{2});
        QVERIFY(rig.announced[1].action == HistoryAction::Completed);
        QCOMPARE(rig.announced[1].who, std::string("ada"));
        // Deploying the active version again is refused.
        QVERIFY(Rig::refusal(rig.controller->deploy(plan, "ada")) ==
                ReleaseError::Kind::FailedPrecondition);
    }

    void manualStepsWaitForPromote() {
        Rig rig;
        rig.addVersion("1", true);
        rig.addVersion("2", false);
        Rollout r = Rig::value(rig.controller->deploy(canaryPlan("25%,100%"), "ada"));
        QVERIFY(r.state == RolloutState::Paused);
        QCOMPARE(r.currentPercent, 25u);
        QCOMPARE(rig.registry.split("echo")->percent, 25u);
        QVERIFY(Rig::refusal(rig.controller->deploy(canaryPlan("10%"), "bob")) ==
                ReleaseError::Kind::FailedPrecondition);
        rig.now += 3'600'000;
        rig.controller->tick(); // a manual gate never opens by itself
        QVERIFY(Rig::value(rig.controller->rollout("default", "echo", "")).state ==
                RolloutState::Paused);
        QVERIFY(Rig::refusal(rig.controller->promote("default", "echo", "ro-stale", false, "",
                                                     "ada")) == ReleaseError::Kind::Aborted);
        r = Rig::value(rig.controller->promote("default", "echo", r.rolloutId, false, "ok", "ada"));
        QCOMPARE(r.currentStep, 1);
        QCOMPARE(r.currentPercent, 100u);
        r = Rig::value(rig.controller->promote("default", "echo", "", false, "done", "ada"));
        QVERIFY(r.state == RolloutState::Succeeded);
        QVERIFY(!rig.registry.split("echo"));
        QCOMPARE(rig.registry.active("echo")->version, std::string("2"));
    }

    void pauseAndAnalysisGatesOpenOnTheirOwn() {
        Rig rig;
        rig.addVersion("1", true);
        rig.addVersion("2", false);
        Thresholds t;
        t.maxErrorRate = 0.05;
        t.minMessages = 20;
        Rollout r = Rig::value(
            rig.controller->deploy(canaryPlan("10%:pause=30s,50%:analysis=1m", t), "ada"));
        QVERIFY(r.state == RolloutState::Progressing);
        rig.now += 29'000;
        rig.controller->tick();
        QCOMPARE(Rig::value(rig.controller->rollout("default", "echo", "")).currentPercent, 10u);
        rig.now += 1'000;
        rig.controller->tick();
        QCOMPARE(Rig::value(rig.controller->rollout("default", "echo", "")).currentPercent, 50u);
        rig.now += 5'000;
        rig.traffic("2", 40, 1);
        rig.traffic("1", 40, 0);
        rig.now += 55'000;
        rig.controller->tick();
        r = Rig::value(rig.controller->rollout("default", "echo", ""));
        QVERIFY2(r.state == RolloutState::Succeeded, r.stateReason.c_str());
        QVERIFY(r.lastAnalysis && r.lastAnalysis->verdict == Verdict::Pass);
        QCOMPARE(r.lastAnalysis->canary.messages, uint64_t{40});
        QCOMPARE(r.lastAnalysis->stable.messages, uint64_t{40});
    }

    void inconclusiveAnalysisPauses() {
        Rig rig;
        rig.addVersion("1", true);
        rig.addVersion("2", false);
        Thresholds t;
        t.maxErrorRate = 0.05;
        Rig::value(rig.controller->deploy(canaryPlan("10%:analysis=1m,100%", t), "ada"));
        rig.traffic("2", 3, 0);
        rig.now += 60'000;
        rig.controller->tick();
        const Rollout r = Rig::value(rig.controller->rollout("default", "echo", ""));
        QVERIFY(r.state == RolloutState::Paused);
        QVERIFY2(r.stateReason.find("3 canary messages, 100 needed") != std::string::npos,
                 r.stateReason.c_str());
        QVERIFY(rig.announced.back().action == HistoryAction::Paused);
        QVERIFY(rig.announced.back().automatic);
    }

    void aBreachAbortsAndSendsTrafficBack() {
        Rig rig;
        rig.addVersion("1", true);
        rig.addVersion("2", false);
        Thresholds t;
        t.maxErrorRate = 0.01;
        t.minMessages = 10;
        t.checkIntervalMs = 1000;
        Rig::value(rig.controller->deploy(canaryPlan("50%,100%", t), "ada"));
        rig.traffic("2", 20, 10);
        rig.now += 1000;
        rig.controller->tick(); // paused at a manual gate, thresholds are still watched
        const Rollout r = Rig::value(rig.controller->rollout("default", "echo", ""));
        QVERIFY(r.state == RolloutState::Aborted);
        QCOMPARE(r.currentPercent, 0u);
        QVERIFY2(r.stateReason.find("max_error_rate 0.5 > 0.01") != std::string::npos,
                 r.stateReason.c_str());
        QVERIFY(!rig.registry.split("echo"));
        QCOMPARE(rig.registry.active("echo")->version, std::string("1"));
        const HistoryEntry& last = rig.announced.back();
        QVERIFY(last.action == HistoryAction::Aborted);
        QVERIFY(last.automatic);
        QCOMPARE(last.who, std::string("flowd"));
        QVERIFY(last.metrics && last.metrics->canary.errors == 10);
    }

    void rollbackGoesToThePreviousActiveVersion() {
        Rig rig;
        rig.addVersion("1", true);
        rig.addVersion("2", false);
        QVERIFY(std::get_if<RollbackOutcome>(&static_cast<const ReleaseResult<RollbackOutcome>&>(
                    rig.controller->rollback("default", "echo", "", "", "ada"))) == nullptr);
        Rig::value(rig.controller->deploy(DeployPlan{"default", "echo", "2", {}, {}, ""}, "ada"));
        const auto outcome =
            Rig::value(rig.controller->rollback("default", "echo", "", "errors up", "bob"));
        QCOMPARE(outcome.activeVersion, std::string("1"));
        QCOMPARE(outcome.previousVersion, std::string("2"));
        QCOMPARE(rig.registry.active("echo")->version, std::string("1"));
        QVERIFY(outcome.entry.action == HistoryAction::RolledBack);
        // A rollback during a rollout ends it.
        Rig::value(rig.controller->deploy(canaryPlan("20%"), "ada"));
        Rig::value(rig.controller->rollback("default", "echo", "1", "stop", "bob"));
        QVERIFY(Rig::value(rig.controller->rollout("default", "echo", "")).state ==
                RolloutState::RolledBack);
        QVERIFY(!rig.registry.split("echo"));
        const auto history = rig.controller->history({"default", "echo", 0, 0, 0});
        QCOMPARE(history.entries.front().why, std::string("stop"));
    }

    void aNewControllerResumesRolloutsInProgress() {
        Rig rig;
        rig.addVersion("1", true);
        rig.addVersion("2", false);
        Rig::value(rig.controller->deploy(canaryPlan("40%:pause=1m,100%"), "ada"));
        rig.controller.reset(); // the node stops
        rig.registry.clearSplit("echo");
        rig.now += 90'000; // and stays down past the step's end
        rig.controller = rig.makeController();
        QVERIFY(rig.controller->resume().empty());
        QCOMPARE(rig.registry.split("echo")->percent, 40u);
        rig.controller->tick();
        const Rollout r = Rig::value(rig.controller->rollout("default", "echo", ""));
        QCOMPARE(r.currentPercent, 100u);
        QVERIFY(r.state == RolloutState::Paused); // the last step is manual
    }
};

QTEST_GUILESS_MAIN(tst_Releases)
#include "tst_releases.moc"
