#pragma once

#include "graph/flow_scene.h"

#include <QGraphicsItem>
#include <QPainterPath>

namespace flowdeck::console {

// A transition as an arrow from its source state to its target, labelled with its condition and
// priority. It holds only (source id, index); its geometry is recomputed by the scene when either
// end moves. Parallel transitions and A↔B pairs bend apart; self-loops arc above the box.
class TransitionItem final : public QGraphicsItem {
public:
    enum { Type = UserType + 2 };
    TransitionItem(StateId source, int index);

    TransitionRef ref() const { return {m_source, m_index}; }
    StateId source() const { return m_source; }
    int index() const { return m_index; }
    int type() const override { return Type; }

    // Geometry from the two boxes. `lane` is this arrow's position among the arrows between the
    // same two states (0-based, of `lanes`); `reverse` says whether arrows also run the other way.
    void setGeometry(const QRectF& from, const QRectF& to, int lane, int lanes, bool reverse);
    void setSelfLoop(const QRectF& box, int lane);
    QPointF labelPos() const { return m_labelPos; }
    // The label's pill in scene coordinates (the item sits at the origin).
    QRectF labelRect() const { return labelRectAt(m_labelPos); }
    QRectF labelRectAt(QPointF centre) const;
    // A point on the arrow, t from 0 (source) to 1 (tip): where the label may slide to.
    QPointF pointAt(qreal t) const;
    // Moves the label (the scene keeps labels of neighbouring arrows apart, see edge_labels.h).
    void setLabelPos(QPointF centre);
    bool isSelfLoop() const { return m_selfLoop; }
    QPainterPath path() const { return m_path; }

    QRectF boundingRect() const override;
    QPainterPath shape() const override;
    void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget) override;

private:
    const engine::Transition* transition() const;
    void finishGeometry(QPointF tip, QPointF tangentFrom);
    void updateBounds();
    void measureLabel() const;
    void drawVisibleSegments(QPainter* painter, const QRectF& exposed) const;

    StateId m_source;
    int m_index;
    QPainterPath m_path;
    // The path flattened once per geometry change: painting draws only the segments that cross
    // the exposed area, because stroking a curve that spans a 10,000-state flow costs a frame.
    QPolygonF m_polyline;
    QPolygonF m_arrow;
    // The curve's defining points: a quadratic start-control-end, or for a self-loop the cubic
    // start-c1-c2-end, kept to place the label along it without flattening the path again.
    QPointF m_start, m_c1, m_c2, m_end;
    bool m_selfLoop = false;
    QPointF m_labelPos;
    QRectF m_curveBounds;
    QRectF m_bounds;
    // The label's text never changes for this item (the scene recreates the arrows of a state
    // whenever the state changes), so it is measured once instead of on every paint.
    mutable QString m_labelText;
    mutable qreal m_labelWidth = 60;
    mutable bool m_measured = false;
};

} // namespace flowdeck::console
