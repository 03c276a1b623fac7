// The scene is a view of the document: it follows every edit and undo, and shows linter markers.
#include "graph/flow_commands.h"
#include "graph/flow_scene.h"
#include "graph/flow_view.h"
#include "graph/state_item.h"
#include "graph/transition_item.h"
#include "models/flow_document.h"
#include "models/lint_runner.h"

#include "flowdeck/engine/flow_generator.h"
#include "flowdeck/engine/flow_json.h"

#include <QSignalSpy>
#include <QTest>
#include <QUndoStack>

using namespace flowdeck::console;
namespace engine = flowdeck::engine;

namespace {

engine::Flow loadFlow(const char* file) {
    return std::move(*engine::parseFlowFile(std::string(RESOURCES_DIR) + "/flows/" + file).flow);
}

StateId idOf(const FlowDocument& doc, const char* name) {
    return *doc.idOf(QString::fromUtf8(name));
}

int visibleEdgeCount(const FlowScene& scene) {
    int count = 0;
    for (QGraphicsItem* item : scene.items()) {
        count += item->type() == TransitionItem::Type && item->isVisible() ? 1 : 0;
    }
    return count;
}

int transitionCount(const FlowDocument& doc) {
    int count = 0;
    for (StateId id : doc.stateIds()) {
        count += int(doc.state(id)->transitions.size());
    }
    return count;
}

} // namespace

class tst_FlowScene : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void hasOneItemPerStateAndOneArrowPerTransition();
    void followsAddRemoveRenameAndUndo();
    void itemsMoveWithTheDocument();
    void parallelArrowsAndSelfLoopsDoNotOverlap();
    void lintMarkersAppearAndClear();
    void largeFlowGetsEveryItem();
    void overviewPictureFollowsChanges();
};

void tst_FlowScene::hasOneItemPerStateAndOneArrowPerTransition() {
    FlowDocument doc;
    FlowScene scene(&doc);
    doc.reset(loadFlow("order_support.json"));
    QCOMPARE(scene.stateItemCount(), doc.stateCount());
    QCOMPARE(visibleEdgeCount(scene), transitionCount(doc));
}

void tst_FlowScene::followsAddRemoveRenameAndUndo() {
    FlowDocument doc;
    FlowScene scene(&doc);
    doc.reset(loadFlow("order_support.json"));
    const int states = scene.stateItemCount();
    const int edges = visibleEdgeCount(scene);
    const StateId detect = idOf(doc, "detect");
    const int incoming = int(doc.statesTargeting("detect").size());
    QVERIFY(incoming > 0);

    doc.undoStack()->push(new RenameStateCommand(&doc, detect, QStringLiteral("triage")));
    QCOMPARE(visibleEdgeCount(scene), edges); // arrows into the renamed state stay connected
    QVERIFY(scene.stateItem(detect));

    doc.undoStack()->push(new RemoveStatesCommand(&doc, {detect}));
    QCOMPARE(scene.stateItemCount(), states - 1);
    QVERIFY(!scene.stateItem(detect));
    QVERIFY(visibleEdgeCount(scene) < edges);

    doc.undoStack()->undo();
    doc.undoStack()->undo();
    QCOMPARE(scene.stateItemCount(), states);
    QCOMPARE(visibleEdgeCount(scene), edges);
    QVERIFY(scene.stateItem(detect));
}

void tst_FlowScene::itemsMoveWithTheDocument() {
    FlowDocument doc;
    FlowScene scene(&doc);
    doc.reset(loadFlow("booking.json"));
    const StateId id = doc.stateIds().front();
    StateItem* item = scene.stateItem(id);
    const QPointF from = item->pos();
    const TransitionItem* edge = scene.transitionItems(id).value(0);
    QVERIFY(edge);
    const QPainterPath pathBefore = edge->path();
    doc.undoStack()->push(new MoveStatesCommand(&doc, {{id, {from, from + QPointF(300, 120)}}},
                                                QStringLiteral("Move")));
    QCOMPARE(item->pos(), from + QPointF(300, 120));
    QVERIFY(edge->path() != pathBefore); // the arrow followed its state
    doc.undoStack()->undo();
    QCOMPARE(item->pos(), from);
}

void tst_FlowScene::parallelArrowsAndSelfLoopsDoNotOverlap() {
    engine::Flow flow;
    flow.name = "p";
    flow.initialState = "a";
    engine::State a;
    a.name = "a";
    a.type = engine::StateType::Intent;
    for (const char* intent : {"x", "y"}) {
        engine::Transition t;
        t.condition = engine::ConditionType::IntentMatch;
        t.conditionValue = intent;
        t.target = "b";
        a.transitions.push_back(t);
    }
    engine::Transition loop;
    loop.target = "a";
    a.transitions.push_back(loop);
    engine::State b;
    b.name = "b";
    engine::Transition back;
    back.target = "a";
    b.transitions.push_back(back);
    flow.states = {a, b};
    FlowDocument doc;
    FlowScene scene(&doc);
    doc.reset(flow, {{QStringLiteral("a"), QPointF(0, 0)}, {QStringLiteral("b"), QPointF(0, 300)}});
    const QVector<TransitionItem*> out = scene.transitionItems(idOf(doc, "a"));
    QCOMPARE(out.size(), 3);
    const TransitionItem* reverse = scene.transitionItems(idOf(doc, "b")).front();
    // Labels of the two parallel arrows, the reverse arrow and the self-loop are apart.
    const QVector<QPointF> labels{out[0]->labelPos(), out[1]->labelPos(), out[2]->labelPos(),
                                  reverse->labelPos()};
    for (int i = 0; i < labels.size(); ++i) {
        for (int j = i + 1; j < labels.size(); ++j) {
            QVERIFY2(QLineF(labels[i], labels[j]).length() > 20,
                     qPrintable(QStringLiteral("labels %1 and %2 overlap").arg(i).arg(j)));
        }
    }
}

void tst_FlowScene::lintMarkersAppearAndClear() {
    FlowDocument doc;
    FlowScene scene(&doc);
    LintRunner lint(&doc);
    QObject::connect(&lint, &LintRunner::diagnosticsChanged, &scene,
                     [&] { scene.setDiagnostics(lint.diagnostics()); });
    doc.reset(loadFlow("order_support.json"));
    QTRY_VERIFY(!lint.isRunning());
    const StateId clarify = idOf(doc, "clarify");
    QCOMPARE(scene.decoration(clarify).errors, 0);

    engine::State broken = *doc.state(clarify);
    broken.transitions.front().target = "nowhere";
    doc.undoStack()->push(new EditStateCommand(&doc, clarify, broken, QStringLiteral("break")));
    QTRY_COMPARE(scene.decoration(clarify).errors, 1);
    QVERIFY(scene.transitionHasProblem({clarify, 0}));
    QVERIFY(scene.decoration(clarify).problem.contains(QStringLiteral("nowhere")));

    doc.undoStack()->undo();
    QTRY_COMPARE(scene.decoration(clarify).errors, 0);
    QVERIFY(!scene.transitionHasProblem({clarify, 0}));
}

void tst_FlowScene::largeFlowGetsEveryItem() {
    engine::ParseResult parsed =
        engine::parseFlowFile(std::string(RESOURCES_DIR) + "/flows/generated_1000.json");
    QVERIFY(parsed.ok());
    FlowDocument doc;
    FlowScene scene(&doc);
    QHash<QString, QPointF> positions;
    int i = 0;
    for (const engine::State& state : parsed.flow->states) {
        positions.insert(QString::fromStdString(state.name),
                         QPointF((i % 40) * 260, (i / 40) * 140));
        ++i;
    }
    doc.reset(*parsed.flow, positions);
    QCOMPARE(scene.stateItemCount(), 1000);
    QCOMPARE(visibleEdgeCount(scene), transitionCount(doc));
}

// A large flow zoomed far out is painted from one cached picture; every change must reach it.
void tst_FlowScene::overviewPictureFollowsChanges() {
    const engine::Flow flow = engine::generateBlockFlow(2500);
    QHash<QString, QPointF> positions;
    int i = 0;
    for (const engine::State& state : flow.states) {
        positions.insert(QString::fromStdString(state.name),
                         QPointF((i % 50) * 260, (i / 50) * 140));
        ++i;
    }
    FlowDocument doc;
    FlowScene scene(&doc);
    doc.reset(flow, positions);
    scene.fitSceneRect();
    FlowView view(&scene);
    view.resize(900, 600);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.zoomToFit();
    QVERIFY(view.showsOverview());
    const auto picture = [&view] { return view.viewport()->grab().toImage(); };
    const QImage before = picture();
    QVERIFY(before.pixel(5, 5) != before.pixel(before.width() / 2, before.height() / 2) ||
            before.pixel(5, 5) != before.pixel(before.width() / 3, before.height() / 3));

    const StateId first = doc.stateIds().front();
    scene.selectStates({first}, false);
    const QImage selected = picture();
    QVERIFY(selected != before);

    const QPointF from = doc.position(first);
    MoveStatesCommand::Moves moves;
    moves.insert(first, {from, from + QPointF(0, 9000)});
    doc.undoStack()->push(new MoveStatesCommand(&doc, moves, QStringLiteral("move")));
    QVERIFY(picture() != selected);

    scene.setMarks({{doc.stateIds().at(1200), {Qt::red, QStringLiteral("mark")}}});
    const QImage marked = picture();
    doc.undoStack()->undo();
    QVERIFY(picture() != marked);

    view.setZoom(0.5, view.visibleCenter());
    QVERIFY(!view.showsOverview()); // close up, the items paint themselves again
}

QTEST_MAIN(tst_FlowScene)
#include "tst_flow_scene.moc"
