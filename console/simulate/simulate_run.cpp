// What the Simulate workspace does: its actions, running messages, time travel and the marks it
// draws on its scene. The widgets are built in simulate_workspace.cpp.
#include "design/design_workspace.h"
#include "graph/flow_scene.h"
#include "graph/flow_view.h"
#include "graph/graph_style.h"
#include "simulate/chat_panel.h"
#include "simulate/context_editor.h"
#include "simulate/simulate_workspace.h"
#include "simulate/simulation_controller.h"
#include "simulate/stubs_panel.h"
#include "simulate/tests_panel.h"
#include "simulate/trace_panel.h"

#include "flowdeck/engine/stub_file.h"

#include <QAction>
#include <QDeadlineTimer>
#include <QDir>
#include <QDockWidget>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QInputDialog>
#include <QLabel>
#include <QTimer>
#include <QToolBar>

#include <fstream>
#include <sstream>

namespace flowdeck::console {

namespace {

QColor pathColor() {
    return QColor(0x05, 0x96, 0x69);
}
QColor pausedColor() {
    return QColor(0xd9, 0x77, 0x06);
}

} // namespace

void SimulateWorkspace::buildActions() {
    const auto add = [this](const char* name, const QString& text, const QKeySequence& shortcut,
                            auto slot) {
        auto* action = new QAction(text, this);
        action->setShortcut(shortcut);
        // F5, F9, F10 mean something only here: they act while focus is in this workspace.
        action->setShortcutContext(Qt::WidgetWithChildrenShortcut);
        addAction(action);
        connect(action, &QAction::triggered, this, slot);
        m_actions.insert(QString::fromLatin1(name), action);
        return action;
    };
    add("restart", tr("&Restart Conversation"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_R),
        [this] { restart(); });
    add("step", tr("&Step"), QKeySequence(Qt::Key_F10), [this] {
        if (m_controller->isPaused()) {
            m_controller->stepOnce();
        } else if (!m_controller->isBusy()) {
            sendMessage(m_chat->inputLine()->text(), true);
            m_chat->inputLine()->clear();
        }
    });
    add("continue", tr("&Continue"), QKeySequence(Qt::Key_F5),
        [this] { m_controller->continueRun(); });
    add("abort", tr("&Abort Message"), QKeySequence(Qt::SHIFT | Qt::Key_F5),
        [this] { m_controller->abortRun(); });
    add("breakpoint", tr("Toggle &Breakpoint"), QKeySequence(Qt::Key_F9),
        [this] { toggleBreakpoint(); });
    add("condition", tr("Conditional Breakpoint…"), QKeySequence(Qt::CTRL | Qt::Key_F9),
        [this] { editBreakpointCondition(); });
    add("replay", tr("Re&play on Current Flow"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Y),
        [this] { m_chat->setNotice(replayOnCurrentFlow()); });
    add("saveTest", tr("Save Conversation as &Test…"), QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_T),
        [this] { m_tests->requestSaveConversation(); });
    add("runSuite", tr("&Run Test Suite"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_T),
        [this] { m_tests->runSuite(); });
    QAction* coverage =
        add("coverage", tr("Show Test Co&verage"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_G),
            [this](bool on) { m_tests->setCoverageShown(on); });
    coverage->setCheckable(true);
    connect(m_tests, &TestsPanel::coverageChanged, coverage,
            [this, coverage] { coverage->setChecked(m_tests->coverageShown()); });

    auto* bar = addToolBar(tr("Simulation"));
    bar->setObjectName(QStringLiteral("SimulationBar"));
    bar->setMovable(false);
    bar->setToolButtonStyle(Qt::ToolButtonTextOnly);
    for (const char* name : {"restart", "step", "continue", "abort", "breakpoint", "replay",
                             "saveTest", "runSuite", "coverage"}) {
        bar->addAction(m_actions.value(QString::fromLatin1(name)));
    }
    onBusyChanged(false);
}

std::shared_ptr<const engine::CompiledFlow> SimulateWorkspace::compileDocument() const {
    return engine::compileFlow(m_document->flow());
}

void SimulateWorkspace::activate() {
    if (m_controller->isBusy()) {
        return;
    }
    if (m_flowStale) {
        m_scene->fitSceneRect();
        m_controller->setFlow(compileDocument());
        m_flowStale = false;
    }
    if (m_needsRestart) {
        // Another flow was opened: its stubs and tests are read here, when the simulator is
        // used, not on every open in Design.
        m_needsRestart = false;
        loadStubsForFlow();
        m_tests->setFlow(m_design->filePath(), QString::fromStdString(m_document->header().name));
        restart();
    }
}

void SimulateWorkspace::onDocumentReset() {
    m_view->fitUntilUserZooms();
    m_flowStale = true;
    m_needsRestart = true;
    if (isVisible()) {
        activate();
    }
}

// Stubs come from FLOW.stubs.json beside the flow file when there is one: the same file
// `flowctl simulate --stubs` reads, so the console and the command line answer alike.
void SimulateWorkspace::loadStubsForFlow() {
    engine::Json stubs = engine::Json::object();
    const QString path = m_design->filePath();
    if (!path.isEmpty()) {
        const QFileInfo info(path);
        QFile file(info.dir().filePath(info.completeBaseName() + QStringLiteral(".stubs.json")));
        if (file.open(QIODevice::ReadOnly)) {
            stubs = engine::Json::parse(file.readAll().toStdString(), nullptr, false);
            if (stubs.is_discarded() || !stubs.is_object()) {
                Q_EMIT statusMessage(
                    tr("%1 is not a stubs file; using defaults").arg(QFileInfo(file).fileName()),
                    8000);
                stubs = engine::Json::object();
            }
        }
    }
    m_stubs->setIntegrations(StubsPanel::integrationNames(m_document->flow()), stubs);
    applyStubs();
}

void SimulateWorkspace::applyStubs() {
    m_controller->stubs()->clear();
    const auto problems = m_stubs->applyTo(*m_controller->stubs());
    if (!problems.empty()) {
        Q_EMIT statusMessage(tr("Stubs not applied: %1 (%2)")
                                 .arg(QString::fromStdString(problems.front().message),
                                      QString::fromStdString(problems.front().pointer)),
                             8000);
    }
}

void SimulateWorkspace::restart() {
    activate();
    m_chat->setNotice({});
    m_controller->restart(engine::Json::object());
}

void SimulateWorkspace::sendMessage(const QString& text, bool stepping) {
    if (text.trimmed().isEmpty() || m_controller->isBusy()) {
        return;
    }
    activate();
    if (m_controller->isBusy()) {
        // activate() had to start the conversation first: keep what the user typed.
        m_chat->inputLine()->setText(text);
        Q_EMIT statusMessage(tr("The conversation is starting; press Enter again"), 4000);
        return;
    }
    m_chat->setNotice({});
    m_chat->setPending(text);
    m_controller->send(text, stepping);
}

bool SimulateWorkspace::waitIdle(int timeoutMs) {
    QDeadlineTimer deadline(timeoutMs);
    while (m_controller->isBusy() && !m_controller->isPaused() && !deadline.hasExpired()) {
        QEventLoop loop;
        connect(m_controller, &SimulationController::busyChanged, &loop, &QEventLoop::quit);
        connect(m_controller, &SimulationController::paused, &loop, &QEventLoop::quit);
        QTimer::singleShot(50, &loop, &QEventLoop::quit);
        loop.exec();
    }
    return !m_controller->isBusy();
}

bool SimulateWorkspace::playScript(const QString& path, QString* error) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text)) {
        *error = tr("Cannot read %1: %2").arg(path, file.errorString());
        return false;
    }
    int lineNumber = 0;
    while (true) {
        waitIdle();
        if (m_controller->isPaused()) {
            // A breakpoint: leave the rest unsent so the user (or a screenshot) sees the stop.
            Q_EMIT statusMessage(tr("Stopped at a breakpoint after line %1 of %2")
                                     .arg(lineNumber)
                                     .arg(QFileInfo(path).fileName()),
                                 0);
            return true;
        }
        if (m_controller->isBusy()) {
            *error = tr("%1:%2: the message did not finish in time").arg(path).arg(lineNumber);
            return false;
        }
        if (file.atEnd()) {
            return true;
        }
        ++lineNumber;
        const QString line = QString::fromUtf8(file.readLine()).trimmed();
        if (!line.isEmpty() && !line.startsWith(QLatin1Char('#'))) {
            sendMessage(line);
        }
    }
}

bool SimulateWorkspace::openTestCase(const engine::TestSuite& suite,
                                     const engine::TestCase& testCase, QString* error) {
    if (m_controller->isBusy()) {
        *error = tr("A message is still running");
        return false;
    }
    activate();
    waitIdle();
    engine::Json stubs = suite.stubs.is_object() ? suite.stubs : engine::Json::object();
    for (auto it = testCase.stubs.begin(); testCase.stubs.is_object() && it != testCase.stubs.end();
         ++it) {
        stubs[it.key()] = it.value();
    }
    m_stubs->setIntegrations(StubsPanel::integrationNames(m_document->flow()), stubs);
    applyStubs();
    m_chat->setNotice({});
    m_controller->restart(testCase.user.is_object() ? testCase.user : engine::Json::object());
    for (const engine::TestTurn& turn : testCase.turns) {
        waitIdle();
        if (m_controller->isPaused()) {
            return true;
        }
        if (m_controller->isBusy()) {
            *error = tr("The message did not finish in time");
            return false;
        }
        if (!turn.input) {
            continue; // the opening turn
        }
        if (turn.set.is_object() && !turn.set.empty()) {
            engine::applyContextPatch(m_controller->conversation(), turn.set);
        }
        engine::InboundMessage message;
        message.type = turn.type;
        message.text = *turn.input;
        message.attributes = turn.attributes;
        m_chat->setPending(QString::fromStdString(message.text));
        m_controller->send(message);
    }
    waitIdle();
    Q_EMIT statusMessage(tr("Played test %1").arg(QString::fromStdString(testCase.name)), 4000);
    return true;
}

bool SimulateWorkspace::runTestsAndShowCoverage(QString* error) {
    if (m_tests->suite().cases.empty()) {
        *error = tr("no tests for this flow (looked for %1)").arg(m_tests->suitePath());
        return false;
    }
    if (auto* dock = findChild<QDockWidget*>(QStringLiteral("TestsDock"))) {
        dock->raise();
    }
    m_tests->runSuite();
    if (!m_tests->waitForRun()) {
        *error = tr("the test suite did not finish in time");
        return false;
    }
    m_tests->setCoverageShown(true);
    return true;
}

void SimulateWorkspace::onBusyChanged(bool busy) {
    m_actions.value(QStringLiteral("restart"))->setEnabled(!busy);
    m_actions.value(QStringLiteral("continue"))->setEnabled(busy);
    m_actions.value(QStringLiteral("abort"))->setEnabled(busy);
    m_actions.value(QStringLiteral("replay"))->setEnabled(!busy);
    m_actions.value(QStringLiteral("saveTest"))->setEnabled(!busy);
    m_context->setEditable(!busy);
    m_chat->setBusy(busy, busy ? tr("Running…") : QString());
    if (!busy) {
        m_pauseBanner->setVisible(false);
        m_pausedState.clear();
        if (m_needsRestart && isVisible()) {
            // Another flow was opened while a message ran: start its conversation now.
            QTimer::singleShot(0, this, &SimulateWorkspace::activate);
        }
    }
}

void SimulateWorkspace::onPaused(const PauseInfo& info) {
    m_pausedState = info.state;
    QString where = info.fromState.isEmpty()
                        ? tr("before entering <b>%1</b>").arg(info.state.toHtmlEscaped())
                        : tr("before entering <b>%1</b> from %2 (transition %3)")
                              .arg(info.state.toHtmlEscaped(), info.fromState.toHtmlEscaped())
                              .arg(info.transition + 1);
    m_pauseBanner->setText(tr("Paused (%1) %2 — F10 step · F5 continue · Shift+F5 abort")
                               .arg(info.reason.toHtmlEscaped(), where));
    m_pauseBanner->setVisible(true);
    m_chat->setBusy(true, tr("Paused at %1").arg(info.state));
    engine::ConversationState snapshot;
    snapshot.slots = info.slots;
    snapshot.vars = info.vars;
    m_context->setConversation(snapshot);
    if (const auto id = m_document->idOf(info.state)) {
        m_scene->selectStates({*id});
    }
    updateMarks();
}

void SimulateWorkspace::onTurnsChanged() {
    const auto& turns = m_controller->turns();
    QVector<ChatEntry> entries;
    entries.reserve(qsizetype(turns.size()));
    for (size_t i = 0; i < turns.size(); ++i) {
        const engine::SimTurn& turn = turns[i];
        ChatEntry entry;
        entry.opening = i == 0;
        entry.input = QString::fromStdString(turn.input.text);
        entry.reply = QString::fromStdString(turn.result.reply);
        entry.stateAfter = QString::fromStdString(turn.after.currentState);
        entry.intent = QString::fromStdString(turn.result.intent);
        entry.confidence = turn.result.confidence;
        entry.steps = int(turn.result.trace.size());
        entry.ok = turn.result.ok;
        if (!turn.result.errors.empty()) {
            entry.error = QString::fromStdString(turn.result.errors.front().message);
        }
        entries.push_back(entry);
    }
    m_chat->setEntries(entries);
    selectTurn(int(turns.size()) - 1);
}

void SimulateWorkspace::selectTurn(int turn) {
    const auto& turns = m_controller->turns();
    m_selectedTurn = turn >= 0 && size_t(turn) < turns.size() ? turn : -1;
    m_chat->setSelectedTurn(m_selectedTurn);
    if (m_selectedTurn < 0) {
        m_trace->clear();
        updateMarks();
        return;
    }
    const engine::SimTurn& selected = turns[size_t(m_selectedTurn)];
    m_trace->showTurn(m_selectedTurn, selected.result);
    if (!m_controller->isBusy()) {
        // The context shown is the one the next message sees; a past turn shows what it left.
        const bool last = size_t(m_selectedTurn) + 1 == turns.size();
        m_context->setConversation(last ? m_controller->conversation() : selected.after,
                                   selected.result.contextUpdates);
        m_context->setEditable(last);
    }
    updateMarks();
}

void SimulateWorkspace::rewindTo(int turn) {
    m_controller->rewindTo(turn);
    m_chat->setNotice(tr("<i>Rewound to turn %1: the next message forks the conversation from "
                         "here.</i>")
                          .arg(turn));
}

QString SimulateWorkspace::replayOnCurrentFlow() {
    if (m_controller->isBusy() || m_controller->turns().empty()) {
        return {};
    }
    const auto replayed = m_controller->replayOn(compileDocument());
    const auto divergence = engine::firstDivergence(m_controller->turns(), replayed);
    if (!divergence) {
        return tr("<b>Replay:</b> the current flow takes the same path and gives the same replies "
                  "for all %1 turns.")
            .arg(replayed.size());
    }
    const auto join = [](const std::vector<std::string>& path) {
        QStringList names;
        for (const auto& name : path) {
            names << QString::fromStdString(name);
        }
        return names.isEmpty() ? QStringLiteral("—") : names.join(QStringLiteral(" → "));
    };
    return tr("<b>Replay:</b> the path changes at turn %1.<br>before: %2<br>now: %3<br>reply "
              "before: %4<br>reply now: %5")
        .arg(divergence->turn)
        .arg(join(divergence->oldPath).toHtmlEscaped(), join(divergence->newPath).toHtmlEscaped(),
             QString::fromStdString(divergence->oldReply).toHtmlEscaped(),
             QString::fromStdString(divergence->newReply).toHtmlEscaped());
}

QString SimulateWorkspace::selectedStateName() const {
    const QVector<StateId> selected = m_scene->selectedStates();
    if (selected.isEmpty()) {
        return {};
    }
    return QString::fromStdString(m_document->state(selected.front())->name);
}

void SimulateWorkspace::toggleBreakpoint() {
    const QString state = selectedStateName();
    if (state.isEmpty()) {
        Q_EMIT statusMessage(tr("Select a state to put a breakpoint on"), 4000);
        return;
    }
    if (m_controller->hasBreakpoint(state)) {
        m_controller->removeBreakpoint(state);
    } else {
        m_controller->setBreakpoint(state);
    }
    updateMarks();
}

void SimulateWorkspace::setBreakpoint(const QString& state, const QString& condition) {
    m_controller->setBreakpoint(state, condition);
    updateMarks();
}

void SimulateWorkspace::editBreakpointCondition() {
    const QString state = selectedStateName();
    if (state.isEmpty()) {
        Q_EMIT statusMessage(tr("Select a state to put a breakpoint on"), 4000);
        return;
    }
    bool ok = false;
    const QString condition = QInputDialog::getText(
        this, tr("Conditional Breakpoint"),
        tr("Stop before entering %1 when this Lua expression is true\n(slots, vars and user are "
           "visible, e.g. user.premium == true):")
            .arg(state),
        QLineEdit::Normal, m_controller->breakpoints().value(state), &ok);
    if (!ok) {
        return;
    }
    const std::string problem = engine::LuaSandbox::checkExpression(condition.toStdString());
    if (!condition.trimmed().isEmpty() && !problem.empty()) {
        Q_EMIT statusMessage(tr("Not a Lua expression: %1").arg(QString::fromStdString(problem)),
                             8000);
        return;
    }
    m_controller->setBreakpoint(state, condition.trimmed());
    updateMarks();
}

// One picture from several overlays, in order of importance: where a message is paused, where
// the conversation is, the path of the selected turn, breakpoints; or, when shown, coverage.
void SimulateWorkspace::updateMarks() {
    QHash<StateId, FlowScene::Mark> marks;
    QHash<StateId, QHash<int, QColor>> arrows;
    const auto mark = [&](const std::string& name, QColor color, const QString& badge) {
        if (const auto id = m_document->idOf(name)) {
            marks.insert(*id, {color, badge});
        }
    };
    if (m_tests->coverageShown() && m_tests->lastResult()) {
        const engine::Coverage& coverage = m_tests->lastResult()->coverage;
        for (StateId id : m_document->stateIds()) {
            const engine::State* state = m_document->state(id);
            const bool covered = coverage.states.count(state->name) > 0;
            marks.insert(id, {covered ? pathColor() : graph_style::warningColor(),
                              covered ? tr("tested") : tr("untested")});
            for (int i = 0; i < int(state->transitions.size()); ++i) {
                arrows[id].insert(i, coverage.transitions.count({state->name, i})
                                         ? pathColor()
                                         : graph_style::warningColor());
            }
        }
    } else {
        static const std::vector<engine::SimTurn> none;
        const auto& turns = m_controller->isBusy() ? none : m_controller->turns();
        if (m_selectedTurn >= 0 && size_t(m_selectedTurn) < turns.size()) {
            const engine::SimTurn& turn = turns[size_t(m_selectedTurn)];
            for (const auto& name : turn.path) {
                mark(name, pathColor(), tr("visited"));
            }
            for (const auto& [from, index] : turn.transitionsTaken) {
                if (const auto id = m_document->idOf(from)) {
                    arrows[*id].insert(index, pathColor());
                }
            }
            mark(turn.after.currentState, graph_style::accentColor(), tr("current"));
        }
        const auto breakpoints = m_controller->breakpoints();
        for (auto it = breakpoints.cbegin(); it != breakpoints.cend(); ++it) {
            mark(it.key().toStdString(), graph_style::errorColor(),
                 it.value().isEmpty() ? tr("● break") : tr("● break if"));
        }
        if (!m_pausedState.isEmpty()) {
            mark(m_pausedState.toStdString(), pausedColor(), tr("paused"));
        }
    }
    m_scene->setMarks(marks);
    m_scene->setTransitionMarks(arrows);
}

} // namespace flowdeck::console
