// formatDiff (terminal text) and diffToJson (flowctl --json, the console).

#include "flow_diff_internal.h"

namespace flowdeck::engine {
namespace {

// Terminal lines stay readable: a whole changed array or object is cut here.
constexpr size_t kMaxValueBytes = 80;

std::string dumpSafely(const Json& value) {
    return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

// Cuts at a UTF-8 character boundary so the line stays valid text.
std::string shorten(std::string text) {
    if (text.size() <= kMaxValueBytes) {
        return text;
    }
    size_t cut = kMaxValueBytes;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) {
        --cut;
    }
    text.resize(cut);
    return text + "…";
}

std::string formatValue(const Json& value) {
    return value.is_null() ? "(absent)" : shorten(dumpSafely(value));
}

std::string formatField(const FieldChange& f) {
    return f.pointer + " " + formatValue(f.before) + " → " + formatValue(f.after);
}

void formatState(const StateChange& s, std::string& out) {
    if (s.kind != ChangeKind::Changed) {
        out += s.kind == ChangeKind::Added ? "+ state " : "- state ";
        out += s.name + "\n";
        return;
    }
    if (s.renamedFrom) {
        out += "~ state " + s.name + ": renamed from " + *s.renamedFrom + "\n";
    }
    for (const auto& f : s.fields) {
        out += "~ state " + s.name + ": " + formatField(f) + "\n";
    }
}

void formatTransition(const TransitionChange& t, std::string& out) {
    const bool removed = t.kind == ChangeKind::Removed;
    const std::optional<int>& index = removed ? t.beforeIndex : t.afterIndex;
    const std::string head = " transition " + t.state + "[" + std::to_string(index.value_or(-1)) +
                             "] → " + (t.target.empty() ? "(no target)" : t.target);
    if (t.kind != ChangeKind::Changed) {
        out += (removed ? "-" : "+") + head + " (" + t.condition + ")\n";
        return;
    }
    for (const auto& f : t.fields) {
        out += "~" + head + ": " + formatField(f) + "\n";
    }
}

Json fieldsToJson(const std::vector<FieldChange>& fields) {
    Json out = Json::array();
    for (const auto& f : fields) {
        out.push_back(Json{{"pointer", f.pointer}, {"before", f.before}, {"after", f.after}});
    }
    return out;
}

Json stateToJson(const StateChange& s) {
    Json out = {{"kind", std::string(toString(s.kind))},
                {"name", s.name},
                {"pointer", statePointer(s.name)}};
    if (s.renamedFrom) {
        out["renamed_from"] = *s.renamedFrom;
    }
    out["fields"] = fieldsToJson(s.fields);
    return out;
}

Json optionalIndex(const std::optional<int>& index) {
    return index ? Json(*index) : Json();
}

Json transitionToJson(const TransitionChange& t) {
    const bool removed = t.kind == ChangeKind::Removed;
    const int index = (removed ? t.beforeIndex : t.afterIndex).value_or(0);
    return {{"kind", std::string(toString(t.kind))},
            {"state", t.state},
            {"before_index", optionalIndex(t.beforeIndex)},
            {"after_index", optionalIndex(t.afterIndex)},
            {"target", t.target},
            {"condition", t.condition},
            {"pointer", transitionPointer(t.state, index)},
            {"fields", fieldsToJson(t.fields)}};
}

} // namespace

std::string statePointer(std::string_view state) {
    return "/states/" + escapePointerToken(std::string(state));
}

std::string transitionPointer(std::string_view state, int index) {
    return statePointer(state) + "/transitions/" + std::to_string(index);
}

std::string formatDiff(const FlowDiff& diff) {
    std::string out;
    if (!diff.error.empty()) {
        out += "! " + diff.error + "\n";
    }
    for (const auto& f : diff.flowFields) {
        out += "~ flow: " + formatField(f) + "\n";
    }
    for (const auto& s : diff.states) {
        formatState(s, out);
    }
    for (const auto& t : diff.transitions) {
        formatTransition(t, out);
    }
    return out;
}

Json diffToJson(const FlowDiff& diff) {
    Json states = Json::array();
    for (const auto& s : diff.states) {
        states.push_back(stateToJson(s));
    }
    Json transitions = Json::array();
    for (const auto& t : diff.transitions) {
        transitions.push_back(transitionToJson(t));
    }
    Json out = {{"equal", diff.empty()},
                {"flow", fieldsToJson(diff.flowFields)},
                {"states", std::move(states)},
                {"transitions", std::move(transitions)}};
    if (!diff.error.empty()) {
        out["error"] = diff.error;
    }
    return out;
}

} // namespace flowdeck::engine
