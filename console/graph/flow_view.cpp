#include "graph/flow_view.h"

#include "graph/flow_scene.h"
#include "graph/graph_style.h"
#include "widgets/theme_colors.h"

#include <QApplication>
#include <QDataStream>
#include <QDropEvent>
#include <QGraphicsItem>
#include <QKeyEvent>
#include <QMimeData>
#include <QMouseEvent>
#include <QPaintEvent>
#include <QPainter>
#include <QScrollBar>
#include <QWheelEvent>
#include <QtMath>

namespace flowdeck::console {

namespace {
constexpr qreal kMinZoom = 0.01;
constexpr qreal kMaxZoom = 4.0;
// Overview mode: at most this zoom, with at least this many states, the view paints one cached
// picture of the flow. The picture is re-rendered when the scene changes or the zoom drifts
// past kOverviewRescale from the zoom it was rendered at; panning only moves it.
constexpr qreal kOverviewZoom = 0.1;
constexpr int kOverviewStates = 2000;
constexpr qreal kOverviewRescale = 1.5;
constexpr int kOverviewMaxPixels = 4096;
} // namespace

FlowView::FlowView(FlowScene* scene, QWidget* parent)
    : QGraphicsView(scene, parent) {
    setRenderHint(QPainter::Antialiasing);
    setRenderHint(QPainter::TextAntialiasing);
    setDragMode(RubberBandDrag);
    setRubberBandSelectionMode(Qt::IntersectsItemShape);
    setTransformationAnchor(AnchorUnderMouse);
    setResizeAnchor(AnchorViewCenter);
    setViewportUpdateMode(SmartViewportUpdate);
    // Every item sets the pen, brush, font and hints it uses, so the view need not save and
    // restore the painter around each of the thousands of items of a large flow.
    setOptimizationFlags(DontAdjustForAntialiasing | DontSavePainterState);
    setFrameShape(QFrame::NoFrame);
    setFocusPolicy(Qt::StrongFocus);
    connect(this, &FlowView::zoomChanged, scene,
            [scene](qreal zoom) { scene->setDetailed(zoom >= graph_style::kDetailLevel); });
    connect(scene, &FlowScene::ensureVisibleRequested, this,
            [this](const QRectF& rect) { ensureVisible(rect, 60, 60); });
    // What can change the picture. (Not QGraphicsScene::changed: connecting to it makes every
    // item update go through the scene for good, which costs the detailed view its frames.)
    const auto invalidate = [this] {
        m_overviewDirty = true;
        if (showsOverview()) {
            viewport()->update();
        }
    };
    FlowDocument* document = scene->document();
    connect(document, &FlowDocument::documentReset, this, invalidate);
    connect(document, &FlowDocument::stateInserted, this, invalidate);
    connect(document, &FlowDocument::stateRemoved, this, invalidate);
    connect(document, &FlowDocument::stateChanged, this, invalidate);
    connect(document, &FlowDocument::positionChanged, this, invalidate);
    connect(scene, &QGraphicsScene::selectionChanged, this, invalidate);
    connect(scene, &QGraphicsScene::sceneRectChanged, this, invalidate);
    connect(scene, &FlowScene::decorationsChanged, this, invalidate);
    // Items keep a device-coordinate cache of their picture, colours included: a theme switch
    // must drop every cache, or the canvas stays in the old theme until each item is touched.
    theme::onPaletteChange(this, [this, invalidate] {
        for (QGraphicsItem* item : this->scene()->items()) {
            item->update();
        }
        invalidate();
        viewport()->update();
    });
}

bool FlowView::showsOverview() const {
    const auto* flowScene = static_cast<const FlowScene*>(scene());
    return zoom() <= kOverviewZoom && flowScene->stateItemCount() >= kOverviewStates;
}

void FlowView::renderOverview() {
    m_overviewRect = sceneRect();
    m_overviewZoom = zoom();
    const qreal ratio = viewport()->devicePixelRatioF();
    QSizeF size = m_overviewRect.size() * m_overviewZoom * ratio;
    size.scale(size.boundedTo(QSizeF(kOverviewMaxPixels, kOverviewMaxPixels)), Qt::KeepAspectRatio);
    m_overview = QPixmap(size.toSize().expandedTo(QSize(1, 1)));
    m_overview.fill(QApplication::palette().color(QPalette::Window));
    QPainter painter(&m_overview);
    painter.setRenderHint(QPainter::Antialiasing);
    scene()->render(&painter, QRectF(m_overview.rect()), m_overviewRect, Qt::IgnoreAspectRatio);
    m_overviewDirty = false;
}

void FlowView::paintEvent(QPaintEvent* event) {
    if (!showsOverview()) {
        QGraphicsView::paintEvent(event);
        return;
    }
    const qreal drift = zoom() / qMax(m_overviewZoom, 1e-6);
    if (m_overviewDirty || m_overview.isNull() || drift > kOverviewRescale ||
        drift < 1 / kOverviewRescale) {
        renderOverview();
    }
    QPainter painter(viewport());
    painter.fillRect(event->rect(), QApplication::palette().color(QPalette::Window));
    painter.setTransform(viewportTransform());
    painter.setRenderHint(QPainter::SmoothPixmapTransform);
    painter.drawPixmap(m_overviewRect, m_overview, QRectF(m_overview.rect()));
    if (const QRect band = rubberBandRect(); !band.isNull()) {
        painter.resetTransform();
        QColor fill = QApplication::palette().color(QPalette::Highlight);
        painter.setPen(fill);
        fill.setAlpha(50);
        painter.setBrush(fill);
        painter.drawRect(band.adjusted(0, 0, -1, -1));
    }
}

qreal FlowView::zoom() const {
    return transform().m11();
}

void FlowView::setZoom(qreal zoom, QPointF sceneAnchor) {
    zoom = qBound(kMinZoom, zoom, kMaxZoom);
    const QPoint anchorInView = mapFromScene(sceneAnchor);
    setTransform(QTransform::fromScale(zoom, zoom));
    // Keep the anchor under the same viewport pixel.
    const QPointF drift = mapToScene(anchorInView) - sceneAnchor;
    centerOn(mapToScene(viewport()->rect().center()) - drift);
    Q_EMIT zoomChanged(zoom);
}

void FlowView::zoomBy(qreal factor) {
    m_keepFitted = false;
    setZoom(zoom() * factor, visibleCenter());
}

void FlowView::zoomToFit() {
    QRectF bounds = scene()->itemsBoundingRect();
    if (bounds.isEmpty()) {
        resetZoom();
        return;
    }
    bounds.adjust(-40, -40, 40, 40);
    fitInView(bounds, Qt::KeepAspectRatio);
    if (zoom() > 1.0) {
        setZoom(1.0, bounds.center());
    } else if (zoom() < kMinZoom) {
        setZoom(kMinZoom, bounds.center());
    }
    centerOn(bounds.center());
    Q_EMIT zoomChanged(zoom());
}

void FlowView::fitUntilUserZooms() {
    m_keepFitted = true;
    zoomToFit();
}

void FlowView::resizeEvent(QResizeEvent* event) {
    QGraphicsView::resizeEvent(event);
    if (m_keepFitted) {
        zoomToFit();
    }
}

void FlowView::resetZoom() {
    setZoom(1.0, visibleCenter());
}

QPointF FlowView::visibleCenter() const {
    return mapToScene(viewport()->rect().center());
}

void FlowView::wheelEvent(QWheelEvent* event) {
    const qreal steps = event->angleDelta().y() / 120.0;
    if (qFuzzyIsNull(steps)) {
        QGraphicsView::wheelEvent(event);
        return;
    }
    m_keepFitted = false;
    setZoom(zoom() * qPow(1.15, steps), mapToScene(event->position().toPoint()));
    event->accept();
}

void FlowView::mousePressEvent(QMouseEvent* event) {
    if (event->button() == Qt::MiddleButton || (m_spacePan && event->button() == Qt::LeftButton)) {
        m_middlePan = true;
        m_keepFitted = false;
        setDragMode(ScrollHandDrag);
        // ScrollHandDrag only reacts to the left button: replay the press as one.
        QMouseEvent left(event->type(), event->position(), event->globalPosition(), Qt::LeftButton,
                         Qt::LeftButton, event->modifiers());
        QGraphicsView::mousePressEvent(&left);
        return;
    }
    QGraphicsView::mousePressEvent(event);
}

void FlowView::mouseReleaseEvent(QMouseEvent* event) {
    if (m_middlePan) {
        QMouseEvent left(event->type(), event->position(), event->globalPosition(), Qt::LeftButton,
                         Qt::NoButton, event->modifiers());
        QGraphicsView::mouseReleaseEvent(&left);
        m_middlePan = false;
        setDragMode(m_spacePan ? ScrollHandDrag : RubberBandDrag);
        return;
    }
    QGraphicsView::mouseReleaseEvent(event);
}

void FlowView::keyPressEvent(QKeyEvent* event) {
    if (event->key() == Qt::Key_Space && !event->isAutoRepeat()) {
        m_spacePan = true;
        setDragMode(ScrollHandDrag);
        return;
    }
    QGraphicsView::keyPressEvent(event);
}

void FlowView::keyReleaseEvent(QKeyEvent* event) {
    if (event->key() == Qt::Key_Space && !event->isAutoRepeat()) {
        m_spacePan = false;
        setDragMode(RubberBandDrag);
        return;
    }
    QGraphicsView::keyReleaseEvent(event);
}

void FlowView::drawBackground(QPainter* painter, const QRectF& rect) {
    const QPalette palette = QApplication::palette();
    painter->fillRect(rect, palette.color(QPalette::Window));
    if (zoom() < 0.5) {
        return; // a dot grid at this scale is noise, and costs a frame on huge flows
    }
    constexpr qreal kGrid = 24;
    QColor dot = palette.color(QPalette::Mid);
    dot.setAlpha(110);
    painter->setPen(QPen(dot, 1.5 / zoom()));
    const qreal left = std::floor(rect.left() / kGrid) * kGrid;
    const qreal top = std::floor(rect.top() / kGrid) * kGrid;
    QVector<QPointF> points;
    for (qreal x = left; x < rect.right(); x += kGrid) {
        for (qreal y = top; y < rect.bottom(); y += kGrid) {
            points.push_back({x, y});
        }
    }
    painter->drawPoints(points.data(), int(points.size()));
}

namespace {

// QListWidget drags carry their items in this Qt-internal format; the palette stores the state
// type in Qt::UserRole.
const QString kListMime = QStringLiteral("application/x-qabstractitemmodeldatalist");

std::optional<int> droppedStateType(const QMimeData* mime) {
    if (!mime || !mime->hasFormat(kListMime)) {
        return std::nullopt;
    }
    QByteArray data = mime->data(kListMime);
    QDataStream stream(&data, QIODevice::ReadOnly);
    int row = 0;
    int column = 0;
    QMap<int, QVariant> roles;
    stream >> row >> column >> roles;
    if (stream.status() != QDataStream::Ok || !roles.contains(Qt::UserRole)) {
        return std::nullopt;
    }
    return roles.value(Qt::UserRole).toInt();
}

} // namespace

void FlowView::dragEnterEvent(QDragEnterEvent* event) {
    if (droppedStateType(event->mimeData())) {
        event->acceptProposedAction();
        return;
    }
    QGraphicsView::dragEnterEvent(event);
}

void FlowView::dragMoveEvent(QDragMoveEvent* event) {
    if (droppedStateType(event->mimeData())) {
        event->acceptProposedAction();
        return;
    }
    QGraphicsView::dragMoveEvent(event);
}

void FlowView::dropEvent(QDropEvent* event) {
    if (const auto type = droppedStateType(event->mimeData())) {
        Q_EMIT stateTypeDropped(*type, mapToScene(event->position().toPoint()));
        event->acceptProposedAction();
        return;
    }
    QGraphicsView::dropEvent(event);
}

} // namespace flowdeck::console
