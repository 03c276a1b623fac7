#include "linter_context.h"
#include "linter_lua.h"

#include <algorithm>
#include <array>

// What is written but not understood (unknown fields and config keys, kept and round-tripped) and
// Lua that does not compile.
namespace flowdeck::engine::lint {
namespace {

constexpr std::array<std::string_view, 8> kFlowFields{
    "name",        "description", "version",         "initial_state",
    "error_state", "states",      "global_handlers", "settings"};
constexpr std::array<std::string_view, 3> kStateFields{"type", "config", "transitions"};
constexpr std::array<std::string_view, 5> kTransitionFields{
    "condition", "condition_value", "expression", "target_state", "priority"};

template <size_t N>
std::vector<std::string_view> names(const std::array<std::string_view, N>& fields) {
    return {fields.begin(), fields.end()};
}

// `owner` and `basePointer` are built only when there is something to report: nearly every
// state and transition has no unknown field, and a 10,000-state lint must not pay for the strings.
template <typename Owner, typename BasePointer>
void reportUnknownFields(LintContext& context, int stateIndex, const Json& extra,
                         std::optional<int> transition, Owner owner, BasePointer basePointer,
                         const std::vector<std::string_view>& known) {
    if (!extra.is_object() || extra.empty()) {
        return;
    }
    for (auto it = extra.begin(); it != extra.end(); ++it) {
        const std::string& key = it.key();
        context.report(stateIndex, Severity::Warning, "UNKNOWN_FIELD",
                       basePointer() + "/" + escapePointerToken(key), transition,
                       owner() + " has a field " + quote(key) +
                           " that Flowdeck does not know; it is kept as written but has no "
                           "effect." +
                           context.suggest(key, known));
    }
}

void checkUnknownFields(LintContext& context) {
    const Flow& flow = context.flow();
    reportUnknownFields(
        context, kFlowLevel, flow.extra, std::nullopt, [] { return std::string("The flow"); },
        [] { return std::string(); }, names(kFlowFields));
    const auto stateFields = names(kStateFields);
    const auto transitionFields = names(kTransitionFields);
    for (size_t s = 0; s < flow.states.size(); ++s) {
        const State& state = flow.states[s];
        const auto index = static_cast<int>(s);
        reportUnknownFields(
            context, index, state.extra, std::nullopt, [&] { return "State " + quote(state.name); },
            [&] { return statePointer(state); }, stateFields);
        for (size_t i = 0; i < state.transitions.size(); ++i) {
            reportUnknownFields(
                context, index, state.transitions[i].extra, static_cast<int>(i),
                [&] { return "Transition " + std::to_string(i) + " of " + quote(state.name); },
                [&] { return transitionPointer(state, i); }, transitionFields);
        }
    }
}

// Config key names per state type, gathered once per lint rather than once per state.
class KnownKeys final {
public:
    const std::vector<std::string_view>& of(StateType type) {
        auto& names = m_names[static_cast<size_t>(type)];
        if (names.empty()) {
            for (const auto& key : knownConfigKeys(type)) {
                names.push_back(key.name);
            }
        }
        return names;
    }

private:
    std::array<std::vector<std::string_view>, 8> m_names;
};

void checkConfigKeys(LintContext& context, KnownKeys& knownKeys, int stateIndex,
                     const State& state) {
    if (!state.config.is_object()) {
        return;
    }
    const auto& known = knownKeys.of(state.type);
    for (auto it = state.config.begin(); it != state.config.end(); ++it) {
        const std::string& key = it.key();
        if (std::find(known.begin(), known.end(), key) != known.end()) {
            continue;
        }
        const std::string suggestion = context.suggest(key, known);
        context.report(
            stateIndex, Severity::Warning, "UNKNOWN_CONFIG_KEY", configPointer(state, key),
            std::nullopt,
            quote(key) + " is not a config key of " + std::string(toString(state.type)) +
                " states, so " + quote(state.name) + " ignores it (it is kept as written)." +
                (suggestion.empty() ? " Known keys: " + quoteList(known, known.size()) + "."
                                    : suggestion));
    }
}

void checkLua(LintContext& context, LuaSyntaxChecker& lua, int stateIndex, const State& state) {
    if (state.type == StateType::Script) {
        const auto it = state.config.find("script");
        if (it != state.config.end() && it->is_string()) {
            const std::string& error = lua.checkScript(it->get_ref<const std::string&>());
            if (!error.empty()) {
                context.report(stateIndex, Severity::Error, "SCRIPT_SYNTAX",
                               configPointer(state, "script"), std::nullopt,
                               "The script of " + quote(state.name) +
                                   " does not compile: " + error + ".");
            }
        }
    }
    for (size_t i = 0; i < state.transitions.size(); ++i) {
        const Transition& t = state.transitions[i];
        if (t.condition != ConditionType::Expression ||
            t.expression.find_first_not_of(" \t\r\n") == std::string::npos) {
            continue; // a missing expression is an INVALID_CONDITION
        }
        const std::string& error = lua.checkExpression(t.expression);
        if (!error.empty()) {
            context.report(stateIndex, Severity::Error, "EXPRESSION_SYNTAX",
                           transitionPointer(state, i) + "/expression", static_cast<int>(i),
                           "The expression of transition " + std::to_string(i) + " of " +
                               quote(state.name) + " does not compile: " + error + ".");
        }
    }
}

} // namespace

void checkConfig(LintContext& context) {
    checkUnknownFields(context);
    LuaSyntaxChecker lua;
    KnownKeys knownKeys;
    const auto& states = context.flow().states;
    for (size_t s = 0; s < states.size(); ++s) {
        checkConfigKeys(context, knownKeys, static_cast<int>(s), states[s]);
        checkLua(context, lua, static_cast<int>(s), states[s]);
    }
}

} // namespace flowdeck::engine::lint
