#pragma once

#include "clusters/chart_lines.h"

#include <QWidget>

#include <optional>
#include <vector>

class QLabel;
class QPushButton;

namespace flowdeck::console {

class ChartAdapter;
class MetricsHistory;

// The Clusters charts: requests/s, latency, error rate, active conversations, transitions/s and
// integration failures/s, drawn from the metric history for a window of 5 min, 1 h or 6 h.
// Pausing freezes every chart's time range at once (the history keeps recording); zooming one
// chart's time axis zooms them all, so that a moment can be compared across metrics.
class ChartsPanel final : public QWidget {
    Q_OBJECT
public:
    explicit ChartsPanel(const MetricsHistory& history, QWidget* parent = nullptr);

    // Redraws from the history: one line per node plus the cluster line, or with `selected`
    // only that node (and its p50/p95/p99 on the latency chart).
    void refresh(const QList<ChartNode>& nodes, const std::optional<QString>& selected,
                 qint64 nowMs);
    // refresh() again with the last nodes and selection, at the current time.
    void redraw();
    void setWindowSeconds(int seconds);
    int windowSeconds() const { return m_windowSeconds; }

    void setPaused(bool paused);
    bool isPaused() const { return m_pausedAtMs.has_value(); }
    // The moment the charts stopped at, while paused.
    std::optional<qint64> pausedAtMs() const { return m_pausedAtMs; }
    void resetZoom();
    bool isZoomed() const;

    const std::vector<ChartAdapter*>& charts() const { return m_charts; }
    ChartAdapter* requests() const { return m_charts[0]; }
    ChartAdapter* latency() const { return m_charts[1]; }
    ChartAdapter* errors() const { return m_charts[2]; }
    ChartAdapter* active() const { return m_charts[3]; }
    ChartAdapter* transitions() const { return m_charts[4]; }
    ChartAdapter* integrationFailures() const { return m_charts[5]; }
    // Pause/resume, back to live and the paused notice, for the workspace's toolbar.
    QWidget* controls() const { return m_controls; }
    QPushButton* pauseButton() const { return m_pause; }
    QLabel* pausedNotice() const { return m_notice; }

Q_SIGNALS:
    void statusMessage(const QString& message, int timeoutMs);

private:
    ChartAdapter* addChart(const QString& title, const QString& unit);
    void buildControls();
    void syncZoom(ChartAdapter* source, std::optional<std::pair<qint64, qint64>> range);
    void updateControls();

    const MetricsHistory& m_history;
    std::vector<ChartAdapter*> m_charts;
    QWidget* m_controls = nullptr;
    QPushButton* m_pause = nullptr;
    QPushButton* m_live = nullptr;
    QLabel* m_notice = nullptr;
    int m_windowSeconds = 300;
    qint64 m_lastNowMs = 0;
    QList<ChartNode> m_nodes;
    std::optional<QString> m_selected;
    std::optional<qint64> m_pausedAtMs;
};

} // namespace flowdeck::console
