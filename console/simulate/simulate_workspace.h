#pragma once

#include "models/flow_document.h"

#include "flowdeck/engine/simulation.h"
#include "flowdeck/engine/test_suite.h"

#include <QHash>
#include <QMainWindow>

#include <memory>

class QAction;
class QDockWidget;
class QLabel;

namespace flowdeck::console {

class ChatPanel;
class ContextEditor;
class DesignWorkspace;
class FlowScene;
class FlowView;
class SimulationController;
class StubsPanel;
class TestsPanel;
class TracePanel;
struct PauseInfo;

// The Simulate workspace: chat with the flow being edited through the embedded engine, with the
// path drawn on the graph, each message's trace, the context editable between messages, stubbed
// integrations, breakpoints, time travel and test suites. It shares the Design workspace's
// FlowDocument and draws on a scene of its own, so its highlights never reach the editor.
class SimulateWorkspace final : public QMainWindow {
    Q_OBJECT
public:
    explicit SimulateWorkspace(DesignWorkspace* design, QWidget* parent = nullptr);
    ~SimulateWorkspace() override;

    // Restores dock positions saved by a previous session; without them the defaults apply.
    void restoreLayout(const QByteArray& state);
    // Brings the simulation up to date with the document (compiles edits, restarts after another
    // flow was opened). Called when the workspace is shown and before each message.
    void activate();

    SimulationController* controller() const { return m_controller; }
    FlowScene* scene() const { return m_scene; }
    FlowView* view() const { return m_view; }
    ChatPanel* chat() const { return m_chat; }
    TracePanel* trace() const { return m_trace; }
    ContextEditor* context() const { return m_context; }
    StubsPanel* stubs() const { return m_stubs; }
    TestsPanel* tests() const { return m_tests; }
    QList<QAction*> simulateActions() const;

    void restart();
    void sendMessage(const QString& text, bool stepping = false);
    // Sends each non-empty line of a script file, waiting for each reply (for --script and
    // tests). Lines starting with '#' are comments. Stops early, returning true, when a message
    // pauses at a breakpoint; false with *error when the file is unreadable or a message hangs.
    bool playScript(const QString& path, QString* error);
    // Plays a test case into the chat: its suite's and its own stubs, its user, its inputs and
    // the edits it makes between them, so a failing test can be followed step by step. Stops at
    // a breakpoint like --script. False with *error when a message is running or hangs.
    bool openTestCase(const engine::TestSuite& suite, const engine::TestCase& testCase,
                      QString* error);
    // Runs the flow's suite, waits for it and shows its coverage on the graph (for
    // --run-tests). False with *error when there is no suite or the run did not finish.
    bool runTestsAndShowCoverage(QString* error);
    // Blocks (running the event loop) until no message is running; false on timeout.
    bool waitIdle(int timeoutMs = 10000);
    void toggleBreakpoint();
    void setBreakpoint(const QString& state, const QString& condition = {});
    void editBreakpointCondition();
    void selectTurn(int turn);
    void rewindTo(int turn);
    // Replays this conversation's inputs against the document as it is now and reports where
    // the path changes.
    QString replayOnCurrentFlow();
    int selectedTurn() const { return m_selectedTurn; }

Q_SIGNALS:
    void statusMessage(const QString& message, int timeoutMs);

protected:
    void showEvent(QShowEvent* event) override;

private:
    void buildDocks();
    void buildActions();
    void onDocumentReset();
    void onTurnsChanged();
    void onPaused(const PauseInfo& info);
    void onBusyChanged(bool busy);
    void loadStubsForFlow();
    void applyStubs();
    void updateMarks();
    std::shared_ptr<const engine::CompiledFlow> compileDocument() const;
    QString selectedStateName() const;

    DesignWorkspace* m_design;
    FlowDocument* m_document;
    FlowScene* m_scene;
    FlowView* m_view;
    SimulationController* m_controller;
    ChatPanel* m_chat;
    TracePanel* m_trace;
    ContextEditor* m_context;
    StubsPanel* m_stubs;
    TestsPanel* m_tests;
    QLabel* m_pauseBanner;
    QHash<QString, QAction*> m_actions;
    QString m_pausedState;
    int m_selectedTurn = -1;
    bool m_flowStale = true;      // the document changed since the flow was compiled
    bool m_needsRestart = true;   // another flow was opened: start over
    bool m_layoutSettled = false; // dock sizes restored or set to the defaults
};

} // namespace flowdeck::console
