#include "graph/flow_scene.h"

#include "graph/flow_commands.h"
#include "graph/graph_style.h"
#include "graph/state_item.h"
#include "graph/transition_item.h"

#include <QGraphicsLineItem>
#include <QGraphicsSceneMouseEvent>
#include <QUndoStack>

namespace flowdeck::console {

namespace gs = graph_style;

namespace {

QRectF boxOf(const StateItem* item) {
    return QRectF(item->pos(), gs::stateSize());
}

// The condition a new arrow starts with, chosen so the flow stays valid for the source's type.
engine::ConditionType defaultCondition(engine::StateType type) {
    if (type == engine::StateType::Integration) {
        return engine::ConditionType::OnSuccess;
    }
    return engine::isWaiting(type) ? engine::ConditionType::AnyInput
                                   : engine::ConditionType::Fallback;
}

} // namespace

FlowScene::FlowScene(FlowDocument* document, QObject* parent)
    : QGraphicsScene(parent)
    , m_document(document) {
    connect(document, &FlowDocument::documentReset, this, &FlowScene::rebuild);
    connect(document, &FlowDocument::stateInserted, this, &FlowScene::addStateItem);
    connect(document, &FlowDocument::stateRemoved, this, &FlowScene::removeStateItem);
    connect(document, &FlowDocument::stateChanged, this, &FlowScene::onStateChanged);
    connect(document, &FlowDocument::positionChanged, this, &FlowScene::onPositionChanged);
    connect(document, &FlowDocument::headerChanged, this, [this] { update(); });
    rebuild();
}

FlowScene::~FlowScene() = default;

void FlowScene::rebuild() {
    clearSelection();
    clear(); // deletes every item, ghosts included (the comparison hands them in again)
    m_ghosts.clear();
    m_ghostEdges.clear();
    m_stateItems.clear();
    m_outgoing.clear();
    m_incomingByName.clear();
    m_edgeTarget.clear();
    m_decorations.clear();
    m_transitionProblems.clear();
    m_connectLine = nullptr;
    // Adding tens of thousands of items to a BSP index one by one is quadratic-ish; index once.
    setItemIndexMethod(NoIndex);
    const QVector<StateId> ids = m_document->stateIds();
    for (StateId id : ids) {
        addStateItem(id);
    }
    setItemIndexMethod(BspTreeIndex);
    fitSceneRect();
}

void FlowScene::setDetailed(bool detailed) {
    if (detailed == m_detailed) {
        return;
    }
    m_detailed = detailed;
    for (StateItem* item : std::as_const(m_stateItems)) {
        item->setCacheMode(detailed ? QGraphicsItem::DeviceCoordinateCache
                                    : QGraphicsItem::NoCache);
    }
}

void FlowScene::fitSceneRect() {
    setSceneRect(itemsBoundingRect().adjusted(-1200, -1200, 1200, 1200));
}

void FlowScene::addStateItem(StateId id) {
    auto* item = new StateItem(id);
    if (!m_detailed) {
        item->setCacheMode(QGraphicsItem::NoCache);
    }
    // A state without a position is about to be laid out by the workspace; (0,0) until then
    // (asking freePosition() here would make opening a large flow quadratic).
    item->setPos(m_document->hasPosition(id) ? m_document->position(id) : QPointF());
    m_stateItems.insert(id, item);
    addItem(item);
    rebuildTransitions(id);
    resolveIncoming(qstr(m_document->state(id)->name));
}

void FlowScene::removeStateItem(StateId id, const QString& name) {
    for (TransitionItem* edge : m_outgoing.take(id)) {
        m_incomingByName[m_edgeTarget.take(edge)].removeOne(edge);
        delete edge;
    }
    delete m_stateItems.take(id);
    m_decorations.remove(id);
    resolveIncoming(name); // arrows that pointed here now have no target
}

QVector<TransitionItem*> FlowScene::transitionItems(StateId source) const {
    return m_outgoing.value(source);
}

TransitionItem* FlowScene::transitionItem(TransitionRef ref) const {
    const QVector<TransitionItem*> items = m_outgoing.value(ref.source);
    return ref.index >= 0 && ref.index < items.size() ? items[ref.index] : nullptr;
}

void FlowScene::rebuildTransitions(StateId id) {
    QVector<TransitionItem*>& outgoing = m_outgoing[id];
    QSet<QString> oldTargets;
    for (TransitionItem* edge : outgoing) {
        const QString target = m_edgeTarget.take(edge);
        m_incomingByName[target].removeOne(edge);
        oldTargets.insert(target);
        delete edge;
    }
    outgoing.clear();
    const engine::State* state = m_document->state(id);
    for (int i = 0; i < int(state->transitions.size()); ++i) {
        auto* edge = new TransitionItem(id, i);
        addItem(edge);
        outgoing.push_back(edge);
        const QString target = qstr(state->transitions[size_t(i)].target);
        m_incomingByName[target].push_back(edge);
        m_edgeTarget.insert(edge, target);
    }
    updateEdgesOf(id);
    // Arrows coming back from the old targets may have lost or gained a reverse partner.
    for (const QString& target : oldTargets) {
        if (const auto targetId = m_document->idOf(target)) {
            updateEdgesOf(*targetId);
        }
    }
}

void FlowScene::resolveIncoming(const QString& name) {
    const auto targetId = m_document->idOf(name);
    if (targetId) {
        updateEdgesOf(*targetId);
        return;
    }
    for (TransitionItem* edge : m_incomingByName.value(name)) {
        edge->setVisible(false);
    }
}

void FlowScene::onStateChanged(StateId id, const QString& previousName) {
    const engine::State* state = m_document->state(id);
    if (StateItem* item = m_stateItems.value(id)) {
        item->update();
    }
    rebuildTransitions(id);
    if (previousName != qstr(state->name)) {
        resolveIncoming(previousName);
        resolveIncoming(qstr(state->name));
    }
}

void FlowScene::onPositionChanged(StateId id) {
    StateItem* item = m_stateItems.value(id);
    if (item && item->pos() != m_document->position(id)) {
        item->setPos(m_document->position(id));
    }
}

void FlowScene::stateItemMoved(StateId id) {
    updateEdgesOf(id);
    const QRectF box = boxOf(m_stateItems.value(id));
    if (!sceneRect().contains(box)) {
        setSceneRect(sceneRect().united(box.adjusted(-600, -600, 600, 600)));
    }
}

QPointF FlowScene::freePosition() const {
    if (m_stateItems.isEmpty()) {
        return {0, 0};
    }
    QRectF bounds;
    for (const StateItem* item : m_stateItems) {
        bounds |= boxOf(item);
    }
    return {bounds.left(), bounds.bottom() + 60};
}

QVector<StateId> FlowScene::selectedStates() const {
    QVector<StateId> ids;
    for (QGraphicsItem* item : selectedItems()) {
        if (item->type() == StateItem::Type) {
            ids.push_back(static_cast<StateItem*>(item)->stateId());
        }
    }
    std::sort(ids.begin(), ids.end(), [this](StateId a, StateId b) {
        return m_document->indexOf(a) < m_document->indexOf(b);
    });
    return ids;
}

std::optional<TransitionRef> FlowScene::selectedTransition() const {
    const QList<QGraphicsItem*> items = selectedItems();
    if (items.size() == 1 && items.front()->type() == TransitionItem::Type) {
        return static_cast<TransitionItem*>(items.front())->ref();
    }
    return std::nullopt;
}

void FlowScene::selectStates(const QVector<StateId>& ids, bool ensureVisible) {
    clearSelection();
    QRectF area;
    for (StateId id : ids) {
        if (StateItem* item = m_stateItems.value(id)) {
            item->setSelected(true);
            area |= boxOf(item);
        }
    }
    if (ensureVisible && !area.isNull()) {
        Q_EMIT ensureVisibleRequested(area);
    }
}

void FlowScene::selectTransition(TransitionRef ref) {
    clearSelection();
    if (TransitionItem* edge = transitionItem(ref)) {
        edge->setSelected(true);
        Q_EMIT ensureVisibleRequested(edge->boundingRect());
    }
}

void FlowScene::setDiagnostics(const std::vector<engine::Diagnostic>& diagnostics) {
    QSet<StateId> touched(m_decorations.keyBegin(), m_decorations.keyEnd());
    for (auto& decoration : m_decorations) {
        decoration.errors = decoration.warnings = 0;
        decoration.problem.clear();
    }
    QSet<StateId> oldProblemSources(m_transitionProblems.keyBegin(), m_transitionProblems.keyEnd());
    m_transitionProblems.clear();
    for (const engine::Diagnostic& diagnostic : diagnostics) {
        const auto id = m_document->idOf(diagnostic.state);
        if (!id || diagnostic.severity == engine::Severity::Info) {
            continue;
        }
        StateDecoration& decoration = m_decorations[*id];
        (diagnostic.severity == engine::Severity::Error ? decoration.errors
                                                        : decoration.warnings)++;
        if (decoration.problem.isEmpty()) {
            decoration.problem = qstr(diagnostic.message);
        }
        touched.insert(*id);
        if (diagnostic.transition && diagnostic.severity == engine::Severity::Error) {
            m_transitionProblems[*id].insert(*diagnostic.transition);
        }
    }
    for (StateId id : touched) {
        if (StateItem* item = m_stateItems.value(id)) {
            item->update();
        }
    }
    oldProblemSources.unite(
        QSet<StateId>(m_transitionProblems.keyBegin(), m_transitionProblems.keyEnd()));
    for (StateId id : oldProblemSources) {
        for (TransitionItem* edge : m_outgoing.value(id)) {
            edge->update();
        }
    }
    Q_EMIT decorationsChanged();
}

void FlowScene::setMarks(const QHash<StateId, Mark>& marks) {
    QSet<StateId> touched;
    for (auto it = m_decorations.begin(); it != m_decorations.end(); ++it) {
        if (it->highlight.isValid() || !it->badge.isEmpty()) {
            it->highlight = QColor();
            it->badge.clear();
            touched.insert(it.key());
        }
    }
    for (auto it = marks.cbegin(); it != marks.cend(); ++it) {
        StateDecoration& decoration = m_decorations[it.key()];
        decoration.highlight = it->color;
        decoration.badge = it->badge;
        touched.insert(it.key());
    }
    for (StateId id : touched) {
        if (StateItem* item = m_stateItems.value(id)) {
            item->update();
        }
    }
    Q_EMIT decorationsChanged();
}

const StateDecoration& FlowScene::decoration(StateId id) const {
    static const StateDecoration none;
    const auto it = m_decorations.constFind(id);
    return it == m_decorations.constEnd() ? none : *it;
}

void FlowScene::setTransitionMarks(const QHash<StateId, QHash<int, QColor>>& marks) {
    QSet<StateId> touched;
    for (auto it = m_transitionMarks.cbegin(); it != m_transitionMarks.cend(); ++it) {
        touched.insert(it.key());
    }
    for (auto it = marks.cbegin(); it != marks.cend(); ++it) {
        touched.insert(it.key());
    }
    m_transitionMarks = marks;
    for (StateId id : touched) {
        for (TransitionItem* item : m_outgoing.value(id)) {
            item->update();
        }
    }
    Q_EMIT decorationsChanged();
}

QColor FlowScene::transitionMark(TransitionRef ref) const {
    const auto it = m_transitionMarks.constFind(ref.source);
    return it == m_transitionMarks.constEnd() ? QColor() : it->value(ref.index);
}

bool FlowScene::transitionHasProblem(TransitionRef ref) const {
    return m_transitionProblems.value(ref.source).contains(ref.index);
}

StateItem* FlowScene::stateItemAt(QPointF scenePos) const {
    for (QGraphicsItem* item : items(scenePos)) {
        if (item->type() == StateItem::Type) {
            return static_cast<StateItem*>(item);
        }
    }
    return nullptr;
}

void FlowScene::mousePressEvent(QGraphicsSceneMouseEvent* event) {
    StateItem* item = stateItemAt(event->scenePos());
    if (event->button() == Qt::LeftButton && item && item->isOnConnector(event->scenePos())) {
        m_connectFrom = item->stateId();
        m_connectLine = addLine(QLineF(event->scenePos(), event->scenePos()),
                                QPen(gs::accentColor(), 2, Qt::DashLine));
        m_connectLine->setZValue(10);
        event->accept();
        return;
    }
    QGraphicsScene::mousePressEvent(event);
    m_dragStart.clear();
    for (StateId id : selectedStates()) {
        m_dragStart.insert(id, m_stateItems.value(id)->pos());
    }
}

void FlowScene::mouseMoveEvent(QGraphicsSceneMouseEvent* event) {
    if (m_connectLine) {
        m_connectLine->setLine(QLineF(m_connectLine->line().p1(), event->scenePos()));
        return;
    }
    QGraphicsScene::mouseMoveEvent(event);
}

void FlowScene::mouseReleaseEvent(QGraphicsSceneMouseEvent* event) {
    if (m_connectLine) {
        finishConnection(event->scenePos());
        return;
    }
    QGraphicsScene::mouseReleaseEvent(event);
    pushMoveIfDragged();
}

void FlowScene::mouseDoubleClickEvent(QGraphicsSceneMouseEvent* event) {
    if (StateItem* item = stateItemAt(event->scenePos())) {
        Q_EMIT stateActivated(item->stateId());
        event->accept();
        return;
    }
    QGraphicsScene::mouseDoubleClickEvent(event);
}

void FlowScene::pushMoveIfDragged() {
    MoveStatesCommand::Moves moves;
    for (auto it = m_dragStart.cbegin(); it != m_dragStart.cend(); ++it) {
        StateItem* item = m_stateItems.value(it.key());
        if (item && item->pos() != it.value()) {
            moves.insert(it.key(), {it.value(), item->pos()});
        }
    }
    m_dragStart.clear();
    if (moves.isEmpty()) {
        return;
    }
    const QString text =
        moves.size() == 1
            ? tr("Move ‘%1’").arg(qstr(m_document->state(moves.keyBegin().operator*())->name))
            : tr("Move %n states", nullptr, int(moves.size()));
    m_document->undoStack()->push(new MoveStatesCommand(m_document, moves, text));
}

void FlowScene::finishConnection(QPointF scenePos) {
    delete m_connectLine;
    m_connectLine = nullptr;
    StateItem* target = stateItemAt(scenePos);
    const engine::State* source = m_document->state(m_connectFrom);
    if (target && source) {
        m_document->undoStack()->push(makeAddTransition(
            m_document, m_connectFrom, target->stateId(), defaultCondition(source->type)));
        const int added = int(m_document->state(m_connectFrom)->transitions.size()) - 1;
        selectTransition({m_connectFrom, added});
    }
    m_connectFrom = 0;
}

} // namespace flowdeck::console
