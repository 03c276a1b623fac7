#pragma once

#include "clusters/metrics_history.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <optional>

namespace flowdeck::console {

// What a rule watches. Latency is the node's p95 in ms, the error rate a fraction (0.05 = 5 %),
// and NodeDown the connection state (its threshold is unused).
enum class AlertMetric { P95LatencyMs, ErrorRate, NodeDown };
enum class AlertSeverity { Warning, Critical };

// One alert rule, as in the operations docs and the Prometheus rules file in packaging/:
// "`metric` > `threshold` for `forSeconds`". Only ">" exists because every default needs only it.
struct AlertRule {
    QString name;
    AlertMetric metric = AlertMetric::P95LatencyMs;
    double threshold = 0.0;
    int forSeconds = 0;
    AlertSeverity severity = AlertSeverity::Warning;
    QString runbook; // a file name in the runbooks, e.g. "high-latency.md"
    QString summary;
};

bool operator==(const AlertRule& a, const AlertRule& b);

// The defaults of issue 7: p95 > 2 s for 5 min (warning), error rate > 5 % for 2 min
// (critical), node down for 1 min (critical).
QList<AlertRule> defaultAlertRules();

QString alertMetricName(AlertMetric metric);       // "p95_ms", "error_rate", "node_down"
QString alertSeverityName(AlertSeverity severity); // "warning", "critical"

// The rules as an editable JSON document: {"rules": [{"name": …, "metric": …, "comparison": ">",
// "threshold": …, "for_seconds": …, "severity": …, "runbook": …, "summary": …}]}.
QByteArray alertRulesToJson(const QList<AlertRule>& rules);
// nullopt with *error naming the field ("rules[1].threshold: …") for anything invalid.
std::optional<QList<AlertRule>> alertRulesFromJson(const QByteArray& json, QString* error);

// A rule whose condition has held on a node for the rule's whole `for` window.
struct FiringAlert {
    AlertRule rule;
    QString node;       // the history key (node address)
    double value = 0;   // latest value; for NodeDown the seconds it has been down
    qint64 sinceMs = 0; // when the condition became continuously true (ms since the epoch)
};

// One node's connection state and when it last changed (ms since the epoch).
struct NodeStatus {
    QString node;
    bool up = true;
    qint64 changedMs = 0;
};

// Stateless: every call judges the rules afresh from the history, so an alert resolves on the
// first evaluation after its condition stops holding.
class AlertEvaluator final {
public:
    // Consecutive samples further apart than this are a gap (no data), which breaks a condition;
    // a latest sample older than this is stale and fires nothing.
    static constexpr qint64 kMaxGapMs = 15000;

    static QList<FiringAlert> evaluate(const QList<AlertRule>& rules, const MetricsHistory& history,
                                       const QList<NodeStatus>& nodes, qint64 nowMs);
};

} // namespace flowdeck::console
