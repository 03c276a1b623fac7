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
    QPainterPath path() const { return m_path; }

    QRectF boundingRect() const override;
    QPainterPath shape() const override;
    void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget) override;

private:
    const engine::Transition* transition() const;
    void finishGeometry(QPointF tip, QPointF tangentFrom);
    void drawVisibleSegments(QPainter* painter, const QRectF& exposed) const;

    StateId m_source;
    int m_index;
    QPainterPath m_path;
    // The path flattened once per geometry change: painting draws only the segments that cross
    // the exposed area, because stroking a curve that spans a 10,000-state flow costs a frame.
    QPolygonF m_polyline;
    QPolygonF m_arrow;
    QPointF m_labelPos;
    QRectF m_bounds;
};

} // namespace flowdeck::console
