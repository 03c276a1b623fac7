#include "clusters/chart_view.h"

#include <QChart>
#include <QContextMenuEvent>
#include <QMouseEvent>
#include <QRubberBand>
#include <QWheelEvent>

#include <algorithm>
#include <cstdlib>

namespace flowdeck::console {

namespace {

constexpr int kWheelStep = 120;   // one notch, QWheelEvent::angleDelta's unit
constexpr int kMinBandPixels = 6; // narrower is a click, not a zoom

} // namespace

ChartView::ChartView(QChart* chart, Handlers handlers, QWidget* parent)
    : QChartView(chart, parent)
    , m_handlers(std::move(handlers))
    , m_band(new QRubberBand(QRubberBand::Rectangle, viewport())) {
    // Hover values need moves without a button held, and those reach the viewport only.
    setMouseTracking(true);
    viewport()->setMouseTracking(true);
    setRubberBand(QChartView::NoRubberBand); // ours only zooms time, see mouseReleaseEvent
}

QPointF ChartView::toChart(const QPoint& viewPosition) const {
    return chart()->mapFromScene(mapToScene(viewPosition));
}

void ChartView::wheelEvent(QWheelEvent* event) {
    m_wheelRemainder += event->angleDelta().y();
    const int steps = m_wheelRemainder / kWheelStep;
    m_wheelRemainder %= kWheelStep;
    if (steps != 0 && m_handlers.wheel) {
        m_handlers.wheel(toChart(event->position().toPoint()).x(), steps);
    }
    event->accept();
}

void ChartView::mousePressEvent(QMouseEvent* event) {
    const QPointF at = toChart(event->position().toPoint());
    if (event->button() == Qt::LeftButton && m_handlers.bandStarts &&
        m_handlers.bandStarts(at.x())) {
        m_banding = true;
        m_bandOrigin = event->position().toPoint();
        updateBand(m_bandOrigin);
        m_band->show();
    }
    event->accept();
}

void ChartView::updateBand(const QPoint& to) {
    const QRectF plot = chart()->plotArea();
    const QPoint top = mapFromScene(chart()->mapToScene(plot.topLeft()));
    const QPoint bottom = mapFromScene(chart()->mapToScene(plot.bottomLeft()));
    const int left = std::min(m_bandOrigin.x(), to.x());
    const int right = std::max(m_bandOrigin.x(), to.x());
    m_band->setGeometry(QRect(QPoint(left, top.y()), QPoint(right, bottom.y())));
}

void ChartView::mouseMoveEvent(QMouseEvent* event) {
    if (m_banding) {
        updateBand(event->position().toPoint());
    }
    if (m_handlers.hover) {
        m_handlers.hover(toChart(event->position().toPoint()));
    }
    event->accept();
}

void ChartView::mouseReleaseEvent(QMouseEvent* event) {
    if (m_banding && event->button() == Qt::LeftButton) {
        m_banding = false;
        m_band->hide();
        const QPoint end = event->position().toPoint();
        if (std::abs(end.x() - m_bandOrigin.x()) >= kMinBandPixels && m_handlers.band) {
            m_handlers.band(toChart(m_bandOrigin).x(), toChart(end).x());
        }
    }
    event->accept();
}

void ChartView::mouseDoubleClickEvent(QMouseEvent* event) {
    if (event->button() == Qt::LeftButton && m_handlers.doubleClick) {
        m_handlers.doubleClick();
    }
    event->accept();
}

void ChartView::leaveEvent(QEvent* event) {
    if (m_handlers.leave) {
        m_handlers.leave();
    }
    QChartView::leaveEvent(event);
}

void ChartView::contextMenuEvent(QContextMenuEvent* event) {
    if (m_handlers.menu) {
        m_handlers.menu(event->globalPos());
    }
    event->accept();
}

} // namespace flowdeck::console
