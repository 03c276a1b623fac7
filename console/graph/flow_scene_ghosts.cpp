// FlowScene's ghosts: what a version comparison shows of removed states and arrows.
#include "graph/flow_scene.h"

#include "graph/graph_style.h"
#include "graph/state_item.h"

namespace flowdeck::console {

namespace gs = graph_style;

namespace {

// Clear space kept around a ghost, so that its badge and a live box's connector handle do not
// touch either.
constexpr qreal kGhostMargin = 30;
constexpr int kSearchRings = 40;
constexpr int kExtraRings = 3;
// Worth this many scene units of distance: a ghost its neighbours' arrows can reach in the open.
constexpr qreal kBlockedCost = 400;

} // namespace

QVector<GhostItem*> FlowScene::ghostItems() const {
    return QVector<GhostItem*>(m_ghosts.cbegin(), m_ghosts.cend());
}

void FlowScene::clearGhosts() {
    if (m_ghosts.isEmpty() && m_ghostEdges.isEmpty()) {
        return;
    }
    qDeleteAll(m_ghostEdges);
    m_ghostEdges.clear();
    qDeleteAll(m_ghosts);
    m_ghosts.clear();
    Q_EMIT decorationsChanged();
}

void FlowScene::setGhosts(const QVector<GhostState>& states,
                          const QVector<GhostTransition>& transitions) {
    qDeleteAll(m_ghostEdges);
    m_ghostEdges.clear();
    qDeleteAll(m_ghosts);
    m_ghosts.clear();
    QHash<QString, QVector<QRectF>> liveNeighbours;
    for (const GhostTransition& t : transitions) {
        const auto from = ghostEndBox(t.from); // live ends only: ghosts are not placed yet
        const auto to = ghostEndBox(t.to);
        if (from && !t.to.ghost.isEmpty()) {
            liveNeighbours[t.to.ghost].push_back(*from);
        }
        if (to && !t.from.ghost.isEmpty()) {
            liveNeighbours[t.from.ghost].push_back(*to);
        }
    }
    QVector<QRectF> taken;
    QRectF area;
    for (GhostState state : states) {
        if (m_ghosts.contains(state.name)) {
            continue;
        }
        state.position = freeGhostPosition(state.position, taken,
                                           state.fromLayout ? QVector<QRectF>()
                                                            : liveNeighbours.value(state.name));
        auto* ghost = new GhostItem(state);
        addItem(ghost);
        m_ghosts.insert(state.name, ghost);
        taken.push_back(
            ghost->box().adjusted(-kGhostMargin, -kGhostMargin, kGhostMargin, kGhostMargin));
        area |= ghost->box();
    }
    for (const GhostTransition& transition : transitions) {
        const auto from = ghostEndBox(transition.from);
        const auto to = ghostEndBox(transition.to);
        if (!from || !to) {
            continue;
        }
        auto* edge = new GhostEdgeItem(transition);
        edge->setEnds(*from, *to);
        addItem(edge);
        m_ghostEdges.push_back(edge);
    }
    if (!area.isNull() && !sceneRect().contains(area)) {
        setSceneRect(sceneRect().united(area.adjusted(-600, -600, 600, 600)));
    }
    Q_EMIT decorationsChanged();
}

bool FlowScene::selectGhost(const QString& name) {
    GhostItem* ghost = m_ghosts.value(name);
    if (!ghost) {
        return false;
    }
    clearSelection();
    ghost->setSelected(true);
    Q_EMIT ensureVisibleRequested(ghost->box());
    return true;
}

std::optional<QRectF> FlowScene::ghostEndBox(const GhostEnd& end) const {
    if (!end.ghost.isEmpty()) {
        const GhostItem* ghost = m_ghosts.value(end.ghost);
        return ghost ? std::optional(ghost->box()) : std::nullopt;
    }
    const StateItem* item = m_stateItems.value(end.state);
    return item ? std::optional(QRectF(item->pos(), gs::stateSize())) : std::nullopt;
}

void FlowScene::updateGhostEdgesOf(StateId id) {
    for (GhostEdgeItem* edge : std::as_const(m_ghostEdges)) {
        const GhostTransition& t = edge->transition();
        if ((t.from.ghost.isEmpty() && t.from.state == id) ||
            (t.to.ghost.isEmpty() && t.to.state == id)) {
            const auto from = ghostEndBox(t.from);
            const auto to = ghostEndBox(t.to);
            if (from && to) {
                edge->setEnds(*from, *to);
            }
        }
    }
}

// Whether the straight line from `from` to `to` crosses a live box other than `except`: an arrow
// drawn there would vanish under that box, its label with it.
bool FlowScene::lineCrossesState(QPointF from, QPointF to, const QRectF& except) const {
    const QLineF line(from, to);
    for (QGraphicsItem* item : items(QRectF(from, to).normalized().adjusted(-1, -1, 1, 1),
                                     Qt::IntersectsItemBoundingRect)) {
        if (item->type() != StateItem::Type) {
            continue;
        }
        const QRectF box(item->pos(), gs::stateSize());
        if (box == except) {
            continue;
        }
        const QPointF corners[] = {box.topLeft(), box.topRight(), box.bottomRight(),
                                   box.bottomLeft()};
        for (int i = 0; i < 4; ++i) {
            if (line.intersects(QLineF(corners[i], corners[(i + 1) % 4]), nullptr) ==
                QLineF::BoundedIntersection) {
                return true;
            }
        }
    }
    return false;
}

// The free spot nearest `wanted` on a grid of half-box steps around it: no live state (asked of
// the scene's index) and none of the `taken` areas within kGhostMargin of the box. Among the
// nearest free spots, one the live `neighbours` can see without a box in the way wins.
QPointF FlowScene::freeGhostPosition(QPointF wanted, const QVector<QRectF>& taken,
                                     const QVector<QRectF>& neighbours) const {
    const auto isFree = [&](QPointF topLeft) {
        const QRectF area = QRectF(topLeft, gs::stateSize())
                                .adjusted(-kGhostMargin, -kGhostMargin, kGhostMargin, kGhostMargin);
        for (const QRectF& other : taken) {
            if (area.intersects(other)) {
                return false;
            }
        }
        for (QGraphicsItem* item : items(area, Qt::IntersectsItemBoundingRect)) {
            if (item->type() == StateItem::Type) {
                return false;
            }
        }
        return true;
    };
    const auto cost = [&](QPointF topLeft) {
        const QPointF centre = QRectF(topLeft, gs::stateSize()).center();
        qreal penalty = 0;
        for (const QRectF& neighbour : neighbours) {
            penalty += lineCrossesState(neighbour.center(), centre, neighbour) ? kBlockedCost : 0;
        }
        return QLineF(wanted, topLeft).length() + penalty;
    };
    const qreal dx = gs::kStateWidth / 2 + 20;
    const qreal dy = gs::kStateHeight / 2 + 20;
    std::optional<QPointF> best;
    qreal bestCost = 0;
    int lastRing = kSearchRings;
    for (int ring = 0; ring <= lastRing; ++ring) {
        for (int i = -ring; i <= ring; ++i) {
            for (int j = -ring; j <= ring; ++j) {
                const QPointF candidate = wanted + QPointF(i * dx, j * dy);
                if (qMax(qAbs(i), qAbs(j)) != ring || !isFree(candidate)) {
                    continue;
                }
                const qreal c = cost(candidate);
                if (!best || c < bestCost) {
                    best = candidate;
                    bestCost = c;
                }
            }
        }
        if (best && lastRing == kSearchRings) {
            lastRing = qMin(kSearchRings, ring + kExtraRings); // a clear view may be a bit further
        }
    }
    if (best) {
        return *best;
    }
    // Nothing free nearby (a dense flow): below everything, where nothing can be.
    QRectF bounds = itemsBoundingRect();
    for (const QRectF& other : taken) {
        bounds |= other;
    }
    return {bounds.left(), bounds.bottom() + kGhostMargin + 12};
}

} // namespace flowdeck::console
