#pragma once

#include <QRectF>
#include <QVector>

namespace flowdeck::console {

class TransitionItem;

// Keeps the condition labels of arrows that share their states from covering one another.
namespace edge_labels {

// Places the labels of `group` (the arrows between the same two states in both directions, or
// the self-loops of one state) one after another, each at the point of its own curve nearest the
// middle where its pill touches neither the pills placed before it, nor `labels` (pills placed
// earlier, never covered), nor `boxes` (avoided where possible: when no point of the curve is
// free of them, the boxes give way). When no point is free of the pills, the label is stacked
// above or below them. Cheap: a handful of rectangle tests per arrow, no scene queries.
void place(const QVector<TransitionItem*>& group, const QVector<QRectF>& boxes,
           const QVector<QRectF>& labels);

} // namespace edge_labels
} // namespace flowdeck::console
