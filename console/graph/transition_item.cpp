#include "graph/transition_item.h"

#include "graph/graph_style.h"

#include <QApplication>
#include <QFontMetricsF>
#include <QPainter>
#include <QPainterPathStroker>
#include <QPalette>
#include <QStyleOptionGraphicsItem>
#include <QtMath>

namespace flowdeck::console {

namespace gs = graph_style;

namespace {

constexpr qreal kArrow = 10;
constexpr qreal kLaneSpacing = 34;

// Where the segment from the centre of `box` towards `toward` leaves the box.
QPointF exitPoint(const QRectF& box, QPointF toward) {
    const QPointF c = box.center();
    const QPointF d = toward - c;
    if (qFuzzyIsNull(d.x()) && qFuzzyIsNull(d.y())) {
        return c;
    }
    const qreal tx = qFuzzyIsNull(d.x()) ? 1e9 : (box.width() / 2) / qAbs(d.x());
    const qreal ty = qFuzzyIsNull(d.y()) ? 1e9 : (box.height() / 2) / qAbs(d.y());
    const qreal t = qMin(qMin(tx, ty), 1.0);
    return c + d * t;
}

QPointF quadPoint(QPointF a, QPointF control, QPointF b, qreal t) {
    const qreal u = 1 - t;
    return a * (u * u) + control * (2 * u * t) + b * (t * t);
}

} // namespace

TransitionItem::TransitionItem(StateId source, int index)
    : m_source(source)
    , m_index(index) {
    setFlags(ItemIsSelectable | ItemUsesExtendedStyleOption);
    setZValue(0);
}

const engine::Transition* TransitionItem::transition() const {
    auto* flowScene = static_cast<FlowScene*>(scene());
    const engine::State* state = flowScene ? flowScene->document()->state(m_source) : nullptr;
    if (!state || m_index < 0 || m_index >= int(state->transitions.size())) {
        return nullptr;
    }
    return &state->transitions[size_t(m_index)];
}

void TransitionItem::setGeometry(const QRectF& from, const QRectF& to, int lane, int lanes,
                                 bool reverse) {
    const QPointF a = from.center();
    const QPointF b = to.center();
    const QLineF line(a, b);
    // Arrows bend to their right: A→B and B→A then never overlap, and parallel arrows fan out.
    qreal offset = (lane - (lanes - 1) / 2.0) * kLaneSpacing;
    if (reverse) {
        offset = 22 + lane * kLaneSpacing;
    }
    const QPointF normal = line.length() > 0
                               ? QPointF(-(b.y() - a.y()), b.x() - a.x()) / line.length()
                               : QPointF(0, 1);
    const QPointF control = (a + b) / 2 + normal * offset * 2;
    const QPointF start = exitPoint(from, control);
    const QPointF end = exitPoint(to, control);
    prepareGeometryChange();
    m_path = QPainterPath(start);
    m_path.quadTo(control, end);
    m_labelPos = quadPoint(start, control, end, 0.5);
    finishGeometry(end, control);
}

void TransitionItem::setSelfLoop(const QRectF& box, int lane) {
    const qreal spread = 26 + lane * 16;
    const QPointF start(box.right() - 40 - lane * 6, box.top());
    const QPointF end(box.right(), box.top() + 26 + lane * 6);
    const QPointF c1 = start + QPointF(0, -spread * 1.6);
    const QPointF c2 = end + QPointF(spread * 1.6, 0);
    prepareGeometryChange();
    m_path = QPainterPath(start);
    m_path.cubicTo(c1, c2, end);
    m_labelPos = m_path.pointAtPercent(0.5) + QPointF(12, -12);
    finishGeometry(end, c2);
}

void TransitionItem::finishGeometry(QPointF tip, QPointF tangentFrom) {
    const QLineF back(tip, tangentFrom);
    const qreal angle = qDegreesToRadians(back.angle());
    const auto wing = [&](qreal delta) {
        return tip + QPointF(qCos(angle + delta) * kArrow, -qSin(angle + delta) * kArrow);
    };
    m_arrow = QPolygonF({tip, wing(0.45), wing(-0.45)});
    const QList<QPolygonF> polygons = m_path.toSubpathPolygons();
    m_polyline = polygons.isEmpty() ? QPolygonF() : polygons.front();
    // The label is drawn centred on m_labelPos; reserve room for it in the bounds.
    const QRectF label(m_labelPos - QPointF(90, 12), QSizeF(180, 24));
    m_bounds =
        m_path.boundingRect().united(m_arrow.boundingRect()).united(label).adjusted(-4, -4, 4, 4);
}

void TransitionItem::drawVisibleSegments(QPainter* painter, const QRectF& exposed) const {
    const QRectF area = exposed.adjusted(-4, -4, 4, 4);
    if (area.contains(m_bounds)) {
        painter->drawPolyline(m_polyline);
        return;
    }
    QVector<QLineF> lines;
    for (qsizetype i = 1; i < m_polyline.size(); ++i) {
        const QLineF segment(m_polyline[i - 1], m_polyline[i]);
        if (QRectF(segment.p1(), segment.p2())
                .normalized()
                .adjusted(-1, -1, 1, 1)
                .intersects(area)) {
            lines.push_back(segment);
        }
    }
    painter->drawLines(lines);
}

QRectF TransitionItem::boundingRect() const {
    return m_bounds;
}

QPainterPath TransitionItem::shape() const {
    QPainterPathStroker stroker;
    stroker.setWidth(10);
    return stroker.createStroke(m_path);
}

void TransitionItem::paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget*) {
    const engine::Transition* data = transition();
    if (!data) {
        return;
    }
    const auto* flowScene = static_cast<FlowScene*>(scene());
    const QPalette palette = QApplication::palette();
    const qreal detail = option->levelOfDetailFromTransform(painter->worldTransform());
    const bool problem = flowScene->transitionHasProblem(ref());
    const QColor mark = flowScene->transitionMark(ref());
    QColor color = mark.isValid() ? mark : palette.color(QPalette::PlaceholderText);
    if (problem) {
        color = gs::errorColor();
    }
    if (isSelected()) {
        color = gs::accentColor();
    }
    if (detail < gs::kDetailLevel) {
        // A hairline from end to end: at this scale the bend is invisible and curves are costly.
        painter->setRenderHint(QPainter::Antialiasing, false);
        painter->setPen(QPen(color, 0));
        if (!m_polyline.isEmpty()) {
            painter->drawLine(m_polyline.front(), m_polyline.back());
        }
        return;
    }
    painter->setRenderHint(QPainter::Antialiasing);
    painter->setPen(QPen(color, isSelected() || mark.isValid() ? 2.5 : 1.4));
    painter->setBrush(Qt::NoBrush);
    drawVisibleSegments(painter, option->exposedRect);
    painter->setPen(Qt::NoPen);
    painter->setBrush(color);
    painter->drawPolygon(m_arrow);

    QFont font = QApplication::font();
    font.setPointSizeF(font.pointSizeF() * 0.8);
    painter->setFont(font);
    const QString label = gs::conditionLabel(*data);
    const QFontMetricsF metrics(font);
    const qreal width = qMin(metrics.horizontalAdvance(label) + 12, 176.0);
    const QRectF pill(m_labelPos - QPointF(width / 2, 9), QSizeF(width, 18));
    painter->setPen(QPen(color, 1));
    painter->setBrush(palette.color(QPalette::Base));
    painter->drawRoundedRect(pill, 9, 9);
    painter->setPen(problem ? gs::errorColor() : palette.color(QPalette::Text));
    painter->drawText(pill, Qt::AlignCenter, metrics.elidedText(label, Qt::ElideRight, width - 10));
}

} // namespace flowdeck::console
