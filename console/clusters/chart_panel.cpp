#include "clusters/chart_panel.h"

#include "clusters/chart_adapter.h"
#include "clusters/metrics_history.h"
#include "widgets/theme_colors.h"

#include <QDateTime>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>

namespace flowdeck::console {

ChartsPanel::ChartsPanel(const MetricsHistory& history, QWidget* parent)
    : QWidget(parent)
    , m_history(history) {
    setObjectName(QStringLiteral("ClusterCharts"));
    auto* grid = new QGridLayout(this);
    grid->setContentsMargins(0, 0, 0, 0);
    grid->setSpacing(4);
    const int columns = 3;
    for (const auto& [title, unit] : {std::pair{tr("Requests per second"), tr("req/s")},
                                      {tr("Latency"), tr("ms")},
                                      {tr("Error rate"), tr("%")},
                                      {tr("Active conversations"), tr("conversations")},
                                      {tr("State transitions per second"), tr("transitions/s")},
                                      {tr("Integration failures per second"), tr("failures/s")}}) {
        ChartAdapter* chart = addChart(title, unit);
        const int index = static_cast<int>(m_charts.size()) - 1;
        grid->addWidget(chart, index / columns, index % columns);
    }
    errors()->setPercent(true);
    buildControls();
}

ChartAdapter* ChartsPanel::addChart(const QString& title, const QString& unit) {
    auto* chart = new ChartAdapter(title, unit);
    m_charts.push_back(chart);
    connect(chart, &ChartAdapter::pauseToggled, this, &ChartsPanel::setPaused);
    connect(chart, &ChartAdapter::zoomed, this, [this, chart](qint64 from, qint64 to) {
        syncZoom(chart, std::pair{from, to});
    });
    connect(chart, &ChartAdapter::zoomReset, this,
            [this, chart] { syncZoom(chart, std::nullopt); });
    connect(chart, &ChartAdapter::statusMessage, this, &ChartsPanel::statusMessage);
    return chart;
}

void ChartsPanel::buildControls() {
    m_controls = new QWidget;
    auto* row = new QHBoxLayout(m_controls);
    row->setContentsMargins(0, 0, 0, 0);
    m_pause = new QPushButton(tr("Pause"));
    m_pause->setObjectName(QStringLiteral("ClusterChartsPause"));
    m_pause->setCheckable(true);
    m_pause->setToolTip(tr("Freeze the charts to look at them; data keeps being recorded"));
    connect(m_pause, &QPushButton::toggled, this, &ChartsPanel::setPaused);
    m_live = new QPushButton(tr("Live"));
    m_live->setObjectName(QStringLiteral("ClusterChartsLive"));
    m_live->setToolTip(tr("Resume and show the whole window again (or double-click a chart)"));
    connect(m_live, &QPushButton::clicked, this, [this] {
        resetZoom();
        setPaused(false);
    });
    m_notice = new QLabel;
    m_notice->setObjectName(QStringLiteral("ClusterChartsNotice"));
    row->addWidget(m_pause);
    row->addWidget(m_live);
    row->addWidget(m_notice);
    updateControls();
    theme::onPaletteChange(this, [this] { updateControls(); }); // the notice's colours
}

void ChartsPanel::refresh(const QList<ChartNode>& nodes, const std::optional<QString>& selected,
                          qint64 nowMs) {
    m_nodes = nodes;
    m_selected = selected;
    if (!m_pausedAtMs) {
        m_lastNowMs = nowMs;
    }
    const qint64 now = m_pausedAtMs.value_or(nowMs);
    const qint64 since = now - qint64(m_windowSeconds) * 1000;
    QList<ChartNode> shown;
    for (const ChartNode& node : nodes) {
        if (!selected || node.key == *selected) {
            shown.append(node);
        }
    }
    const auto draw = [&](ChartAdapter* chart, Metric metric) {
        chart->setLines(metricLines(m_history, shown, metric, since, now), since, now);
    };
    draw(requests(), Metric::RequestsPerSecond);
    draw(errors(), Metric::ErrorRate);
    draw(active(), Metric::ActiveConversations);
    draw(transitions(), Metric::TransitionsPerSecond);
    draw(integrationFailures(), Metric::IntegrationFailuresPerSecond);
    // One node: its three percentiles. Every node: p95 each, or the chart turns to spaghetti.
    latency()->setLines(selected
                            ? percentileLines(m_history, *selected, since, now)
                            : metricLines(m_history, shown, Metric::P95Ms, since, now, tr(" p95")),
                        since, now);
    updateControls();
}

void ChartsPanel::redraw() {
    refresh(m_nodes, m_selected, QDateTime::currentMSecsSinceEpoch());
}

void ChartsPanel::setWindowSeconds(int seconds) {
    m_windowSeconds = seconds;
    resetZoom(); // a zoom into the old window means little in the new one
    redraw();
}

void ChartsPanel::setPaused(bool paused) {
    if (paused == isPaused()) {
        return;
    }
    if (paused) {
        // Where the charts are now, so that nothing moves at the moment of pausing.
        m_pausedAtMs = m_lastNowMs > 0 ? m_lastNowMs : QDateTime::currentMSecsSinceEpoch();
    } else {
        m_pausedAtMs.reset();
    }
    for (ChartAdapter* chart : m_charts) {
        chart->setPaused(paused);
    }
    if (!paused) {
        redraw(); // catch up at once rather than at the next tick
    }
    updateControls();
}

void ChartsPanel::resetZoom() {
    for (ChartAdapter* chart : m_charts) {
        chart->resetZoom();
    }
    updateControls();
}

bool ChartsPanel::isZoomed() const {
    return m_charts.front()->isZoomed();
}

void ChartsPanel::syncZoom(ChartAdapter* source, std::optional<std::pair<qint64, qint64>> range) {
    for (ChartAdapter* chart : m_charts) {
        if (chart == source) {
            continue;
        }
        if (range) {
            chart->zoomTo(range->first, range->second);
        } else {
            chart->resetZoom();
        }
    }
    updateControls();
}

void ChartsPanel::updateControls() {
    const QSignalBlocker blocker(m_pause);
    m_pause->setChecked(isPaused());
    m_pause->setText(isPaused() ? tr("Resume") : tr("Pause"));
    m_live->setEnabled(isPaused() || isZoomed());
    const auto clock = [](qint64 ms) {
        return QDateTime::fromMSecsSinceEpoch(ms).toString(QStringLiteral("HH:mm:ss"));
    };
    QString notice;
    if (isPaused()) {
        notice = tr("PAUSED at %1 — still recording").arg(clock(*m_pausedAtMs));
        m_notice->setStyleSheet(
            theme::bannerStyle(theme::Tone::Warning, QStringLiteral("QLabel")) +
            QStringLiteral("QLabel { font-weight: bold; padding: 1px 6px; border-radius: 3px; }"));
    } else if (isZoomed()) {
        const ChartAdapter* chart = m_charts.front();
        notice =
            tr("Zoomed: %1 – %2").arg(clock(chart->visibleFromMs()), clock(chart->visibleToMs()));
        m_notice->setStyleSheet(
            QStringLiteral("QLabel { %1 }").arg(theme::textStyle(theme::Tone::Accent)));
    }
    m_notice->setText(notice);
    m_notice->setVisible(!notice.isEmpty());
}

} // namespace flowdeck::console
