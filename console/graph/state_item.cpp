#include "graph/state_item.h"

#include "graph/flow_scene.h"
#include "graph/graph_style.h"
#include "widgets/theme_colors.h"

#include <QApplication>
#include <QFontMetricsF>
#include <QGraphicsSceneHoverEvent>
#include <QPainter>
#include <QPalette>
#include <QStyleOptionGraphicsItem>

namespace flowdeck::console {

namespace gs = graph_style;

namespace {

constexpr qreal kRadius = 8;
constexpr qreal kStrip = 6;
constexpr qreal kConnector = 12;

QRectF boxRect() {
    return QRectF(QPointF(0, 0), gs::stateSize());
}

} // namespace

StateItem::StateItem(StateId id)
    : m_id(id) {
    setFlags(ItemIsSelectable | ItemIsMovable | ItemSendsGeometryChanges | ItemIsFocusable);
    setAcceptHoverEvents(true);
    // Text is the costly part of a box; caching the rendered box keeps panning of large flows
    // smooth.
    setCacheMode(DeviceCoordinateCache);
    setZValue(1);
}

FlowScene* StateItem::flowScene() const {
    return static_cast<FlowScene*>(scene());
}

QRectF StateItem::boundingRect() const {
    // Room for the selection outline, the badge above and the connector below.
    return boxRect().adjusted(-4, -12, 4, kConnector + 4);
}

QPainterPath StateItem::shape() const {
    QPainterPath path;
    path.addRoundedRect(boxRect(), kRadius, kRadius);
    path.addEllipse(connectorRect());
    return path;
}

QRectF StateItem::connectorRect() const {
    const QRectF box = boxRect();
    return QRectF(box.center().x() - kConnector / 2, box.bottom() - kConnector / 2, kConnector,
                  kConnector);
}

bool StateItem::isOnConnector(QPointF scenePos) const {
    return connectorRect().adjusted(-3, -3, 3, 3).contains(mapFromScene(scenePos));
}

void StateItem::paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget*) {
    FlowScene* scene = flowScene();
    const engine::State* state = scene ? scene->document()->state(m_id) : nullptr;
    if (!state) {
        return;
    }
    const QPalette palette = QApplication::palette();
    const qreal detail = option->levelOfDetailFromTransform(painter->worldTransform());
    const QColor color = gs::typeColor(state->type);
    const StateDecoration& decoration = scene->decoration(m_id);

    QColor border = palette.color(QPalette::Mid);
    qreal borderWidth = 1;
    if (decoration.highlight.isValid()) {
        border = decoration.highlight;
        borderWidth = 3;
    }
    if (isSelected()) {
        border = gs::accentColor();
        borderWidth = 2.5;
    }
    if (detail < gs::kDetailLevel) {
        painter->setPen(isSelected() || decoration.highlight.isValid()
                            ? QPen(border, borderWidth * 2)
                            : Qt::NoPen);
        painter->setBrush(decoration.errors > 0 ? gs::errorColor() : color);
        painter->drawRect(boxRect());
        return;
    }
    painter->setRenderHint(QPainter::Antialiasing);
    painter->setPen(QPen(border, borderWidth));
    painter->setBrush(palette.color(QPalette::Base));
    painter->drawRoundedRect(boxRect(), kRadius, kRadius);
    // Type strip on the left edge.
    QPainterPath strip;
    strip.addRoundedRect(QRectF(0, 0, kStrip * 2, boxRect().height()), kRadius, kRadius);
    QPainterPath clip;
    clip.addRect(QRectF(0, 0, kStrip, boxRect().height()));
    painter->fillPath(strip.intersected(clip), color);
    paintDetail(painter, *state);
    paintMarkers(painter, *state);
    if (m_hovered || isSelected()) {
        painter->setPen(QPen(palette.color(QPalette::Base), 2));
        painter->setBrush(gs::accentColor());
        painter->drawEllipse(connectorRect());
    }
}

void StateItem::paintDetail(QPainter* painter, const engine::State& state) {
    const QPalette palette = QApplication::palette();
    const QRectF inner = boxRect().adjusted(kStrip + 8, 6, -10, -6);
    QFont small = QApplication::font();
    small.setPointSizeF(small.pointSizeF() * 0.75);
    small.setBold(true);
    small.setLetterSpacing(QFont::PercentageSpacing, 108);
    painter->setFont(small);
    painter->setPen(gs::typeColor(state.type));
    painter->drawText(QRectF(inner.left(), inner.top(), inner.width(), 14),
                      Qt::AlignLeft | Qt::AlignVCenter, gs::typeLabel(state.type));

    QFont title = QApplication::font();
    title.setBold(true);
    painter->setFont(title);
    painter->setPen(palette.color(QPalette::Text));
    const QFontMetricsF titleMetrics(title);
    const QString name =
        titleMetrics.elidedText(QString::fromStdString(state.name), Qt::ElideRight, inner.width());
    painter->drawText(QRectF(inner.left(), inner.top() + 15, inner.width(), 20),
                      Qt::AlignLeft | Qt::AlignVCenter, name);

    QFont body = QApplication::font();
    body.setPointSizeF(body.pointSizeF() * 0.85);
    painter->setFont(body);
    painter->setPen(palette.color(QPalette::PlaceholderText));
    const QFontMetricsF bodyMetrics(body);
    const QString summary =
        bodyMetrics.elidedText(gs::stateSummary(state), Qt::ElideRight, inner.width());
    painter->drawText(QRectF(inner.left(), inner.top() + 37, inner.width(), 18),
                      Qt::AlignLeft | Qt::AlignVCenter, summary);
}

void StateItem::paintMarkers(QPainter* painter, const engine::State& state) {
    const FlowHeader& header = flowScene()->document()->header();
    const StateDecoration& decoration = flowScene()->decoration(m_id);
    struct Tag {
        QString text;
        QColor fill;
    };
    QVector<Tag> tags;
    if (header.initialState == state.name) {
        tags.push_back({QObject::tr("start"), gs::startColor()});
    }
    if (header.errorState == state.name) {
        tags.push_back({QObject::tr("on error"), theme::fill(theme::Tone::Error)});
    }
    if (!decoration.badge.isEmpty()) {
        tags.push_back({decoration.badge,
                        decoration.highlight.isValid() ? decoration.highlight : gs::accentColor()});
    }
    QFont small = QApplication::font();
    small.setPointSizeF(small.pointSizeF() * 0.72);
    small.setBold(true);
    painter->setFont(small);
    const QFontMetricsF metrics(small);
    qreal x = boxRect().right() - 8;
    for (const Tag& tag : tags) {
        const qreal width = metrics.horizontalAdvance(tag.text) + 12;
        x -= width;
        const QRectF pill(x, -8, width, 16);
        painter->setPen(Qt::NoPen);
        painter->setBrush(tag.fill);
        painter->drawRoundedRect(pill, 8, 8);
        painter->setPen(theme::textOn(tag.fill));
        painter->drawText(pill, Qt::AlignCenter, tag.text);
        x -= 4;
    }
    if (decoration.errors > 0 || decoration.warnings > 0) {
        const QColor fill =
            theme::fill(decoration.errors > 0 ? theme::Tone::Error : theme::Tone::Warning);
        const QString count =
            QString::number(decoration.errors > 0 ? decoration.errors : decoration.warnings);
        const QRectF dot(boxRect().right() - 26, boxRect().bottom() - 24, 18, 18);
        painter->setPen(Qt::NoPen);
        painter->setBrush(fill);
        painter->drawEllipse(dot);
        painter->setPen(theme::textOn(fill));
        painter->drawText(dot, Qt::AlignCenter,
                          decoration.errors > 0 ? QStringLiteral("!") : count);
    }
    if (state.type == engine::StateType::End) {
        painter->setPen(QPen(QApplication::palette().color(QPalette::Mid), 1));
        painter->setBrush(Qt::NoBrush);
        painter->drawRoundedRect(boxRect().adjusted(3, 3, -3, -3), kRadius - 2, kRadius - 2);
    }
}

QVariant StateItem::itemChange(GraphicsItemChange change, const QVariant& value) {
    if (change == ItemPositionHasChanged && scene()) {
        flowScene()->stateItemMoved(m_id);
    }
    if (change == ItemSelectedHasChanged) {
        update();
    }
    return QGraphicsItem::itemChange(change, value);
}

void StateItem::hoverEnterEvent(QGraphicsSceneHoverEvent* event) {
    m_hovered = true;
    const StateDecoration& decoration = flowScene()->decoration(m_id);
    setToolTip(decoration.problem);
    update();
    QGraphicsItem::hoverEnterEvent(event);
}

void StateItem::hoverLeaveEvent(QGraphicsSceneHoverEvent* event) {
    m_hovered = false;
    update();
    QGraphicsItem::hoverLeaveEvent(event);
}

} // namespace flowdeck::console
