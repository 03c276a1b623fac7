// The Clusters charts with no node: the metric history turns counter totals into rates (a node
// restart included) and merges nodes into a cluster line; the chart adapter pauses, zooms, reads
// values under the cursor and exports exactly what it shows; the charts panel pauses every chart
// at once while the history keeps recording.
#include "clusters/chart_adapter.h"
#include "clusters/chart_lines.h"
#include "clusters/chart_panel.h"
#include "clusters/clusters_workspace.h"
#include "clusters/metrics_history.h"

#include <QChart>
#include <QChartView>
#include <QDateTime>
#include <QFile>
#include <QImage>
#include <QLabel>
#include <QPushButton>
#include <QSet>
#include <QTemporaryDir>
#include <QWheelEvent>
#include <QXYSeries>
#include <QtTest>

#include <algorithm>
#include <cmath>

using namespace flowdeck::console;

namespace {

constexpr qint64 kBase = 1795514400000; // 2026-11-24T10:00:00.000Z

MetricSample sampleAt(qint64 timeMs) {
    MetricSample sample;
    sample.timeMs = timeMs;
    return sample;
}

// A node's sample with request rate, p95 and, optionally, its message rate.
MetricSample traffic(qint64 timeMs, double rps, double p95, double errorRate = 0.0,
                     double messagesPerSecond = kNoValue) {
    MetricSample sample = sampleAt(timeMs);
    sample.requestsPerSecond = rps;
    sample.p95Ms = p95;
    sample.errorRate = errorRate;
    sample.messagesPerSecond = messagesPerSecond;
    return sample;
}

QChartView* viewOf(ChartAdapter& chart) {
    return chart.findChild<QChartView*>();
}

// Where `timeMs` is drawn, in the view's viewport, half-way down the plot.
QPoint pointAt(ChartAdapter& chart, qint64 timeMs) {
    QChartView* view = viewOf(chart);
    const QRectF plot = view->chart()->plotArea();
    const double share = double(timeMs - chart.visibleFromMs()) /
                         double(chart.visibleToMs() - chart.visibleFromMs());
    const QPointF inChart(plot.left() + share * plot.width(), plot.center().y());
    return view->mapFromScene(view->chart()->mapToScene(inChart));
}

std::vector<ChartLine> twoLines() {
    return {{"alpha", {{kBase + 1000, 1.5}, {kBase + 2000, 2.0}, {kBase + 5000, 4.0}}},
            {"beta, eu", {{kBase + 1500, 10.0}, {kBase + 2000, 20.25}}}};
}

} // namespace

class tst_ClustersCharts : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void derivesTransitionAndFailureRatesFromCounterDeltas() {
        MetricsHistory history;
        const double transitions[] = {100, 110, 130, 5, 35};
        const double failures[] = {0, 1, 3, 2, 2};
        const qint64 times[] = {1000, 2000, 3000, 4000, 6000};
        for (int i = 0; i < 5; ++i) {
            MetricSample sample = sampleAt(times[i]);
            sample.transitionsTotal = transitions[i];
            sample.integrationFailuresTotal = failures[i];
            history.append("n", sample);
        }
        // The first sample has nothing to compare with; 130 -> 5 (and 3 -> 2) is a restart, so
        // all of the new total is new; 30 more over 2 s is 15 a second.
        QCOMPARE(history.points("n", Metric::TransitionsPerSecond, 0),
                 QList<QPointF>({{2000, 10}, {3000, 20}, {4000, 5}, {6000, 15}}));
        QCOMPARE(history.points("n", Metric::IntegrationFailuresPerSecond, 0),
                 QList<QPointF>({{2000, 1}, {3000, 2}, {4000, 2}, {6000, 0}}));
    }

    void keepsRatesANodeGaveAndDrawsNoneWithoutCounters() {
        MetricsHistory history;
        history.append("old", sampleAt(1000));
        history.append("old", sampleAt(2000));
        QVERIFY(history.points("old", Metric::TransitionsPerSecond, 0).isEmpty());
        MetricSample given = sampleAt(1000);
        given.transitionsPerSecond = 7.0; // no totals: the producer's rate stands
        history.append("given", given);
        QCOMPARE(history.points("given", Metric::TransitionsPerSecond, 0),
                 QList<QPointF>({{1000, 7}}));
    }

    void clusterLineSumsRatesAndTakesTheSlowestLatency() {
        MetricsHistory history;
        history.append("a", traffic(1000, 1, 10));
        history.append("a", traffic(2000, 2, 50));
        history.append("a", traffic(3000, 3, 30));
        history.append("b", traffic(1500, 10, 40));
        history.append("b", traffic(2500, 20, 20));
        history.append("b", traffic(3500, 30, std::nan("")));
        const QStringList both{"a", "b"};
        // Each second: every node's newest sample; b has none yet at 1 s.
        QCOMPARE(history.clusterPoints(both, Metric::RequestsPerSecond, 0),
                 QList<QPointF>({{1000, 1}, {2000, 12}, {3000, 23}}));
        QCOMPARE(history.clusterPoints(both, Metric::P95Ms, 0),
                 QList<QPointF>({{1000, 10}, {2000, 50}, {3000, 30}}));
        QCOMPARE(history.clusterPoints(both, Metric::RequestsPerSecond, 2500),
                 QList<QPointF>({{3000, 23}}));

        // A node silent for more than 3 s (down) drops out instead of counting its last value.
        history.append("a", traffic(7000, 4, 10));
        QCOMPARE(history.clusterPoints(both, Metric::RequestsPerSecond, 6500),
                 QList<QPointF>({{7000, 4}}));
    }

    void clusterErrorRateWeighsNodesByTheirMessages() {
        MetricsHistory history;
        history.append("quiet", traffic(1000, 1, 5, 0.10, 10)); // 1 error of 10 messages
        history.append("busy", traffic(1000, 1, 5, 0.50, 30));  // 15 errors of 30
        QCOMPARE(history.clusterPoints({"quiet", "busy"}, Metric::ErrorRate, 0),
                 QList<QPointF>({{1000, 0.4}}));
    }

    void chartLinesAddTheClusterLineForTwoNodesOrMore() {
        MetricsHistory history;
        history.append("10.0.0.1:7443", traffic(1000, 1, 10));
        history.append("10.0.0.2:7443", traffic(1000, 2, 30));
        const QList<ChartNode> nodes{{"10.0.0.1:7443", "alpha"}, {"10.0.0.2:7443", "beta"}};
        std::vector<ChartLine> lines =
            metricLines(history, nodes, Metric::RequestsPerSecond, 0, 5000);
        QCOMPARE(lines.size(), std::size_t(3));
        QCOMPARE(lines[0].name, QString("alpha"));
        QCOMPARE(lines[2].name, QString("cluster (sum)"));
        QVERIFY(lines[2].emphasized);
        QCOMPARE(lines[2].points, QList<QPointF>({{1000, 3}}));
        lines = metricLines(history, nodes, Metric::P95Ms, 0, 5000, " p95");
        QCOMPARE(lines[2].name, QString("cluster p95 (max)"));
        QVERIFY(lines[2].note.contains("slowest node"));
        QCOMPARE(lines[2].points, QList<QPointF>({{1000, 30}}));
        QCOMPARE(metricLines(history, nodes.mid(0, 1), Metric::P95Ms, 0, 5000).size(),
                 std::size_t(1));
        // A chart stopped at 500 ms draws nothing after it.
        QVERIFY(metricLines(history, nodes, Metric::P95Ms, 0, 500)[2].points.isEmpty());
    }

    void csvHoldsExactlyTheVisibleData() {
        ChartAdapter chart("Requests per second", "req/s");
        chart.setLines(twoLines(), kBase, kBase + 60000);
        QCOMPARE(chart.toCsv(), QString("time_utc,alpha [req/s],\"beta, eu [req/s]\"\n"
                                        "2026-11-24T10:00:01.000Z,1.5,\n"
                                        "2026-11-24T10:00:01.500Z,,10\n"
                                        "2026-11-24T10:00:02.000Z,2,20.25\n"
                                        "2026-11-24T10:00:05.000Z,4,\n"));
        // Zoomed, only the visible stretch is exported.
        chart.zoomTo(kBase + 1800, kBase + 4500);
        QCOMPARE(chart.toCsv(), QString("time_utc,alpha [req/s],\"beta, eu [req/s]\"\n"
                                        "2026-11-24T10:00:02.000Z,2,20.25\n"));
        QTemporaryDir dir;
        QString error;
        QVERIFY2(chart.exportCsv(dir.filePath("requests.csv"), &error), qPrintable(error));
        QFile file(dir.filePath("requests.csv"));
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(QString::fromUtf8(file.readAll()), chart.toCsv());
        QVERIFY(!chart.exportCsv("/nonexistent-dir/x.csv", &error));
        QVERIFY(error.contains("/nonexistent-dir/x.csv"));
    }

    void csvOfAPercentChartHoldsPercent() {
        ChartAdapter chart("Error rate", "%");
        chart.setPercent(true);
        chart.setLines({{"alpha", {{kBase, 0.05}, {kBase + 1000, 0.125}}}}, kBase, kBase + 60000);
        QCOMPARE(chart.toCsv(), QString("time_utc,alpha [%]\n"
                                        "2026-11-24T10:00:00.000Z,5\n"
                                        "2026-11-24T10:00:01.000Z,12.5\n"));
        QCOMPARE(chart.maxValue(), 0.125);
    }

    void pngExportWritesTheChartAtItsSize() {
        ChartAdapter chart("Latency", "ms");
        chart.resize(640, 360);
        chart.show();
        chart.setLines(twoLines(), kBase, kBase + 60000);
        QApplication::processEvents();
        QTemporaryDir dir;
        QString error;
        const QString path = dir.filePath("latency.png");
        QVERIFY2(chart.exportPng(path, &error), qPrintable(error));
        const QImage image(path);
        QVERIFY(!image.isNull());
        QCOMPARE(image.size(), viewOf(chart)->size() * viewOf(chart)->devicePixelRatio());
        QCOMPARE(image.size(), QSize(640, 360));
        QSet<QRgb> colours; // a chart, not a blank rectangle
        for (int y = 0; y < image.height(); y += 4) {
            for (int x = 0; x < image.width(); x += 4) {
                colours.insert(image.pixel(x, y));
            }
        }
        QVERIFY2(colours.size() > 10, qPrintable(QString::number(colours.size())));
        QVERIFY(!chart.exportPng("/nonexistent-dir/x.png", &error));
        QVERIFY(error.contains("/nonexistent-dir/x.png"));
    }

    void hoverReadsEachLinesValueAtTheCursor() {
        ChartAdapter chart("Requests per second", "req/s");
        chart.setLines(twoLines(), kBase, kBase + 60000);
        ChartReading reading = chart.readingAt(kBase + 2100);
        QCOMPARE(reading.values.size(), std::size_t(2));
        QCOMPARE(reading.values[0].name, QString("alpha"));
        QCOMPARE(reading.values[0].value, std::optional(2.0));
        QCOMPARE(reading.values[1].value, std::optional(20.25));
        // 10 s after beta's last point there is no beta value, only alpha's (at 5 s).
        reading = chart.readingAt(kBase + 5600);
        QCOMPARE(reading.values[0].value, std::optional(4.0));
        QVERIFY(!reading.values[1].value);

        chart.resize(640, 360);
        chart.show();
        QApplication::processEvents();
        QTest::mouseMove(viewOf(chart)->viewport(), pointAt(chart, kBase + 2000));
        QTRY_VERIFY(chart.readingShown());
        QVERIFY2(chart.readingText().contains("alpha: 2 req/s"), qPrintable(chart.readingText()));
        QVERIFY(chart.readingText().contains("beta, eu: 20.25 req/s"));
        chart.showReadingAt(std::nullopt);
        QVERIFY(!chart.readingShown());
    }

    void wheelBandAndDoubleClickZoomTheTimeAxis() {
        ChartAdapter chart("Requests per second", "req/s");
        chart.resize(640, 360);
        chart.show();
        chart.setLines(twoLines(), kBase, kBase + 60000);
        QApplication::processEvents();
        QSignalSpy zoomed(&chart, &ChartAdapter::zoomed);
        QWidget* viewport = viewOf(chart)->viewport();
        const QPoint middle = pointAt(chart, kBase + 30000);
        QWheelEvent wheel(middle, viewport->mapToGlobal(middle), {}, {0, 120}, Qt::NoButton,
                          Qt::NoModifier, Qt::NoScrollPhase, false);
        QApplication::sendEvent(viewport, &wheel);
        QVERIFY(chart.isZoomed());
        QCOMPARE(zoomed.size(), 1);
        const qint64 span = chart.visibleToMs() - chart.visibleFromMs();
        QVERIFY2(std::abs(span - 48000) < 600, qPrintable(QString::number(span)));
        QVERIFY(chart.visibleFromMs() > kBase && chart.visibleToMs() < kBase + 60000);

        QTest::mouseDClick(viewport, Qt::LeftButton, {}, middle);
        QVERIFY(!chart.isZoomed());
        QCOMPARE(chart.visibleFromMs(), kBase);

        // Dragging from 10 s to 20 s shows those ten seconds.
        const QPoint from = pointAt(chart, kBase + 10000);
        const QPoint to = pointAt(chart, kBase + 20000);
        QTest::mousePress(viewport, Qt::LeftButton, {}, from);
        QTest::mouseRelease(viewport, Qt::LeftButton, {}, to);
        QVERIFY(chart.isZoomed());
        QVERIFY(std::abs(chart.visibleFromMs() - (kBase + 10000)) < 300);
        QVERIFY(std::abs(chart.visibleToMs() - (kBase + 20000)) < 300);
        QVERIFY(chart.maxValue() == 0.0); // no point between 10 s and 20 s
    }

    void drawsSixHoursThinnedWithoutLosingAPeak() {
        ChartAdapter chart("Requests per second", "req/s");
        QList<QPointF> points;
        for (int i = 0; i < 21600; ++i) {
            points.append(QPointF(kBase + i * 1000.0, i == 12345 ? 99.0 : 1.0 + i % 3));
        }
        chart.setLines({{"alpha", points}}, kBase, kBase + 21600 * 1000);
        QVERIFY2(chart.pointCount() <= 1200, qPrintable(QString::number(chart.pointCount())));
        auto* drawn = qobject_cast<QXYSeries*>(viewOf(chart)->chart()->series().front());
        QVERIFY(drawn);
        const QList<QPointF> drawnPoints = drawn->points();
        QVERIFY(std::any_of(drawnPoints.begin(), drawnPoints.end(),
                            [](const QPointF& p) { return p.y() == 99.0; }));
        QCOMPARE(chart.lines()[0].points.size(), 21600); // hover and CSV keep every sample
        QVERIFY(chart.readingAt(kBase + 12345000).values[0].value == std::optional(99.0));
        QCOMPARE(chart.maxValue(), 99.0);
        // Zoomed to a minute, every sample of it is drawn (and one beyond each end).
        chart.zoomTo(kBase + 60000, kBase + 120000);
        QCOMPARE(chart.pointCount(), 63);
    }

    void pauseFreezesTheVisibleRangeWhileSamplesStillArrive() {
        MetricsHistory history;
        ChartsPanel panel(history);
        const QList<ChartNode> nodes{{"a", "alpha"}};
        const qint64 start = QDateTime::currentMSecsSinceEpoch() - 30000;
        for (int i = 0; i <= 10; ++i) {
            history.append("a", traffic(start + i * 1000, i, 5));
        }
        panel.refresh(nodes, std::nullopt, start + 10000);
        ChartAdapter* chart = panel.requests();
        QCOMPARE(chart->visibleToMs(), start + 10000);
        QCOMPARE(chart->pointCount(), 11);

        panel.setPaused(true);
        for (int i = 11; i <= 15; ++i) {
            history.append("a", traffic(start + i * 1000, i, 5));
        }
        panel.refresh(nodes, std::nullopt, start + 15000);
        QCOMPARE(history.size("a"), std::size_t(16)); // still recording
        QCOMPARE(chart->visibleToMs(), start + 10000);
        QCOMPARE(chart->visibleFromMs(), start + 10000 - 300000);
        QCOMPARE(chart->pointCount(), 11);
        QVERIFY(chart->readingAt(start + 14000).values[0].value == std::nullopt);
        for (ChartAdapter* each : panel.charts()) {
            QVERIFY(each->isPaused());
        }
        QVERIFY(panel.pauseButton()->isChecked());
        QCOMPARE(panel.pauseButton()->text(), QString("Resume"));
        QVERIFY(panel.pausedNotice()->text().startsWith("PAUSED at"));
        // A wider window while paused still ends where the charts stopped.
        panel.setWindowSeconds(3600);
        QCOMPARE(chart->visibleToMs(), start + 10000);
        QCOMPARE(chart->visibleFromMs(), start + 10000 - 3600000);

        panel.pauseButton()->click(); // resume: back to now, with what arrived meanwhile
        QVERIFY(!chart->isPaused());
        QVERIFY(chart->visibleToMs() >= start + 30000);
        QCOMPARE(chart->pointCount(), 16);
        QVERIFY(panel.pausedNotice()->text().isEmpty());
    }

    void zoomingOneChartZoomsThemAll() {
        MetricsHistory history;
        ChartsPanel panel(history);
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        history.append("a", traffic(now - 1000, 1, 5));
        panel.refresh({{"a", "alpha"}}, std::nullopt, now);
        // What the chart's band or wheel signals; the panel applies it to the others.
        Q_EMIT panel.latency()->zoomed(now - 60000, now - 30000);
        QVERIFY(panel.requests()->isZoomed());
        QCOMPARE(panel.integrationFailures()->visibleFromMs(), now - 60000);
        QVERIFY(panel.pausedNotice()->text().startsWith("Zoomed"));
        Q_EMIT panel.latency()->zoomReset();
        QVERIFY(!panel.transitions()->isZoomed());
    }

    void workspaceShowsSixChartsAndPausesThemTogether() {
        ClustersWorkspace workspace;
        workspace.resize(1400, 900);
        workspace.show();
        QCOMPARE(workspace.charts()->charts().size(), std::size_t(6));
        QCOMPARE(workspace.transitionsChart()->title(), QString("State transitions per second"));
        QCOMPARE(workspace.integrationFailuresChart()->title(),
                 QString("Integration failures per second"));
        auto* pause = workspace.findChild<QPushButton*>("ClusterChartsPause");
        QVERIFY(pause && pause->isVisible());
        pause->click();
        QVERIFY(workspace.latencyChart()->isPaused());
        QVERIFY(workspace.charts()->pausedNotice()->isVisible());
        pause->click();
        QVERIFY(!workspace.latencyChart()->isPaused());
    }
};

QTEST_MAIN(tst_ClustersCharts)
#include "tst_clusters_charts.moc"
