#include "linter_context.h"

#include <algorithm>
#include <deque>
#include <unordered_map>

// The flow as a graph: reachability, dead ends, cycles of states that never wait, and loops that
// can never reach an end state.
namespace flowdeck::engine::lint {
namespace {

struct Edge {
    size_t to;
    size_t transition;
};

// Edges are the transitions that can fire: a known target, and a condition the state can produce
// (on_success/on_failure only come out of integration states).
struct Graph {
    std::vector<std::vector<Edge>> out;
};

bool canFire(const State& state, const Transition& t) {
    const bool outcome =
        t.condition == ConditionType::OnSuccess || t.condition == ConditionType::OnFailure;
    return !outcome || state.type == StateType::Integration;
}

Graph buildGraph(const LintContext& context) {
    const auto& states = context.flow().states;
    Graph graph;
    graph.out.resize(states.size());
    for (size_t s = 0; s < states.size(); ++s) {
        const State& state = states[s];
        for (size_t i = 0; i < state.transitions.size(); ++i) {
            const Transition& t = state.transitions[i];
            const auto target = context.stateIndex(t.target);
            if (target && canFire(state, t)) {
                graph.out[s].push_back({*target, i});
            }
        }
    }
    return graph;
}

// Tarjan's algorithm, iterative so that a 100,000-state chain cannot overflow the stack. Returns
// the components among `include`d states, following only edges for which `follow` holds.
template <typename Follow>
std::vector<std::vector<size_t>>
stronglyConnected(const Graph& graph, const std::vector<char>& include, Follow follow) {
    const size_t n = graph.out.size();
    std::vector<int> order(n, -1);
    std::vector<int> low(n, 0);
    std::vector<char> onStack(n, 0);
    std::vector<size_t> stack;
    struct Frame {
        size_t node;
        size_t edge;
    };
    std::vector<Frame> calls;
    std::vector<std::vector<size_t>> components;
    int counter = 0;
    auto enter = [&](size_t v) {
        order[v] = low[v] = counter++;
        stack.push_back(v);
        onStack[v] = 1;
        calls.push_back({v, 0});
    };
    for (size_t root = 0; root < n; ++root) {
        if (!include[root] || order[root] != -1) {
            continue;
        }
        enter(root);
        while (!calls.empty()) {
            const size_t v = calls.back().node;
            const auto& edges = graph.out[v];
            if (calls.back().edge < edges.size()) {
                const Edge& e = edges[calls.back().edge++];
                if (!include[e.to] || !follow(v, e)) {
                    continue;
                }
                if (order[e.to] == -1) {
                    enter(e.to);
                } else if (onStack[e.to]) {
                    low[v] = std::min(low[v], order[e.to]);
                }
                continue;
            }
            calls.pop_back();
            if (!calls.empty()) {
                const size_t parent = calls.back().node;
                low[parent] = std::min(low[parent], low[v]);
            }
            if (low[v] == order[v]) {
                std::vector<size_t> component;
                size_t w = 0;
                do {
                    w = stack.back();
                    stack.pop_back();
                    onStack[w] = 0;
                    component.push_back(w);
                } while (w != v);
                std::sort(component.begin(), component.end());
                components.push_back(std::move(component));
            }
        }
    }
    return components;
}

struct Cycle {
    std::vector<size_t> states; // in order, starting at the component's first state
    size_t firstTransition = 0; // the transition leaving states[0] along the cycle
};

// The shortest cycle through the component's first state (in document order): a component can
// hold many cycles, and one concrete loop is what a designer can follow on the canvas.
template <typename Follow>
std::optional<Cycle> cycleThrough(const Graph& graph, const std::vector<size_t>& component,
                                  Follow follow) {
    const size_t start = component.front();
    auto inComponent = [&component](size_t v) {
        return std::binary_search(component.begin(), component.end(), v);
    };
    std::unordered_map<size_t, std::pair<size_t, size_t>> parent; // node -> (from, transition)
    std::deque<size_t> queue{start};
    while (!queue.empty()) {
        const size_t v = queue.front();
        queue.pop_front();
        for (const Edge& e : graph.out[v]) {
            if (!inComponent(e.to) || !follow(v, e)) {
                continue;
            }
            if (e.to == start) {
                Cycle cycle;
                size_t firstTransition = e.transition;
                for (size_t w = v; w != start; w = parent.at(w).first) {
                    cycle.states.push_back(w);
                    firstTransition = parent.at(w).second;
                }
                cycle.states.push_back(start);
                std::reverse(cycle.states.begin(), cycle.states.end());
                cycle.firstTransition = firstTransition;
                return cycle;
            }
            if (e.to != start && parent.emplace(e.to, std::make_pair(v, e.transition)).second) {
                queue.push_back(e.to);
            }
        }
    }
    return std::nullopt; // a single state without a self-loop
}

std::string describeCycle(const Flow& flow, const Cycle& cycle, size_t componentSize) {
    std::string text;
    for (const size_t s : cycle.states) {
        text += quote(flow.states[s].name) + " -> ";
    }
    text += quote(flow.states[cycle.states.front()].name);
    if (componentSize > cycle.states.size()) {
        text += " (with " + std::to_string(componentSize - cycle.states.size()) +
                " more states in the same tangle)";
    }
    return text;
}

std::vector<char> reachableStates(const LintContext& context, const Graph& graph, bool& known) {
    const Flow& flow = context.flow();
    std::vector<char> reached(flow.states.size(), 0);
    const auto initial = context.stateIndex(flow.initialState);
    known = initial.has_value();
    if (!known) {
        return reached; // MISSING/UNKNOWN_INITIAL_STATE already says everything
    }
    std::vector<size_t> pending{*initial};
    // The error state is entered when a message fails, and global handlers from anywhere.
    if (const auto error = context.stateIndex(flow.errorState)) {
        pending.push_back(*error);
    }
    for (const auto& handler : flow.globalHandlers) {
        if (const auto target = context.stateIndex(handler.second)) {
            pending.push_back(*target);
        }
    }
    for (const size_t s : pending) {
        reached[s] = 1;
    }
    while (!pending.empty()) {
        const size_t v = pending.back();
        pending.pop_back();
        for (const Edge& e : graph.out[v]) {
            if (!reached[e.to]) {
                reached[e.to] = 1;
                pending.push_back(e.to);
            }
        }
    }
    return reached;
}

void checkUnreachable(LintContext& context, const std::vector<char>& reached) {
    const Flow& flow = context.flow();
    for (size_t s = 0; s < flow.states.size(); ++s) {
        if (!reached[s]) {
            context.report(static_cast<int>(s), Severity::Warning, "UNREACHABLE_STATE",
                           statePointer(flow.states[s]), std::nullopt,
                           "State " + quote(flow.states[s].name) +
                               " can never be entered: no transition leads to it from the "
                               "initial state " +
                               quote(flow.initialState) + " or from a global handler.");
        }
    }
}

// Integration states have two outcomes; each needs a transition that takes it.
void checkIntegrationOutcomes(LintContext& context, int index, const State& state) {
    bool success = false;
    bool failure = false;
    for (const Transition& t : state.transitions) {
        if (t.target.empty()) {
            continue;
        }
        const bool always =
            t.condition == ConditionType::AnyInput || t.condition == ConditionType::Fallback;
        success = success || always || t.condition == ConditionType::OnSuccess;
        failure = failure || always || t.condition == ConditionType::OnFailure;
    }
    if (success && failure) {
        return;
    }
    const std::string name = quote(state.name);
    const std::string message =
        !success && !failure
            ? "Integration state " + name +
                  " has no way out whatever the call does: add on_success and on_failure "
                  "transitions."
        : !success ? "When its call succeeds, integration state " + name +
                         " has no way out: add an on_success (or fallback) transition."
                   : "When its call fails, integration state " + name +
                         " has no way out: add an on_failure (or fallback) transition.";
    context.report(index, Severity::Warning, "DEAD_END", statePointer(state) + "/transitions",
                   std::nullopt, message);
}

// A state is a dead end when nothing can take the conversation out of it. End and handoff states
// are meant to be last. A state whose transitions all have errors of their own (missing target,
// impossible condition) is left to those errors.
void checkDeadEnds(LintContext& context) {
    const auto& states = context.flow().states;
    for (size_t s = 0; s < states.size(); ++s) {
        const State& state = states[s];
        const auto index = static_cast<int>(s);
        if (state.type == StateType::End || state.type == StateType::Handoff) {
            continue;
        }
        if (state.transitions.empty()) {
            context.report(index, Severity::Warning, "DEAD_END", statePointer(state), std::nullopt,
                           "State " + quote(state.name) +
                               " has no transitions, so a conversation that reaches it is stuck "
                               "there. Add a transition, or make it an end state.");
        } else if (state.type == StateType::Integration) {
            checkIntegrationOutcomes(context, index, state);
        }
    }
}

void checkNonWaitingCycles(LintContext& context, const Graph& graph) {
    const Flow& flow = context.flow();
    std::vector<char> include(flow.states.size(), 0);
    for (size_t s = 0; s < flow.states.size(); ++s) {
        include[s] = isWaiting(flow.states[s].type) ? 0 : 1;
    }
    const auto follow = [](size_t, const Edge&) { return true; };
    for (const auto& component : stronglyConnected(graph, include, follow)) {
        const auto cycle = cycleThrough(graph, component, follow);
        if (!cycle) {
            continue;
        }
        const State& first = flow.states[cycle->states.front()];
        context.report(static_cast<int>(cycle->states.front()), Severity::Error,
                       "NON_WAITING_CYCLE",
                       transitionPointer(first, cycle->firstTransition) + "/target_state",
                       static_cast<int>(cycle->firstTransition),
                       describeCycle(flow, *cycle, component.size()) +
                           " is a loop of states that never wait for input: one message would go "
                           "round it forever (the engine stops it with CIRCULAR_TRANSITION). Put a "
                           "state that waits (e.g. a response) in the loop, or give it a way out.");
    }
}

// States from which an end (or a handoff to a person) can be reached. A global handler whose
// target can finish is an exit from every state that waits for a message.
std::vector<char> statesThatCanFinish(const LintContext& context, const Graph& graph) {
    const Flow& flow = context.flow();
    const size_t n = flow.states.size();
    std::vector<std::vector<size_t>> incoming(n);
    for (size_t s = 0; s < n; ++s) {
        for (const Edge& e : graph.out[s]) {
            incoming[e.to].push_back(s);
        }
    }
    std::vector<char> finishes(n, 0);
    std::vector<size_t> pending;
    auto mark = [&](size_t s) {
        if (!finishes[s]) {
            finishes[s] = 1;
            pending.push_back(s);
        }
    };
    auto spread = [&] {
        while (!pending.empty()) {
            const size_t v = pending.back();
            pending.pop_back();
            for (const size_t from : incoming[v]) {
                mark(from);
            }
        }
    };
    for (size_t s = 0; s < n; ++s) {
        if (flow.states[s].type == StateType::End || flow.states[s].type == StateType::Handoff) {
            mark(s);
        }
    }
    spread();
    const bool handlerFinishes =
        std::any_of(flow.globalHandlers.begin(), flow.globalHandlers.end(), [&](const auto& h) {
            const auto target = context.stateIndex(h.second);
            return target && finishes[*target];
        });
    if (handlerFinishes) {
        for (size_t s = 0; s < n; ++s) {
            if (isWaiting(flow.states[s].type)) {
                mark(s);
            }
        }
        spread();
    }
    return finishes;
}

void checkLoopsWithoutEnd(LintContext& context, const Graph& graph,
                          const std::vector<char>& reached) {
    const Flow& flow = context.flow();
    const std::vector<char> finishes = statesThatCanFinish(context, graph);
    std::vector<char> include(flow.states.size(), 0);
    for (size_t s = 0; s < flow.states.size(); ++s) {
        include[s] = reached[s] && !finishes[s] ? 1 : 0;
    }
    const auto follow = [](size_t, const Edge&) { return true; };
    for (const auto& component : stronglyConnected(graph, include, follow)) {
        const bool waits = std::any_of(component.begin(), component.end(), [&flow](size_t s) {
            return isWaiting(flow.states[s].type);
        });
        const auto cycle = waits ? cycleThrough(graph, component, follow) : std::nullopt;
        if (!cycle) {
            continue; // no loop, or one NON_WAITING_CYCLE already reports
        }
        const State& first = flow.states[cycle->states.front()];
        context.report(static_cast<int>(cycle->states.front()), Severity::Warning,
                       "LOOP_WITHOUT_END", statePointer(first), std::nullopt,
                       describeCycle(flow, *cycle, component.size()) +
                           " loops with no way to an end state: a conversation that gets here "
                           "can never finish. Add a transition out of the loop towards an end "
                           "state, or a global handler that leads to one.");
    }
}

} // namespace

void checkGraph(LintContext& context) {
    const Flow& flow = context.flow();
    const bool hasEnd = std::any_of(flow.states.begin(), flow.states.end(),
                                    [](const State& s) { return s.type == StateType::End; });
    if (!hasEnd) {
        context.report(kFlowLevel, Severity::Warning, "NO_END_STATE", "/states", std::nullopt,
                       "The flow has no end state, so its conversations never finish. Add a "
                       "state of type \"end\" where a conversation is done.");
    }
    const Graph graph = buildGraph(context);
    bool rootsKnown = false;
    std::vector<char> reached = reachableStates(context, graph, rootsKnown);
    if (rootsKnown) {
        checkUnreachable(context, reached);
    } else {
        std::fill(reached.begin(), reached.end(), 1);
    }
    checkDeadEnds(context);
    checkNonWaitingCycles(context, graph);
    if (hasEnd) {
        checkLoopsWithoutEnd(context, graph, reached);
    }
}

} // namespace flowdeck::engine::lint
