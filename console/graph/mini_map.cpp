#include "graph/mini_map.h"

#include "graph/flow_view.h"
#include "graph/graph_style.h"

#include <QEvent>
#include <QMouseEvent>
#include <QScrollBar>
#include <QTimer>

namespace flowdeck::console {

MiniMap::MiniMap(FlowView* view, QWidget* parent)
    : QGraphicsView(view->scene(), parent)
    , m_view(view)
    , m_timer(new QTimer(this)) {
    setObjectName(QStringLiteral("MiniMap"));
    setFixedSize(180, 120);
    setInteractive(false);
    setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    setViewportUpdateMode(NoViewportUpdate);
    setFrameShape(QFrame::Box);
    setStyleSheet(QStringLiteral("QGraphicsView#MiniMap { border: 1px solid palette(mid); }"));
    m_timer->setSingleShot(true);
    m_timer->setInterval(250);
    connect(m_timer, &QTimer::timeout, this, &MiniMap::refresh);
    connect(view->scene(), &QGraphicsScene::changed, m_timer, qOverload<>(&QTimer::start));
    for (QScrollBar* bar : {view->horizontalScrollBar(), view->verticalScrollBar()}) {
        connect(bar, &QScrollBar::valueChanged, this, [this] {
            updateVisibility();
            viewport()->update();
        });
    }
    connect(view, &FlowView::zoomChanged, this, [this] {
        updateVisibility();
        viewport()->update();
    });
    view->viewport()->installEventFilter(this);
    reposition();
}

void MiniMap::refresh() {
    const QRectF bounds = scene()->itemsBoundingRect().adjusted(-40, -40, 40, 40);
    fitInView(bounds, Qt::KeepAspectRatio);
    updateVisibility();
    viewport()->update();
}

// The overview only earns its corner when part of the flow is out of sight.
void MiniMap::updateVisibility() {
    const QRectF visible = m_view->mapToScene(m_view->viewport()->rect()).boundingRect();
    setVisible(m_enabled && !visible.contains(scene()->itemsBoundingRect()));
}

void MiniMap::setEnabledByUser(bool enabled) {
    m_enabled = enabled;
    updateVisibility();
}

void MiniMap::drawForeground(QPainter* painter, const QRectF&) {
    const QRectF visible = m_view->mapToScene(m_view->viewport()->rect()).boundingRect();
    QColor fill = graph_style::accentColor();
    fill.setAlpha(40);
    painter->setPen(QPen(graph_style::accentColor(), 0));
    painter->setBrush(fill);
    painter->drawRect(visible);
}

void MiniMap::mousePressEvent(QMouseEvent* event) {
    m_view->centerOn(mapToScene(event->position().toPoint()));
}

void MiniMap::mouseMoveEvent(QMouseEvent* event) {
    if (event->buttons() & Qt::LeftButton) {
        m_view->centerOn(mapToScene(event->position().toPoint()));
    }
}

void MiniMap::resizeEvent(QResizeEvent* event) {
    QGraphicsView::resizeEvent(event);
    refresh();
}

bool MiniMap::eventFilter(QObject* watched, QEvent* event) {
    if (event->type() == QEvent::Resize) {
        reposition();
    }
    return QGraphicsView::eventFilter(watched, event);
}

void MiniMap::reposition() {
    const QRect area = m_view->viewport()->geometry();
    move(area.right() - width() - 12, area.bottom() - height() - 12);
    raise();
}

} // namespace flowdeck::console
