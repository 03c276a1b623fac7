#include "clusters/chart_lines.h"

#include <QCoreApplication>

namespace flowdeck::console {

namespace {

QString tr(const char* text) {
    return QCoreApplication::translate("ChartLines", text);
}

// history.points() runs to the newest sample; a paused chart ends earlier.
QList<QPointF> until(QList<QPointF> points, qint64 untilMs) {
    while (!points.isEmpty() && points.back().x() > static_cast<double>(untilMs)) {
        points.removeLast();
    }
    return points;
}

} // namespace

QString clusterLineName(Metric metric, const QString& suffix) {
    QString how;
    switch (clusterMergeOf(metric)) {
    case ClusterMerge::Sum:
        how = tr("sum");
        break;
    case ClusterMerge::Max:
        how = tr("max");
        break;
    case ClusterMerge::MessageWeighted:
        how = tr("weighted");
        break;
    }
    return tr("cluster") + suffix + QStringLiteral(" (") + how + QLatin1Char(')');
}

QString clusterLineNote(Metric metric) {
    switch (clusterMergeOf(metric)) {
    case ClusterMerge::Sum:
        return tr("sum over the nodes");
    case ClusterMerge::Max:
        return tr("slowest node: the cluster's own percentile is never higher");
    case ClusterMerge::MessageWeighted:
        return tr("error messages / all messages, over every node");
    }
    return {};
}

std::vector<ChartLine> metricLines(const MetricsHistory& history, const QList<ChartNode>& nodes,
                                   Metric metric, qint64 sinceMs, qint64 untilMs,
                                   const QString& suffix) {
    std::vector<ChartLine> lines;
    QStringList keys;
    for (const ChartNode& node : nodes) {
        lines.push_back(
            {node.name + suffix, until(history.points(node.key, metric, sinceMs), untilMs)});
        keys.append(node.key);
    }
    if (nodes.size() >= 2) {
        lines.push_back({clusterLineName(metric, suffix),
                         until(history.clusterPoints(keys, metric, sinceMs), untilMs), true,
                         clusterLineNote(metric)});
    }
    return lines;
}

std::vector<ChartLine> percentileLines(const MetricsHistory& history, const QString& key,
                                       qint64 sinceMs, qint64 untilMs) {
    return {{tr("p50"), until(history.points(key, Metric::P50Ms, sinceMs), untilMs)},
            {tr("p95"), until(history.points(key, Metric::P95Ms, sinceMs), untilMs)},
            {tr("p99"), until(history.points(key, Metric::P99Ms, sinceMs), untilMs)}};
}

} // namespace flowdeck::console
