#pragma once

#include "flowdeck/engine/executor.h"
#include "flowdeck/engine/integration_gateway.h"
#include "flowdeck/engine/simulation.h"

#include <QHash>
#include <QObject>
#include <QString>

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

namespace flowdeck::console {

// Where a running message stopped: at a breakpoint, or one step at a time.
struct PauseInfo {
    QString state;     // the state about to be entered
    QString fromState; // the state just left; empty on the opening turn
    int transition = -1;
    int step = 0;
    QString reason;           // "breakpoint", "condition: premium == true", "step"
    engine::Json slots, vars; // the context as it is at that point
};

// Runs the embedded engine for the Simulate workspace. Each message runs on a worker thread, so
// a breakpoint can hold the executor in the middle of a message while the UI stays live; the
// simulation (turns, snapshots, stubs) is touched by one thread at a time: the worker while a
// message runs, the UI thread otherwise. Signals are delivered on the UI thread.
class SimulationController final : public QObject {
    Q_OBJECT
public:
    explicit SimulationController(QObject* parent = nullptr);
    ~SimulationController() override;

    // Later turns run against `flow`; the turns so far stay. A null flow stops the simulation.
    void setFlow(std::shared_ptr<const engine::CompiledFlow> flow);
    bool hasFlow() const { return m_simulation != nullptr; }
    std::shared_ptr<engine::StubGateway> stubs() const { return m_stubs; }

    // Starts a new conversation (the opening turn) with this user profile.
    void restart(const engine::Json& user = engine::Json::object());
    // Sends one user message; `stepping` pauses before the first state entered.
    void send(const QString& text, bool stepping = false);
    void send(const engine::InboundMessage& message, bool stepping = false);
    bool isBusy() const { return m_busy; }
    bool isPaused() const { return m_paused; }
    void continueRun();
    void stepOnce();
    void abortRun();

    // Valid while not busy.
    const std::vector<engine::SimTurn>& turns() const;
    engine::ConversationState& conversation();
    // Keeps turns 0..turn; the next message forks the conversation from there.
    void rewindTo(int turn);
    // Runs the same inputs against `flow` without touching this conversation.
    std::vector<engine::SimTurn> replayOn(std::shared_ptr<const engine::CompiledFlow> flow) const;

    // Breakpoints by state name; a non-empty condition is a Lua expression over slots, vars and
    // user that must be true for the breakpoint to stop.
    void setBreakpoint(const QString& state, const QString& condition = {});
    void removeBreakpoint(const QString& state);
    bool hasBreakpoint(const QString& state) const;
    QHash<QString, QString> breakpoints() const;

Q_SIGNALS:
    void busyChanged(bool busy);
    void paused(const flowdeck::console::PauseInfo& info);
    void resumed();
    // A turn was added (or the conversation restarted, rewound): refresh the views.
    void turnsChanged();

private:
    enum class Command { None, Continue, Step, Abort };
    engine::ExecutionOptions options();
    void run(std::function<void()> work);
    engine::StepDecision onStep(const engine::StepPoint& point);
    bool shouldPause(const engine::StepPoint& point, QString* reason);
    void resume(Command command);
    void finish();

    std::shared_ptr<engine::StubGateway> m_stubs;
    std::unique_ptr<engine::Simulation> m_simulation;
    std::unique_ptr<engine::LuaSandbox> m_conditions; // used by the worker only
    std::thread m_worker;
    bool m_busy = false;
    bool m_paused = false;

    mutable std::mutex m_mutex; // guards what the hook reads or waits on below
    std::condition_variable m_wake;
    QHash<QString, QString> m_breakpoints;
    Command m_command = Command::None;
    bool m_stepping = false;
    bool m_shuttingDown = false;
};

} // namespace flowdeck::console

Q_DECLARE_METATYPE(flowdeck::console::PauseInfo)
