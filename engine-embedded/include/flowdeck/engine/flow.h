#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace flowdeck::engine {

// Key order matters: flows round-trip exactly as written (document order of states, config
// keys and unknown keys), so every JSON value in the model is an ordered_json.
using Json = nlohmann::ordered_json;

enum class StateType {
    Response,
    Intent,
    SlotFilling,
    Integration,
    Condition,
    Script,
    Handoff,
    End
};

enum class ConditionType {
    AnyInput,    // any user text message
    IntentMatch, // condition_value = intent name; matches when confidence >= threshold
    SlotFilled,  // condition_value = slot name (empty: all required slots of the state)
    Expression,  // Lua expression over slots, vars, intent, input, user
    Fallback,    // taken only when nothing else matched
    Timeout,     // the state's execution timed out, or a "timeout" event arrived
    OnSuccess,   // integration call succeeded (2xx, mapping applied)
    OnFailure,   // integration call failed (non-2xx, transport error, mapping error)
};

std::string_view toString(StateType type);
std::string_view toString(ConditionType condition);
std::optional<StateType> stateTypeFromString(std::string_view name);
std::optional<ConditionType> conditionFromString(std::string_view name);

// States that wait for the next user message once entered. Every other state runs and
// immediately evaluates its transitions, within the same message.
bool isWaiting(StateType type);

struct Transition {
    ConditionType condition = ConditionType::AnyInput;
    std::string conditionValue;  // "condition_value"
    std::string expression;      // "expression" (Lua), for ConditionType::Expression
    std::string target;          // "target_state"; empty when missing (the linter reports it)
    int priority = 0;            // "priority"; higher is evaluated first, ties in document order
    bool hasPriority = false;    // whether "priority" was written (round-trip)
    Json extra = Json::object(); // keys we do not know, kept and written back
};

struct State {
    std::string name;
    StateType type = StateType::Response;
    Json config = Json::object(); // exactly as written; shape checked by the parser
    std::vector<Transition> transitions;
    Json extra = Json::object();
};

struct Flow {
    std::string name;
    std::string description;
    std::string version;
    std::string initialState;  // empty when missing (the linter reports it)
    std::string errorState;    // optional: where a failed message leaves the conversation
    std::vector<State> states; // document order
    std::vector<std::pair<std::string, std::string>> globalHandlers; // intent or keyword -> state
    Json settings = Json::object(); // optional engine settings (max_transitions_per_message, ...)
    Json extra = Json::object();

    const State* findState(std::string_view stateName) const;
    State* findState(std::string_view stateName);
    std::optional<size_t> indexOf(std::string_view stateName) const;
};

// The config keys each state type understands, with the JSON type expected. Shared by the parser
// (type checks), the linter (unknown keys) and the JSON Schema (resources/schema).
enum class ConfigValueKind {
    String,
    Integer,
    Number,
    Boolean,
    StringMap,      // object of string -> string
    StringListMap,  // object of string -> array of strings
    SlotList,       // array of slot objects
    StringOrObject, // e.g. an integration body: template text or a JSON object
};
struct ConfigKey {
    std::string_view name;
    ConfigValueKind kind;
};
const std::vector<ConfigKey>& knownConfigKeys(StateType type);

// Typed views over a state's config. The parser guarantees the shapes, so these never throw on a
// flow that parsed; missing keys give defaults.
struct SlotSpec {
    std::string name;
    std::string type = "text"; // text, number, email, date, regex, enum, boolean
    std::string prompt;
    std::string pattern;             // for regex
    std::vector<std::string> values; // for enum
    bool required = true;
};
std::vector<SlotSpec> slotSpecs(const State& state);
// response_templates: variant name -> template text; "default" is the one used normally.
std::vector<std::pair<std::string, std::string>> responseTemplates(const State& state);
// intents: intent name -> example phrases.
std::vector<std::pair<std::string, std::vector<std::string>>> intentExamples(const State& state);

} // namespace flowdeck::engine
