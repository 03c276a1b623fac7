// Undo commands against a FlowDocument with no view (STYLE.md "Undo").
#include "graph/flow_commands.h"
#include "models/flow_document.h"

#include "flowdeck/engine/flow_json.h"

#include <QSignalSpy>
#include <QTest>
#include <QUndoStack>

using namespace flowdeck::console;
namespace engine = flowdeck::engine;

namespace {

engine::Flow loadFlow(const char* file) {
    engine::ParseResult parsed =
        engine::parseFlowFile(std::string(RESOURCES_DIR) + "/flows/" + file);
    return std::move(*parsed.flow);
}

engine::State responseState(const std::string& name, const std::string& target = {}) {
    engine::State state;
    state.name = name;
    state.config["response_templates"]["default"] = "hi";
    if (!target.empty()) {
        engine::Transition t;
        t.target = target;
        state.transitions.push_back(t);
    }
    return state;
}

StateId idOf(const FlowDocument& doc, const char* name) {
    const auto id = doc.idOf(QString::fromUtf8(name));
    return id ? *id : 0;
}

} // namespace

class tst_FlowCommands : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void addStateUndoRedoKeepsTheSameId();
    void deletingAStateRemovesArrowsIntoItAndUndoRestoresThem();
    void renameFollowsEveryReference();
    void renameValidationNamesTheProblem();
    void typingInOneFieldIsOneUndoStep();
    void differentFieldsAreSeparateSteps();
    void keyboardNudgesMergeButDragsDoNot();
    void pastedStatesGetFreshNamesAndKeepTheirInnerArrows();
    void addAndRemoveTransition();
    void layoutJsonRoundTrips();
    void flowIsUnchangedAfterUndoingEverything();
};

void tst_FlowCommands::addStateUndoRedoKeepsTheSameId() {
    FlowDocument doc;
    doc.reset(loadFlow("booking.json"));
    const int before = doc.stateCount();
    auto* command = new AddStateCommand(&doc, responseState("extra"), QPointF(10, 20));
    doc.undoStack()->push(command);
    const StateId id = command->stateId();
    QCOMPARE(doc.stateCount(), before + 1);
    QCOMPARE(doc.position(id), QPointF(10, 20));
    QCOMPARE(doc.undoStack()->undoText(), QStringLiteral("Add state ‘extra’"));
    doc.undoStack()->undo();
    QCOMPARE(doc.stateCount(), before);
    QVERIFY(!doc.idOf(QStringLiteral("extra")));
    doc.undoStack()->redo();
    QCOMPARE(idOf(doc, "extra"), id); // the scene and later commands can rely on the id
}

void tst_FlowCommands::deletingAStateRemovesArrowsIntoItAndUndoRestoresThem() {
    FlowDocument doc;
    doc.reset(loadFlow("order_support.json"));
    const std::string before = engine::serializeFlow(doc.flow());
    const StateId detect = idOf(doc, "detect");
    const QVector<StateId> referrers = doc.statesTargeting("detect");
    QVERIFY(!referrers.isEmpty());
    doc.undoStack()->push(new RemoveStatesCommand(&doc, {detect}));
    QVERIFY(!doc.idOf(QStringLiteral("detect")));
    QVERIFY(doc.statesTargeting("detect").isEmpty());
    doc.undoStack()->undo();
    QCOMPARE(engine::serializeFlow(doc.flow()), before); // same order, same arrows, same config
    QCOMPARE(idOf(doc, "detect"), detect);
}

void tst_FlowCommands::renameFollowsEveryReference() {
    FlowDocument doc;
    doc.reset(loadFlow("order_support.json"));
    const std::string before = engine::serializeFlow(doc.flow());
    const StateId greeting = idOf(doc, "greeting");
    const StateId apology = idOf(doc, "apology");
    doc.undoStack()->push(new RenameStateCommand(&doc, greeting, QStringLiteral("开始状态")));
    doc.undoStack()->push(new RenameStateCommand(&doc, apology, QStringLiteral("sorry")));
    QCOMPARE(doc.header().initialState, std::string("开始状态"));
    QCOMPARE(doc.header().errorState, std::string("sorry"));
    QCOMPARE(idOf(doc, "开始状态"), greeting);
    const engine::Flow flow = doc.flow();
    for (const engine::State& state : flow.states) {
        for (const engine::Transition& t : state.transitions) {
            QVERIFY2(t.target != "greeting" && t.target != "apology", state.name.c_str());
        }
    }
    doc.undoStack()->undo();
    doc.undoStack()->undo();
    QCOMPARE(engine::serializeFlow(doc.flow()), before);
}

void tst_FlowCommands::renameValidationNamesTheProblem() {
    FlowDocument doc;
    doc.reset(loadFlow("order_support.json"));
    const StateId greeting = idOf(doc, "greeting");
    QVERIFY(RenameStateCommand::validateName(doc, greeting, QStringLiteral("detect"))
                .contains(QStringLiteral("detect")));
    QVERIFY(!RenameStateCommand::validateName(doc, greeting, QString()).isEmpty());
    QVERIFY(!RenameStateCommand::validateName(doc, greeting, QStringLiteral(" x")).isEmpty());
    QVERIFY(RenameStateCommand::validateName(doc, greeting, QStringLiteral("greeting")).isEmpty());
}

void tst_FlowCommands::typingInOneFieldIsOneUndoStep() {
    FlowDocument doc;
    doc.reset(loadFlow("booking.json"));
    const StateId id = doc.stateIds().front();
    const std::string original = doc.state(id)->config.dump();
    std::string text;
    for (char c : std::string("Hello there")) {
        text += c;
        engine::State after = *doc.state(id);
        after.config["response_templates"]["default"] = text;
        doc.undoStack()->push(new EditStateCommand(&doc, id, after, QStringLiteral("Edit reply"),
                                                   QStringLiteral("template")));
    }
    QCOMPARE(doc.undoStack()->count(), 1);
    QCOMPARE(doc.state(id)->config["response_templates"]["default"].get<std::string>(), text);
    doc.undoStack()->undo();
    QCOMPARE(doc.state(id)->config.dump(), original);
}

void tst_FlowCommands::differentFieldsAreSeparateSteps() {
    FlowDocument doc;
    doc.reset(loadFlow("booking.json"));
    const StateId id = doc.stateIds().front();
    engine::State a = *doc.state(id);
    a.config["description"] = "one";
    doc.undoStack()->push(
        new EditStateCommand(&doc, id, a, QStringLiteral("d"), QStringLiteral("description")));
    engine::State b = *doc.state(id);
    b.config["response_templates"]["default"] = "two";
    doc.undoStack()->push(
        new EditStateCommand(&doc, id, b, QStringLiteral("t"), QStringLiteral("template")));
    engine::State c = *doc.state(id);
    c.type = engine::StateType::End;
    doc.undoStack()->push(new EditStateCommand(&doc, id, c, QStringLiteral("type")));
    QCOMPARE(doc.undoStack()->count(), 3);
}

void tst_FlowCommands::keyboardNudgesMergeButDragsDoNot() {
    FlowDocument doc;
    doc.reset(loadFlow("booking.json"), {});
    const StateId id = doc.stateIds().front();
    doc.setPosition(id, QPointF(0, 0));
    for (int i = 1; i <= 5; ++i) {
        doc.undoStack()->push(new MoveStatesCommand(
            &doc, {{id, {QPointF(i - 1, 0), QPointF(i, 0)}}}, QStringLiteral("Nudge"), true));
    }
    QCOMPARE(doc.undoStack()->count(), 1);
    doc.undoStack()->push(new MoveStatesCommand(&doc, {{id, {QPointF(5, 0), QPointF(50, 50)}}},
                                                QStringLiteral("Move")));
    doc.undoStack()->push(new MoveStatesCommand(&doc, {{id, {QPointF(50, 50), QPointF(90, 90)}}},
                                                QStringLiteral("Move")));
    QCOMPARE(doc.undoStack()->count(), 3);
    doc.undoStack()->undo();
    doc.undoStack()->undo();
    QCOMPARE(doc.position(id), QPointF(5, 0));
    doc.undoStack()->undo();
    QCOMPARE(doc.position(id), QPointF(0, 0));
}

void tst_FlowCommands::pastedStatesGetFreshNamesAndKeepTheirInnerArrows() {
    FlowDocument doc;
    engine::Flow flow;
    flow.name = "f";
    flow.initialState = "a";
    flow.states = {responseState("a", "b"), responseState("b", "outside"),
                   responseState("outside")};
    doc.reset(flow);
    QVector<QString> names;
    doc.undoStack()->push(
        makeAddStates(&doc, {responseState("a", "b"), responseState("b", "outside")},
                      {QPointF(0, 0), QPointF(0, 100)}, QStringLiteral("Paste"), &names));
    QCOMPARE(names, (QVector<QString>{QStringLiteral("a_2"), QStringLiteral("b_2")}));
    QCOMPARE(doc.state(idOf(doc, "a_2"))->transitions.front().target, std::string("b_2"));
    QCOMPARE(doc.state(idOf(doc, "b_2"))->transitions.front().target, std::string("outside"));
    QCOMPARE(doc.undoStack()->count(), 1);
    doc.undoStack()->undo();
    QCOMPARE(doc.stateCount(), 3);
}

void tst_FlowCommands::addAndRemoveTransition() {
    FlowDocument doc;
    doc.reset(loadFlow("order_support.json"));
    const StateId from = idOf(doc, "clarify");
    const StateId to = idOf(doc, "goodbye");
    const size_t count = doc.state(from)->transitions.size();
    doc.undoStack()->push(
        makeAddTransition(&doc, from, to, engine::ConditionType::IntentMatch, "goodbye"));
    QCOMPARE(doc.state(from)->transitions.size(), count + 1);
    QCOMPARE(doc.state(from)->transitions.back().target, std::string("goodbye"));
    QCOMPARE(doc.undoStack()->undoText(), QStringLiteral("Connect ‘clarify’ → ‘goodbye’"));
    doc.undoStack()->push(makeRemoveTransition(&doc, from, int(count)));
    QCOMPARE(doc.state(from)->transitions.size(), count);
    QVERIFY(makeRemoveTransition(&doc, from, 99) == nullptr); // out of range: no command
}

void tst_FlowCommands::layoutJsonRoundTrips() {
    FlowDocument doc;
    doc.reset(loadFlow("booking.json"));
    QHash<QString, QPointF> positions;
    int i = 0;
    for (StateId id : doc.stateIds()) {
        doc.setPosition(id, QPointF(i * 10, -i * 7));
        positions.insert(QString::fromStdString(doc.state(id)->name), QPointF(i * 10, -i * 7));
        ++i;
    }
    QCOMPARE(FlowDocument::positionsFromLayoutJson(doc.layoutJson()), positions);
    QVERIFY(FlowDocument::positionsFromLayoutJson("not json").isEmpty());
}

void tst_FlowCommands::flowIsUnchangedAfterUndoingEverything() {
    FlowDocument doc;
    doc.reset(loadFlow("order_support.json"));
    const std::string before = engine::serializeFlow(doc.flow());
    QSignalSpy changed(&doc, &FlowDocument::contentChanged);
    doc.undoStack()->push(new AddStateCommand(&doc, responseState("n", "detect"), QPointF()));
    doc.undoStack()->push(new RenameStateCommand(&doc, idOf(doc, "detect"), QStringLiteral("d")));
    doc.undoStack()->push(new RemoveStatesCommand(&doc, {idOf(doc, "clarify"), idOf(doc, "n")}));
    QVERIFY(changed.count() >= 3);
    while (doc.undoStack()->canUndo()) {
        doc.undoStack()->undo();
    }
    QCOMPARE(engine::serializeFlow(doc.flow()), before);
}

QTEST_GUILESS_MAIN(tst_FlowCommands)
#include "tst_flow_commands.moc"
