#include "simulate/simulation_controller.h"

#include "flowdeck/engine/lua_sandbox.h"

#include <QMetaObject>

namespace flowdeck::console {

namespace {

QString qs(std::string_view text) {
    return QString::fromUtf8(text.data(), qsizetype(text.size()));
}

engine::LuaLimits conditionLimits() {
    engine::LuaLimits limits;
    limits.instructionBudget = 100000;
    limits.memoryBytes = 4 * 1024 * 1024;
    limits.timeout = std::chrono::milliseconds(500);
    return limits;
}

} // namespace

SimulationController::SimulationController(QObject* parent)
    : QObject(parent)
    , m_stubs(std::make_shared<engine::StubGateway>())
    , m_conditions(std::make_unique<engine::LuaSandbox>(conditionLimits())) {
    qRegisterMetaType<PauseInfo>();
}

SimulationController::~SimulationController() {
    {
        std::lock_guard lock(m_mutex);
        m_shuttingDown = true;
        m_command = Command::Abort;
    }
    m_wake.notify_all();
    if (m_worker.joinable()) {
        m_worker.join();
    }
}

void SimulationController::setFlow(std::shared_ptr<const engine::CompiledFlow> flow) {
    Q_ASSERT(!m_busy);
    if (!flow) {
        m_simulation.reset();
    } else if (!m_simulation) {
        m_simulation = std::make_unique<engine::Simulation>(std::move(flow), m_stubs);
    } else {
        m_simulation->setFlow(std::move(flow));
    }
}

engine::ExecutionOptions SimulationController::options() {
    engine::ExecutionOptions options;
    options.trace = true;
    options.onStep = [this](const engine::StepPoint& point) { return onStep(point); };
    return options;
}

void SimulationController::restart(const engine::Json& user) {
    if (m_busy || !m_simulation) {
        return;
    }
    {
        std::lock_guard lock(m_mutex);
        m_stepping = false;
    }
    run([this, user] { m_simulation->start(user, options()); });
}

void SimulationController::send(const QString& text, bool stepping) {
    engine::InboundMessage message;
    message.text = text.toStdString();
    send(message, stepping);
}

void SimulationController::send(const engine::InboundMessage& message, bool stepping) {
    if (m_busy || !m_simulation) {
        return;
    }
    {
        std::lock_guard lock(m_mutex);
        m_stepping = stepping;
    }
    run([this, message] { m_simulation->send(message, options()); });
}

void SimulationController::run(std::function<void()> work) {
    if (m_worker.joinable()) {
        m_worker.join();
    }
    m_busy = true;
    Q_EMIT busyChanged(true);
    m_worker = std::thread([this, work = std::move(work)] {
        work();
        // Queued with `this` as context: dropped if the controller is gone by then.
        QMetaObject::invokeMethod(
            this, [this] { finish(); }, Qt::QueuedConnection);
    });
}

void SimulationController::finish() {
    if (m_worker.joinable()) {
        m_worker.join();
    }
    m_busy = false;
    m_paused = false;
    Q_EMIT busyChanged(false);
    Q_EMIT turnsChanged();
}

engine::StepDecision SimulationController::onStep(const engine::StepPoint& point) {
    QString reason;
    {
        std::lock_guard lock(m_mutex);
        if (m_shuttingDown) {
            return engine::StepDecision::Abort;
        }
    }
    if (!shouldPause(point, &reason)) {
        return engine::StepDecision::Continue;
    }
    PauseInfo info;
    info.state = qs(point.state);
    info.fromState = qs(point.fromState);
    info.transition = point.transition;
    info.step = point.step;
    info.reason = reason;
    if (point.conversation) {
        info.slots = point.conversation->slots;
        info.vars = point.conversation->vars;
    }
    QMetaObject::invokeMethod(
        this,
        [this, info] {
            m_paused = true;
            Q_EMIT paused(info);
        },
        Qt::QueuedConnection);
    std::unique_lock lock(m_mutex);
    m_wake.wait(lock, [this] { return m_command != Command::None; });
    const Command command = m_command;
    if (!m_shuttingDown) {
        m_command = Command::None;
    }
    m_stepping = command == Command::Step;
    lock.unlock();
    QMetaObject::invokeMethod(
        this,
        [this] {
            m_paused = false;
            Q_EMIT resumed();
        },
        Qt::QueuedConnection);
    return command == Command::Abort ? engine::StepDecision::Abort : engine::StepDecision::Continue;
}

// Runs on the worker. Conditions see the context as it is at that point of the message.
bool SimulationController::shouldPause(const engine::StepPoint& point, QString* reason) {
    QString condition;
    {
        std::lock_guard lock(m_mutex);
        if (m_stepping) {
            *reason = tr("step");
            return true;
        }
        const auto it = m_breakpoints.constFind(qs(point.state));
        if (it == m_breakpoints.constEnd()) {
            return false;
        }
        condition = *it;
    }
    if (condition.trimmed().isEmpty() || !point.conversation) {
        *reason = tr("breakpoint");
        return true;
    }
    engine::Json slots = point.conversation->slots;
    engine::Json vars = point.conversation->vars;
    engine::Json user = point.conversation->user;
    engine::LuaEnvironment env;
    env.slots = &slots;
    env.vars = &vars;
    env.user = &user;
    const std::string expression = condition.toStdString();
    const engine::LuaOutcome outcome = m_conditions->evaluate(expression, env);
    if (!outcome.ok) {
        // A broken condition stops rather than being silently skipped: the designer sees why.
        *reason = tr("breakpoint condition failed: %1").arg(QString::fromStdString(outcome.error));
        return true;
    }
    *reason = tr("breakpoint when %1").arg(condition);
    return outcome.value;
}

void SimulationController::resume(Command command) {
    // Not paused from here on, although `resumed` arrives later: waiting for idle must not
    // mistake this moment for a stop.
    m_paused = false;
    {
        std::lock_guard lock(m_mutex);
        m_command = command;
    }
    m_wake.notify_all();
}

void SimulationController::continueRun() {
    if (m_paused) {
        resume(Command::Continue);
    }
}

void SimulationController::stepOnce() {
    if (m_paused) {
        resume(Command::Step);
    }
}

void SimulationController::abortRun() {
    if (m_paused) {
        resume(Command::Abort);
    }
}

const std::vector<engine::SimTurn>& SimulationController::turns() const {
    static const std::vector<engine::SimTurn> none;
    return m_simulation ? m_simulation->turns() : none;
}

engine::ConversationState& SimulationController::conversation() {
    Q_ASSERT(m_simulation && !m_busy);
    return m_simulation->conversation();
}

void SimulationController::rewindTo(int turn) {
    if (m_busy || !m_simulation || turn < 0 || size_t(turn) >= turns().size()) {
        return;
    }
    m_simulation->rewindTo(size_t(turn));
    Q_EMIT turnsChanged();
}

std::vector<engine::SimTurn>
SimulationController::replayOn(std::shared_ptr<const engine::CompiledFlow> flow) const {
    return engine::replayInputs(turns(), std::move(flow), m_stubs);
}

void SimulationController::setBreakpoint(const QString& state, const QString& condition) {
    std::lock_guard lock(m_mutex);
    m_breakpoints.insert(state, condition);
}

void SimulationController::removeBreakpoint(const QString& state) {
    std::lock_guard lock(m_mutex);
    m_breakpoints.remove(state);
}

bool SimulationController::hasBreakpoint(const QString& state) const {
    std::lock_guard lock(m_mutex);
    return m_breakpoints.contains(state);
}

QHash<QString, QString> SimulationController::breakpoints() const {
    std::lock_guard lock(m_mutex);
    return m_breakpoints;
}

} // namespace flowdeck::console
