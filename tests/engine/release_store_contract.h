#pragma once

// The ReleaseStore contract (release.h), checked the same way against any implementation: each
// function takes a fresh, empty store and records failures through QTest.

#include "flowdeck/engine/release.h"

#include <QtTest>

#include <string>

namespace releasecontract {

using namespace flowdeck::engine::release;

inline Rollout makeRollout(const std::string& id, const std::string& flowId, int64_t startedAtMs,
                           RolloutState state = RolloutState::Progressing) {
    Rollout r;
    r.rolloutId = id;
    r.tenantId = "t";
    r.flowId = flowId;
    r.version = "2";
    r.stableVersion = "1";
    r.state = state;
    r.steps = {{10, Gate::Pause, 30'000}, {50, Gate::Analysis, 60'000}, {100, Gate::Manual, 0}};
    r.thresholds.maxErrorRate = 0.02;
    r.thresholds.minMessages = 200;
    r.currentStep = 1;
    r.currentPercent = 50;
    r.startedAtMs = startedAtMs;
    r.stepStartedAtMs = startedAtMs + 30'000;
    r.nextStepAtMs = startedAtMs + 90'000;
    r.startedBy = "Zoë <ops@example.com>";
    r.reason = "fix \"order status\" wording, 开始";
    r.lastAnalysis = AnalysisResult{1, 2, Verdict::Pass, {"2", 300, 3, 0.01, 40, 0.1}, {}, {}};
    return r;
}

inline HistoryEntry makeEntry(const std::string& id, const std::string& flowId, int64_t atMs) {
    HistoryEntry e;
    e.entryId = id;
    e.tenantId = "t";
    e.flowId = flowId;
    e.rolloutId = "ro-" + id;
    e.action = HistoryAction::StepAdvanced;
    e.fromVersion = "1";
    e.toVersion = "2";
    e.percent = 50;
    e.who = "flowd";
    e.atMs = atMs;
    e.why = "analysis passed";
    e.automatic = true;
    return e;
}

inline void rolloutsAreSavedReplacedAndFoundById(ReleaseStore& store) {
    std::string error;
    Rollout r = makeRollout("ro-a", "echo", 10);
    QVERIFY2(store.saveRollout(r, &error), error.c_str());
    QVERIFY(store.rollout("ro-a") == std::optional<Rollout>(r)); // every field round-trips
    r.state = RolloutState::Paused;
    r.stateReason = "waiting for Promote";
    r.lastAnalysis.reset();
    QVERIFY2(store.saveRollout(r, &error), error.c_str()); // replaces
    QVERIFY(store.rollout("ro-a") == std::optional<Rollout>(r));
    QVERIFY(!store.rollout("ro-missing").has_value());
}

inline void latestRolloutIsTheFlowsNewestByStart(ReleaseStore& store) {
    std::string error;
    QVERIFY(store.saveRollout(makeRollout("ro-1", "echo", 10, RolloutState::Succeeded), &error));
    QVERIFY(store.saveRollout(makeRollout("ro-2", "echo", 30, RolloutState::Aborted), &error));
    QVERIFY(store.saveRollout(makeRollout("ro-3", "echo", 20, RolloutState::Succeeded), &error));
    QVERIFY(store.saveRollout(makeRollout("ro-4", "other", 99), &error));
    QCOMPARE(store.latestRollout("t", "echo")->rolloutId, std::string("ro-2"));
    QCOMPARE(store.latestRollout("t", "other")->rolloutId, std::string("ro-4"));
    QVERIFY(!store.latestRollout("t", "missing").has_value());
    QVERIFY(!store.latestRollout("other-tenant", "echo").has_value());
}

inline void inProgressListsOnlyProgressingAndPaused(ReleaseStore& store) {
    std::string error;
    QVERIFY(store.saveRollout(makeRollout("ro-p", "a", 1, RolloutState::Progressing), &error));
    QVERIFY(store.saveRollout(makeRollout("ro-z", "b", 2, RolloutState::Paused), &error));
    QVERIFY(store.saveRollout(makeRollout("ro-s", "c", 3, RolloutState::Succeeded), &error));
    QVERIFY(store.saveRollout(makeRollout("ro-r", "d", 4, RolloutState::RolledBack), &error));
    Rollout finished = makeRollout("ro-z", "b", 2, RolloutState::Aborted);
    QVERIFY(store.saveRollout(makeRollout("ro-x", "e", 5, RolloutState::Progressing), &error));
    QVERIFY(store.saveRollout(finished, &error)); // no longer in progress once replaced
    const std::vector<Rollout> running = store.inProgress();
    QCOMPARE(running.size(), size_t{2});
    for (const Rollout& r : running) {
        QVERIFY(r.rolloutId == "ro-p" || r.rolloutId == "ro-x");
        QVERIFY(r.inProgress());
    }
}

inline void historyIsNewestFirstFilteredAndPaged(ReleaseStore& store) {
    std::string error;
    for (int i = 0; i < 5; ++i) {
        HistoryEntry e = makeEntry("h-" + std::to_string(i), i == 4 ? "other" : "echo", 100 + i);
        QVERIFY2(store.appendHistory(e, &error), error.c_str());
    }
    HistoryEntry foreign = makeEntry("h-foreign", "echo", 500);
    foreign.tenantId = "globex";
    QVERIFY(store.appendHistory(foreign, &error));

    const HistoryPage page = store.history({"t", "echo", 0, 2, 1});
    QCOMPARE(page.total, size_t{4});
    QCOMPARE(page.entries.size(), size_t{2});
    QCOMPARE(page.entries[0].entryId, std::string("h-2")); // newest first, one skipped
    QCOMPARE(page.entries[1].entryId, std::string("h-1"));
    QVERIFY(page.entries[0] == makeEntry("h-2", "echo", 102)); // every field round-trips

    const HistoryPage all = store.history({"t", "", 0, 50, 0});
    QCOMPARE(all.total, size_t{5});
    QCOMPARE(all.entries.front().entryId, std::string("h-4"));
    QCOMPARE(store.history({"t", "", 103, 50, 0}).total, size_t{2});
    QCOMPARE(store.history({"t", "echo", 0, 50, 10}).entries.size(), size_t{0});
    QCOMPARE(store.history({"nobody", "", 0, 50, 0}).total, size_t{0});
}

} // namespace releasecontract
