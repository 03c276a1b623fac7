// Flow -> JSON. Known keys are written in one canonical order (the order of DESIGN.md §3 and of
// the shipped flows), then the unknown keys in the order they were read, so that
// serializeFlow(parseFlow(text)) reproduces any document written in that order.
//
// What is written, so that round trips are exact without presence flags in the model:
// - flow: "name" and "states" always; "description", "version", "initial_state", "error_state",
//   "global_handlers" and "settings" only when not empty;
// - state: "type" always; "config" when not empty; "transitions" when not empty, and also when
//   empty unless the state is an end or handoff state (those usually have none, and documents
//   omit the key), so `"transitions": []` on a response or intent state survives;
// - transition: "condition" always; "condition_value", "expression" and "target_state" when not
//   empty; "priority" when hasPriority.
// An empty string or `"config": {}` written explicitly in a document therefore reads back as
// absent: same model, slightly shorter text.

#include "flow_parser_internal.h"

#include <unordered_set>

namespace flowdeck::engine {
namespace {

using parsing::appendMember;

bool isKnown(std::string_view key, std::initializer_list<std::string_view> known) {
    for (const auto k : known) {
        if (k == key) {
            return true;
        }
    }
    return false;
}

// Unknown keys go last; a key the model already wrote (an `extra` filled by hand with "name",
// say) is skipped rather than written twice.
void appendExtra(Json& out, const Json& extra, std::initializer_list<std::string_view> known) {
    if (!extra.is_object()) {
        return;
    }
    for (const auto& [key, value] : extra.get_ref<const Json::object_t&>()) {
        if (!isKnown(key, known)) {
            appendMember(out, key, value);
        }
    }
}

void appendIfNotEmpty(Json& out, const char* key, const std::string& value) {
    if (!value.empty()) {
        appendMember(out, key, value);
    }
}

// Each object is reserved before it is filled: growing an ordered_map copies its members deeply.
Json makeObject(size_t knownKeys, const Json& extra) {
    Json out = Json::object();
    out.get_ref<Json::object_t&>().reserve(knownKeys + (extra.is_object() ? extra.size() : 0));
    return out;
}

Json transitionToJson(const Transition& t) {
    Json out = makeObject(5, t.extra);
    appendMember(out, "condition", std::string(toString(t.condition)));
    appendIfNotEmpty(out, "condition_value", t.conditionValue);
    appendIfNotEmpty(out, "expression", t.expression);
    appendIfNotEmpty(out, "target_state", t.target);
    if (t.hasPriority) {
        appendMember(out, "priority", t.priority);
    }
    appendExtra(out, t.extra,
                {"condition", "condition_value", "expression", "target_state", "priority"});
    return out;
}

Json stateToJson(const State& state) {
    Json out = makeObject(3, state.extra);
    appendMember(out, "type", std::string(toString(state.type)));
    if (!state.config.is_null() && !(state.config.is_object() && state.config.empty())) {
        appendMember(out, "config", state.config);
    }
    const bool usuallyWithout = state.type == StateType::End || state.type == StateType::Handoff;
    if (!state.transitions.empty() || !usuallyWithout) {
        Json transitions = Json::array();
        auto& array = transitions.get_ref<Json::array_t&>();
        array.reserve(state.transitions.size());
        for (const auto& t : state.transitions) {
            array.push_back(transitionToJson(t));
        }
        appendMember(out, "transitions", std::move(transitions));
    }
    appendExtra(out, state.extra, {"type", "config", "transitions"});
    return out;
}

Json statesToJson(const std::vector<State>& states) {
    Json out = Json::object();
    out.get_ref<Json::object_t&>().reserve(states.size());
    // A model built in code could hold two states of one name; writing both would make a
    // document the parser refuses, so the first one wins.
    std::unordered_set<std::string_view> written;
    written.reserve(states.size());
    for (const auto& state : states) {
        if (written.insert(state.name).second) {
            appendMember(out, state.name, stateToJson(state));
        }
    }
    return out;
}

Json handlersToJson(const std::vector<std::pair<std::string, std::string>>& handlers) {
    Json out = Json::object();
    out.get_ref<Json::object_t&>().reserve(handlers.size());
    std::unordered_set<std::string_view> written;
    for (const auto& [trigger, target] : handlers) {
        if (written.insert(trigger).second) {
            appendMember(out, trigger, target);
        }
    }
    return out;
}

} // namespace

Json toJson(const Flow& flow) {
    Json out = makeObject(8, flow.extra);
    appendMember(out, "name", flow.name);
    appendIfNotEmpty(out, "description", flow.description);
    appendIfNotEmpty(out, "version", flow.version);
    appendIfNotEmpty(out, "initial_state", flow.initialState);
    appendIfNotEmpty(out, "error_state", flow.errorState);
    appendMember(out, "states", statesToJson(flow.states));
    if (!flow.globalHandlers.empty()) {
        appendMember(out, "global_handlers", handlersToJson(flow.globalHandlers));
    }
    if (!flow.settings.is_null() && !(flow.settings.is_object() && flow.settings.empty())) {
        appendMember(out, "settings", flow.settings);
    }
    appendExtra(out, flow.extra,
                {"name", "description", "version", "initial_state", "error_state", "states",
                 "global_handlers", "settings"});
    return out;
}

std::string serializeFlow(const Flow& flow, int indent) {
    try {
        // Replace, never throw, should a model built in code hold invalid UTF-8.
        return toJson(flow).dump(indent, ' ', false, Json::error_handler_t::replace);
    } catch (const std::exception&) {
        return {};
    }
}

} // namespace flowdeck::engine
