#include "flowdeck/engine/simulation.h"

#include <chrono>

// One simulated conversation: every message runs traced through a fresh Executor over the
// session's stubs, and the turn keeps full before/after snapshots so time travel is a copy.
namespace flowdeck::engine {
namespace {

using Clock = std::chrono::steady_clock;

int64_t microsSince(Clock::time_point start) {
    return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start).count();
}

void collectPath(SimTurn& turn) {
    for (const TraceEvent& event : turn.result.trace) {
        if (event.kind == TraceKind::StateEntered) {
            turn.path.push_back(event.state);
        } else if (event.kind == TraceKind::TransitionTaken) {
            turn.transitionsTaken.emplace_back(event.state, event.transition);
        }
    }
}

void recordStep(SimTurn& turn, const StepPoint& point) {
    turn.path.emplace_back(point.state);
    if (!point.fromState.empty()) {
        turn.transitionsTaken.emplace_back(std::string(point.fromState), point.transition);
    }
}

// A failed message that moved the conversation to the flow's error_state entered it outside the
// step hook; the trace has it, so the untraced path must too.
void addErrorState(SimTurn& turn) {
    for (const EngineError& error : turn.result.errors) {
        const auto it = error.details.find("error_state");
        if (it != error.details.end()) {
            turn.path.push_back(it->second);
        }
    }
}

// Top-level keys of `to` that differ from `from`, and keys of `from` gone in `to` (as null).
Json objectPatch(const Json& from, const Json& to) {
    Json patch = Json::object();
    if (to.is_object()) {
        for (auto it = to.begin(); it != to.end(); ++it) {
            const auto old = from.is_object() ? from.find(it.key()) : from.end();
            if (!from.is_object() || old == from.end() || *old != *it) {
                patch[it.key()] = *it;
            }
        }
    }
    if (from.is_object()) {
        for (auto it = from.begin(); it != from.end(); ++it) {
            if (!to.is_object() || !to.contains(it.key())) {
                patch[it.key()] = nullptr;
            }
        }
    }
    return patch;
}

void applyObjectPatch(Json& target, const Json& patch) {
    if (!patch.is_object()) {
        return;
    }
    if (!target.is_object()) {
        target = Json::object();
    }
    for (auto it = patch.begin(); it != patch.end(); ++it) {
        if (it->is_null()) {
            target.erase(it.key());
        } else {
            target[it.key()] = *it;
        }
    }
}

} // namespace

Simulation::Simulation(std::shared_ptr<const CompiledFlow> flow, std::shared_ptr<StubGateway> stubs,
                       EngineLimits limits)
    : m_flow(std::move(flow))
    , m_stubs(stubs ? std::move(stubs) : std::make_shared<StubGateway>())
    , m_limits(std::move(limits)) {}

const SimTurn& Simulation::start(const Json& user, const ExecutionOptions& options) {
    m_turns.clear();
    m_conversation = ConversationState{};
    m_conversation.conversationId = "simulation";
    m_conversation.flowId = sourceFlow(*m_flow).name;
    m_conversation.flowVersion = sourceFlow(*m_flow).version;
    m_conversation.user = user.is_object() ? user : Json::object();
    SimTurn turn;
    turn.input.type = "start";
    return run(std::move(turn), true, options);
}

const SimTurn& Simulation::send(const InboundMessage& message, const ExecutionOptions& options) {
    SimTurn turn;
    turn.input = message;
    return run(std::move(turn), false, options);
}

const SimTurn& Simulation::run(SimTurn turn, bool opening, const ExecutionOptions& options) {
    turn.before = m_conversation;
    ExecutionOptions effective = options;
    effective.trace = options.trace || m_tracing;
    // The hook may wait for the user; that time is not the engine's. Untraced, the hook is also
    // where the path comes from.
    Clock::duration inHook{};
    if (options.onStep || !m_tracing) {
        effective.onStep = [&](const StepPoint& point) {
            if (!m_tracing) {
                recordStep(turn, point);
            }
            if (!options.onStep) {
                return StepDecision::Continue;
            }
            const auto start = Clock::now();
            const StepDecision decision = options.onStep(point);
            inHook += Clock::now() - start;
            return decision;
        };
    }
    const Executor executor(*m_stubs, m_limits);
    const auto start = Clock::now();
    turn.result = opening ? executor.start(*m_flow, m_conversation, effective)
                          : executor.process(*m_flow, m_conversation, turn.input, effective);
    turn.engineUs =
        microsSince(start) - std::chrono::duration_cast<std::chrono::microseconds>(inHook).count();
    if (turn.result.ok) {
        ++m_conversation.messageCount;
        ++m_conversation.version;
    }
    turn.after = m_conversation;
    if (m_tracing) {
        collectPath(turn);
    } else {
        addErrorState(turn);
    }
    m_turns.push_back(std::move(turn));
    return m_turns.back();
}

void Simulation::rewindTo(size_t turn) {
    if (turn >= m_turns.size()) {
        return;
    }
    m_turns.resize(turn + 1);
    m_conversation = m_turns.back().after;
}

void Simulation::setFlow(std::shared_ptr<const CompiledFlow> flow) {
    if (flow) {
        m_flow = std::move(flow);
    }
}

Json contextPatch(const ConversationState& from, const ConversationState& to) {
    Json patch = Json::object();
    const std::pair<const char*, Json> parts[] = {{"slots", objectPatch(from.slots, to.slots)},
                                                  {"vars", objectPatch(from.vars, to.vars)},
                                                  {"user", objectPatch(from.user, to.user)}};
    for (const auto& [name, part] : parts) {
        if (!part.empty()) {
            patch[name] = part;
        }
    }
    return patch;
}

void applyContextPatch(ConversationState& conversation, const Json& patch) {
    if (!patch.is_object()) {
        return;
    }
    if (const auto it = patch.find("slots"); it != patch.end()) {
        applyObjectPatch(conversation.slots, *it);
    }
    if (const auto it = patch.find("vars"); it != patch.end()) {
        applyObjectPatch(conversation.vars, *it);
    }
    if (const auto it = patch.find("user"); it != patch.end()) {
        applyObjectPatch(conversation.user, *it);
    }
}

std::vector<SimTurn> replayInputs(const std::vector<SimTurn>& turns,
                                  std::shared_ptr<const CompiledFlow> flow,
                                  std::shared_ptr<StubGateway> stubs, EngineLimits limits) {
    if (turns.empty() || !flow) {
        return {};
    }
    Simulation simulation(std::move(flow), std::move(stubs), std::move(limits));
    simulation.start(turns.front().before.user);
    for (size_t i = 1; i < turns.size(); ++i) {
        applyContextPatch(simulation.conversation(),
                          contextPatch(turns[i - 1].after, turns[i].before));
        simulation.send(turns[i].input);
    }
    return simulation.turns();
}

std::optional<PathDivergence> firstDivergence(const std::vector<SimTurn>& a,
                                              const std::vector<SimTurn>& b) {
    const size_t count = std::max(a.size(), b.size());
    static const SimTurn kNone;
    for (size_t i = 0; i < count; ++i) {
        const SimTurn& left = i < a.size() ? a[i] : kNone;
        const SimTurn& right = i < b.size() ? b[i] : kNone;
        if (i >= a.size() || i >= b.size() || left.path != right.path ||
            left.result.reply != right.result.reply) {
            return PathDivergence{i, left.path, right.path, left.result.reply, right.result.reply};
        }
    }
    return std::nullopt;
}

} // namespace flowdeck::engine
