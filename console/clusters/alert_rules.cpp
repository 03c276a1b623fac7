#include "clusters/alert_rules.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>

#include <cmath>

namespace flowdeck::console {

namespace {

// Limits on an edited document: a rules file is a handful of entries, never thousands.
constexpr int kMaxRules = 100;
constexpr int kMaxTextLength = 1000;
constexpr int kMaxForSeconds = 7 * 24 * 3600;

QString tr(const char* text) {
    return QCoreApplication::translate("flowdeck::console::AlertRules", text);
}

double sampleValue(AlertMetric metric, const MetricSample& sample) {
    return metric == AlertMetric::ErrorRate ? sample.errorRate : sample.p95Ms;
}

// The rule on one node's samples: walk back from the newest while the condition holds; the
// oldest sample of that run is when it became true. NaN (nothing measured) and gaps end the run.
std::optional<FiringAlert> evaluateSamples(const AlertRule& rule, const QString& node,
                                           const SampleRing& ring, qint64 nowMs) {
    if (ring.size() == 0) {
        return std::nullopt;
    }
    const MetricSample& latest = ring.at(ring.size() - 1);
    if (nowMs - latest.timeMs > AlertEvaluator::kMaxGapMs) {
        return std::nullopt;
    }
    std::optional<qint64> since;
    qint64 newer = latest.timeMs;
    for (std::size_t i = ring.size(); i-- > 0;) {
        const MetricSample& sample = ring.at(i);
        const double value = sampleValue(rule.metric, sample);
        if (!std::isfinite(value) || !(value > rule.threshold) ||
            newer - sample.timeMs > AlertEvaluator::kMaxGapMs) {
            break;
        }
        since = sample.timeMs;
        newer = sample.timeMs;
    }
    if (!since || nowMs - *since < qint64(rule.forSeconds) * 1000) {
        return std::nullopt;
    }
    return FiringAlert{rule, node, sampleValue(rule.metric, latest), *since};
}

struct Names {
    const char* name;
    int value;
};
constexpr Names kMetricNames[] = {{"p95_ms", int(AlertMetric::P95LatencyMs)},
                                  {"error_rate", int(AlertMetric::ErrorRate)},
                                  {"node_down", int(AlertMetric::NodeDown)}};
constexpr Names kSeverityNames[] = {{"warning", int(AlertSeverity::Warning)},
                                    {"critical", int(AlertSeverity::Critical)}};

template <std::size_t N> std::optional<int> lookup(const Names (&names)[N], const QString& text) {
    for (const Names& entry : names) {
        if (text == QLatin1String(entry.name)) {
            return entry.value;
        }
    }
    return std::nullopt;
}

template <std::size_t N> QString nameOf(const Names (&names)[N], int value) {
    for (const Names& entry : names) {
        if (entry.value == value) {
            return QString::fromLatin1(entry.name);
        }
    }
    return {};
}

// Reads one rule; on failure returns the field's name and the problem in *error.
class RuleReader final {
public:
    RuleReader(const QJsonObject& object, QString where)
        : m_object(object)
        , m_where(std::move(where)) {}

    std::optional<AlertRule> read(QString* error);

private:
    bool text(const char* key, QString* out, bool required);
    bool number(const char* key, double* out);
    bool fail(const char* key, const QString& problem);

    const QJsonObject& m_object;
    QString m_where;
    QString m_error;
};

bool RuleReader::fail(const char* key, const QString& problem) {
    m_error = QStringLiteral("%1.%2: %3").arg(m_where, QLatin1String(key), problem);
    return false;
}

bool RuleReader::text(const char* key, QString* out, bool required) {
    const QJsonValue value = m_object.value(QLatin1String(key));
    if (value.isUndefined() && !required) {
        return true;
    }
    if (!value.isString()) {
        return fail(key, tr("expected a string"));
    }
    *out = value.toString();
    if ((required && out->trimmed().isEmpty()) || out->size() > kMaxTextLength) {
        return fail(key, tr("must be 1 to %1 characters").arg(kMaxTextLength));
    }
    return true;
}

bool RuleReader::number(const char* key, double* out) {
    const QJsonValue value = m_object.value(QLatin1String(key));
    if (!value.isDouble() || !std::isfinite(value.toDouble())) {
        return fail(key, tr("expected a number"));
    }
    *out = value.toDouble();
    return true;
}

std::optional<AlertRule> RuleReader::read(QString* error) {
    AlertRule rule;
    QString metric;
    QString severity;
    QString comparison = QStringLiteral(">");
    double threshold = 0;
    double forSeconds = 0;
    const bool ok =
        text("name", &rule.name, true) && text("metric", &metric, true) &&
        (lookup(kMetricNames, metric) ||
         fail("metric", tr("'%1' is not p95_ms, error_rate or node_down").arg(metric))) &&
        text("comparison", &comparison, false) &&
        (comparison == QLatin1String(">") || fail("comparison", tr("only \">\" is supported"))) &&
        (metric == QLatin1String("node_down") || number("threshold", &threshold)) &&
        number("for_seconds", &forSeconds) &&
        ((forSeconds >= 0 && forSeconds <= kMaxForSeconds &&
          forSeconds == std::floor(forSeconds)) ||
         fail("for_seconds", tr("must be a whole number from 0 to %1").arg(kMaxForSeconds))) &&
        text("severity", &severity, true) &&
        (lookup(kSeverityNames, severity) ||
         fail("severity", tr("'%1' is not warning or critical").arg(severity))) &&
        text("runbook", &rule.runbook, false) && text("summary", &rule.summary, false);
    if (!ok) {
        *error = m_error;
        return std::nullopt;
    }
    rule.metric = AlertMetric(*lookup(kMetricNames, metric));
    rule.severity = AlertSeverity(*lookup(kSeverityNames, severity));
    rule.threshold = threshold;
    rule.forSeconds = int(forSeconds);
    return rule;
}

} // namespace

bool operator==(const AlertRule& a, const AlertRule& b) {
    return a.name == b.name && a.metric == b.metric && a.threshold == b.threshold &&
           a.forSeconds == b.forSeconds && a.severity == b.severity && a.runbook == b.runbook &&
           a.summary == b.summary;
}

QList<AlertRule> defaultAlertRules() {
    return {
        {QStringLiteral("FlowdeckHighLatency"), AlertMetric::P95LatencyMs, 2000.0, 300,
         AlertSeverity::Warning, QStringLiteral("high-latency.md"),
         tr("p95 latency above 2 s for 5 minutes")},
        {QStringLiteral("FlowdeckHighErrorRate"), AlertMetric::ErrorRate, 0.05, 120,
         AlertSeverity::Critical, QStringLiteral("high-error-rate.md"),
         tr("more than 5 % of requests failing for 2 minutes")},
        {QStringLiteral("FlowdeckNodeDown"), AlertMetric::NodeDown, 0.0, 60,
         AlertSeverity::Critical, QStringLiteral("node-down.md"),
         tr("node unreachable for 1 minute")},
    };
}

QString alertMetricName(AlertMetric metric) {
    return nameOf(kMetricNames, int(metric));
}

QString alertSeverityName(AlertSeverity severity) {
    return nameOf(kSeverityNames, int(severity));
}

QByteArray alertRulesToJson(const QList<AlertRule>& rules) {
    QJsonArray array;
    for (const AlertRule& rule : rules) {
        QJsonObject object{{QStringLiteral("name"), rule.name},
                           {QStringLiteral("metric"), alertMetricName(rule.metric)},
                           {QStringLiteral("comparison"), QStringLiteral(">")},
                           {QStringLiteral("for_seconds"), rule.forSeconds},
                           {QStringLiteral("severity"), alertSeverityName(rule.severity)},
                           {QStringLiteral("runbook"), rule.runbook},
                           {QStringLiteral("summary"), rule.summary}};
        if (rule.metric != AlertMetric::NodeDown) {
            object.insert(QStringLiteral("threshold"), rule.threshold);
        }
        array.append(object);
    }
    return QJsonDocument(QJsonObject{{QStringLiteral("rules"), array}}).toJson();
}

std::optional<QList<AlertRule>> alertRulesFromJson(const QByteArray& json, QString* error) {
    QString problem;
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(json, &parseError);
    const QJsonValue rules = document.object().value(QStringLiteral("rules"));
    QList<AlertRule> result;
    if (parseError.error != QJsonParseError::NoError) {
        problem = tr("invalid JSON at offset %1: %2")
                      .arg(parseError.offset)
                      .arg(parseError.errorString());
    } else if (!rules.isArray()) {
        problem = tr("rules: expected an array of rules");
    } else if (rules.toArray().size() > kMaxRules) {
        problem = tr("rules: at most %1 rules").arg(kMaxRules);
    }
    for (qsizetype i = 0; problem.isEmpty() && i < rules.toArray().size(); ++i) {
        const QString where = QStringLiteral("rules[%1]").arg(i);
        const QJsonValue entry = rules.toArray().at(i);
        if (!entry.isObject()) {
            problem = tr("%1: expected an object").arg(where);
            break;
        }
        const QJsonObject object = entry.toObject();
        if (auto rule = RuleReader(object, where).read(&problem)) {
            result.append(*rule);
        }
    }
    if (!problem.isEmpty()) {
        if (error) {
            *error = problem;
        }
        return std::nullopt;
    }
    return result;
}

QList<FiringAlert> AlertEvaluator::evaluate(const QList<AlertRule>& rules,
                                            const MetricsHistory& history,
                                            const QList<NodeStatus>& nodes, qint64 nowMs) {
    QList<FiringAlert> firing;
    for (const AlertRule& rule : rules) {
        if (rule.metric == AlertMetric::NodeDown) {
            for (const NodeStatus& node : nodes) {
                const qint64 downMs = nowMs - node.changedMs;
                if (!node.up && downMs >= qint64(rule.forSeconds) * 1000) {
                    firing.append({rule, node.node, double(downMs) / 1000.0, node.changedMs});
                }
            }
            continue;
        }
        for (const QString& node : history.nodes()) {
            if (const SampleRing* ring = history.ring(node)) {
                if (auto alert = evaluateSamples(rule, node, *ring, nowMs)) {
                    firing.append(*alert);
                }
            }
        }
    }
    return firing;
}

} // namespace flowdeck::console
