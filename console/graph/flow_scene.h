#pragma once

#include "graph/ghost_item.h"
#include "models/flow_document.h"

#include "flowdeck/engine/diagnostic.h"

#include <QColor>
#include <QGraphicsScene>
#include <QHash>
#include <QPointer>
#include <QSet>
#include <QVarLengthArray>

#include <optional>
#include <vector>

class QGraphicsLineItem;

namespace flowdeck::console {

class StateItem;
class TransitionItem;

// What views of the document draw on top of a state: linter markers, simulator highlights, diff
// marks. Kept by the scene, painted by the items.
struct StateDecoration {
    int errors = 0;
    int warnings = 0;
    QString problem;  // first problem's message, for the tooltip
    QColor highlight; // invalid: none
    QString badge;    // short text drawn on the box's top edge, e.g. "added"
};

struct TransitionRef {
    StateId source = 0;
    int index = -1;
    bool operator==(const TransitionRef&) const = default;
};

// The graph view of a FlowDocument. It cannot exist without a document and changes only when the
// document signals; user gestures become undo commands on the document's stack.
class FlowScene final : public QGraphicsScene {
    Q_OBJECT
public:
    explicit FlowScene(FlowDocument* document, QObject* parent = nullptr);
    FlowScene() = delete;
    ~FlowScene() override;

    FlowDocument* document() const { return m_document; }
    StateItem* stateItem(StateId id) const { return m_stateItems.value(id); }
    QVector<TransitionItem*> transitionItems(StateId source) const;
    TransitionItem* transitionItem(TransitionRef ref) const;
    int stateItemCount() const { return int(m_stateItems.size()); }

    QVector<StateId> selectedStates() const;
    std::optional<TransitionRef> selectedTransition() const;
    void selectStates(const QVector<StateId>& ids, bool ensureVisible = true);
    void selectTransition(TransitionRef ref);

    // Linter findings as markers on states and transitions.
    void setDiagnostics(const std::vector<engine::Diagnostic>& diagnostics);
    const StateDecoration& decoration(StateId id) const;
    // Marks drawn by overlays (version diff, later the simulator's path): a colour and a short
    // badge per state. Replaces the previous marks; an empty map clears them.
    struct Mark {
        QColor color;
        QString badge;
    };
    void setMarks(const QHash<StateId, Mark>& marks);
    // Arrows drawn in a colour and thicker (the simulator's path, test coverage), keyed by source
    // state and transition index. Replaces the previous transition marks.
    void setTransitionMarks(const QHash<StateId, QHash<int, QColor>>& marks);
    QColor transitionMark(TransitionRef ref) const;
    bool transitionHasProblem(TransitionRef ref) const;

    // Boxes cache their rendering only when they show text: thousands of tiny cached pixmaps
    // cost more to look up than plain rectangles cost to draw. The view calls this as the zoom
    // crosses graph_style::kDetailLevel.
    void setDetailed(bool detailed);

    // States and arrows of an older version that the flow no longer has, drawn as ghosts while a
    // comparison is shown (see GhostItem). They are scene items only: never in the document, its
    // undo stack, its file or the linter's input. Each ghost is moved to the nearest spot that
    // overlaps no live state and no other ghost; arrows whose ends are not on the canvas are
    // left out. Replaces the previous ghosts.
    void setGhosts(const QVector<GhostState>& states, const QVector<GhostTransition>& transitions);
    void clearGhosts();
    GhostItem* ghostItem(const QString& name) const { return m_ghosts.value(name); }
    QVector<GhostItem*> ghostItems() const;
    QVector<GhostEdgeItem*> ghostEdgeItems() const { return m_ghostEdges; }
    // Selects the ghost and asks the views to bring it into sight; false if there is none.
    bool selectGhost(const QString& name);

    // Called by StateItem while it moves, so that its transitions follow.
    void stateItemMoved(StateId id);
    // Sets the scrollable area to the flow plus a margin (after opening or laying out); moving a
    // state past its edge grows it.
    void fitSceneRect();
    // The scene area a new state should appear in when added without a mouse position.
    QPointF freePosition() const;

Q_SIGNALS:
    // A state was double-clicked or Enter was pressed on it: the inspector should take focus.
    void stateActivated(flowdeck::console::StateId id);
    void ensureVisibleRequested(const QRectF& rect);
    // Markers, marks or transition marks changed (views that cache a picture redraw it).
    void decorationsChanged();

protected:
    void mousePressEvent(QGraphicsSceneMouseEvent* event) override;
    void mouseMoveEvent(QGraphicsSceneMouseEvent* event) override;
    void mouseReleaseEvent(QGraphicsSceneMouseEvent* event) override;
    void mouseDoubleClickEvent(QGraphicsSceneMouseEvent* event) override;

private:
    void rebuild();
    void addStateItem(StateId id);
    void removeStateItem(StateId id, const QString& name);
    void rebuildTransitions(StateId id);
    void resolveIncoming(const QString& name);
    void updateEdgesOf(StateId id);
    // Geometry of one arrow; returns the state it points to when both ends are on the canvas.
    std::optional<StateId> updateEdge(TransitionItem* edge);
    using EdgeEnds = QVarLengthArray<std::pair<StateId, TransitionItem*>, 16>;
    QVector<QRectF> selfLoopLabels(StateId id) const;
    void placeLabels(StateId id, EdgeEnds& ends);
    void onStateChanged(StateId id, const QString& previousName);
    void onPositionChanged(StateId id);
    void pushMoveIfDragged();
    void finishConnection(QPointF scenePos);
    StateItem* stateItemAt(QPointF scenePos) const;
    QPointF freeGhostPosition(QPointF wanted, const QVector<QRectF>& taken,
                              const QVector<QRectF>& neighbours) const;
    bool lineCrossesState(QPointF from, QPointF to, const QRectF& except) const;
    std::optional<QRectF> ghostEndBox(const GhostEnd& end) const;
    void updateGhostEdgesOf(StateId id);

    FlowDocument* m_document;
    QHash<StateId, StateItem*> m_stateItems;
    QHash<StateId, QVector<TransitionItem*>> m_outgoing;
    QHash<QString, QVector<TransitionItem*>> m_incomingByName;
    QHash<TransitionItem*, QString> m_edgeTarget; // the target name each arrow is filed under
    QHash<StateId, StateDecoration> m_decorations;
    QHash<StateId, QSet<int>> m_transitionProblems;
    QHash<StateId, QHash<int, QColor>> m_transitionMarks;
    QHash<StateId, QPointF> m_dragStart;
    QGraphicsLineItem* m_connectLine = nullptr;
    StateId m_connectFrom = 0;
    bool m_detailed = true;
    QHash<QString, GhostItem*> m_ghosts;
    QVector<GhostEdgeItem*> m_ghostEdges;
};

} // namespace flowdeck::console
