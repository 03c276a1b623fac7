// Reordering a state's transitions in the inspector: dragging a row, Alt+Up / Alt+Down and the
// arrow buttons, checked against the document, the undo stack and the engine's evaluation order.
#include "app/main_window.h"
#include "design/design_workspace.h"
#include "graph/flow_scene.h"
#include "models/workspace_store.h"
#include "widgets/state_inspector.h"
#include "widgets/transitions_editor.h"

#include "flowdeck/engine/executor.h"
#include "flowdeck/engine/flow_json.h"
#include "flowdeck/engine/integration_gateway.h"

#include <QApplication>
#include <QComboBox>
#include <QDropEvent>
#include <QFile>
#include <QFrame>
#include <QLineEdit>
#include <QMimeData>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>
#include <QUndoStack>

#include <memory>
#include <optional>

using namespace flowdeck::console;
namespace engine = flowdeck::engine;

namespace {

enum Column { GripColumn, ConditionColumn, ValueColumn, TargetColumn, PriorityColumn };

// "route" runs at once and takes the first of its transitions that holds: both expressions always
// do, so the order alone decides where a conversation goes.
engine::Flow routingFlow(std::optional<int> checkoutPriority, std::optional<int> cancelPriority) {
    engine::Flow flow;
    flow.name = "routing";
    flow.version = "1";
    flow.initialState = "route";
    engine::State route;
    route.name = "route";
    route.type = engine::StateType::Condition;
    const auto add = [&route](engine::ConditionType condition, const std::string& target,
                              std::optional<int> priority) {
        engine::Transition t;
        t.condition = condition;
        t.expression = condition == engine::ConditionType::Expression ? "true" : "";
        t.target = target;
        t.hasPriority = priority.has_value();
        t.priority = priority.value_or(0);
        route.transitions.push_back(t);
    };
    add(engine::ConditionType::Expression, "checkout", checkoutPriority);
    add(engine::ConditionType::Expression, "cancel", cancelPriority);
    add(engine::ConditionType::Fallback, "help", std::nullopt);
    flow.states.push_back(route);
    for (const char* name : {"checkout", "cancel", "help"}) {
        engine::State end;
        end.name = name;
        end.type = engine::StateType::End;
        end.config["response_templates"]["default"] = std::string("at ") + name;
        flow.states.push_back(end);
    }
    return flow;
}

// Where the engine takes a new conversation: the first transition of "route" in evaluation order.
std::string engineGoesTo(const engine::Flow& flow) {
    engine::StubGateway stubs;
    const engine::Executor executor(stubs);
    engine::ConversationState conversation;
    return executor.start(*engine::compileFlow(flow), conversation).stateAfter;
}

std::vector<std::string> targets(const engine::State& state) {
    std::vector<std::string> result;
    for (const engine::Transition& t : state.transitions) {
        result.push_back(t.target);
    }
    return result;
}

std::vector<int> priorities(const engine::State& state) {
    std::vector<int> result;
    for (const engine::Transition& t : state.transitions) {
        result.push_back(t.hasPriority ? t.priority : -1);
    }
    return result;
}

QPoint rowTop(QTableWidget* table, int row) {
    return {table->columnViewportPosition(ValueColumn) + 10, table->rowViewportPosition(row) + 3};
}

QPoint rowBottom(QTableWidget* table, int row) {
    return {table->columnViewportPosition(ValueColumn) + 10,
            table->rowViewportPosition(row) + table->rowHeight(row) - 3};
}

QFrame* dropIndicator(QTableWidget* table) {
    return table->viewport()->findChild<QFrame*>(QStringLiteral("dropIndicator"));
}

void shoot(QWidget* widget, const char* name) {
    const QString dir = qEnvironmentVariable("FLOWDECK_TEST_SHOTS");
    if (!dir.isEmpty()) {
        widget->grab().save(dir + QLatin1Char('/') + QLatin1String(name) + QStringLiteral(".png"));
    }
}

} // namespace

class tst_TransitionReorder : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();
    void draggingARowChangesTheEvaluationOrderInOneUndoStep();
    void aDropAgainstWrittenPrioritiesChangesThemToFollowTheTable();
    void altDownAltUpAndTheArrowButtonsMoveTheSelectedTransition();
    void aDragFromElsewhereIsRefused();

private:
    // Opens `flow` in a real main window and selects "route" in the inspector.
    void open(const engine::Flow& flow);
    // Drags row `from` of the transitions table through the viewport and drops it at `at`.
    void dragRow(int from, QPoint at, const char* shot = nullptr);
    const engine::State& route() const;

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<WorkspaceStore> m_store;
    std::unique_ptr<MainWindow> m_window;
    DesignWorkspace* m_design = nullptr;
    FlowDocument* m_doc = nullptr;
    QTableWidget* m_table = nullptr;
};

void tst_TransitionReorder::init() {
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_store = std::make_unique<WorkspaceStore>();
    QVERIFY(m_store->open(m_dir->filePath(QStringLiteral("workspace.sqlite"))));
}

void tst_TransitionReorder::cleanup() {
    m_window.reset();
    m_store.reset();
    m_dir.reset();
}

void tst_TransitionReorder::open(const engine::Flow& flow) {
    const QString path = m_dir->filePath(QStringLiteral("routing.json"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(QByteArray::fromStdString(engine::serializeFlow(flow)));
    file.close();
    m_window = std::make_unique<MainWindow>(m_store.get());
    m_window->resize(1300, 850);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    m_design = m_window->design();
    QVERIFY(m_design->openFile(path));
    m_doc = m_design->document();
    m_design->scene()->selectStates({*m_doc->idOf(QStringLiteral("route"))});
    m_table = m_design->inspector()->transitionsEditor()->table();
    QTRY_VERIFY(m_table->isVisible());
    QCOMPARE(m_table->rowCount(), 3);
}

void tst_TransitionReorder::dragRow(int from, QPoint at, const char* shot) {
    QWidget* viewport = m_table->viewport();
    const std::unique_ptr<QMimeData> data(
        m_table->model()->mimeData({m_table->model()->index(from, GripColumn)}));
    QVERIFY(data);
    QDragEnterEvent enter(at, Qt::MoveAction, data.get(), Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(viewport, &enter);
    QVERIFY(enter.isAccepted());
    QDragMoveEvent move(at, Qt::MoveAction, data.get(), Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(viewport, &move);
    QVERIFY(move.isAccepted());
    QFrame* indicator = dropIndicator(m_table);
    QVERIFY(indicator && indicator->isVisible());
    QVERIFY(indicator->width() >= viewport->width() - 1); // the whole row, over the editors
    // Drawn over the editors that fill the cells, in the selection colour.
    QCOMPARE(viewport->grab().toImage().pixelColor(viewport->width() / 2, indicator->y() + 1),
             viewport->palette().color(QPalette::Highlight));
    if (shot) {
        shoot(m_design->inspector(), shot);
    }
    QDropEvent drop(at, Qt::MoveAction, data.get(), Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(viewport, &drop);
    QVERIFY(drop.isAccepted());
    QVERIFY(!indicator->isVisible());
}

const engine::State& tst_TransitionReorder::route() const {
    return *m_doc->state(*m_doc->idOf(QStringLiteral("route")));
}

void tst_TransitionReorder::draggingARowChangesTheEvaluationOrderInOneUndoStep() {
    open(routingFlow(std::nullopt, std::nullopt));
    QCOMPARE(engineGoesTo(m_doc->flow()), std::string("checkout"));
    const int steps = m_doc->undoStack()->count();

    // "cancel" (row 1) onto the upper half of row 0: it goes above "checkout".
    dragRow(1, rowTop(m_table, 0), "reorder-during-drag");
    QCOMPARE(targets(route()), (std::vector<std::string>{"cancel", "checkout", "help"}));
    QCOMPARE(priorities(route()), (std::vector<int>{-1, -1, -1})); // order alone decides
    QCOMPARE(m_doc->undoStack()->count(), steps + 1);
    QCOMPARE(m_doc->undoStack()->undoText(),
             QStringLiteral("Move transition to ‘cancel’ above transition to ‘checkout’"));
    QCOMPARE(engineGoesTo(m_doc->flow()), std::string("cancel"));
    // The table shows the new order with the moved row still selected.
    auto* firstTarget = qobject_cast<QComboBox*>(m_table->cellWidget(0, TargetColumn));
    QVERIFY(firstTarget);
    QCOMPARE(firstTarget->currentText(), QStringLiteral("cancel"));
    QCOMPARE(m_table->currentRow(), 0);
    shoot(m_design->inspector(), "reorder-after-drop");

    // "cancel" again, below the last row: the end of the list.
    dragRow(0, rowBottom(m_table, 2));
    QCOMPARE(targets(route()), (std::vector<std::string>{"checkout", "help", "cancel"}));
    QCOMPARE(m_doc->undoStack()->undoText(),
             QStringLiteral("Move transition to ‘cancel’ below transition to ‘help’"));

    // Dropping a row onto its own place changes nothing and records nothing.
    dragRow(1, rowTop(m_table, 1));
    QCOMPARE(m_doc->undoStack()->count(), steps + 2);

    m_doc->undoStack()->undo();
    m_doc->undoStack()->undo();
    QCOMPARE(targets(route()), (std::vector<std::string>{"checkout", "cancel", "help"}));
    QCOMPARE(engineGoesTo(m_doc->flow()), std::string("checkout"));
    QCOMPARE(qobject_cast<QComboBox*>(m_table->cellWidget(0, TargetColumn))->currentText(),
             QStringLiteral("checkout"));
    QVERIFY(!m_design->isModified());
}

void tst_TransitionReorder::aDropAgainstWrittenPrioritiesChangesThemToFollowTheTable() {
    // checkout 10 above cancel 5: checkout first.
    open(routingFlow(10, 5));
    QCOMPARE(engineGoesTo(m_doc->flow()), std::string("checkout"));
    dragRow(1, rowTop(m_table, 0));
    // Moved alone above checkout, cancel 5 would still run second: it takes checkout's priority,
    // and the tie is broken by the table order. The others keep theirs.
    QCOMPARE(targets(route()), (std::vector<std::string>{"cancel", "checkout", "help"}));
    QCOMPARE(priorities(route()), (std::vector<int>{10, 10, -1}));
    QCOMPARE(engineGoesTo(m_doc->flow()), std::string("cancel"));
    QCOMPARE(m_doc->undoStack()->undoText(),
             QStringLiteral("Move transition to ‘cancel’ above transition to ‘checkout’ "
                            "(priority 10)"));
    auto* priority =
        qobject_cast<QLineEdit*>(m_table->cellWidget(0, PriorityColumn)->findChild<QLineEdit*>());
    QVERIFY(priority);
    QCOMPARE(priority->text(), QStringLiteral("10"));
    m_doc->undoStack()->undo();
    QCOMPARE(priorities(route()), (std::vector<int>{10, 5, -1}));
    QCOMPARE(engineGoesTo(m_doc->flow()), std::string("checkout"));

    // Priorities that already contradict the table (checkout 1 above cancel 5, so cancel runs
    // first): moving "help" renumbers the whole state to what the table shows.
    m_window.reset();
    open(routingFlow(1, 5));
    QCOMPARE(engineGoesTo(m_doc->flow()), std::string("cancel"));
    dragRow(2, rowTop(m_table, 0));
    QCOMPARE(targets(route()), (std::vector<std::string>{"help", "checkout", "cancel"}));
    QCOMPARE(priorities(route()), (std::vector<int>{30, 20, 10}));
    QCOMPARE(engineGoesTo(m_doc->flow()), std::string("checkout")); // help is a fallback
    QVERIFY(m_doc->undoStack()->undoText().endsWith(QStringLiteral("(priorities renumbered)")));
}

void tst_TransitionReorder::altDownAltUpAndTheArrowButtonsMoveTheSelectedTransition() {
    open(routingFlow(std::nullopt, std::nullopt));
    const int steps = m_doc->undoStack()->count();
    // The keys work while typing in a row's field, not only with the table focused.
    m_window->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
    m_table->selectRow(0);
    auto* value = qobject_cast<QLineEdit*>(m_table->cellWidget(0, ValueColumn));
    QVERIFY(value);
    value->setFocus();
    QTRY_VERIFY(value->hasFocus());
    QTest::keyClick(value, Qt::Key_Down, Qt::AltModifier);
    QCOMPARE(targets(route()), (std::vector<std::string>{"cancel", "checkout", "help"}));
    QCOMPARE(m_table->currentRow(), 1);
    QCOMPARE(engineGoesTo(m_doc->flow()), std::string("cancel"));
    QCOMPARE(m_doc->undoStack()->undoText(),
             QStringLiteral("Move transition to ‘checkout’ above transition to ‘help’"));
    QVERIFY(m_table->isAncestorOf(QApplication::focusWidget()));

    QTest::keyClick(QApplication::focusWidget(), Qt::Key_Down, Qt::AltModifier);
    QCOMPARE(targets(route()), (std::vector<std::string>{"cancel", "help", "checkout"}));
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_Down, Qt::AltModifier); // already last
    QCOMPARE(m_doc->undoStack()->count(), steps + 2);
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_Up, Qt::AltModifier);
    QCOMPARE(targets(route()), (std::vector<std::string>{"cancel", "checkout", "help"}));

    // The arrow buttons make the same change.
    QToolButton* up = nullptr;
    for (auto* button : m_design->inspector()->transitionsEditor()->findChildren<QToolButton*>()) {
        if (button->arrowType() == Qt::UpArrow) {
            up = button;
        }
    }
    QVERIFY(up);
    QTest::mouseClick(up, Qt::LeftButton);
    QCOMPARE(targets(route()), (std::vector<std::string>{"checkout", "cancel", "help"}));
    QCOMPARE(m_doc->undoStack()->undoText(),
             QStringLiteral("Move transition to ‘checkout’ above transition to ‘cancel’"));
    QCOMPARE(m_doc->undoStack()->count(), steps + 4);
}

void tst_TransitionReorder::aDragFromElsewhereIsRefused() {
    open(routingFlow(std::nullopt, std::nullopt));
    // Rows of another table (or another application) carry no row of this one.
    QTableWidget other(3, 1);
    for (int row = 0; row < 3; ++row) {
        other.setItem(row, 0, new QTableWidgetItem(QStringLiteral("x")));
    }
    const std::unique_ptr<QMimeData> data(other.model()->mimeData({other.model()->index(1, 0)}));
    const QPoint at = rowTop(m_table, 0);
    QDragEnterEvent enter(at, Qt::MoveAction, data.get(), Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(m_table->viewport(), &enter);
    QVERIFY(!enter.isAccepted());
    QDropEvent drop(at, Qt::MoveAction, data.get(), Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(m_table->viewport(), &drop);
    QCOMPARE(targets(route()), (std::vector<std::string>{"checkout", "cancel", "help"}));
    QVERIFY(!m_design->isModified());
}

QTEST_MAIN(tst_TransitionReorder)
#include "tst_transition_reorder.moc"
