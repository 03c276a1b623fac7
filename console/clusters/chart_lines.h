#pragma once

#include "clusters/chart_adapter.h"
#include "clusters/metrics_history.h"

#include <QList>
#include <QString>

#include <vector>

namespace flowdeck::console {

// A node as the charts show it: its history key (address) and its legend name (node id).
struct ChartNode {
    QString key;
    QString name;
};

// The cluster line's legend name ("cluster (sum)", "cluster p95 (max)", "cluster (weighted)")
// and the note shown with its hover value saying how it is made and why.
QString clusterLineName(Metric metric, const QString& suffix = {});
QString clusterLineNote(Metric metric);

// One line per node for `metric` over [sinceMs, untilMs] (legend: name + suffix) and, with two
// nodes or more, the cluster line of every node last. With one node the cluster is that node.
std::vector<ChartLine> metricLines(const MetricsHistory& history, const QList<ChartNode>& nodes,
                                   Metric metric, qint64 sinceMs, qint64 untilMs,
                                   const QString& suffix = {});

// p50, p95 and p99 of one node, the latency chart when a node is selected.
std::vector<ChartLine> percentileLines(const MetricsHistory& history, const QString& key,
                                       qint64 sinceMs, qint64 untilMs);

} // namespace flowdeck::console
