#include "graph/edge_labels.h"

#include "graph/transition_item.h"

#include <array>
#include <optional>

namespace flowdeck::console::edge_labels {

namespace {

constexpr qreal kGap = 3;
// From the middle of the curve outwards: a label stays near the middle of its arrow if it can.
constexpr std::array<qreal, 11> kCandidates{0.5,  0.42, 0.58, 0.34, 0.66, 0.27,
                                            0.73, 0.2,  0.8,  0.14, 0.86};

bool hitsAny(const QRectF& rect, const QVector<QRectF>& others) {
    const QRectF padded = rect.adjusted(-kGap, -kGap, kGap, kGap);
    for (const QRectF& other : others) {
        if (padded.intersects(other)) {
            return true;
        }
    }
    return false;
}

QPointF labelCentre(const TransitionItem* edge, qreal t) {
    // A self-loop's label sits outside its arc, up and to the right, off the box it loops on.
    return edge->isSelfLoop() ? edge->pointAt(t) + QPointF(12, -12) : edge->pointAt(t);
}

std::optional<QPointF> freePoint(const TransitionItem* edge, const QVector<QRectF>& placed,
                                 const QVector<QRectF>* obstacles) {
    for (qreal t : kCandidates) {
        const QPointF centre = labelCentre(edge, t);
        const QRectF rect = edge->labelRectAt(centre);
        if (!hitsAny(rect, placed) && (!obstacles || !hitsAny(rect, *obstacles))) {
            return centre;
        }
    }
    return std::nullopt;
}

// Moves `rect` up or down (whichever is the shorter way) until it clears every rectangle in
// `placed`. Each step passes one rectangle, so it ends after at most placed.size() steps.
QPointF stacked(QRectF rect, const QVector<QRectF>& placed) {
    const QRectF start = rect;
    QRectF up = rect;
    QRectF down = rect;
    for (qsizetype step = 0; step <= placed.size(); ++step) {
        bool moved = false;
        for (const QRectF& other : placed) {
            if (down.adjusted(-kGap, -kGap, kGap, kGap).intersects(other)) {
                down.moveTop(other.bottom() + kGap + 0.5);
                moved = true;
            }
            if (up.adjusted(-kGap, -kGap, kGap, kGap).intersects(other)) {
                up.moveBottom(other.top() - kGap - 0.5);
                moved = true;
            }
        }
        if (!moved) {
            break;
        }
    }
    rect = qAbs(up.top() - start.top()) <= qAbs(down.top() - start.top()) && !hitsAny(up, placed)
               ? up
               : down;
    return rect.center();
}

} // namespace

void place(const QVector<TransitionItem*>& group, const QVector<QRectF>& boxes,
           const QVector<QRectF>& labels) {
    QVector<QRectF> placed = labels;
    placed.reserve(labels.size() + group.size());
    for (TransitionItem* edge : group) {
        std::optional<QPointF> centre = freePoint(edge, placed, &boxes);
        if (!centre) {
            centre = freePoint(edge, placed, nullptr);
        }
        if (!centre) {
            centre = stacked(edge->labelRectAt(labelCentre(edge, 0.5)), placed);
        }
        edge->setLabelPos(*centre);
        placed.push_back(edge->labelRect());
    }
}

} // namespace flowdeck::console::edge_labels
