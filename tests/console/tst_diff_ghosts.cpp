// A comparison draws the states a newer version removed as ghosts: where the old layout had
// them, never over a live state, outside the document, gone when the comparison closes. Labels
// of arrows between the same two states and of self-loops never cover one another.
#include "design/version_comparison.h"
#include "graph/flow_scene.h"
#include "graph/ghost_item.h"
#include "graph/graph_style.h"
#include "graph/state_item.h"
#include "graph/transition_item.h"
#include "models/flow_document.h"

#include "flowdeck/engine/flow_json.h"

#include <QListWidget>
#include <QTest>
#include <QUndoStack>

#include <algorithm>

using namespace flowdeck::console;
namespace engine = flowdeck::engine;

namespace {

engine::Flow loadFlow(const char* file) {
    return std::move(*engine::parseFlowFile(std::string(RESOURCES_DIR) + "/flows/" + file).flow);
}

// Every state of order_support on a roomy grid, so the old spot of a removed state stays free.
QHash<QString, QPointF> gridLayout(const engine::Flow& flow) {
    QHash<QString, QPointF> positions;
    for (size_t i = 0; i < flow.states.size(); ++i) {
        positions.insert(QString::fromStdString(flow.states[i].name),
                         QPointF(double(i % 4) * 320, double(i / 4) * 220));
    }
    return positions;
}

// order_support without handoff_standard (and route_agent's arrow to it) and without
// ask_order's arrow to route_agent.
engine::Flow withoutHandoffStandard(engine::Flow flow) {
    std::erase_if(flow.states, [](const engine::State& s) { return s.name == "handoff_standard"; });
    for (engine::State& state : flow.states) {
        std::erase_if(state.transitions, [&](const engine::Transition& t) {
            return t.target == "handoff_standard" ||
                   (state.name == "ask_order" && t.target == "route_agent");
        });
    }
    return flow;
}

QList<QGraphicsItem*> itemsOfType(const FlowScene& scene, int type) {
    QList<QGraphicsItem*> found;
    for (QGraphicsItem* item : scene.items()) {
        if (item->type() == type) {
            found.push_back(item);
        }
    }
    return found;
}

void verifyOffLiveStates(const FlowScene& scene, const GhostItem* ghost) {
    for (QGraphicsItem* state : itemsOfType(scene, StateItem::Type)) {
        QVERIFY2(!ghost->sceneBoundingRect().intersects(state->sceneBoundingRect()),
                 qPrintable(QStringLiteral("ghost %1 overlaps a state at %2,%3")
                                .arg(ghost->name())
                                .arg(state->pos().x())
                                .arg(state->pos().y())));
    }
}

// The labels of every visible arrow, pairwise apart.
void verifyLabelsApart(const FlowScene& scene, const char* where) {
    QVector<QRectF> labels;
    for (QGraphicsItem* item : itemsOfType(scene, TransitionItem::Type)) {
        if (item->isVisible()) {
            labels.push_back(static_cast<TransitionItem*>(item)->labelRect());
        }
    }
    QCOMPARE(labels.size(), 6);
    for (int i = 0; i < labels.size(); ++i) {
        for (int j = i + 1; j < labels.size(); ++j) {
            QVERIFY2(
                !labels[i].intersects(labels[j]),
                qPrintable(
                    QStringLiteral("%1: labels %2 and %3 intersect").arg(where).arg(i).arg(j)));
        }
    }
}

engine::Transition intent(const char* value, const char* target) {
    engine::Transition t;
    t.condition = engine::ConditionType::IntentMatch;
    t.conditionValue = value;
    t.target = target;
    return t;
}

} // namespace

class tst_DiffGhosts : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void removedStateIsAGhostAtItsOldPlaceOutsideTheDocument();
    void ghostNeverCoversALiveState();
    void listEntrySelectsTheGhost();
    void labelsOfParallelArrowsAndSelfLoopsNeverIntersect();
};

void tst_DiffGhosts::removedStateIsAGhostAtItsOldPlaceOutsideTheDocument() {
    const engine::Flow v1 = loadFlow("order_support.json");
    const QHash<QString, QPointF> layout = gridLayout(v1);
    FlowDocument doc;
    FlowScene scene(&doc);
    QListWidget list;
    VersionComparison comparison(&doc, &scene, &list);
    doc.reset(withoutHandoffStandard(v1), layout);
    const std::string jsonBefore = engine::serializeFlow(doc.flow());
    const int undoSteps = doc.undoStack()->count();
    const int states = scene.stateItemCount();

    comparison.compareWith(v1, QStringLiteral("version 1"), layout);
    GhostItem* ghost = scene.ghostItem(QStringLiteral("handoff_standard"));
    QVERIFY(ghost);
    QCOMPARE(ghost->pos(), layout.value(QStringLiteral("handoff_standard")));
    QVERIFY(!(ghost->flags() & QGraphicsItem::ItemIsMovable));
    verifyOffLiveStates(scene, ghost);
    // Two dashed arrows: route_agent → the ghost, and ask_order → route_agent between live states.
    QCOMPARE(itemsOfType(scene, GhostEdgeItem::Type).size(), 2);

    // Not part of the document: same content, no undo step, no state item, nothing to save.
    QCOMPARE(engine::serializeFlow(doc.flow()), jsonBefore);
    QCOMPARE(doc.undoStack()->count(), undoSteps);
    QVERIFY(doc.undoStack()->isClean());
    QCOMPARE(scene.stateItemCount(), states);
    QVERIFY(!doc.idOf(QStringLiteral("handoff_standard")));

    comparison.clear();
    QVERIFY(!scene.ghostItem(QStringLiteral("handoff_standard")));
    QVERIFY(itemsOfType(scene, GhostItem::Type).isEmpty());
    QVERIFY(itemsOfType(scene, GhostEdgeItem::Type).isEmpty());
    QCOMPARE(engine::serializeFlow(doc.flow()), jsonBefore);
}

void tst_DiffGhosts::ghostNeverCoversALiveState() {
    const engine::Flow v1 = loadFlow("order_support.json");
    QHash<QString, QPointF> layout = gridLayout(v1);
    FlowDocument doc;
    FlowScene scene(&doc);
    QListWidget list;
    VersionComparison comparison(&doc, &scene, &list);
    doc.reset(withoutHandoffStandard(v1), layout);
    const QPointF routeAgent = layout.value(QStringLiteral("route_agent"));

    // The old spot is now taken by a live state: the ghost moves next to it.
    layout.insert(QStringLiteral("handoff_standard"), routeAgent + QPointF(30, 10));
    comparison.compareWith(v1, QStringLiteral("version 1"), layout);
    GhostItem* ghost = scene.ghostItem(QStringLiteral("handoff_standard"));
    QVERIFY(ghost);
    verifyOffLiveStates(scene, ghost);
    QVERIFY(QLineF(ghost->pos(), routeAgent).length() < 600);

    // No old layout (a file): near its former neighbour route_agent, still off every state.
    comparison.compareWith(v1, QStringLiteral("order_support.json"));
    ghost = scene.ghostItem(QStringLiteral("handoff_standard"));
    QVERIFY(ghost);
    verifyOffLiveStates(scene, ghost);
    QVERIFY(QLineF(ghost->pos(), routeAgent).length() < 600);
}

void tst_DiffGhosts::listEntrySelectsTheGhost() {
    const engine::Flow v1 = loadFlow("order_support.json");
    FlowDocument doc;
    FlowScene scene(&doc);
    QListWidget list;
    VersionComparison comparison(&doc, &scene, &list);
    doc.reset(withoutHandoffStandard(v1), gridLayout(v1));
    comparison.compareWith(v1, QStringLiteral("version 1"), gridLayout(v1));
    const QList<QListWidgetItem*> entries =
        list.findItems(QStringLiteral("handoff_standard (removed)"), Qt::MatchContains);
    QCOMPARE(entries.size(), 1);
    Q_EMIT list.itemClicked(entries.front());
    GhostItem* ghost = scene.ghostItem(QStringLiteral("handoff_standard"));
    QVERIFY(ghost && ghost->isSelected());
    // A selected ghost is no selected state: Delete, copy and the inspector ignore it.
    QVERIFY(scene.selectedStates().isEmpty());
    QVERIFY(!scene.selectedTransition());
}

void tst_DiffGhosts::labelsOfParallelArrowsAndSelfLoopsNeverIntersect() {
    engine::Flow flow;
    flow.name = "labels";
    flow.initialState = "a";
    engine::State a;
    a.name = "a";
    a.type = engine::StateType::Intent;
    a.transitions = {intent("order_status", "b"), intent("human_agent", "b"), intent("again", "a")};
    engine::State b;
    b.name = "b";
    b.type = engine::StateType::Intent;
    b.transitions = {intent("goodbye", "a"), intent("cancel_the_order", "a"),
                     intent("repeat", "b")};
    flow.states = {a, b};
    FlowDocument doc;
    FlowScene scene(&doc);
    doc.reset(flow, {{QStringLiteral("a"), QPointF(0, 0)}, {QStringLiteral("b"), QPointF(0, 300)}});
    const StateId bId = *doc.idOf(QStringLiteral("b"));
    // b below, beside, diagonal, close below, close beside and above a: the labels follow.
    const QVector<QPointF> places{{0, 300},  {420, 0},    {260, 220}, {0, 130},
                                  {240, 20}, {-60, -260}, {600, 500}};
    QVector<QPointF> sweep = places;
    for (int x = -520; x <= 520; x += 65) {
        for (int y = -390; y <= 390; y += 65) {
            sweep.push_back(QPointF(x, y));
        }
    }
    for (const QPointF& place : sweep) {
        doc.setPosition(bId, place);
        const QString where = QStringLiteral("b at %1,%2").arg(place.x()).arg(place.y());
        verifyLabelsApart(scene, qPrintable(where));
        if (QTest::currentTestFailed()) {
            return;
        }
    }
    // With room between the boxes, no label sits on either box.
    doc.setPosition(bId, QPointF(0, 300));
    const QRectF boxA(QPointF(0, 0), graph_style::stateSize());
    const QRectF boxB(QPointF(0, 300), graph_style::stateSize());
    for (QGraphicsItem* item : itemsOfType(scene, TransitionItem::Type)) {
        const QRectF label = static_cast<TransitionItem*>(item)->labelRect();
        QVERIFY(!label.intersects(boxA) && !label.intersects(boxB));
    }
}

QTEST_MAIN(tst_DiffGhosts)
#include "tst_diff_ghosts.moc"
