#pragma once

#include <QChartView>
#include <QPoint>

#include <functional>

class QRubberBand;

namespace flowdeck::console {

// The QChartView under ChartAdapter: turns the mouse into time-axis gestures and hands them to
// the adapter as positions in the chart's own coordinates. It decides nothing itself, so every
// gesture has a programmatic twin on ChartAdapter that tests drive directly.
class ChartView final : public QChartView {
public:
    struct Handlers {
        std::function<void(double x, int steps)> wheel; // steps > 0: zoom in
        std::function<void(double fromX, double toX)> band;
        std::function<bool(double x)> bandStarts; // is x inside the plot area?
        std::function<void(QPointF position)> hover;
        std::function<void()> leave;
        std::function<void()> doubleClick;
        std::function<void(QPoint globalPosition)> menu;
    };

    ChartView(QChart* chart, Handlers handlers, QWidget* parent = nullptr);

protected:
    void wheelEvent(QWheelEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void mouseDoubleClickEvent(QMouseEvent* event) override;
    void leaveEvent(QEvent* event) override;
    void contextMenuEvent(QContextMenuEvent* event) override;

private:
    QPointF toChart(const QPoint& viewPosition) const;
    void updateBand(const QPoint& to);

    Handlers m_handlers;
    QRubberBand* m_band;
    QPoint m_bandOrigin;
    bool m_banding = false;
    int m_wheelRemainder = 0; // touchpads send fractions of a step
};

} // namespace flowdeck::console
