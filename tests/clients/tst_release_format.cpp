// What flowctl's release commands print: numbers, threshold checks, times, tables, rollout
// reports and JSON. Times are checked in UTC (TZ is set before the first call).
#include "release_format.h"

#include <QtTest>

#include <cstdlib>
#include <ctime>

namespace {

namespace rel = flowdeck::engine::release;
namespace text = flowdeck::client::release_text;

constexpr int64_t kNoon = 1700000000000; // 2023-11-14 22:13:20 UTC

rel::Rollout pausedCanary() {
    rel::Rollout rollout;
    rollout.rolloutId = "r-7";
    rollout.tenantId = "default";
    rollout.flowId = "echo";
    rollout.version = "2.0";
    rollout.stableVersion = "1.0";
    rollout.state = rel::RolloutState::Paused;
    rollout.steps = {{10, rel::Gate::Pause, 30000}, {50, rel::Gate::Manual, 0}, {100}};
    rollout.thresholds.maxErrorRate = 0.01;
    rollout.currentStep = 1;
    rollout.currentPercent = 50;
    rollout.startedAtMs = kNoon;
    rollout.stepStartedAtMs = kNoon + 30000;
    rollout.startedBy = "alice";
    rollout.reason = "try the new greeting";
    rel::AnalysisResult analysis;
    analysis.windowStartMs = kNoon + 30000;
    analysis.windowEndMs = kNoon + 40000;
    analysis.verdict = rel::Verdict::Fail;
    analysis.canary = {"2.0", 500, 17, 0.034, 120.5, 0.0};
    analysis.stable = {"1.0", 480, 2, 0.0041666, 98.0, 0.01};
    analysis.checks = {{"max_error_rate", 0.01, 0.034, false}};
    rollout.lastAnalysis = analysis;
    return rollout;
}

} // namespace

class tst_ReleaseFormat : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() {
        setenv("TZ", "UTC", 1);
        tzset();
    }

    void printsNumbersShortWithoutLosingTheDigitsThatMatter() {
        QCOMPARE(text::number(0.034), std::string("0.034"));
        QCOMPARE(text::number(0.01), std::string("0.01"));
        QCOMPARE(text::number(0.0333333), std::string("0.0333"));
        QCOMPARE(text::number(120.0), std::string("120"));
        QCOMPARE(text::number(2300.4), std::string("2300"));
        QCOMPARE(text::number(0.000015), std::string("1.5e-05"));
    }

    void showsEachThresholdCheckWithItsOutcome() {
        QCOMPARE(text::check({"max_error_rate", 0.01, 0.034, false}),
                 std::string("max_error_rate 0.034 > 0.01 FAIL"));
        QCOMPARE(text::check({"max_p95_latency_ms", 2000, 120, true}),
                 std::string("max_p95_latency_ms 120 <= 2000 ok"));
    }

    void alignsTableColumnsAndLeavesTheLastUnpadded() {
        QCOMPARE(text::table({{"FLOW", "ACTIVE", "NOTE"}, {"order_support", "1.0", "x"}}),
                 std::string("FLOW           ACTIVE  NOTE\n"
                             "order_support  1.0     x\n"));
    }

    void printsTimesInLocalTimeAndJsonTimesInUtc() {
        QCOMPARE(text::localTime(kNoon), std::string("2023-11-14 22:13:20"));
        QCOMPARE(text::clockTime(kNoon), std::string("22:13:20"));
        QCOMPARE(text::localTime(0), std::string("-"));
        QCOMPARE(text::utcTime(kNoon + 250), std::string("2023-11-14T22:13:20.250Z"));
    }

    void countsStepsFromOne() {
        rel::Rollout rollout = pausedCanary();
        QCOMPARE(text::stepText(rollout), std::string("step 2/3"));
        rollout.currentStep = -1;
        QCOMPARE(text::stepText(rollout), std::string("step -/3"));
        rollout.steps.clear();
        QCOMPARE(text::stepText(rollout), std::string("no steps"));
    }

    void reportsAPausedCanaryWithItsAnalysis() {
        const std::string report = text::rolloutReport(pausedCanary(), kNoon + 60000);
        QVERIFY2(report.starts_with("flow echo, rollout r-7: PAUSED\n"), report.c_str());
        QVERIFY2(report.find("version    2.0 at 50%, stable 1.0\n") != std::string::npos,
                 report.c_str());
        QVERIFY2(report.find("step       2/3, manual gate (waiting for promote)\n") !=
                     std::string::npos,
                 report.c_str());
        QVERIFY2(report.find("plan       10%:pause=30s,50%:manual,100%:manual\n") !=
                     std::string::npos,
                 report.c_str());
        QVERIFY2(report.find("2023-11-14 22:13:20 by alice: try the new greeting") !=
                     std::string::npos,
                 report.c_str());
        QVERIFY2(report.find("analysis   FAIL at 22:14:00") != std::string::npos, report.c_str());
        QVERIFY2(report.find("canary 2.0: 500 messages, 17 errors (3.40%), p95 120 ms") !=
                     std::string::npos,
                 report.c_str());
        QVERIFY2(report.find("max_error_rate 0.034 > 0.01 FAIL\n") != std::string::npos,
                 report.c_str());
    }

    void saysWhenThePauseEnds() {
        rel::Rollout rollout = pausedCanary();
        rollout.state = rel::RolloutState::Progressing;
        rollout.currentStep = 0;
        rollout.currentPercent = 10;
        rollout.nextStepAtMs = kNoon + 30000;
        rollout.lastAnalysis.reset();
        const std::string report = text::rolloutReport(rollout, kNoon + 10400);
        QVERIFY2(report.find("next step  2023-11-14 22:13:50 (in 20s)") != std::string::npos,
                 report.c_str());
        QCOMPARE(text::progressLine(rollout),
                 std::string("PROGRESSING  step 1/3  10%  pause 30s until 22:13:50"));
    }

    void saysWhatAPausedRolloutWaitsFor() {
        QCOMPARE(text::progressLine(pausedCanary()),
                 std::string("PAUSED  step 2/3  50%  waiting for promote"));
    }

    void reportsADirectDeployOfAFirstVersion() {
        rel::Rollout rollout;
        rollout.rolloutId = "r-1";
        rollout.flowId = "echo";
        rollout.version = "1.0";
        rollout.state = rel::RolloutState::Succeeded;
        rollout.currentPercent = 100;
        rollout.startedAtMs = kNoon;
        rollout.finishedAtMs = kNoon;
        const std::string report = text::rolloutReport(rollout, kNoon);
        QVERIFY2(report.find("version    1.0 serves 100%\n") != std::string::npos, report.c_str());
        QVERIFY2(report.find("step       none\n") != std::string::npos, report.c_str());
        QVERIFY2(report.find("plan       straight to 100%\n") != std::string::npos, report.c_str());
        QVERIFY2(report.find("finished   2023-11-14 22:13:20\n") != std::string::npos,
                 report.c_str());
    }

    void saysWhyARolloutEnded() {
        rel::Rollout rollout = pausedCanary();
        rollout.state = rel::RolloutState::Aborted;
        rollout.stateReason = "max_error_rate 0.034 > 0.01";
        QCOMPARE(text::progressLine(rollout),
                 std::string("ABORTED  step 2/3  50%  2.0 stopped, 1.0 serves 100%: "
                             "max_error_rate 0.034 > 0.01"));
    }

    void listsHistoryWithWhoAndWhy() {
        rel::HistoryEntry entry;
        entry.flowId = "echo";
        entry.action = rel::HistoryAction::RolledBack;
        entry.fromVersion = "2.0";
        entry.toVersion = "1.0";
        entry.percent = 100;
        entry.who = "bob";
        entry.atMs = kNoon;
        entry.why = "customers complain";
        const std::string table = text::historyTable({entry});
        QCOMPARE(table,
                 std::string("TIME                 FLOW  ACTION       FROM  TO   SHARE  WHO  WHY\n"
                             "2023-11-14 22:13:20  echo  ROLLED_BACK  2.0   1.0  100%   bob  "
                             "customers complain\n"));
    }

    void writesRolloutJsonWithProtoFieldNames() {
        const auto json = text::toJson(pausedCanary());
        QCOMPARE(json["state"].get<std::string>(), std::string("PAUSED"));
        QCOMPARE(json["current_step"].get<int>(), 1);
        QCOMPARE(json["steps"][0]["gate"].get<std::string>(), std::string("pause"));
        QCOMPARE(json["steps"][0]["duration_ms"].get<int64_t>(), int64_t(30000));
        QVERIFY(!json["steps"][1].contains("duration_ms"));
        QCOMPARE(json["thresholds"]["max_error_rate"].get<double>(), 0.01);
        QVERIFY(!json["thresholds"].contains("max_p95_latency_ms")); // unset: not checked
        QCOMPARE(json["started_at"].get<std::string>(), std::string("2023-11-14T22:13:20.000Z"));
        QVERIFY(!json.contains("finished_at"));
        QCOMPARE(json["last_analysis"]["checks"][0]["passed"].get<bool>(), false);
    }
};

QTEST_GUILESS_MAIN(tst_ReleaseFormat)
#include "tst_release_format.moc"
