// The Design workspace driven like a user, through the real main window with mouse and keys.
#include "app/main_window.h"
#include "design/design_workspace.h"
#include "design/version_comparison.h"
#include "graph/flow_commands.h"
#include "graph/flow_scene.h"
#include "graph/flow_view.h"
#include "graph/state_item.h"
#include "models/lint_runner.h"
#include "models/problems_model.h"
#include "models/workspace_store.h"
#include "widgets/slots_editor.h"
#include "widgets/state_inspector.h"
#include "widgets/template_edit.h"

#include "flowdeck/engine/flow_json.h"

#include <QComboBox>
#include <QElapsedTimer>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QProcess>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QUndoStack>

#include <csignal>

using namespace flowdeck::console;
namespace engine = flowdeck::engine;

namespace {

QPoint viewPoint(FlowView* view, QPointF scenePos) {
    return view->mapFromScene(scenePos);
}

std::string templateOf(const FlowDocument& doc, StateId id) {
    return doc.state(id)->config["response_templates"].value("default", std::string());
}

} // namespace

class tst_DesignWindow : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init();
    void addConnectEditUndoSaveAndReopen();
    void restoresEditsAfterTheProcessWasKilled();
    void problemsPanelFollowsTheLinter();
    void diffOfTwoVersionsIsDrawnOnTheCanvas();
    void slotsAreEditedInTheInspector();

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    QString dbPath() const { return m_dir->filePath(QStringLiteral("workspace.sqlite")); }
};

void tst_DesignWindow::init() {
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

void tst_DesignWindow::addConnectEditUndoSaveAndReopen() {
    WorkspaceStore store;
    QVERIFY(store.open(dbPath()));
    MainWindow window(&store);
    window.resize(1300, 850);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    DesignWorkspace* design = window.design();
    FlowDocument* doc = design->document();
    FlowView* view = design->view();
    const int before = doc->stateCount();

    // Two states from the keyboard ("A" adds a response state in the middle of the canvas).
    view->setFocus();
    QTest::keyClick(view, Qt::Key_A);
    QTest::keyClick(view, Qt::Key_A);
    QCOMPARE(doc->stateCount(), before + 2);
    const StateId first = *doc->idOf(QStringLiteral("response"));
    const StateId second = *doc->idOf(QStringLiteral("response_2"));
    StateItem* from = design->scene()->stateItem(first);
    StateItem* to = design->scene()->stateItem(second);
    const QRectF fromBox(doc->position(first), QSizeF(210, 76));
    const QRectF toBox(doc->position(second), QSizeF(210, 76));
    QVERIFY2(!fromBox.intersects(toBox), qPrintable(QStringLiteral("(%1,%2) and (%3,%4) overlap")
                                                        .arg(fromBox.x())
                                                        .arg(fromBox.y())
                                                        .arg(toBox.x())
                                                        .arg(toBox.y())));

    // Connect them by dragging from the first state's handle onto the second.
    view->ensureVisible(from->sceneBoundingRect().united(to->sceneBoundingRect()));
    const QPoint handle = viewPoint(view, from->mapToScene(from->connectorRect().center()));
    const QPoint target = viewPoint(view, to->sceneBoundingRect().center());
    QTest::mousePress(view->viewport(), Qt::LeftButton, {}, handle);
    QTest::mouseMove(view->viewport(), (handle + target) / 2);
    QTest::mouseMove(view->viewport(), target);
    QTest::mouseRelease(view->viewport(), Qt::LeftButton, {}, target);
    QCOMPARE(doc->state(first)->transitions.size(), size_t(1));
    QCOMPARE(doc->state(first)->transitions.front().target, std::string("response_2"));

    // Edit the first state's reply in the inspector.
    design->scene()->selectStates({first});
    TemplateEdit* reply = design->inspector()->templateEdit();
    QTRY_VERIFY(reply->isVisible());
    reply->setFocus();
    QTest::keyClicks(reply, QStringLiteral("Hello there"));
    QCOMPARE(templateOf(*doc, first), std::string("Hello there"));
    QCOMPARE(doc->undoStack()->undoText(), QStringLiteral("Edit reply")); // one step for typing

    // Undo twice: the reply, then the connection.
    view->setFocus();
    QTest::keyClick(view, Qt::Key_Z, Qt::ControlModifier);
    QCOMPARE(templateOf(*doc, first), std::string());
    QTest::keyClick(view, Qt::Key_Z, Qt::ControlModifier);
    QVERIFY(doc->state(first)->transitions.empty());
    QCOMPARE(doc->stateCount(), before + 2);

    // Save, reopen in a fresh window, compare content and positions.
    const QString path = m_dir->filePath(QStringLiteral("edited.json"));
    QVERIFY(design->saveAs(path));
    QVERIFY(!design->isModified());
    const std::string saved = engine::serializeFlow(doc->flow());
    const QHash<QString, QPointF> positions = doc->positionsByName();
    MainWindow reopened(&store);
    QVERIFY(reopened.design()->openFile(path));
    QCOMPARE(engine::serializeFlow(reopened.design()->document()->flow()), saved);
    const QHash<QString, QPointF> positionsAfter = reopened.design()->document()->positionsByName();
    for (auto it = positions.cbegin(); it != positions.cend(); ++it) {
        QCOMPARE(positionsAfter.value(it.key()).toPoint(), it.value().toPoint());
    }
    QCOMPARE(store.recentFiles().value(0), WorkspaceStore::keyForFile(path));
    QVERIFY(store.latestVersion(WorkspaceStore::keyForFile(path)).has_value());
}

void tst_DesignWindow::restoresEditsAfterTheProcessWasKilled() {
    const QString flow = m_dir->filePath(QStringLiteral("order_support.json"));
    QVERIFY(QFile::copy(QStringLiteral(RESOURCES_DIR "/flows/order_support.json"), flow));
    QProcess editor;
    editor.start(QStringLiteral(TEST_BIN_DIR "/console_crash_editor"), {dbPath(), flow});
    QVERIFY2(editor.waitForStarted(10000), qPrintable(editor.errorString()));
    QByteArray output;
    QElapsedTimer clock;
    clock.start();
    while (!output.contains("autosaved") && clock.elapsed() < 30000) {
        editor.waitForReadyRead(500);
        output += editor.readAllStandardOutput();
    }
    QVERIFY2(output.contains("autosaved"), editor.readAllStandardError().constData());
    ::kill(pid_t(editor.processId()), SIGKILL);
    QVERIFY(editor.waitForFinished(10000));
    QCOMPARE(editor.exitStatus(), QProcess::CrashExit);

    WorkspaceStore store;
    QVERIFY(store.open(dbPath()));
    QCOMPARE(store.pendingAutosaves().size(), 1);
    MainWindow window(&store);
    window.offerRestore(false);
    FlowDocument* doc = window.design()->document();
    QVERIFY(doc->idOf(QStringLiteral("unsaved_work")));
    QVERIFY(window.design()->isModified()); // restored, not yet on disk
    QCOMPARE(window.design()->filePath(), WorkspaceStore::keyForFile(flow));
    QVERIFY(window.design()->save());
    QVERIFY(store.pendingAutosaves().isEmpty());
    const engine::ParseResult onDisk = engine::parseFlowFile(flow.toStdString());
    QVERIFY(onDisk.ok() && onDisk.flow->findState("unsaved_work"));
}

void tst_DesignWindow::problemsPanelFollowsTheLinter() {
    WorkspaceStore store;
    QVERIFY(store.open(dbPath()));
    MainWindow window(&store);
    DesignWorkspace* design = window.design();
    QVERIFY(design->openFile(QStringLiteral(RESOURCES_DIR "/flows/order_support.json")));
    QTRY_VERIFY(!design->lint()->isRunning());
    const int errors = design->problems()->errorCount();
    QCOMPARE(errors, 0);
    auto* empty = design->findChild<QLabel*>(QStringLiteral("ProblemsEmpty"));
    QVERIFY(empty && !empty->isHidden()); // a clean flow says so instead of an empty table
    // An intent_match without an intent is an error the designer sees at once.
    const StateId detect = *design->document()->idOf(QStringLiteral("detect"));
    design->scene()->selectStates({detect});
    design->document()->undoStack()->push(new EditStateCommand(
        design->document(), detect,
        [&] {
            engine::State s = *design->document()->state(detect);
            s.transitions.front().conditionValue.clear();
            return s;
        }(),
        QStringLiteral("break")));
    QTRY_COMPARE(design->problems()->errorCount(), 1);
    QCOMPARE(design->scene()->decoration(detect).errors, 1);
    QVERIFY(empty->isHidden());
    design->document()->undoStack()->undo();
    QTRY_COMPARE(design->problems()->errorCount(), 0);
    QVERIFY(!empty->isHidden());
}

void tst_DesignWindow::diffOfTwoVersionsIsDrawnOnTheCanvas() {
    const QString flow = m_dir->filePath(QStringLiteral("order_support.json"));
    QVERIFY(QFile::copy(QStringLiteral(RESOURCES_DIR "/flows/order_support.json"), flow));
    WorkspaceStore store;
    QVERIFY(store.open(dbPath()));
    MainWindow window(&store);
    DesignWorkspace* design = window.design();
    QVERIFY(design->openFile(flow));
    QVERIFY(design->save()); // version 1
    FlowDocument* doc = design->document();
    const StateId clarify = *doc->idOf(QStringLiteral("clarify"));
    const StateId greeting = *doc->idOf(QStringLiteral("greeting"));
    engine::State edited = *doc->state(clarify);
    edited.config["response_templates"]["default"] = "Say that again?";
    doc->undoStack()->push(new EditStateCommand(doc, clarify, edited, QStringLiteral("edit")));
    doc->undoStack()->push(new RenameStateCommand(doc, greeting, QStringLiteral("welcome")));
    const StateId added = design->addState(engine::StateType::End, QPointF(2000, 2000));
    doc->undoStack()->push(
        new RemoveStatesCommand(doc, {*doc->idOf(QStringLiteral("handoff_standard"))}));
    QVERIFY(design->save()); // version 2

    const QVector<FlowVersion> versions = store.versions(design->documentKey());
    QCOMPARE(versions.size(), 2);
    QVERIFY(design->compareWithVersion(versions.back().id)); // the oldest: version 1
    FlowScene* scene = design->scene();
    QCOMPARE(scene->decoration(added).badge, QStringLiteral("added"));
    QCOMPARE(scene->decoration(clarify).badge, QStringLiteral("changed"));
    QCOMPARE(scene->decoration(greeting).badge, QStringLiteral("renamed"));
    const engine::FlowDiff& diff = design->comparison()->diff();
    const bool removedListed =
        std::any_of(diff.states.begin(), diff.states.end(), [](const engine::StateChange& c) {
            return c.kind == engine::ChangeKind::Removed && c.name == "handoff_standard";
        });
    QVERIFY(removedListed);
    // The comparison follows further edits, and clears.
    doc->undoStack()->undo(); // the removal comes back: no longer a difference
    QTRY_VERIFY(std::none_of(
        design->comparison()->diff().states.begin(), design->comparison()->diff().states.end(),
        [](const engine::StateChange& c) { return c.name == "handoff_standard"; }));
    design->comparison()->clear();
    QVERIFY(scene->decoration(added).badge.isEmpty());
}

void tst_DesignWindow::slotsAreEditedInTheInspector() {
    MainWindow window(nullptr);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    DesignWorkspace* design = window.design();
    QVERIFY(design->openFile(QStringLiteral(RESOURCES_DIR "/flows/booking.json")));
    FlowDocument* doc = design->document();
    const StateId collect = *doc->idOf(QStringLiteral("collect"));
    design->scene()->selectStates({collect});
    QTableWidget* table = design->inspector()->slotsEditor()->table();
    QTRY_VERIFY(table->isVisible());
    QCOMPARE(table->rowCount(), int(engine::slotSpecs(*doc->state(collect)).size()));

    auto* prompt = qobject_cast<QLineEdit*>(table->cellWidget(0, 2));
    QVERIFY(prompt);
    prompt->setFocus();
    prompt->selectAll();
    QTest::keyClicks(prompt, QStringLiteral("How many guests?"));
    QCOMPARE(engine::slotSpecs(*doc->state(collect)).front().prompt,
             std::string("How many guests?"));
    QCOMPARE(doc->undoStack()->undoText(), QStringLiteral("Edit slots")); // typing is one step

    // Turn the first slot into an enum with three values.
    auto* type = qobject_cast<QComboBox*>(table->cellWidget(0, 1));
    type->setCurrentText(QStringLiteral("enum"));
    Q_EMIT type->activated(type->currentIndex());
    auto* detail = qobject_cast<QLineEdit*>(table->cellWidget(0, 4));
    detail->setFocus();
    QTest::keyClicks(detail, QStringLiteral("two, four, six"));
    const engine::SlotSpec first = engine::slotSpecs(*doc->state(collect)).front();
    QCOMPARE(first.type, std::string("enum"));
    QCOMPARE(first.values, (std::vector<std::string>{"two", "four", "six"}));
    QTRY_VERIFY(!design->lint()->isRunning());
    QCOMPARE(design->problems()->errorCount(), 0); // the engine's parser and linter accept it
}

QTEST_MAIN(tst_DesignWindow)
#include "tst_design_window.moc"
