// The Deploy workspace's models and wording, with no node: the release history table, the
// canary-vs-stable table, how a rollout's step and timer read, and what the deploy dialog
// refuses before any call (a Design flow with linter errors, a malformed canary plan, no reason).
#include "deploy/analysis_table_model.h"
#include "deploy/deploy_dialog.h"
#include "deploy/release_service.h"
#include "deploy/remote_flow_models.h"
#include "deploy/rollout_format.h"
#include "deploy/rollout_history_model.h"

#include "flowdeck/engine/flow_diff.h"
#include "flowdeck/engine/flow_json.h"
#include "flowdeck/engine/linter.h"

#include <QBrush>
#include <QComboBox>
#include <QFont>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QSignalSpy>
#include <QtTest>

namespace rel = flowdeck::engine::release;
namespace text = flowdeck::console::rollout_text;
using flowdeck::console::AnalysisTableModel;
using flowdeck::console::DeployDialog;
using flowdeck::console::ReleaseService;
using flowdeck::console::RemoteFlowModel;
using flowdeck::console::RolloutHistoryModel;

namespace {

rel::HistoryEntry entry(rel::HistoryAction action, const char* from, const char* to,
                        uint32_t percent, const char* who, const char* why, bool automatic) {
    rel::HistoryEntry e;
    e.entryId = std::string("e-") + why;
    e.flowId = "greeter";
    e.action = action;
    e.fromVersion = from;
    e.toVersion = to;
    e.percent = percent;
    e.who = who;
    e.why = why;
    e.automatic = automatic;
    e.atMs = 1'700'000'000'000;
    return e;
}

rel::Rollout pausedRollout() {
    rel::Rollout rollout;
    rollout.rolloutId = "r1";
    rollout.flowId = "greeter";
    rollout.version = "v4";
    rollout.stableVersion = "v3";
    rollout.state = rel::RolloutState::Paused;
    rollout.steps = {{10, rel::Gate::Pause, 30'000}, {50, rel::Gate::Manual, 0}};
    rollout.currentStep = 1;
    rollout.currentPercent = 50;
    rollout.thresholds.maxErrorRate = 0.01;
    return rollout;
}

QVariant data(const QAbstractItemModel& model, int row, int column, int role = Qt::DisplayRole) {
    return model.index(row, column).data(role);
}

QString cell(const QAbstractItemModel& model, int row, int column) {
    return data(model, row, column).toString();
}

flowdeck::engine::Flow flowFile(const char* relative) {
    auto parsed = flowdeck::engine::parseFlowFile(std::string(RESOURCES_DIR "/") + relative);
    if (!parsed.flow) {
        qFatal("cannot parse %s", relative);
    }
    return *parsed.flow;
}

} // namespace

class tst_DeployModels : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void historyShowsWhatWhoAndWhyWithAutomaticStepsMarked() {
        RolloutHistoryModel model;
        model.setEntries({
            entry(rel::HistoryAction::Aborted, "v3", "v4", 0, "flowd",
                  "max_error_rate 0.034 > 0.01", true),
            entry(rel::HistoryAction::DeployStarted, "v3", "v4", 10, "alice", "new greeting",
                  false),
            entry(rel::HistoryAction::Published, "", "v3", 100, "bob", "first", false),
        });
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(cell(model, 0, RolloutHistoryModel::Action), QString("Aborted"));
        QCOMPARE(cell(model, 0, RolloutHistoryModel::Versions), QString("v3 → v4"));
        QCOMPARE(cell(model, 0, RolloutHistoryModel::Who), QString("flowd (automatic)"));
        QCOMPARE(cell(model, 0, RolloutHistoryModel::Why), QString("max_error_rate 0.034 > 0.01"));
        QVERIFY(data(model, 0, RolloutHistoryModel::Why, Qt::FontRole).value<QFont>().italic());
        QCOMPARE(cell(model, 1, RolloutHistoryModel::Action), QString("Deploy started"));
        QCOMPARE(cell(model, 1, RolloutHistoryModel::Percent), QString("10 %"));
        QCOMPARE(cell(model, 1, RolloutHistoryModel::Who), QString("alice"));
        QVERIFY(!data(model, 1, RolloutHistoryModel::Who, Qt::FontRole).isValid());
        // A first release has no "from".
        QCOMPARE(cell(model, 2, RolloutHistoryModel::Versions), QString("v3"));
        QCOMPARE(cell(model, 2, RolloutHistoryModel::When),
                 QDateTime::fromMSecsSinceEpoch(1'700'000'000'000).toString("yyyy-MM-dd HH:mm:ss"));
    }

    void historyKeepsItsRowsWhenAPollBringsNothingNew() {
        RolloutHistoryModel model;
        const std::vector<rel::HistoryEntry> entries = {
            entry(rel::HistoryAction::Promoted, "v3", "v4", 100, "alice", "looks good", false)};
        model.setEntries(entries);
        QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
        model.setEntries(entries);
        QCOMPARE(resets.count(), 0);
        std::vector<rel::HistoryEntry> many(RolloutHistoryModel::kMaxRows + 50, entries.front());
        model.setEntries(many);
        QCOMPARE(model.rowCount(), RolloutHistoryModel::kMaxRows);
    }

    void rolloutReadsAsStepTimerAndVersions() {
        rel::Rollout rollout = pausedRollout();
        const qint64 now = 1'700'000'000'000;
        QCOMPARE(text::state(rollout.state), QString("Paused"));
        QCOMPARE(text::step(rollout), QString("Step 2 of 2"));
        QCOMPARE(text::timer(rollout, now), QString("Waiting for Promote"));
        QCOMPARE(text::versions(rollout), QString("v3 (stable) → v4 (canary)"));
        QCOMPARE(text::percent(rollout), QString("50 % of new conversations on v4"));

        rollout.state = rel::RolloutState::Progressing;
        rollout.currentStep = 0;
        rollout.nextStepAtMs = now + 25'000;
        QCOMPARE(text::step(rollout), QString("Step 1 of 2"));
        QCOMPARE(text::timer(rollout, now), QString("Next step in 0:25"));
        rollout.steps[0].gate = rel::Gate::Analysis;
        rollout.nextStepAtMs = now + 250'000;
        QCOMPARE(text::timer(rollout, now), QString("Analysis ends in 4:10"));

        rollout.state = rel::RolloutState::Succeeded;
        rollout.finishedAtMs = now;
        QCOMPARE(text::step(rollout), QString("Done"));
        QVERIFY(text::timer(rollout, now).startsWith("Finished"));
        rollout.stableVersion.clear();
        QCOMPARE(text::versions(rollout), QString("v4, first release"));
        QCOMPARE(text::duration(3'723'000), QString("1:02:03"));
    }

    void planReadsTheWayItWasWritten() {
        std::string error;
        const auto steps = rel::parseSteps("10%:pause=30s,50%:analysis=5m", &error);
        QVERIFY2(steps, error.c_str());
        QCOMPARE(text::plan(*steps), QString("10 % · pause 30s → 50 % · analysis 5m → 100 %"));
        QCOMPARE(text::plan({{50, rel::Gate::Manual, 0}}),
                 QString("50 % · wait for Promote → 100 %"));
    }

    void analysisShowsCanaryBesideStableAgainstTheLimits() {
        AnalysisTableModel model;
        rel::Rollout rollout = pausedRollout();
        model.setRollout(rollout);
        QVERIFY(!model.hasAnalysis());
        QCOMPARE(cell(model, AnalysisTableModel::ErrorRate, AnalysisTableModel::Canary),
                 QString("–"));

        rel::AnalysisResult analysis;
        analysis.verdict = rel::Verdict::Fail;
        analysis.canary = {"v4", 500, 17, 0.034, 812.0, 0.1};
        analysis.stable = {"v3", 4500, 9, 0.002, 640.0, 0.05};
        analysis.checks = {{"max_error_rate", 0.01, 0.034, false}};
        rollout.lastAnalysis = analysis;
        model.setRollout(rollout);
        QVERIFY(model.hasAnalysis());
        QCOMPARE(cell(model, AnalysisTableModel::ErrorRate, AnalysisTableModel::Canary),
                 QString("3.40 %"));
        QCOMPARE(cell(model, AnalysisTableModel::ErrorRate, AnalysisTableModel::Stable),
                 QString("0.20 %"));
        QCOMPARE(cell(model, AnalysisTableModel::ErrorRate, AnalysisTableModel::Limit),
                 QString("≤ 1.00 %"));
        QCOMPARE(cell(model, AnalysisTableModel::Messages, AnalysisTableModel::Stable),
                 QString("4500"));
        QCOMPARE(cell(model, AnalysisTableModel::P95, AnalysisTableModel::Canary),
                 QString("812 ms"));
        QCOMPARE(cell(model, AnalysisTableModel::P95, AnalysisTableModel::Limit),
                 QString("not checked"));
        // The breached limit is red; an unchecked one has no colour.
        const auto red = data(model, AnalysisTableModel::ErrorRate, AnalysisTableModel::Canary,
                              Qt::ForegroundRole)
                             .value<QBrush>()
                             .color();
        QCOMPARE(red, QColor(0xdc, 0x26, 0x26));
        QVERIFY(
            !data(model, AnalysisTableModel::P95, AnalysisTableModel::Canary, Qt::ForegroundRole)
                 .isValid());
        QCOMPARE(model.headerData(AnalysisTableModel::Canary, Qt::Horizontal).toString(),
                 QString("Canary v4"));
    }

    void flowListKeepsItsRowsWhenOnlyValuesChange() {
        RemoteFlowModel model;
        flowdeck::client::RemoteFlow flow;
        flow.flowId = "greeter";
        flow.activeVersion = "v3";
        flow.latestVersion = "v4";
        flow.versionCount = 4;
        model.setFlows({flow});
        QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
        flow.canaryVersion = "v4";
        model.setFlows({flow});
        QCOMPARE(resets.count(), 0);
        QCOMPARE(cell(model, 0, RemoteFlowModel::Canary), QString("v4"));
        QCOMPARE(cell(model, 0, RemoteFlowModel::Active), QString("v3"));
        QCOMPARE(model.rowOf("greeter"), 0);
        QCOMPARE(model.rowOf("other"), -1);
    }

    void dialogRefusesADesignFlowWithLinterErrors() {
        ReleaseService service; // no address: nothing leaves the process
        const flowdeck::engine::Flow draft = flowFile("flows/drafts/order_support_draft.json");
        int errors = 0;
        for (const auto& diagnostic : flowdeck::engine::lintFlow(draft)) {
            errors += diagnostic.severity == flowdeck::engine::Severity::Error;
        }
        QVERIFY(errors > 0);
        DeployDialog::Context context;
        context.flowId = "order_support";
        context.designFlow = draft;
        context.designName = "order_support_draft.json";
        DeployDialog dialog(&service, context);
        QCOMPARE(dialog.designErrorCount(), errors);
        QVERIFY(!dialog.designSource()->isEnabled());
        QVERIFY2(dialog.lintLabel()->text().contains(QString::number(errors)),
                 qPrintable(dialog.lintLabel()->text()));
        dialog.reasonEdit()->setText("try it");
        QVERIFY(!dialog.deployButton()->isEnabled());
        QVERIFY(!dialog.plan());
    }

    void dialogChecksTheCanaryPlanAndWantsAReason() {
        ReleaseService service;
        DeployDialog::Context context;
        context.flowId = "order_support";
        context.designFlow = flowFile("flows/order_support.json");
        DeployDialog dialog(&service, context);
        QCOMPARE(dialog.designErrorCount(), 0);
        QVERIFY(dialog.designSource()->isChecked()); // no version on the node to pick
        QVERIFY(!dialog.deployButton()->isEnabled());
        QVERIFY(dialog.statusLabel()->text().contains("reason"));

        dialog.reasonEdit()->setText("new greeting");
        dialog.stepsEdit()->setText("10%:bogus=3s");
        QVERIFY(!dialog.deployButton()->isEnabled());
        QVERIFY(dialog.planLabel()->text().startsWith("Steps:"));
        dialog.stepsEdit()->setText("50%:manual");
        QVERIFY(dialog.deployButton()->isEnabled());
        QCOMPARE(dialog.planLabel()->text(), QString("50 % · wait for Promote → 100 %"));
        QCOMPARE(dialog.statusLabel()->text(),
                 QString("Ready to deploy the Design flow, pushed as a new version, to "
                         "order_support as a canary: 50 % · wait for Promote → 100 %."));
        const auto plan = dialog.plan();
        QVERIFY(plan);
        QCOMPARE(plan->flowId, std::string("order_support"));
        QCOMPARE(plan->steps.size(), std::size_t(1));
        QVERIFY(plan->thresholds.maxErrorRate.has_value());
        QCOMPARE(*plan->thresholds.maxErrorRate, 0.01);
        QCOMPARE(plan->reason, std::string("new greeting"));
        // All at once sends no steps, whatever the text says.
        dialog.allAtOnce()->setChecked(true);
        QVERIFY(dialog.plan()->steps.empty());
    }

    void diffSummaryCountsWhatChanged() {
        const auto before = flowFile("flows/order_support.json");
        const auto after = flowFile("flows/drafts/order_support_v2.json");
        const auto diff = flowdeck::engine::diffFlows(before, after);
        const QString summary = flowdeck::console::diffSummary(diff);
        QVERIFY2(summary.contains("added") && summary.contains("changed"), qPrintable(summary));
        QCOMPARE(flowdeck::console::diffSummary(flowdeck::engine::diffFlows(before, before)),
                 QString("No structural change"));
    }
};

QTEST_MAIN(tst_DeployModels)
#include "tst_deploy_models.moc"
