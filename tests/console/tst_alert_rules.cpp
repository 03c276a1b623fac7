#include "clusters/alert_rules.h"
#include "clusters/alerts_model.h"

#include <QtTest>

#include <limits>

using namespace flowdeck::console;

namespace {

constexpr qint64 kStart = 1'700'000'000'000; // ms since the epoch
constexpr double kNoData = std::numeric_limits<double>::quiet_NaN();

// One sample a second from kStart, `seconds` of them, all with the given values.
void appendSeconds(MetricsHistory& history, int fromSecond, int seconds, double p95Ms,
                   double errorRate = 0.0) {
    for (int s = fromSecond; s < fromSecond + seconds; ++s) {
        MetricSample sample;
        sample.timeMs = kStart + qint64(s) * 1000;
        sample.p95Ms = p95Ms;
        sample.errorRate = errorRate;
        sample.requestsPerSecond = 10;
        history.append(QStringLiteral("n1:7443"), sample);
    }
}

qint64 at(int second) {
    return kStart + qint64(second) * 1000;
}

AlertRule rule(const QString& name) {
    for (const AlertRule& r : defaultAlertRules()) {
        if (r.name == name) {
            return r;
        }
    }
    return {};
}

QList<FiringAlert> evaluate(const QString& ruleName, const MetricsHistory& history, qint64 now,
                            const QList<NodeStatus>& nodes = {}) {
    return AlertEvaluator::evaluate({rule(ruleName)}, history, nodes, now);
}

} // namespace

class tst_AlertRules final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void defaultsMatchTheOperationsDocs();
    void latencyFiresOnlyAfterFiveMinutesAndReportsSince();
    void latencyDipResolvesAndRestartsTheWindow();
    void latencyWithNoDataDoesNotFire();
    void staleLatencyDoesNotFire();
    void errorRateFiresAfterTwoMinutes();
    void nodeDownFiresAfterOneMinuteAndResolvesWhenUp();
    void jsonRoundTripKeepsEveryRule();
    void badFieldIsNamedInTheError();
    void invalidJsonIsRejected();
    void modelListsCriticalFirstWithReadableValues();
};

void tst_AlertRules::defaultsMatchTheOperationsDocs() {
    const QList<AlertRule> rules = defaultAlertRules();
    QCOMPARE(rules.size(), 3);
    QCOMPARE(rules[0].name, QStringLiteral("FlowdeckHighLatency"));
    QCOMPARE(rules[0].threshold, 2000.0);
    QCOMPARE(rules[0].forSeconds, 300);
    QVERIFY(rules[0].severity == AlertSeverity::Warning);
    QCOMPARE(rules[1].name, QStringLiteral("FlowdeckHighErrorRate"));
    QCOMPARE(rules[1].threshold, 0.05);
    QCOMPARE(rules[1].forSeconds, 120);
    QVERIFY(rules[1].severity == AlertSeverity::Critical);
    QCOMPARE(rules[2].name, QStringLiteral("FlowdeckNodeDown"));
    QCOMPARE(rules[2].forSeconds, 60);
    QVERIFY(rules[2].severity == AlertSeverity::Critical);
    QVERIFY(!rules[0].runbook.isEmpty());
}

void tst_AlertRules::latencyFiresOnlyAfterFiveMinutesAndReportsSince() {
    MetricsHistory history;
    appendSeconds(history, 0, 60, 500.0); // healthy first minute
    appendSeconds(history, 60, 300, 2500.0);
    // Samples 60..359 are slow: at second 359 that is 299 s, one short of the window.
    QVERIFY(evaluate(QStringLiteral("FlowdeckHighLatency"), history, at(359)).isEmpty());
    appendSeconds(history, 360, 1, 2600.0);
    const QList<FiringAlert> firing =
        evaluate(QStringLiteral("FlowdeckHighLatency"), history, at(360));
    QCOMPARE(firing.size(), 1);
    QCOMPARE(firing[0].node, QStringLiteral("n1:7443"));
    QCOMPARE(firing[0].sinceMs, at(60));
    QCOMPARE(firing[0].value, 2600.0);
    QCOMPARE(firing[0].rule.runbook, QStringLiteral("high-latency.md"));
}

void tst_AlertRules::latencyDipResolvesAndRestartsTheWindow() {
    MetricsHistory history;
    appendSeconds(history, 0, 400, 3000.0);
    QCOMPARE(evaluate(QStringLiteral("FlowdeckHighLatency"), history, at(399)).size(), 1);
    appendSeconds(history, 400, 1, 1500.0); // one good second
    QVERIFY(evaluate(QStringLiteral("FlowdeckHighLatency"), history, at(400)).isEmpty());
    appendSeconds(history, 401, 200, 3000.0);
    // Slow again, but only for 200 s since the dip.
    QVERIFY(evaluate(QStringLiteral("FlowdeckHighLatency"), history, at(600)).isEmpty());
    appendSeconds(history, 601, 100, 3000.0);
    const auto firing = evaluate(QStringLiteral("FlowdeckHighLatency"), history, at(701));
    QCOMPARE(firing.size(), 1);
    QCOMPARE(firing[0].sinceMs, at(401));
}

void tst_AlertRules::latencyWithNoDataDoesNotFire() {
    MetricsHistory history;
    appendSeconds(history, 0, 200, 3000.0);
    appendSeconds(history, 200, 1, kNoData); // a second without requests: nothing measured
    appendSeconds(history, 201, 200, 3000.0);
    QVERIFY(evaluate(QStringLiteral("FlowdeckHighLatency"), history, at(400)).isEmpty());
    MetricsHistory idle;
    appendSeconds(idle, 0, 600, kNoData);
    QVERIFY(evaluate(QStringLiteral("FlowdeckHighLatency"), idle, at(600)).isEmpty());
}

void tst_AlertRules::staleLatencyDoesNotFire() {
    MetricsHistory history;
    appendSeconds(history, 0, 400, 3000.0);
    // The node stopped reporting a minute ago: its last slow minutes are not "now".
    QVERIFY(evaluate(QStringLiteral("FlowdeckHighLatency"), history, at(460)).isEmpty());
}

void tst_AlertRules::errorRateFiresAfterTwoMinutes() {
    MetricsHistory history;
    appendSeconds(history, 0, 119, 100.0, 0.10);
    QVERIFY(evaluate(QStringLiteral("FlowdeckHighErrorRate"), history, at(118)).isEmpty());
    appendSeconds(history, 119, 2, 100.0, 0.10);
    const auto firing = evaluate(QStringLiteral("FlowdeckHighErrorRate"), history, at(120));
    QCOMPARE(firing.size(), 1);
    QCOMPARE(firing[0].sinceMs, at(0));
    QVERIFY(firing[0].rule.severity == AlertSeverity::Critical);
    appendSeconds(history, 121, 1, 100.0, 0.05); // exactly 5 % is not above it
    QVERIFY(evaluate(QStringLiteral("FlowdeckHighErrorRate"), history, at(121)).isEmpty());
}

void tst_AlertRules::nodeDownFiresAfterOneMinuteAndResolvesWhenUp() {
    const MetricsHistory history;
    const QList<NodeStatus> down{{QStringLiteral("n2:7443"), false, at(100)},
                                 {QStringLiteral("n1:7443"), true, at(0)}};
    QVERIFY(evaluate(QStringLiteral("FlowdeckNodeDown"), history, at(159), down).isEmpty());
    const auto firing = evaluate(QStringLiteral("FlowdeckNodeDown"), history, at(160), down);
    QCOMPARE(firing.size(), 1);
    QCOMPARE(firing[0].node, QStringLiteral("n2:7443"));
    QCOMPARE(firing[0].sinceMs, at(100));
    QCOMPARE(firing[0].value, 60.0);
    const QList<NodeStatus> back{{QStringLiteral("n2:7443"), true, at(170)}};
    QVERIFY(evaluate(QStringLiteral("FlowdeckNodeDown"), history, at(171), back).isEmpty());
}

void tst_AlertRules::jsonRoundTripKeepsEveryRule() {
    QList<AlertRule> rules = defaultAlertRules();
    rules[0].threshold = 1500;
    rules[0].summary = QStringLiteral("édité");
    QString error;
    const auto loaded = alertRulesFromJson(alertRulesToJson(rules), &error);
    QVERIFY2(loaded.has_value(), qPrintable(error));
    QCOMPARE(loaded->size(), rules.size());
    for (qsizetype i = 0; i < rules.size(); ++i) {
        QVERIFY2(loaded->at(i) == rules.at(i), qPrintable(rules.at(i).name));
    }
}

void tst_AlertRules::badFieldIsNamedInTheError() {
    QString error;
    const QByteArray badThreshold = R"({"rules": [
        {"name": "A", "metric": "p95_ms", "threshold": 1, "for_seconds": 1, "severity": "warning"},
        {"name": "B", "metric": "error_rate", "threshold": "high", "for_seconds": 60,
         "severity": "critical"}]})";
    QVERIFY(!alertRulesFromJson(badThreshold, &error));
    QVERIFY2(error.startsWith(QStringLiteral("rules[1].threshold:")), qPrintable(error));

    const QByteArray badSeverity = R"({"rules": [{"name": "A", "metric": "node_down",
        "for_seconds": 60, "severity": "page-everyone"}]})";
    QVERIFY(!alertRulesFromJson(badSeverity, &error));
    QVERIFY2(error.startsWith(QStringLiteral("rules[0].severity:")), qPrintable(error));
    QVERIFY2(error.contains(QStringLiteral("page-everyone")), qPrintable(error));

    const QByteArray badMetric = R"({"rules": [{"name": "A", "metric": "p42",
        "threshold": 1, "for_seconds": 60, "severity": "warning"}]})";
    QVERIFY(!alertRulesFromJson(badMetric, &error));
    QVERIFY2(error.startsWith(QStringLiteral("rules[0].metric:")), qPrintable(error));

    const QByteArray negativeFor = R"({"rules": [{"name": "A", "metric": "p95_ms",
        "threshold": 1, "for_seconds": -5, "severity": "warning"}]})";
    QVERIFY(!alertRulesFromJson(negativeFor, &error));
    QVERIFY2(error.startsWith(QStringLiteral("rules[0].for_seconds:")), qPrintable(error));
}

void tst_AlertRules::invalidJsonIsRejected() {
    QString error;
    QVERIFY(!alertRulesFromJson("{\"rules\": [", &error));
    QVERIFY2(error.contains(QStringLiteral("invalid JSON")), qPrintable(error));
    QVERIFY(!alertRulesFromJson("{\"rule\": []}", &error));
    QVERIFY2(error.startsWith(QStringLiteral("rules:")), qPrintable(error));
}

void tst_AlertRules::modelListsCriticalFirstWithReadableValues() {
    MetricsHistory history;
    appendSeconds(history, 0, 301, 2500.0, 0.08);
    const QList<NodeStatus> nodes{{QStringLiteral("n1:7443"), true, at(0)}};
    AlertsModel model;
    model.setAlerts(AlertEvaluator::evaluate(defaultAlertRules(), history, nodes, at(300)));
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.columnCount(), int(AlertsModel::ColumnCount));
    auto text = [&](int row, int column) { return model.index(row, column).data().toString(); };
    QCOMPARE(text(0, AlertsModel::Alert), QStringLiteral("FlowdeckHighErrorRate"));
    QCOMPARE(text(0, AlertsModel::Severity), QStringLiteral("critical"));
    QCOMPARE(text(0, AlertsModel::Value), QStringLiteral("8.0 %"));
    QCOMPARE(text(1, AlertsModel::Value), QStringLiteral("2500 ms"));
    QCOMPARE(text(1, AlertsModel::Threshold), QStringLiteral("> 2000 ms for 300 s"));
    QCOMPARE(text(1, AlertsModel::Runbook), QStringLiteral("high-latency.md"));
    QCOMPARE(model.headerData(AlertsModel::Since, Qt::Horizontal, Qt::DisplayRole).toString(),
             QStringLiteral("Since"));
    // Resolved: the rows go away.
    model.setAlerts({});
    QCOMPARE(model.rowCount(), 0);
}

QTEST_GUILESS_MAIN(tst_AlertRules)
#include "tst_alert_rules.moc"
