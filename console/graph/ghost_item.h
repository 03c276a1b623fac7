#pragma once

#include "models/flow_document.h"

#include "flowdeck/engine/flow.h"

#include <QGraphicsItem>
#include <QPainterPath>
#include <QString>

namespace flowdeck::console {

// A state of an older version that the flow no longer has, as the version comparison hands it to
// the scene. Not part of the document: the scene draws it and forgets it when the comparison
// closes.
struct GhostState {
    QString name;
    engine::StateType type = engine::StateType::Response;
    QString summary;  // what the state did, as graph_style::stateSummary said it
    QPointF position; // wanted top-left corner; the scene moves it off live states
    // The position is where the old version's layout had it: kept whenever it is free, rather
    // than traded for a spot with a clearer view of the neighbours.
    bool fromLayout = false;
    QString toolTip;
};

// One end of a removed transition: a live state (by id) or a ghost (by name).
struct GhostEnd {
    StateId state = 0;
    QString ghost;
};

struct GhostTransition {
    GhostEnd from;
    GhostEnd to;
    QString label; // the condition, as on a live arrow
};

// The colour of what a comparison shows as removed, readable on the canvas in either theme.
// (Defined here rather than in graph_style, which belongs to the theme work.)
QColor removedColor();

// A removed state: a faded box with a dashed outline, its name struck through and a "removed"
// badge. It can be selected (to find it from the Changes list) but not moved, edited or
// connected: the scene's editing gestures look for StateItem only.
class GhostItem final : public QGraphicsItem {
public:
    enum { Type = UserType + 3 };
    explicit GhostItem(const GhostState& state);

    QString name() const { return m_state.name; }
    QRectF box() const; // in scene coordinates
    int type() const override { return Type; }
    QRectF boundingRect() const override;
    QPainterPath shape() const override;
    void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget) override;

private:
    GhostState m_state;
};

// A removed transition: a dashed red arrow between two boxes (live or ghost), or a loop on one.
class GhostEdgeItem final : public QGraphicsItem {
public:
    enum { Type = UserType + 4 };
    explicit GhostEdgeItem(const GhostTransition& transition);

    const GhostTransition& transition() const { return m_transition; }
    void setEnds(const QRectF& from, const QRectF& to);
    QPointF labelPos() const { return m_labelPos; }
    int type() const override { return Type; }
    QRectF boundingRect() const override { return m_bounds; }
    QPainterPath shape() const override;
    void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget) override;

private:
    GhostTransition m_transition;
    QPainterPath m_path;
    QPolygonF m_arrow;
    QPointF m_labelPos;
    QRectF m_bounds;
};

} // namespace flowdeck::console
