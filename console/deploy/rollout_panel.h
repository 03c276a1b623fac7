#pragma once

#include "clusters/chart_adapter.h"

#include "flowdeck/engine/release.h"

#include <QList>
#include <QPointF>
#include <QWidget>

#include <optional>

class QLabel;
class QProgressBar;
class QTableView;

namespace flowdeck::console {

class AnalysisTableModel;

// One flow's rollout in progress (or its latest): state, step i/n, the canary's share, stable
// and canary versions, what the step waits for and for how long, why it paused or aborted; the
// canary's numbers beside the stable version's as a table, and as two charts (error rate, p95)
// that gain one point per poll while the rollout runs.
class RolloutPanel final : public QWidget {
    Q_OBJECT
public:
    // Points kept per chart line: 45 minutes at one poll every 1.5 s.
    static constexpr int kMaxPoints = 1800;

    explicit RolloutPanel(QWidget* parent = nullptr);

    // Shows the flow's rollout as just polled; a different rollout id starts the charts afresh.
    void setRollout(const QString& flowId, const std::optional<engine::release::Rollout>& rollout,
                    qint64 nowMs);
    // Shows no rollout, with why (no flow selected, none deployed yet, …).
    void showEmpty(const QString& message);
    // Redraws what depends on the clock (the step's timer) without a poll.
    void refreshClock(qint64 nowMs);

    const std::optional<engine::release::Rollout>& rollout() const { return m_rollout; }
    AnalysisTableModel* analysisModel() const { return m_analysis; }
    ChartAdapter* errorChart() const { return m_errorChart; }
    ChartAdapter* latencyChart() const { return m_latencyChart; }
    QString stateText() const;
    QString stepText() const;
    QString timerText() const;
    QString reasonText() const;
    int percent() const;

private:
    QWidget* buildFacts();
    QWidget* buildCharts();
    void showFacts(const engine::release::Rollout& rollout);
    void appendPoint(const engine::release::Rollout& rollout, qint64 nowMs);
    void redrawCharts(qint64 nowMs);

    std::optional<engine::release::Rollout> m_rollout;
    QString m_flowId;
    AnalysisTableModel* m_analysis;
    QLabel* m_title = nullptr;
    QLabel* m_state = nullptr;
    QLabel* m_versions = nullptr;
    QLabel* m_step = nullptr;
    QProgressBar* m_percent = nullptr;
    QLabel* m_timer = nullptr;
    QLabel* m_started = nullptr;
    QLabel* m_reason = nullptr;
    QLabel* m_check = nullptr;
    QTableView* m_table = nullptr;
    ChartAdapter* m_errorChart = nullptr;
    ChartAdapter* m_latencyChart = nullptr;
    // canary error rate, stable error rate, canary p95, stable p95 (x: ms since the epoch)
    QList<QPointF> m_lines[4];
};

} // namespace flowdeck::console
