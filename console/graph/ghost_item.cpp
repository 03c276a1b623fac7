#include "graph/ghost_item.h"

#include "graph/graph_style.h"

#include <QApplication>
#include <QFontMetricsF>
#include <QPainter>
#include <QPainterPathStroker>
#include <QPalette>
#include <QtMath>

namespace flowdeck::console {

namespace gs = graph_style;

namespace {

constexpr qreal kRadius = 8;
constexpr qreal kArrow = 10;
// Removed arrows bend further than a single live arrow (which runs straight), so one that ran
// beside a surviving arrow between the same two states stays apart from it.
constexpr qreal kBend = 44;

QRectF boxRect() {
    return QRectF(QPointF(0, 0), gs::stateSize());
}

QPointF exitPoint(const QRectF& box, QPointF toward) {
    const QPointF c = box.center();
    const QPointF d = toward - c;
    if (qFuzzyIsNull(d.x()) && qFuzzyIsNull(d.y())) {
        return c;
    }
    const qreal tx = qFuzzyIsNull(d.x()) ? 1e9 : (box.width() / 2) / qAbs(d.x());
    const qreal ty = qFuzzyIsNull(d.y()) ? 1e9 : (box.height() / 2) / qAbs(d.y());
    return c + d * qMin(qMin(tx, ty), 1.0);
}

QFont labelFont() {
    QFont font = QApplication::font();
    font.setPointSizeF(font.pointSizeF() * 0.8);
    return font;
}

} // namespace

QColor removedColor() {
    const QPalette palette = QApplication::palette();
    const bool dark = palette.color(QPalette::Window).lightness() <
                      palette.color(QPalette::WindowText).lightness();
    return dark ? QColor(0xf8, 0x71, 0x71) : QColor(0xdc, 0x26, 0x26);
}

GhostItem::GhostItem(const GhostState& state)
    : m_state(state) {
    // Selectable so the Changes list can point at it; never movable or focusable, so no gesture
    // can turn it into an edit.
    setFlags(ItemIsSelectable);
    setPos(state.position);
    setZValue(0.5); // under live boxes, over arrows
    setOpacity(0.7);
    setToolTip(state.toolTip);
}

QRectF GhostItem::box() const {
    return QRectF(pos(), gs::stateSize());
}

QRectF GhostItem::boundingRect() const {
    return boxRect().adjusted(-4, -12, 4, 4);
}

QPainterPath GhostItem::shape() const {
    QPainterPath path;
    path.addRoundedRect(boxRect(), kRadius, kRadius);
    return path;
}

void GhostItem::paint(QPainter* painter, const QStyleOptionGraphicsItem*, QWidget*) {
    const QPalette palette = QApplication::palette();
    const QColor red = removedColor();
    painter->setRenderHint(QPainter::Antialiasing);
    QPen outline(isSelected() ? gs::accentColor() : red, isSelected() ? 2.5 : 1.6, Qt::DashLine);
    painter->setPen(outline);
    painter->setBrush(palette.color(QPalette::Window));
    painter->drawRoundedRect(boxRect(), kRadius, kRadius);

    const QRectF inner = boxRect().adjusted(14, 6, -10, -6);
    QFont small = QApplication::font();
    small.setPointSizeF(small.pointSizeF() * 0.75);
    small.setBold(true);
    painter->setFont(small);
    painter->setPen(palette.color(QPalette::PlaceholderText));
    painter->drawText(QRectF(inner.left(), inner.top(), inner.width(), 14),
                      Qt::AlignLeft | Qt::AlignVCenter, gs::typeLabel(m_state.type));

    QFont title = QApplication::font();
    title.setBold(true);
    title.setStrikeOut(true);
    painter->setFont(title);
    painter->setPen(palette.color(QPalette::Text));
    const QFontMetricsF titleMetrics(title);
    painter->drawText(QRectF(inner.left(), inner.top() + 15, inner.width(), 20),
                      Qt::AlignLeft | Qt::AlignVCenter,
                      titleMetrics.elidedText(m_state.name, Qt::ElideRight, inner.width()));

    QFont body = QApplication::font();
    body.setPointSizeF(body.pointSizeF() * 0.85);
    painter->setFont(body);
    painter->setPen(palette.color(QPalette::PlaceholderText));
    painter->drawText(
        QRectF(inner.left(), inner.top() + 37, inner.width(), 18), Qt::AlignLeft | Qt::AlignVCenter,
        QFontMetricsF(body).elidedText(m_state.summary, Qt::ElideRight, inner.width()));

    painter->setFont(small);
    const QString badge = QObject::tr("removed");
    const qreal width = QFontMetricsF(small).horizontalAdvance(badge) + 14;
    const QRectF pill(boxRect().right() - width - 8, -8, width, 16);
    painter->setPen(Qt::NoPen);
    painter->setBrush(red);
    painter->drawRoundedRect(pill, 8, 8);
    painter->setPen(red.lightness() > 150 ? QColor(0x1f, 0x1f, 0x1f) : QColor(Qt::white));
    painter->drawText(pill, Qt::AlignCenter, badge);
}

GhostEdgeItem::GhostEdgeItem(const GhostTransition& transition)
    : m_transition(transition) {
    setZValue(-0.1); // under live arrows
    setOpacity(0.85);
}

void GhostEdgeItem::setEnds(const QRectF& from, const QRectF& to) {
    prepareGeometryChange();
    QPointF tip;
    QPointF tangentFrom;
    if (from == to) {
        // A removed self-loop arcs on the left of the box, away from the live loops on the right.
        const QPointF start(from.left() + 40, from.top());
        tip = QPointF(from.left(), from.top() + 26);
        tangentFrom = tip + QPointF(-46, 0);
        m_path = QPainterPath(start);
        m_path.cubicTo(start + QPointF(0, -46), tangentFrom, tip);
        m_labelPos = m_path.pointAtPercent(0.5) + QPointF(-12, -12);
    } else {
        const QPointF a = from.center();
        const QPointF b = to.center();
        const qreal length = QLineF(a, b).length();
        const QPointF normal =
            length > 0 ? QPointF(-(b.y() - a.y()), b.x() - a.x()) / length : QPointF(0, 1);
        tangentFrom = (a + b) / 2 + normal * kBend * 2;
        const QPointF start = exitPoint(from, tangentFrom);
        tip = exitPoint(to, tangentFrom);
        m_path = QPainterPath(start);
        m_path.quadTo(tangentFrom, tip);
        m_labelPos = m_path.pointAtPercent(0.5);
    }
    const qreal angle = qDegreesToRadians(QLineF(tip, tangentFrom).angle());
    const auto wing = [&](qreal delta) {
        return tip + QPointF(qCos(angle + delta) * kArrow, -qSin(angle + delta) * kArrow);
    };
    m_arrow = QPolygonF({tip, wing(0.45), wing(-0.45)});
    const QRectF label(m_labelPos - QPointF(90, 12), QSizeF(180, 24));
    m_bounds =
        m_path.boundingRect().united(m_arrow.boundingRect()).united(label).adjusted(-4, -4, 4, 4);
}

QPainterPath GhostEdgeItem::shape() const {
    QPainterPathStroker stroker;
    stroker.setWidth(8);
    return stroker.createStroke(m_path);
}

void GhostEdgeItem::paint(QPainter* painter, const QStyleOptionGraphicsItem*, QWidget*) {
    const QColor red = removedColor();
    painter->setRenderHint(QPainter::Antialiasing);
    painter->setPen(QPen(red, 1.6, Qt::DashLine));
    painter->setBrush(Qt::NoBrush);
    painter->drawPath(m_path);
    painter->setPen(Qt::NoPen);
    painter->setBrush(red);
    painter->drawPolygon(m_arrow);

    const QFont font = labelFont();
    const QFontMetricsF metrics(font);
    const qreal width = qMin(metrics.horizontalAdvance(m_transition.label) + 12, 176.0);
    const QRectF pill(m_labelPos - QPointF(width / 2, 9), QSizeF(width, 18));
    painter->setPen(QPen(red, 1, Qt::DashLine));
    painter->setBrush(QApplication::palette().color(QPalette::Base));
    painter->drawRoundedRect(pill, 9, 9);
    QFont struck = font;
    struck.setStrikeOut(true);
    painter->setFont(struck);
    painter->setPen(red);
    painter->drawText(pill, Qt::AlignCenter,
                      metrics.elidedText(m_transition.label, Qt::ElideRight, width - 10));
}

} // namespace flowdeck::console
