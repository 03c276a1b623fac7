// The flow parser's entry points and the structural pass: document -> Flow. Semantic problems
// (targets, the initial state, unknown config keys) are the linter's; this file only refuses what
// the model cannot represent, and reports all of it at once with JSON pointers.

#include "flow_parser_internal.h"

#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <unordered_set>

namespace flowdeck::engine {
namespace parsing {

void DiagnosticSink::error(const char* code, std::string pointer, std::string message,
                           std::string state, std::optional<int> transition) {
    if (!admit()) {
        return;
    }
    Diagnostic d;
    d.code = code;
    d.pointer = std::move(pointer);
    d.message = std::move(message);
    d.state = std::move(state);
    d.transition = transition;
    m_diagnostics.push_back(std::move(d));
}

void DiagnosticSink::syntaxError(std::string pointer, std::string message, int line, int column) {
    error(kJsonSyntax, std::move(pointer), std::move(message));
    if (!m_diagnostics.empty() && m_diagnostics.back().code == kJsonSyntax) {
        m_diagnostics.back().line = line;
        m_diagnostics.back().column = column;
    }
}

bool DiagnosticSink::admit() {
    if (m_diagnostics.size() < kMaxDiagnostics) {
        return true;
    }
    if (!m_truncated) {
        m_truncated = true;
        Diagnostic d;
        d.code = kTooManyErrors;
        d.message = "More than " + std::to_string(kMaxDiagnostics) +
                    " errors; the rest are not listed. Fix these first.";
        m_diagnostics.push_back(std::move(d));
    }
    return false;
}

std::string describeType(const Json& value) {
    switch (value.type()) {
    case Json::value_t::null:
        return "null";
    case Json::value_t::boolean:
        return "true/false";
    case Json::value_t::string:
        return "a string";
    case Json::value_t::object:
        return "an object";
    case Json::value_t::array:
        return "an array";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
        return "an integer";
    case Json::value_t::number_float:
        return "a number";
    default:
        return "something else";
    }
}

bool isIntValue(const Json& value) {
    constexpr auto kMin = static_cast<double>(std::numeric_limits<int>::min());
    constexpr auto kMax = static_cast<double>(std::numeric_limits<int>::max());
    if (value.is_number_unsigned()) {
        return value.get<std::uint64_t>() <= static_cast<std::uint64_t>(kMax);
    }
    if (value.is_number_integer()) {
        const auto v = value.get<std::int64_t>();
        return v >= static_cast<std::int64_t>(kMin) && v <= static_cast<std::int64_t>(kMax);
    }
    if (value.is_number_float()) { // JSON Schema counts 5.0 as an integer; so do we
        const double v = value.get<double>();
        return std::isfinite(v) && std::floor(v) == v && v >= kMin && v <= kMax;
    }
    return false;
}

void appendMember(Json& object, std::string key, Json value) {
    // ordered_map::operator[] searches linearly: quadratic for 10,000 states.
    object.get_ref<Json::object_t&>().emplace_back(std::move(key), std::move(value));
}

namespace {

std::string ordinal(int index) {
    const int n = index + 1;
    const int lastTwo = n % 100;
    const char* suffix = "th";
    if (lastTwo < 11 || lastTwo > 13) {
        suffix = n % 10 == 1 ? "st" : n % 10 == 2 ? "nd" : n % 10 == 3 ? "rd" : "th";
    }
    return std::to_string(n) + suffix;
}

// Where a value is: its JSON pointer and, for messages and Diagnostic fields, its state and
// transition. The pointer is spelled out only when a diagnostic needs it: building one for every
// value would cost more than the rest of the pass on a 10,000-state flow.
struct Place {
    const Place* parent = nullptr; // nullptr: the document itself
    std::string_view key;          // object member, or
    int index = -1;                // array element when >= 0
    const std::string* state = nullptr;
    std::optional<int> transition;

    std::string pointer() const {
        if (parent == nullptr) {
            return {};
        }
        return parent->pointer() + "/" +
               (index >= 0 ? std::to_string(index) : escapePointerToken(std::string(key)));
    }
    Place child(std::string_view member) const { return {this, member, -1, state, transition}; }
    std::string stateName() const { return state != nullptr ? *state : std::string(); }
    std::string subject() const {
        if (transition) {
            return "The " + ordinal(*transition) + " transition of state \"" + stateName() + "\"";
        }
        return state == nullptr ? std::string("The flow") : "State \"" + *state + "\"";
    }
};

// Growing an ordered_map copies its members (deeply), so room for the unknown keys is made up
// front whenever an object has more members than the model knows.
void reserveExtra(Json& extra, const Json& object, size_t knownKeys) {
    if (object.size() > knownKeys) {
        extra.get_ref<Json::object_t&>().reserve(object.size());
    }
}

std::string stateTypeNames() {
    return "response, intent, slot_filling, integration, condition, script, handoff or end";
}

std::string conditionNames() {
    return "any_input, intent_match, slot_filled, expression, fallback, timeout, on_success or "
           "on_failure";
}

class FlowReader final {
public:
    FlowReader(const ParseLimits& limits, DiagnosticSink& sink)
        : m_limits(limits)
        , m_sink(sink) {}

    std::optional<Flow> read(Json& document);

private:
    void readMember(const std::string& key, Json& value, Flow& flow);
    bool readString(Json& value, const Place& place, const std::string& field, std::string& out);
    void wrongType(const Place& place, const std::string& field, const char* expected,
                   const Json& value);
    void readStates(Json& states, Flow& flow);
    std::optional<State> readState(const std::string& name, Json& value);
    bool readStateMember(const std::string& key, Json& value, const Place& place, State& state,
                         Json*& config, Json*& transitions);
    void readTransitions(Json& value, const Place& place, State& state);
    std::optional<Transition> readTransition(Json& value, const Place& place);
    void readTransitionMember(const std::string& key, Json& value, const Place& place,
                              Transition& transition);
    void readHandlers(const Json& value, Flow& flow);
    void readSettings(Json& value, Flow& flow);

    const ParseLimits& m_limits;
    DiagnosticSink& m_sink;
    const Place m_root{};
    const Place m_states = m_root.child("states");
    bool m_hasName = false;
    bool m_hasStates = false;
};

std::optional<Flow> FlowReader::read(Json& document) {
    if (!document.is_object()) {
        m_sink.error(kWrongType, "",
                     "A flow must be a JSON object with \"name\" and \"states\", but the document "
                     "is " +
                         describeType(document) + ".");
        return std::nullopt;
    }
    Flow flow;
    reserveExtra(flow.extra, document, 8);
    for (auto& [key, value] : document.get_ref<Json::object_t&>()) {
        readMember(key, value, flow);
    }
    if (!m_hasName) {
        m_sink.error(kMissingField, "/name", "The flow has no \"name\"; every flow needs one.");
    }
    if (!m_hasStates) {
        m_sink.error(kMissingField, "/states",
                     "The flow has no \"states\"; add an object that maps state names to states.");
    }
    if (m_sink.hasErrors()) {
        return std::nullopt;
    }
    return flow;
}

void FlowReader::readMember(const std::string& key, Json& value, Flow& flow) {
    const Place place = m_root.child(key);
    if (key == "name") {
        m_hasName = true;
        readString(value, place, key, flow.name);
    } else if (key == "description") {
        readString(value, place, key, flow.description);
    } else if (key == "version") {
        readString(value, place, key, flow.version);
    } else if (key == "initial_state") {
        readString(value, place, key, flow.initialState);
    } else if (key == "error_state") {
        readString(value, place, key, flow.errorState);
    } else if (key == "states") {
        m_hasStates = true;
        readStates(value, flow);
    } else if (key == "global_handlers") {
        readHandlers(value, flow);
    } else if (key == "settings") {
        readSettings(value, flow);
    } else {
        appendMember(flow.extra, key, std::move(value));
    }
}

// Moves the text out of the document, which is thrown away after this pass.
bool FlowReader::readString(Json& value, const Place& place, const std::string& field,
                            std::string& out) {
    if (!value.is_string()) {
        wrongType(place, field, "a string", value);
        return false;
    }
    out = std::move(value.get_ref<std::string&>());
    return true;
}

void FlowReader::wrongType(const Place& place, const std::string& field, const char* expected,
                           const Json& value) {
    m_sink.error(kWrongType, place.pointer(),
                 place.subject() + " has \"" + field + "\" set to " + describeType(value) +
                     "; it must be " + expected + ".",
                 place.stateName(), place.transition);
}

void FlowReader::readStates(Json& states, Flow& flow) {
    const Place& place = m_states;
    if (!states.is_object()) {
        wrongType(place, "states", "an object that maps state names to states", states);
        return;
    }
    if (states.size() > m_limits.maxStates) {
        m_sink.error(kLimitExceeded, place.pointer(),
                     "The flow has " + std::to_string(states.size()) + " states; at most " +
                         std::to_string(m_limits.maxStates) + " are allowed.");
        return;
    }
    flow.states.reserve(states.size());
    // The text reader already refuses repeated keys; this catches documents built in code.
    std::unordered_set<std::string_view> names;
    names.reserve(states.size());
    for (auto& [name, value] : states.get_ref<Json::object_t&>()) {
        if (!names.insert(name).second) {
            m_sink.error(kDuplicateKey, place.child(name).pointer(),
                         "Two states are named \"" + name + "\"; state names must be unique.",
                         name);
            continue;
        }
        if (auto state = readState(name, value)) {
            flow.states.push_back(std::move(*state));
        }
    }
}

std::optional<State> FlowReader::readState(const std::string& name, Json& value) {
    Place place = m_states.child(name);
    place.state = &name;
    if (!value.is_object()) {
        m_sink.error(kWrongType, place.pointer(),
                     "State \"" + name + "\" must be an object with a \"type\", but it is " +
                         describeType(value) + ".",
                     name);
        return std::nullopt;
    }
    State state;
    reserveExtra(state.extra, value, 3);
    state.name = name;
    Json* config = nullptr;
    Json* transitions = nullptr;
    bool hasType = false;
    bool typeKnown = false;
    for (auto& [key, member] : value.get_ref<Json::object_t&>()) {
        const bool known = readStateMember(key, member, place, state, config, transitions);
        if (key == "type") {
            hasType = true;
            typeKnown = known;
        }
    }
    if (!hasType) {
        m_sink.error(kMissingField, place.child("type").pointer(),
                     "State \"" + name + "\" has no \"type\"; use one of " + stateTypeNames() + ".",
                     name);
    }
    if (config != nullptr) {
        if (typeKnown) {
            checkConfig(state.type, *config, place.child("config").pointer(), name, m_sink);
        }
        state.config = std::move(*config);
    }
    if (transitions != nullptr) {
        readTransitions(*transitions, place.child("transitions"), state);
    }
    return state;
}

// Returns, for "type", whether the type is known; the other members are recorded or kept.
bool FlowReader::readStateMember(const std::string& key, Json& value, const Place& place,
                                 State& state, Json*& config, Json*& transitions) {
    if (key == "type") {
        std::string typeName;
        if (!readString(value, place.child(key), key, typeName)) {
            return false;
        }
        if (const auto type = stateTypeFromString(typeName)) {
            state.type = *type;
            return true;
        }
        m_sink.error(kUnknownStateType, place.child(key).pointer(),
                     "State \"" + state.name + "\" has the unknown type \"" + typeName +
                         "\"; use one of " + stateTypeNames() + ".",
                     state.name);
    } else if (key == "config") {
        if (value.is_object()) {
            config = &value;
        } else {
            wrongType(place.child(key), key, "an object", value);
        }
    } else if (key == "transitions") {
        if (value.is_array()) {
            transitions = &value;
        } else {
            wrongType(place.child(key), key, "an array of transitions", value);
        }
    } else {
        appendMember(state.extra, key, std::move(value));
    }
    return false;
}

void FlowReader::readTransitions(Json& value, const Place& place, State& state) {
    if (value.size() > m_limits.maxTransitionsPerState) {
        m_sink.error(kLimitExceeded, place.pointer(),
                     "State \"" + state.name + "\" has " + std::to_string(value.size()) +
                         " transitions; at most " +
                         std::to_string(m_limits.maxTransitionsPerState) + " are allowed.",
                     state.name);
        return;
    }
    state.transitions.reserve(value.size());
    int index = 0;
    for (auto& item : value.get_ref<Json::array_t&>()) {
        Place itemPlace{&place, {}, index, place.state, index};
        if (auto transition = readTransition(item, itemPlace)) {
            state.transitions.push_back(std::move(*transition));
        }
        ++index;
    }
}

std::optional<Transition> FlowReader::readTransition(Json& value, const Place& place) {
    if (!value.is_object()) {
        m_sink.error(kWrongType, place.pointer(),
                     place.subject() + " must be an object with a \"condition\", but it is " +
                         describeType(value) + ".",
                     place.stateName(), place.transition);
        return std::nullopt;
    }
    Transition transition;
    reserveExtra(transition.extra, value, 5);
    bool hasCondition = false;
    for (auto& [key, member] : value.get_ref<Json::object_t&>()) {
        hasCondition = hasCondition || key == "condition";
        readTransitionMember(key, member, place, transition);
    }
    if (!hasCondition) {
        m_sink.error(kMissingField, place.child("condition").pointer(),
                     place.subject() + " has no \"condition\"; use one of " + conditionNames() +
                         ".",
                     place.stateName(), place.transition);
    }
    return transition;
}

void FlowReader::readTransitionMember(const std::string& key, Json& value, const Place& place,
                                      Transition& transition) {
    const Place at = place.child(key);
    if (key == "condition") {
        std::string name;
        if (!readString(value, at, key, name)) {
            return;
        }
        if (const auto condition = conditionFromString(name)) {
            transition.condition = *condition;
        } else {
            m_sink.error(kUnknownCondition, at.pointer(),
                         place.subject() + " has the unknown condition \"" + name +
                             "\"; use one of " + conditionNames() + ".",
                         place.stateName(), place.transition);
        }
    } else if (key == "condition_value") {
        readString(value, at, key, transition.conditionValue);
    } else if (key == "expression") {
        readString(value, at, key, transition.expression);
    } else if (key == "target_state") {
        readString(value, at, key, transition.target);
    } else if (key == "priority") {
        if (!isIntValue(value)) {
            wrongType(at, key, "a whole number between -2147483648 and 2147483647", value);
            return;
        }
        transition.priority = value.get<int>();
        transition.hasPriority = true;
    } else {
        appendMember(transition.extra, key, std::move(value));
    }
}

void FlowReader::readHandlers(const Json& value, Flow& flow) {
    const Place place = m_root.child("global_handlers");
    if (!value.is_object()) {
        wrongType(place, "global_handlers", "an object that maps intents or keywords to states",
                  value);
        return;
    }
    flow.globalHandlers.reserve(value.size());
    for (const auto& [trigger, target] : value.get_ref<const Json::object_t&>()) {
        if (!target.is_string()) {
            m_sink.error(kWrongType, place.child(trigger).pointer(),
                         "The global handler \"" + trigger +
                             "\" must name a state (a string), "
                             "but it is " +
                             describeType(target) + ".");
            continue;
        }
        flow.globalHandlers.emplace_back(trigger, target.get_ref<const std::string&>());
    }
}

void FlowReader::readSettings(Json& value, Flow& flow) {
    const Place place = m_root.child("settings");
    if (!value.is_object()) {
        wrongType(place, "settings", "an object", value);
        return;
    }
    // The executor reads this one as an int; a wrong type would otherwise be ignored silently.
    if (const auto it = value.find("max_transitions_per_message");
        it != value.end() && !isIntValue(*it)) {
        wrongType(place.child("max_transitions_per_message"), "max_transitions_per_message",
                  "a whole number", *it);
    }
    flow.settings = std::move(value);
}

} // namespace

std::optional<Flow> readFlow(Json& document, const ParseLimits& limits, DiagnosticSink& sink) {
    return FlowReader(limits, sink).read(document);
}

} // namespace parsing

namespace {

ParseResult failure(const char* code, std::string message) {
    parsing::DiagnosticSink sink;
    sink.error(code, "", std::move(message));
    return ParseResult{std::nullopt, sink.take()};
}

ParseResult finish(Json& document, const ParseLimits& limits, parsing::DiagnosticSink& sink) {
    ParseResult result;
    result.flow = parsing::readFlow(document, limits, sink);
    result.diagnostics = sink.take();
    if (!result.diagnostics.empty()) { // e.g. duplicate keys found while reading the text
        result.flow.reset();
    }
    return result;
}

} // namespace

ParseResult parseFlow(std::string_view text, const ParseLimits& limits) {
    try {
        if (text.size() > limits.maxBytes) {
            return failure(parsing::kLimitExceeded,
                           "The document is " + std::to_string(text.size()) + " bytes; at most " +
                               std::to_string(limits.maxBytes) + " are allowed.");
        }
        parsing::DiagnosticSink sink;
        Json document;
        if (!parsing::readDocument(text, limits, sink, document)) {
            return ParseResult{std::nullopt, sink.take()};
        }
        return finish(document, limits, sink);
    } catch (const std::bad_alloc&) {
        return failure(parsing::kLimitExceeded, "Not enough memory to read the document.");
    } catch (const std::exception& e) {
        return failure(parsing::kJsonSyntax,
                       std::string("The document could not be read: ") + e.what());
    }
}

ParseResult parseFlowJson(const Json& document, const ParseLimits& limits) {
    try {
        parsing::DiagnosticSink sink;
        // Check before copying: copying a deeply nested value recurses.
        if (!parsing::checkDocumentLimits(document, limits, sink)) {
            return ParseResult{std::nullopt, sink.take()};
        }
        Json copy = document;
        return finish(copy, limits, sink);
    } catch (const std::bad_alloc&) {
        return failure(parsing::kLimitExceeded, "Not enough memory to read the document.");
    } catch (const std::exception& e) {
        return failure(parsing::kWrongType,
                       std::string("The document could not be read: ") + e.what());
    }
}

ParseResult parseFlowFile(const std::string& path, const ParseLimits& limits) {
    try {
        std::ifstream in(path, std::ios::binary | std::ios::ate);
        if (!in) {
            return failure(parsing::kFileError, "Cannot open the flow file \"" + path +
                                                    "\": " + std::strerror(errno) + ".");
        }
        const auto size = static_cast<std::streamoff>(in.tellg());
        if (size < 0) {
            return failure(parsing::kFileError, "Cannot read the flow file \"" + path + "\".");
        }
        if (static_cast<std::uintmax_t>(size) > limits.maxBytes) {
            return failure(parsing::kLimitExceeded, "The flow file \"" + path + "\" is " +
                                                        std::to_string(size) + " bytes; at most " +
                                                        std::to_string(limits.maxBytes) +
                                                        " are allowed.");
        }
        std::string text(static_cast<size_t>(size), '\0');
        in.seekg(0);
        if (!in.read(text.data(), size)) {
            return failure(parsing::kFileError, "Cannot read the flow file \"" + path + "\".");
        }
        return parseFlow(text, limits);
    } catch (const std::exception& e) {
        return failure(parsing::kFileError,
                       "Cannot read the flow file \"" + path + "\": " + e.what());
    }
}

} // namespace flowdeck::engine
