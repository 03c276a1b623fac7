#include "linter_usage.h"

#include <unordered_set>

// Intents matched but never defined (the slots are in linter_slots.cpp).
namespace flowdeck::engine::lint {

std::string transitionWhere(const State& state, size_t transition) {
    return "transition " + std::to_string(transition) + " of " + quote(state.name);
}

std::string otherPlaces(size_t count, const char* verb) {
    if (count <= 1) {
        return {};
    }
    const size_t others = count - 1;
    return " " + std::to_string(others) + (others == 1 ? " other place " : " other places ") +
           verb + " it too.";
}

void reportSummary(LintContext& context, const UsageTable& table,
                   const std::vector<std::string_view>& rest, const char* code,
                   const std::string& what) {
    if (rest.empty()) {
        return;
    }
    const Use& use = table.firstUse(rest.front());
    context.report(use.state, Severity::Warning, code, use.pointer, use.transition,
                   std::to_string(rest.size()) + " more " + what + ": " + quoteList(rest) +
                       " (the first is used by " + use.where + ").");
}

namespace {

std::string countedIntents(size_t count) {
    return count == 1 ? "the intent" : "the " + std::to_string(count) + " intents";
}

void reportIntents(LintContext& context, const UsageTable& undefined, bool anyDefined,
                   const std::vector<std::string_view>& defined) {
    const auto& names = undefined.names();
    if (names.empty()) {
        return;
    }
    if (!anyDefined) {
        // Nothing is defined at all: the flow relies on an external NLU, which is one fact.
        const Use& use = undefined.firstUse(names.front());
        context.report(
            use.state, Severity::Warning, "INTENT_NOT_DEFINED", use.pointer, use.transition,
            "No intent state defines any intents, so " + countedIntents(names.size()) +
                " that transitions match (" + quoteList(names) +
                ") can only come from an external NLU; the first is matched by " + use.where + ".");
        return;
    }
    for (size_t k = 0; k < names.size() && k < kNamedFindings; ++k) {
        const Use& use = undefined.firstUse(names[k]);
        context.report(use.state, Severity::Warning, "INTENT_NOT_DEFINED", use.pointer,
                       use.transition,
                       "Intent " + quote(names[k]) + ", matched by " + use.where +
                           ", is not defined by any intent state: only an external NLU can "
                           "supply it." +
                           context.suggest(names[k], defined) +
                           otherPlaces(undefined.count(names[k]), "match"));
    }
    if (names.size() > kNamedFindings) {
        reportSummary(context, undefined, {names.begin() + kNamedFindings, names.end()},
                      "INTENT_NOT_DEFINED", "intents are matched but not defined");
    }
}

} // namespace

void checkIntents(LintContext& context) {
    const Flow& flow = context.flow();
    std::unordered_set<std::string_view> defined;
    std::vector<std::string_view> definedList;
    bool anyDefined = false;
    for (const State& state : flow.states) {
        const auto intents = state.config.find("intents");
        if (state.type != StateType::Intent || intents == state.config.end() ||
            !intents->is_object()) {
            continue;
        }
        for (auto it = intents->begin(); it != intents->end(); ++it) {
            anyDefined = true;
            if (defined.insert(it.key()).second) {
                definedList.push_back(it.key());
            }
        }
    }
    // A global handler key is matched as an intent (or keyword) from anywhere.
    for (const auto& handler : flow.globalHandlers) {
        defined.insert(handler.first);
    }
    UsageTable undefined;
    for (size_t s = 0; s < flow.states.size(); ++s) {
        const State& state = flow.states[s];
        for (size_t i = 0; i < state.transitions.size(); ++i) {
            const Transition& t = state.transitions[i];
            if (t.condition != ConditionType::IntentMatch || t.conditionValue.empty() ||
                defined.count(t.conditionValue) != 0) {
                continue;
            }
            undefined.add(t.conditionValue, [&] {
                return Use{static_cast<int>(s), static_cast<int>(i),
                           transitionPointer(state, i) + "/condition_value",
                           transitionWhere(state, i)};
            });
        }
    }
    reportIntents(context, undefined, anyDefined, definedList);
}

void checkUsage(LintContext& context) {
    checkIntents(context);
    checkSlots(context);
}

} // namespace flowdeck::engine::lint
