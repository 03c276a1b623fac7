#include "linter_context.h"

#include <algorithm>

// Transitions that can never fire because of the evaluation order: highest priority first, ties
// in document order, the first match wins, and a fallback only when nothing else matched.
namespace flowdeck::engine::lint {
namespace {

std::string describe(const Transition& t) {
    std::string text(toString(t.condition));
    if (t.condition == ConditionType::Expression) {
        constexpr size_t kShown = 40;
        text +=
            " `" + t.expression.substr(0, kShown) + (t.expression.size() > kShown ? "…" : "") + "`";
    } else if (!t.conditionValue.empty()) {
        text += " " + quote(t.conditionValue);
    }
    if (t.hasPriority) {
        text += ", priority " + std::to_string(t.priority);
    }
    return text;
}

bool sameCondition(const Transition& a, const Transition& b) {
    return a.condition == b.condition && a.conditionValue == b.conditionValue &&
           a.expression == b.expression;
}

// Insertion sort: stable, and transitions per state are few (the parser caps them).
std::vector<size_t> evaluationOrder(const State& state) {
    std::vector<size_t> order;
    order.reserve(state.transitions.size());
    for (size_t i = 0; i < state.transitions.size(); ++i) {
        auto at = order.end();
        while (at != order.begin() &&
               state.transitions[*(at - 1)].priority < state.transitions[i].priority) {
            --at;
        }
        order.insert(at, i);
    }
    return order;
}

// Why transition `i` can never fire, or "" when it can. `earlier` holds the transitions
// evaluated before it.
std::string shadowReason(const State& state, size_t i, const std::vector<size_t>& earlier) {
    const Transition& t = state.transitions[i];
    const auto label = [&] {
        return "Transition " + std::to_string(i) + " of " + quote(state.name) + " (" + describe(t) +
               ")";
    };
    for (const size_t e : earlier) {
        const Transition& before = state.transitions[e];
        const bool fallbacks =
            t.condition == ConditionType::Fallback && before.condition == ConditionType::Fallback;
        if (fallbacks) {
            return label() + " is a second fallback: only the first one, transition " +
                   std::to_string(e) + ", is ever taken.";
        }
        const bool alwaysFires = t.condition != ConditionType::Fallback &&
                                 t.condition != ConditionType::Timeout &&
                                 before.condition == ConditionType::AnyInput;
        if (alwaysFires) {
            return label() + " can never fire: transition " + std::to_string(e) + " (" +
                   describe(before) + ") is evaluated before it and matches every message.";
        }
        if (t.condition != ConditionType::Fallback && sameCondition(t, before)) {
            return label() + " can never fire: transition " + std::to_string(e) +
                   " has the same condition and is evaluated first.";
        }
    }
    return {};
}

void checkState(LintContext& context, int stateIndex, const State& state) {
    std::vector<std::pair<size_t, std::string>> shadowed;
    std::vector<size_t> earlier;
    earlier.reserve(state.transitions.size());
    for (const size_t i : evaluationOrder(state)) {
        if (std::string why = shadowReason(state, i, earlier); !why.empty()) {
            shadowed.emplace_back(i, std::move(why));
        }
        earlier.push_back(i);
    }
    // Reported in document order, like every other per-transition finding.
    std::sort(shadowed.begin(), shadowed.end());
    for (auto& [i, why] : shadowed) {
        context.report(stateIndex, Severity::Warning, "SHADOWED_TRANSITION",
                       transitionPointer(state, i), static_cast<int>(i), std::move(why));
    }
}

} // namespace

void checkShadowing(LintContext& context) {
    const auto& states = context.flow().states;
    for (size_t s = 0; s < states.size(); ++s) {
        if (states[s].transitions.size() > 1) {
            checkState(context, static_cast<int>(s), states[s]);
        }
    }
}

} // namespace flowdeck::engine::lint
