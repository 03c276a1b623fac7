#include "graph/transition_item.h"

#include "graph/graph_style.h"

#include <QApplication>
#include <QFontMetricsF>
#include <QHash>
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
constexpr qreal kMaxLabelWidth = 176;
constexpr qreal kLabelHeight = 18;

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

// The width of a label. Shaping text is what measuring costs, and a 10,000-state flow has as
// many labels: they are summed from per-character advances kept for the font in use, unless a
// character needs shaping with its neighbours (surrogates, combining marks).
qreal labelAdvance(const QString& label, const QFont& font) {
    static QFont s_font;
    static QHash<char16_t, qreal> s_advances;
    if (font != s_font || s_advances.size() > 4096) {
        s_font = font;
        s_advances.clear();
    }
    const QFontMetricsF metrics(font);
    qreal width = 0;
    for (QChar c : label) {
        if (c.isSurrogate() || c.isMark()) {
            return metrics.horizontalAdvance(label);
        }
        auto it = s_advances.constFind(c.unicode());
        if (it == s_advances.cend()) {
            it = s_advances.insert(c.unicode(), metrics.horizontalAdvance(c));
        }
        width += *it;
    }
    return width;
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
    m_selfLoop = false;
    m_start = exitPoint(from, control);
    m_c1 = m_c2 = control;
    m_end = exitPoint(to, control);
    prepareGeometryChange();
    m_path = QPainterPath(m_start);
    m_path.quadTo(control, m_end);
    m_labelPos = pointAt(0.5);
    finishGeometry(m_end, control);
}

void TransitionItem::setSelfLoop(const QRectF& box, int lane) {
    const qreal spread = 26 + lane * 16;
    m_selfLoop = true;
    m_start = QPointF(box.right() - 40 - lane * 6, box.top());
    m_end = QPointF(box.right(), box.top() + 26 + lane * 6);
    m_c1 = m_start + QPointF(0, -spread * 1.6);
    m_c2 = m_end + QPointF(spread * 1.6, 0);
    prepareGeometryChange();
    m_path = QPainterPath(m_start);
    m_path.cubicTo(m_c1, m_c2, m_end);
    m_labelPos = pointAt(0.5) + QPointF(12, -12);
    finishGeometry(m_end, m_c2);
}

QPointF TransitionItem::pointAt(qreal t) const {
    if (!m_selfLoop) {
        return quadPoint(m_start, m_c1, m_end, t);
    }
    const qreal u = 1 - t;
    return m_start * (u * u * u) + m_c1 * (3 * u * u * t) + m_c2 * (3 * u * t * t) +
           m_end * (t * t * t);
}

void TransitionItem::measureLabel() const {
    const engine::Transition* data = transition();
    if (!data) {
        m_labelWidth = 60; // not in a scene yet: a plausible size, measured again later
        return;
    }
    m_measured = true;
    const QString label = gs::conditionLabel(*data);
    QFont font = QApplication::font();
    font.setPointSizeF(font.pointSizeF() * 0.8);
    const qreal advance = labelAdvance(label, font) + 12;
    m_labelWidth = qMin(advance, kMaxLabelWidth);
    m_labelText = advance > kMaxLabelWidth
                      ? QFontMetricsF(font).elidedText(label, Qt::ElideRight, m_labelWidth - 10)
                      : label;
}

QRectF TransitionItem::labelRectAt(QPointF centre) const {
    if (!m_measured) {
        measureLabel();
    }
    return QRectF(centre - QPointF(m_labelWidth / 2, kLabelHeight / 2),
                  QSizeF(m_labelWidth, kLabelHeight));
}

void TransitionItem::setLabelPos(QPointF centre) {
    if (centre == m_labelPos) {
        return;
    }
    const QRectF label = labelRectAt(centre);
    if (m_bounds.contains(label)) {
        // The usual case, a label sliding along its curve: no bounds change, so no index update.
        update(labelRect());
        m_labelPos = centre;
        update(label);
        return;
    }
    prepareGeometryChange(); // stacked away from the curve
    m_labelPos = centre;
    updateBounds();
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
    m_curveBounds = m_path.boundingRect().united(m_arrow.boundingRect());
    updateBounds();
}

void TransitionItem::updateBounds() {
    // Room for the label anywhere along the curve, so that the scene can slide it (see
    // edge_labels.h) without changing the bounds, which would cost an index update per arrow.
    constexpr qreal kSideRoom = kMaxLabelWidth / 2 + 16;
    constexpr qreal kEndRoom = kLabelHeight / 2 + 16;
    const QRectF label(m_labelPos - QPointF(kMaxLabelWidth / 2 + 2, kLabelHeight / 2 + 3),
                       QSizeF(kMaxLabelWidth + 4, kLabelHeight + 6));
    m_bounds = m_curveBounds.adjusted(-kSideRoom, -kEndRoom, kSideRoom, kEndRoom).united(label);
}

void TransitionItem::drawVisibleSegments(QPainter* painter, const QRectF& exposed) const {
    const QRectF area = exposed.adjusted(-4, -4, 4, 4);
    if (area.contains(m_curveBounds)) {
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
    if (!transition()) {
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
    const QRectF pill = labelRect();
    painter->setPen(QPen(color, 1));
    painter->setBrush(palette.color(QPalette::Base));
    painter->drawRoundedRect(pill, 9, 9);
    painter->setPen(problem ? gs::errorColor() : palette.color(QPalette::Text));
    painter->drawText(pill, Qt::AlignCenter, m_labelText);
}

} // namespace flowdeck::console
