// The Simulate workspace driven like a user: type into the chat, watch the graph and the trace,
// stop at breakpoints, rewind and fork, switch a stub, save and run tests.
#include "app/main_window.h"
#include "design/design_workspace.h"
#include "graph/flow_commands.h"
#include "graph/flow_scene.h"
#include "simulate/chat_panel.h"
#include "simulate/context_editor.h"
#include "simulate/simulate_workspace.h"
#include "simulate/simulation_controller.h"
#include "simulate/stubs_panel.h"
#include "simulate/tests_panel.h"
#include "simulate/trace_panel.h"

#include "flowdeck/engine/flow_json.h"
#include "flowdeck/engine/test_suite.h"

#include <QAbstractItemModel>
#include <QComboBox>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBrowser>
#include <QTreeView>
#include <QTreeWidget>

using namespace flowdeck::console;
namespace engine = flowdeck::engine;

namespace {

bool copyResource(const QString& name, const QString& dir) {
    return QFile::copy(QStringLiteral(RESOURCES_DIR "/flows/") + name,
                       dir + QLatin1Char('/') + name);
}

} // namespace

class tst_SimulateWindow : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();
    void chatHighlightsPathAndShowsTrace();
    void breakpointStopsAndStepsOneStateAtATime();
    void conditionalBreakpointStopsOnlyWhenTrue();
    void rewindForksTheConversation();
    void contextEditedBetweenMessagesChangesThePath();
    void stubChoiceChangesThePath();
    void savedConversationBecomesAPassingTestWithCoverage();
    void replayShowsWhereAnEditedFlowChangesThePath();
    void suiteFailsWithADiffAfterABreakingEdit();
    void aFlowHasSeveralSuites();
    void aTestCasePlaysIntoTheChat();

private:
    void say(const QString& text);
    QString badgeOf(const char* state) const;

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<MainWindow> m_window;
    SimulateWorkspace* m_sim = nullptr;
};

void tst_SimulateWindow::init() {
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    QVERIFY(copyResource(QStringLiteral("order_support.json"), m_dir->path()));
    QVERIFY(copyResource(QStringLiteral("order_support.stubs.json"), m_dir->path()));
    m_window = std::make_unique<MainWindow>(nullptr);
    m_window->resize(1400, 900);
    QVERIFY(m_window->design()->openFile(m_dir->filePath(QStringLiteral("order_support.json"))));
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    m_window->showWorkspace(QStringLiteral("simulate"));
    m_sim = m_window->simulate();
    QVERIFY(m_sim->waitIdle());
}

void tst_SimulateWindow::cleanup() {
    m_window.reset();
    m_dir.reset();
}

// Types into the chat line and presses Enter, as a user would, then waits for the reply.
void tst_SimulateWindow::say(const QString& text) {
    QLineEdit* input = m_sim->chat()->inputLine();
    input->setFocus();
    QTest::keyClicks(input, text);
    QTest::keyClick(input, Qt::Key_Return);
    QVERIFY(m_sim->waitIdle());
}

QString tst_SimulateWindow::badgeOf(const char* state) const {
    const auto id = m_window->design()->document()->idOf(QString::fromLatin1(state));
    return id ? m_sim->scene()->decoration(*id).badge : QStringLiteral("<no state>");
}

void tst_SimulateWindow::chatHighlightsPathAndShowsTrace() {
    const auto& turns = m_sim->controller()->turns();
    QCOMPARE(turns.size(), size_t(1)); // the opening message
    QCOMPARE(turns[0].after.currentState, std::string("greeting"));
    auto* chatView = m_sim->chat()->findChild<QTextBrowser*>(QStringLiteral("ChatView"));
    QVERIFY(chatView->toPlainText().contains(QStringLiteral("How can I help?")));

    say(QStringLiteral("where is my order?"));
    QCOMPARE(turns.size(), size_t(2));
    QCOMPARE(turns[1].after.currentState, std::string("ask_order"));
    QVERIFY(chatView->toPlainText().contains(QStringLiteral("What is your order number?")));
    QVERIFY(chatView->toPlainText().contains(QStringLiteral("order_status")));
    QCOMPARE(badgeOf("ask_order"), QStringLiteral("current"));

    say(QStringLiteral("it's AB-12345"));
    QVERIFY(chatView->toPlainText().contains(QStringLiteral("has shipped with DHL")));
    QCOMPARE(badgeOf("lookup_order"), QStringLiteral("visited"));
    QCOMPARE(badgeOf("check_status"), QStringLiteral("visited"));
    QCOMPARE(badgeOf("greeting"), QString()); // not on this turn's path
    const auto lookup = m_window->design()->document()->idOf(QStringLiteral("lookup_order"));
    QVERIFY(m_sim->scene()->transitionMark({*lookup, 0}).isValid()); // on_success was taken
    QVERIFY(!m_sim->scene()->transitionMark({*lookup, 2}).isValid());

    // The trace lists the integration call of this turn; clicking a row selects its state.
    auto* tree = m_sim->trace()->findChild<QTreeView*>();
    QVERIFY(tree);
    QAbstractItemModel* model = tree->model();
    QVERIFY(model->rowCount() > 3);
    QSignalSpy activated(m_sim->trace(), &TracePanel::stateActivated);
    bool sawCall = false;
    for (int row = 0; row < model->rowCount(); ++row) {
        const QString text = model->index(row, 1).data().toString() + QLatin1Char(' ') +
                             model->index(row, 2).data().toString();
        if (text.contains(QStringLiteral("integration")) &&
            text.contains(QStringLiteral("lookup_order"))) {
            sawCall = true;
            tree->setCurrentIndex(model->index(row, 0));
            QTest::keyClick(tree, Qt::Key_Return);
            break;
        }
    }
    QVERIFY(sawCall);
    QVERIFY(!activated.isEmpty());
    QCOMPARE(activated.front().front().toString(), QStringLiteral("lookup_order"));
    QCOMPARE(m_sim->scene()->selectedStates(), QVector<StateId>{*lookup});
}

void tst_SimulateWindow::breakpointStopsAndStepsOneStateAtATime() {
    say(QStringLiteral("where is my order?"));
    const auto lookup = m_window->design()->document()->idOf(QStringLiteral("lookup_order"));
    m_sim->scene()->selectStates({*lookup});
    m_sim->toggleBreakpoint();
    QCOMPARE(badgeOf("lookup_order"), QStringLiteral("● break"));

    m_sim->sendMessage(QStringLiteral("it's AB-12345"));
    QVERIFY(QTest::qWaitFor([this] { return m_sim->controller()->isPaused(); }, 5000));
    auto* banner = m_sim->findChild<QLabel*>(QStringLiteral("PauseBanner"));
    QVERIFY(banner->isVisible());
    QVERIFY(banner->text().contains(QStringLiteral("lookup_order")));
    QCOMPARE(badgeOf("lookup_order"), QStringLiteral("paused"));
    QVERIFY(!m_sim->chat()->inputLine()->isEnabled());

    // Step: the next stop is the next state entered, check_status.
    m_sim->controller()->stepOnce();
    QVERIFY(QTest::qWaitFor(
        [this] {
            return m_sim->controller()->isPaused() &&
                   badgeOf("check_status") == QStringLiteral("paused");
        },
        5000));
    m_sim->controller()->continueRun();
    QVERIFY(m_sim->waitIdle());
    const auto& turns = m_sim->controller()->turns();
    QCOMPARE(turns.size(), size_t(3));
    QCOMPARE(turns.back().after.currentState, std::string("report_shipped"));
    QVERIFY(!banner->isVisible());

    // Abort at the breakpoint: the message leaves the conversation as it was.
    m_sim->rewindTo(1);
    m_sim->sendMessage(QStringLiteral("it's AB-12345"));
    QVERIFY(QTest::qWaitFor([this] { return m_sim->controller()->isPaused(); }, 5000));
    m_sim->controller()->abortRun();
    QVERIFY(m_sim->waitIdle());
    QCOMPARE(m_sim->controller()->conversation().currentState, std::string("ask_order"));
    QVERIFY(!m_sim->controller()->turns().back().result.ok);
}

void tst_SimulateWindow::conditionalBreakpointStopsOnlyWhenTrue() {
    say(QStringLiteral("where is my order?"));
    m_sim->controller()->setBreakpoint(QStringLiteral("check_status"),
                                       QStringLiteral("vars.order_status == 'lost'"));
    say(QStringLiteral("it's AB-12345")); // shipped: the condition is false, no stop
    QCOMPARE(m_sim->controller()->turns().back().after.currentState, std::string("report_shipped"));

    m_sim->rewindTo(1);
    m_sim->controller()->setBreakpoint(QStringLiteral("check_status"),
                                       QStringLiteral("slots.order_id == 'AB-12345'"));
    m_sim->sendMessage(QStringLiteral("it's AB-12345"));
    QVERIFY(QTest::qWaitFor([this] { return m_sim->controller()->isPaused(); }, 5000));
    QCOMPARE(badgeOf("check_status"), QStringLiteral("paused"));
    m_sim->controller()->continueRun();
    QVERIFY(m_sim->waitIdle());
}

void tst_SimulateWindow::rewindForksTheConversation() {
    say(QStringLiteral("where is my order?"));
    say(QStringLiteral("it's AB-12345"));
    const auto& turns = m_sim->controller()->turns();
    QCOMPARE(turns.size(), size_t(3));
    m_sim->rewindTo(0);
    QCOMPARE(turns.size(), size_t(1));
    QCOMPARE(m_sim->controller()->conversation().currentState, std::string("greeting"));
    say(QStringLiteral("I want to talk to a person"));
    QCOMPARE(turns.size(), size_t(2));
    QCOMPARE(turns[1].input.text, std::string("I want to talk to a person"));
    QVERIFY(turns[1].after.currentState != "ask_order");
}

void tst_SimulateWindow::contextEditedBetweenMessagesChangesThePath() {
    // "What if the user were premium?": add user.premium = true in the context editor.
    ContextEditor* context = m_sim->context();
    QTreeWidget* tree = context->tree();
    tree->setCurrentItem(tree->topLevelItem(2)); // the "user" group
    context->addKey();
    QTreeWidgetItem* added = context->itemFor(QStringLiteral("user"), QStringLiteral("new_key"));
    QVERIFY(added);
    added->setText(ContextEditor::KeyColumn, QStringLiteral("premium"));
    context->itemFor(QStringLiteral("user"), QStringLiteral("premium"))
        ->setText(ContextEditor::ValueColumn, QStringLiteral("true"));
    QCOMPARE(m_sim->controller()->conversation().user.value("premium", false), true);

    say(QStringLiteral("I want to talk to a person"));
    QCOMPARE(m_sim->controller()->turns().back().after.currentState,
             std::string("handoff_priority"));

    // The same words from the same point without the edit reach the standard queue.
    m_sim->rewindTo(0);
    QCOMPARE(m_sim->controller()->conversation().user.contains("premium"), false);
    say(QStringLiteral("I want to talk to a person"));
    QCOMPARE(m_sim->controller()->turns().back().after.currentState,
             std::string("handoff_standard"));
}

void tst_SimulateWindow::stubChoiceChangesThePath() {
    // The stubs beside the flow answer the order lookup: shipped.
    StubsPanel* stubs = m_sim->stubs();
    const int row = stubs->rowOf(QStringLiteral("orders_api"));
    QVERIFY(row >= 0);
    QComboBox* kind = stubs->kindBox(row);
    QCOMPARE(kind->currentText(), QStringLiteral("Success"));
    say(QStringLiteral("where is my order?"));
    say(QStringLiteral("it's AB-12345"));
    QCOMPARE(m_sim->controller()->turns().back().after.currentState, std::string("report_shipped"));

    // The designer switches the stub to a failure and asks again from the same point.
    kind->setCurrentIndex(kind->findText(QStringLiteral("Failure")));
    m_sim->rewindTo(1);
    say(QStringLiteral("it's AB-12345"));
    const engine::SimTurn& turn = m_sim->controller()->turns().back();
    QVERIFY(std::find(turn.path.begin(), turn.path.end(), "lookup_failed") != turn.path.end());
    QCOMPARE(badgeOf("lookup_failed"), QStringLiteral("current"));
    QCOMPARE(turn.result.failedIntegrations, std::vector<std::string>{"orders_api"});
}

void tst_SimulateWindow::savedConversationBecomesAPassingTestWithCoverage() {
    say(QStringLiteral("where is my order?"));
    say(QStringLiteral("it's AB-12345"));
    TestsPanel* tests = m_sim->tests();
    QSignalSpy save(tests, &TestsPanel::saveConversationRequested);
    Q_EMIT tests->saveConversationRequested(QStringLiteral("order shipped"));
    QCOMPARE(tests->suite().cases.size(), size_t(1));
    const QString suitePath = m_dir->filePath(QStringLiteral("order_support.suite.json"));
    QCOMPARE(tests->suitePath(), suitePath);
    QVERIFY(QFile::exists(suitePath));

    tests->runSuite();
    QVERIFY(tests->waitForRun());
    const engine::SuiteResult* result = tests->lastResult();
    QVERIFY(result);
    QCOMPARE(result->passed, size_t(1));
    QCOMPARE(result->failed, size_t(0));

    // The same file through the engine directly gives the same coverage the console draws.
    engine::TestSuite suite;
    QVERIFY(engine::loadTestSuiteFile(suitePath.toStdString(), suite).empty());
    const engine::ParseResult parsed =
        engine::parseFlowFile(m_dir->filePath(QStringLiteral("order_support.json")).toStdString());
    QVERIFY(parsed.ok());
    const engine::SuiteResult direct =
        engine::runTestSuite(engine::compileFlow(*parsed.flow), suite);
    QCOMPARE(direct.coverage.states, result->coverage.states);
    QCOMPARE(direct.coverage.transitions.size(), result->coverage.transitions.size());

    tests->setCoverageShown(true);
    int tested = 0;
    int untested = 0;
    FlowDocument* doc = m_window->design()->document();
    for (StateId id : doc->stateIds()) {
        const QString badge = m_sim->scene()->decoration(id).badge;
        tested += badge == QStringLiteral("tested");
        untested += badge == QStringLiteral("untested");
    }
    QCOMPARE(size_t(tested), result->coverage.states.size());
    QCOMPARE(tested + untested, doc->stateCount());
}

void tst_SimulateWindow::replayShowsWhereAnEditedFlowChangesThePath() {
    say(QStringLiteral("where is my order?"));
    say(QStringLiteral("it's AB-12345"));
    QVERIFY(m_sim->replayOnCurrentFlow().contains(QStringLiteral("same path")));

    // The designer edits the shipped reply in Design: replay finds the turn that changed.
    FlowDocument* doc = m_window->design()->document();
    const auto id = doc->idOf(QStringLiteral("report_shipped"));
    engine::State edited = *doc->state(*id);
    edited.config["response_templates"]["default"] = "Your parcel is on its way.";
    doc->undoStack()->push(new EditStateCommand(doc, *id, edited, QStringLiteral("edit reply")));
    const QString report = m_sim->replayOnCurrentFlow();
    QVERIFY2(report.contains(QStringLiteral("changes at turn 2")), qPrintable(report));
    QVERIFY(report.contains(QStringLiteral("Your parcel is on its way.")));
}

void tst_SimulateWindow::suiteFailsWithADiffAfterABreakingEdit() {
    say(QStringLiteral("where is my order?"));
    say(QStringLiteral("it's AB-12345"));
    TestsPanel* tests = m_sim->tests();
    Q_EMIT tests->saveConversationRequested(QStringLiteral("order shipped"));

    // Break the flow in Design: the shipped order now goes to report_other.
    FlowDocument* doc = m_window->design()->document();
    const auto id = doc->idOf(QStringLiteral("lookup_order"));
    engine::State edited = *doc->state(*id);
    edited.transitions[0].target = "report_other";
    doc->undoStack()->push(new EditStateCommand(doc, *id, edited, QStringLiteral("retarget")));

    tests->runSuite();
    QVERIFY(tests->waitForRun());
    QCOMPARE(tests->lastResult()->failed, size_t(1));
    auto* details = tests->findChild<QTextBrowser*>(QStringLiteral("TestDetails"));
    const QString text = details->toPlainText();
    QVERIFY2(text.contains(QStringLiteral("failed")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("lookup_order → check_status → report_shipped")),
             qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("lookup_order → report_other")), qPrintable(text));
}

void tst_SimulateWindow::aFlowHasSeveralSuites() {
    say(QStringLiteral("where is my order?"));
    TestsPanel* tests = m_sim->tests();
    Q_EMIT tests->saveConversationRequested(QStringLiteral("asks for the number"));
    QString error;
    QVERIFY(!tests->createSuite(QStringLiteral("bad name!"), &error));
    QVERIFY(error.contains(QStringLiteral("bad name!")));
    QVERIFY2(tests->createSuite(QStringLiteral("smoke"), &error), qPrintable(error));
    QCOMPARE(tests->suitePath(), m_dir->filePath(QStringLiteral("order_support.smoke.suite.json")));
    QCOMPARE(tests->suite().cases.size(), size_t(0));
    Q_EMIT tests->saveConversationRequested(QStringLiteral("smoke: order number"));
    QCOMPARE(tests->suite().cases.size(), size_t(1));

    // Reopening the flow lists both suites, the default one first.
    QVERIFY(m_window->design()->openFile(m_dir->filePath(QStringLiteral("order_support.json"))));
    auto* box = tests->findChild<QComboBox*>(QStringLiteral("SuiteBox"));
    QCOMPARE(box->count(), 2);
    QCOMPARE(tests->suite().cases.front().name, std::string("asks for the number"));
    box->setCurrentIndex(1);
    QCOMPARE(tests->suite().cases.front().name, std::string("smoke: order number"));
}

void tst_SimulateWindow::aTestCasePlaysIntoTheChat() {
    // (Built as JSON values, not a raw string literal: moc misreads those.)
    engine::Json inputs = engine::Json::array();
    inputs.push_back(engine::Json::object());
    inputs.push_back({{"input", "where is my order?"}});
    inputs.push_back({{"input", "it's AB-12345"}});
    const engine::Json document = {
        {"cases",
         {{{"name", "API down for a premium user"},
           {"user", {{"premium", true}}},
           {"stubs", {{"orders_api", {{"kind", "failure"}, {"status", 503}}}}},
           {"turns", inputs}}}}};
    engine::TestSuite suite;
    QVERIFY(engine::parseTestSuite(document.dump(), suite).empty());
    QString error;
    QVERIFY2(m_sim->openTestCase(suite, suite.cases.front(), &error), qPrintable(error));
    const auto& turns = m_sim->controller()->turns();
    QCOMPARE(turns.size(), size_t(3));
    QCOMPARE(turns[0].before.user.value("premium", false), true); // the case's user
    QVERIFY(std::find(turns[2].path.begin(), turns[2].path.end(), "lookup_failed") !=
            turns[2].path.end()); // the case's stub
    const int row = m_sim->stubs()->rowOf(QStringLiteral("orders_api"));
    QCOMPARE(m_sim->stubs()->kindBox(row)->currentText(), QStringLiteral("Failure"));
    auto* chatView = m_sim->chat()->findChild<QTextBrowser*>(QStringLiteral("ChatView"));
    QVERIFY(chatView->toPlainText().contains(QStringLiteral("it's AB-12345")));
}

QTEST_MAIN(tst_SimulateWindow)
#include "tst_simulate_window.moc"
