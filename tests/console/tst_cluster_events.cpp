// The Clusters events tail and its filters: events sorted into kinds (engine errors, circuit
// breaks, rollout steps, node changes …), the filter proxy by kind, minimum severity, node and
// words, the filter bar driving it, the count it shows, and the log's fixed capacity.
#include "clusters/event_filter_model.h"
#include "clusters/event_filter_panel.h"
#include "clusters/event_log_model.h"

#include <QAction>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QPushButton>
#include <QTableView>
#include <QtTest>

using namespace flowdeck::console;
namespace client = flowdeck::client;
using Kind = client::EventKind;
using Severity = client::EventSeverity;

namespace {

client::ClusterEvent makeEvent(Kind kind, Severity severity, const std::string& node,
                               const std::string& summary, const std::string& code = {}) {
    static int seconds = 0;
    client::ClusterEvent out;
    out.time = std::chrono::system_clock::time_point(std::chrono::seconds(1795514400 + ++seconds));
    out.kind = kind;
    out.severity = severity;
    out.nodeId = node;
    out.summary = summary;
    if (!code.empty()) {
        out.alertName = "EngineError";
        out.labels = {{"code", code}, {"flow", "orders"}, {"trace_id", "9d35b670aabbb14e"}};
    }
    return out;
}

// A NODE_UP or NODE_DOWN of `subject` as `reporter` sends it, `after` a fixed moment.
client::ClusterEvent nodeChange(Kind kind, const char* reporter, const char* subject,
                                std::chrono::milliseconds after) {
    client::ClusterEvent event =
        makeEvent(kind, kind == Kind::NodeDown ? Severity::Critical : Severity::Info, reporter,
                  std::string(reporter) + " says " + subject + " changed");
    event.time = std::chrono::system_clock::time_point(std::chrono::seconds(1795600000)) + after;
    event.subjectNodeId = subject;
    event.subjectAddress = "127.0.0.1:7443";
    return event;
}

// Oldest first; the log shows them newest first.
void fill(EventLogModel& log) {
    log.add(makeEvent(Kind::NodeUp, Severity::Info, "alpha", "node alpha is serving"));
    log.add(makeEvent(Kind::AlertFiring, Severity::Warning, "alpha",
                      "STATE_ERROR in flow orders: script failed", "STATE_ERROR"));
    log.add(makeEvent(Kind::AlertFiring, Severity::Warning, "beta",
                      "CIRCULAR_TRANSITION in flow orders: stopped after 50 transitions",
                      "CIRCULAR_TRANSITION"));
    log.add(
        makeEvent(Kind::Release, Severity::Info, "beta", "StepAdvanced orders v2 at 25% by ana"));
    log.add(makeEvent(Kind::NodeDown, Severity::Warning, "beta", "node beta is draining"));
    log.add(makeEvent(Kind::AlertFiring, Severity::Critical, "alpha",
                      "STORAGE_ERROR in flow orders: disk full", "STORAGE_ERROR"));
    log.add(makeEvent(Kind::AlertFiring, Severity::Warning, "alpha", "this watcher fell behind"));
}

QStringList column(const QAbstractItemModel& model, int column) {
    QStringList values;
    for (int row = 0; row < model.rowCount(); ++row) {
        values << model.index(row, column).data().toString();
    }
    return values;
}

} // namespace

class tst_ClusterEvents : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void namesEachEventsKindForAPerson() {
        EventLogModel log;
        fill(log);
        QCOMPARE(column(log, EventLogModel::Kind),
                 QStringList({"ALERT_FIRING", "ERROR", "NODE_DOWN", "ROLLOUT", "CIRCUIT_BREAK",
                              "ERROR", "NODE_UP"}));
        QCOMPARE(
            column(log, EventLogModel::Severity),
            QStringList({"warning", "critical", "warning", "info", "warning", "warning", "info"}));
        // The tooltip carries what was sent, with the labels to search for.
        const QString tip = log.index(1, EventLogModel::Summary).data(Qt::ToolTipRole).toString();
        QVERIFY2(tip.contains("ALERT_FIRING") && tip.contains("code=STORAGE_ERROR") &&
                     tip.contains("trace_id=9d35b670aabbb14e"),
                 qPrintable(tip));
        QCOMPARE(log.nodes(), QStringList({"alpha", "beta"}));
    }

    void filtersByKindSeverityNodeAndWords() {
        EventLogModel log;
        fill(log);
        EventFilterModel filter;
        filter.setSourceModel(&log);
        QCOMPARE(filter.rowCount(), 7);
        QVERIFY(!filter.filtering());

        for (int i = 0; i < int(EventCategory::Count); ++i) {
            filter.setCategoryShown(EventCategory(i), false);
        }
        QCOMPARE(filter.rowCount(), 0);
        filter.setCategoryShown(EventCategory::CircuitBreak, true);
        filter.setCategoryShown(EventCategory::Rollout, true);
        QCOMPARE(column(filter, EventLogModel::Kind), QStringList({"ROLLOUT", "CIRCUIT_BREAK"}));
        filter.showAllCategories();

        filter.setMinimumSeverity(Severity::Warning);
        QCOMPARE(filter.rowCount(), 5);
        filter.setMinimumSeverity(Severity::Critical);
        QCOMPARE(column(filter, EventLogModel::Summary),
                 QStringList({"STORAGE_ERROR in flow orders: disk full"}));
        filter.setMinimumSeverity(Severity::Unspecified);

        filter.setNode("beta");
        QCOMPARE(column(filter, EventLogModel::Kind),
                 QStringList({"NODE_DOWN", "ROLLOUT", "CIRCUIT_BREAK"}));
        filter.setNode({});

        // Every word must appear, in any field, whatever the case: labels count too.
        filter.setText("orders V2");
        QCOMPARE(column(filter, EventLogModel::Kind), QStringList({"ROLLOUT"}));
        filter.setText("9d35b670 storage");
        QCOMPARE(column(filter, EventLogModel::Kind), QStringList({"ERROR"}));
        filter.setText("error");
        filter.setNode("alpha");
        filter.setMinimumSeverity(Severity::Warning);
        QCOMPARE(filter.rowCount(), 2);
        QVERIFY(filter.filtering());

        // A new event shows only if it passes.
        log.add(
            makeEvent(Kind::AlertFiring, Severity::Warning, "beta", "TIMEOUT_ERROR", "TIMEOUT"));
        QCOMPARE(filter.rowCount(), 2);
        log.add(
            makeEvent(Kind::AlertFiring, Severity::Warning, "alpha", "TIMEOUT_ERROR", "TIMEOUT"));
        QCOMPARE(filter.rowCount(), 3);
        QCOMPARE(filter.index(0, EventLogModel::Summary).data().toString(),
                 QString("TIMEOUT_ERROR"));
    }

    void keepsOnlyTheNewestEventsUpToItsCapacity() {
        EventLogModel log(3);
        EventFilterModel filter;
        filter.setSourceModel(&log);
        for (int i = 1; i <= 5; ++i) {
            log.add(makeEvent(Kind::NodeUp, Severity::Info, "n", "event " + std::to_string(i)));
        }
        QCOMPARE(column(log, EventLogModel::Summary),
                 QStringList({"event 5", "event 4", "event 3"}));
        QCOMPARE(filter.rowCount(), 3);
    }

    void aReleaseStepEveryNodeReportsIsShownOnce() {
        EventLogModel log(10);
        for (const char* node : {"node-1", "node-2", "node-3"}) {
            client::ClusterEvent step =
                makeEvent(Kind::Release, Severity::Critical, node, "rollout r-1 aborted");
            step.releaseEntryId = "h-42";
            log.add(step);
        }
        client::ClusterEvent next = makeEvent(Kind::Release, Severity::Info, "node-2", "deployed");
        next.releaseEntryId = "h-43";
        log.add(next);
        QCOMPARE(column(log, EventLogModel::Summary),
                 QStringList({"deployed", "rollout r-1 aborted"}));
        QCOMPARE(column(log, EventLogModel::Node), QStringList({"node-2", "node-1"}));
    }

    void aNodeChangeEveryPeerReportsIsShownOnceButEveryFlapIsShown() {
        using namespace std::chrono_literals;
        EventLogModel log(20);
        // node-2 stops: it says so itself, then both peers miss its heartbeat.
        log.add(nodeChange(Kind::NodeDown, "node-2", "node-2", 0ms));
        log.add(nodeChange(Kind::NodeDown, "node-1", "node-2", 3500ms));
        log.add(nodeChange(Kind::NodeDown, "node-3", "node-2", 4200ms));
        log.add(nodeChange(Kind::NodeDown, "node-3", "node-2", 4200ms)); // replayed on reconnect
        QCOMPARE(log.rowCount(), 1);
        QCOMPARE(column(log, EventLogModel::Node), QStringList({"node-2"}));
        const QString tip = log.index(0, EventLogModel::Summary).data(Qt::ToolTipRole).toString();
        QVERIFY2(tip.contains("also reported by node-1, node-3"), qPrintable(tip));
        // Found by a search for a peer that reported it, and every reporter is offered as a
        // node to filter by.
        QVERIFY(log.index(0, 0).data(EventLogModel::SearchRole).toString().contains("node-3"));
        QCOMPARE(log.nodes(), QStringList({"node-2", "node-1", "node-3"}));

        // It comes back and goes down again within seconds: every flap is a row of its own.
        log.add(nodeChange(Kind::NodeUp, "node-1", "node-2", 6000ms));
        log.add(nodeChange(Kind::NodeUp, "node-3", "node-2", 6300ms));
        log.add(nodeChange(Kind::NodeDown, "node-1", "node-2", 8000ms));
        QCOMPARE(column(log, EventLogModel::Kind),
                 QStringList({"NODE_DOWN", "NODE_UP", "NODE_DOWN"}));
        // Another node's change is its own row; so is the same change reported much later.
        log.add(nodeChange(Kind::NodeDown, "node-1", "node-3", 8100ms));
        log.add(nodeChange(Kind::NodeDown, "node-3", "node-2", 8000ms + 11s));
        QCOMPARE(log.rowCount(), 5);
        QVERIFY(!log.index(0, EventLogModel::Summary)
                     .data(Qt::ToolTipRole)
                     .toString()
                     .contains("also reported by"));
    }

    void peersReplayingTheirEventsOneAfterTheOtherStillShowEachChangeOnce() {
        // On connect each node replays its recent events, one node after the other, so node-1's
        // "node-2 is up" arrives after node-3's "node-2 is down" (seen with a real cluster).
        using namespace std::chrono_literals;
        EventLogModel log(20);
        for (const char* reporter : {"node-3", "node-1"}) {
            log.add(nodeChange(Kind::NodeUp, reporter, reporter, 0ms)); // "node X is serving"
            log.add(nodeChange(Kind::NodeUp, reporter, "node-2", 1000ms));
            log.add(nodeChange(Kind::NodeDown, reporter, "node-2", 14000ms));
        }
        QCOMPARE(column(log, EventLogModel::Kind),
                 QStringList({"NODE_UP", "NODE_DOWN", "NODE_UP", "NODE_UP"}));
        QCOMPARE(column(log, EventLogModel::Node),
                 QStringList({"node-1", "node-3", "node-3", "node-3"}));
        const QString downTip =
            log.index(1, EventLogModel::Summary).data(Qt::ToolTipRole).toString();
        QVERIFY2(downTip.contains("also reported by node-1"), qPrintable(downTip));
    }

    void filterBarDrivesTheFilterAndCountsWhatItShows() {
        EventLogModel log;
        log.add(makeEvent(Kind::NodeUp, Severity::Info, "alpha", "node alpha is serving"));
        EventsPanel panel(&log);
        panel.resize(900, 200);
        panel.show();
        fill(log);
        QCOMPARE(panel.table()->model()->rowCount(), 8);
        QCOMPARE(panel.countLabel()->text(), QString("8 events (keeps the last 1,000)"));
        // The node list offers every node seen, as events arrive.
        QCOMPARE(panel.nodeBox()->count(), 3);
        QCOMPARE(panel.nodeBox()->itemText(2), QString("beta"));

        panel.severityBox()->setCurrentIndex(panel.severityBox()->findText("Critical only"));
        QCOMPARE(panel.table()->model()->rowCount(), 1);
        QCOMPARE(panel.countLabel()->text(), QString("1 of 8 events (keeps the last 1,000)"));
        panel.severityBox()->setCurrentIndex(0);

        QTest::keyClicks(panel.textBox(), "draining");
        QCOMPARE(column(*panel.table()->model(), EventLogModel::Node), QStringList({"beta"}));
        panel.textBox()->clear();

        // Unticking "Rollout steps" in the kinds menu hides the release.
        QMenu* menu = panel.kindButton()->menu();
        QAction* rollouts = nullptr;
        for (QAction* action : menu->actions()) {
            if (action->text() == "Rollout steps") {
                rollouts = action;
            }
        }
        QVERIFY(rollouts);
        rollouts->setChecked(false);
        QCOMPARE(panel.table()->model()->rowCount(), 7);
        QVERIFY(!column(*panel.table()->model(), EventLogModel::Kind).contains("ROLLOUT"));
        QCOMPARE(panel.kindButton()->text(), QString("Kinds: 9 of 10"));
        menu->actions().front()->trigger(); // "Show all kinds"
        QCOMPARE(panel.table()->model()->rowCount(), 8);
        QCOMPARE(panel.kindButton()->text(), QString("Kinds: all"));
    }
};

QTEST_MAIN(tst_ClusterEvents)
#include "tst_cluster_events.moc"
