#include "simulate/simulate_workspace.h"

#include "design/design_workspace.h"
#include "graph/flow_scene.h"
#include "graph/flow_view.h"
#include "simulate/chat_panel.h"
#include "simulate/context_editor.h"
#include "simulate/simulation_controller.h"
#include "simulate/stubs_panel.h"
#include "simulate/tests_panel.h"
#include "simulate/trace_panel.h"
#include "widgets/dock.h"
#include "widgets/theme_colors.h"

#include <QAction>
#include <QDockWidget>
#include <QLabel>
#include <QShowEvent>
#include <QToolBar>
#include <QVBoxLayout>

namespace flowdeck::console {

SimulateWorkspace::SimulateWorkspace(DesignWorkspace* design, QWidget* parent)
    : QMainWindow(parent)
    , m_design(design)
    , m_document(design->document())
    , m_scene(new FlowScene(m_document, this))
    , m_view(new FlowView(m_scene))
    , m_controller(new SimulationController(this))
    , m_chat(new ChatPanel)
    , m_trace(new TracePanel)
    , m_context(new ContextEditor)
    , m_stubs(new StubsPanel)
    , m_tests(new TestsPanel)
    , m_pauseBanner(new QLabel) {
    setObjectName(QStringLiteral("SimulateWorkspace"));
    setDockOptions(AnimatedDocks | AllowTabbedDocks);
    m_pauseBanner->setObjectName(QStringLiteral("PauseBanner"));
    m_pauseBanner->setVisible(false);
    m_pauseBanner->setWordWrap(true);
    m_pauseBanner->setMargin(6);
    const auto styleBanner = [this] {
        m_pauseBanner->setStyleSheet(
            theme::bannerStyle(theme::Tone::Warning, QStringLiteral("QLabel#PauseBanner")) +
            QStringLiteral("QLabel#PauseBanner { border-width: 0 0 1px 0; }"));
    };
    styleBanner();
    theme::onPaletteChange(this, styleBanner);
    auto* center = new QWidget;
    auto* layout = new QVBoxLayout(center);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(m_pauseBanner);
    layout->addWidget(m_view, 1);
    setCentralWidget(center);
    buildActions();
    buildDocks();
    m_tests->setFlowProvider([this] { return compileDocument(); });

    connect(m_document, &FlowDocument::documentReset, this, &SimulateWorkspace::onDocumentReset);
    connect(m_document, &FlowDocument::contentChanged, this, [this] { m_flowStale = true; });
    // Save As gives an unsaved flow a file, and with it a place for its tests.
    connect(m_design, &DesignWorkspace::titleChanged, this, [this] {
        if (!m_needsRestart && m_tests->flowPath() != m_design->filePath()) {
            m_tests->setFlow(m_design->filePath(),
                             QString::fromStdString(m_document->header().name));
        }
    });
    connect(m_controller, &SimulationController::turnsChanged, this,
            &SimulateWorkspace::onTurnsChanged);
    connect(m_controller, &SimulationController::paused, this, &SimulateWorkspace::onPaused);
    connect(m_controller, &SimulationController::resumed, this, [this] {
        m_pausedState.clear();
        m_pauseBanner->setVisible(false);
        m_chat->setBusy(true, tr("Running…"));
        updateMarks();
    });
    connect(m_controller, &SimulationController::busyChanged, this,
            &SimulateWorkspace::onBusyChanged);
    connect(m_chat, &ChatPanel::sendRequested, this,
            [this](const QString& text) { sendMessage(text); });
    connect(m_chat, &ChatPanel::turnActivated, this, &SimulateWorkspace::selectTurn);
    connect(m_chat, &ChatPanel::rewindRequested, this, &SimulateWorkspace::rewindTo);
    connect(m_trace, &TracePanel::stateActivated, this, [this](const QString& state, int) {
        if (const auto id = m_document->idOf(state)) {
            m_scene->selectStates({*id});
        }
    });
    connect(m_context, &ContextEditor::edited, this, [this] {
        if (!m_controller->isBusy() && m_controller->hasFlow()) {
            m_context->applyTo(m_controller->conversation());
        }
    });
    connect(m_stubs, &StubsPanel::changed, this, &SimulateWorkspace::applyStubs);
    connect(m_tests, &TestsPanel::coverageChanged, this, &SimulateWorkspace::updateMarks);
    connect(m_tests, &TestsPanel::openCaseRequested, this, [this](int index) {
        const engine::TestSuite suite = m_tests->suite(); // a copy: playing may reload it
        if (index < 0 || size_t(index) >= suite.cases.size()) {
            return;
        }
        QString error;
        if (!openTestCase(suite, suite.cases[size_t(index)], &error)) {
            Q_EMIT statusMessage(error, 6000);
        }
    });
    connect(m_tests, &TestsPanel::saveConversationRequested, this, [this](const QString& name) {
        QString error;
        const auto testCase = engine::testCaseFromTurns(name.toStdString(), m_controller->turns(),
                                                        m_stubs->stubsJson());
        if (!m_tests->addCase(testCase, &error)) {
            Q_EMIT statusMessage(error, 8000);
        }
    });
    onDocumentReset();
}

SimulateWorkspace::~SimulateWorkspace() {
    // The controller's worker may be waiting at a breakpoint: stop it before the views go.
    delete m_controller;
    m_controller = nullptr;
    delete m_view;
    delete m_scene;
}

void SimulateWorkspace::buildDocks() {
    const auto dock = [this](QWidget* widget, const QString& title, const QString& name,
                             Qt::DockWidgetArea area) {
        return addDock(this, widget, title, name, area);
    };
    dock(m_chat, tr("Conversation"), QStringLiteral("ChatDock"), Qt::LeftDockWidgetArea);
    QDockWidget* context =
        dock(m_context, tr("Context"), QStringLiteral("ContextDock"), Qt::RightDockWidgetArea);
    QDockWidget* stubs =
        dock(m_stubs, tr("Stubs"), QStringLiteral("StubsDock"), Qt::RightDockWidgetArea);
    QDockWidget* trace =
        dock(m_trace, tr("Trace"), QStringLiteral("TraceDock"), Qt::BottomDockWidgetArea);
    QDockWidget* tests =
        dock(m_tests, tr("Tests"), QStringLiteral("TestsDock"), Qt::BottomDockWidgetArea);
    splitDockWidget(context, stubs, Qt::Vertical);
    tabifyDockWidget(trace, tests);
    trace->raise();
}

void SimulateWorkspace::restoreLayout(const QByteArray& state) {
    m_layoutSettled = !state.isEmpty() && restoreState(state);
}

// Dock sizes only take once the window has its size, so the defaults wait for the first show.
void SimulateWorkspace::showEvent(QShowEvent* event) {
    QMainWindow::showEvent(event);
    if (m_layoutSettled) {
        return;
    }
    m_layoutSettled = true;
    const auto dock = [this](const char* name) {
        return findChild<QDockWidget*>(QString::fromLatin1(name));
    };
    resizeDocks({dock("ChatDock"), dock("ContextDock")}, {width() / 4, width() * 3 / 10},
                Qt::Horizontal);
    resizeDocks({dock("TraceDock")}, {height() * 3 / 10}, Qt::Vertical);
    resizeDocks({dock("ContextDock"), dock("StubsDock")}, {1, 1}, Qt::Vertical);
}

QList<QAction*> SimulateWorkspace::simulateActions() const {
    return {
        m_actions.value(QStringLiteral("restart")),    m_actions.value(QStringLiteral("step")),
        m_actions.value(QStringLiteral("continue")),   m_actions.value(QStringLiteral("abort")),
        m_actions.value(QStringLiteral("breakpoint")), m_actions.value(QStringLiteral("condition")),
        m_actions.value(QStringLiteral("replay")),     m_actions.value(QStringLiteral("saveTest")),
        m_actions.value(QStringLiteral("runSuite")),   m_actions.value(QStringLiteral("coverage"))};
}

} // namespace flowdeck::console
