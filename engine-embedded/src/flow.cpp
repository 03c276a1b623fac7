#include "flowdeck/engine/flow.h"

#include <array>

namespace flowdeck::engine {
namespace {

constexpr std::array<std::pair<StateType, std::string_view>, 8> kStateNames{{
    {StateType::Response, "response"},
    {StateType::Intent, "intent"},
    {StateType::SlotFilling, "slot_filling"},
    {StateType::Integration, "integration"},
    {StateType::Condition, "condition"},
    {StateType::Script, "script"},
    {StateType::Handoff, "handoff"},
    {StateType::End, "end"},
}};

constexpr std::array<std::pair<ConditionType, std::string_view>, 8> kConditionNames{{
    {ConditionType::AnyInput, "any_input"},
    {ConditionType::IntentMatch, "intent_match"},
    {ConditionType::SlotFilled, "slot_filled"},
    {ConditionType::Expression, "expression"},
    {ConditionType::Fallback, "fallback"},
    {ConditionType::Timeout, "timeout"},
    {ConditionType::OnSuccess, "on_success"},
    {ConditionType::OnFailure, "on_failure"},
}};

using K = ConfigValueKind;

} // namespace

std::string_view toString(StateType type)
{
    for (const auto& [value, name] : kStateNames) {
        if (value == type) {
            return name;
        }
    }
    return "unknown";
}

std::string_view toString(ConditionType condition)
{
    for (const auto& [value, name] : kConditionNames) {
        if (value == condition) {
            return name;
        }
    }
    return "unknown";
}

std::optional<StateType> stateTypeFromString(std::string_view name)
{
    for (const auto& [value, text] : kStateNames) {
        if (text == name) {
            return value;
        }
    }
    return std::nullopt;
}

std::optional<ConditionType> conditionFromString(std::string_view name)
{
    for (const auto& [value, text] : kConditionNames) {
        if (text == name) {
            return value;
        }
    }
    return std::nullopt;
}

bool isWaiting(StateType type)
{
    // A handoff parks the conversation with a human agent: like a response, it waits.
    return type == StateType::Response || type == StateType::SlotFilling ||
           type == StateType::End || type == StateType::Handoff;
}

const State* Flow::findState(std::string_view stateName) const
{
    for (const auto& state : states) {
        if (state.name == stateName) {
            return &state;
        }
    }
    return nullptr;
}

State* Flow::findState(std::string_view stateName)
{
    return const_cast<State*>(std::as_const(*this).findState(stateName));
}

std::optional<size_t> Flow::indexOf(std::string_view stateName) const
{
    for (size_t i = 0; i < states.size(); ++i) {
        if (states[i].name == stateName) {
            return i;
        }
    }
    return std::nullopt;
}

const std::vector<ConfigKey>& knownConfigKeys(StateType type)
{
    // "timeout_ms" and "description" are understood by every state type.
    static const std::vector<ConfigKey> response{{"response_templates", K::StringMap},
                                                 {"no_match", K::String},
                                                 {"timeout_ms", K::Integer},
                                                 {"description", K::String}};
    static const std::vector<ConfigKey> intent{{"intents", K::StringListMap},
                                               {"confidence_threshold", K::Number},
                                               {"nlu", K::String},
                                               {"timeout_ms", K::Integer},
                                               {"description", K::String}};
    static const std::vector<ConfigKey> slotFilling{{"slots", K::SlotList},
                                                    {"response_templates", K::StringMap},
                                                    {"timeout_ms", K::Integer},
                                                    {"description", K::String}};
    static const std::vector<ConfigKey> integration{
        {"integration", K::String},      {"method", K::String},
        {"url", K::String},              {"headers", K::StringMap},
        {"body", K::StringOrObject},     {"timeout_ms", K::Integer},
        {"retries", K::Integer},         {"response_mapping", K::StringMap},
        {"description", K::String}};
    static const std::vector<ConfigKey> condition{{"timeout_ms", K::Integer},
                                                  {"description", K::String}};
    static const std::vector<ConfigKey> script{{"script", K::String},
                                               {"timeout_ms", K::Integer},
                                               {"description", K::String}};
    static const std::vector<ConfigKey> handoff{{"response_templates", K::StringMap},
                                                {"queue", K::String},
                                                {"timeout_ms", K::Integer},
                                                {"description", K::String}};
    static const std::vector<ConfigKey> end{{"response_templates", K::StringMap},
                                            {"timeout_ms", K::Integer},
                                            {"description", K::String}};
    switch (type) {
    case StateType::Response:
        return response;
    case StateType::Intent:
        return intent;
    case StateType::SlotFilling:
        return slotFilling;
    case StateType::Integration:
        return integration;
    case StateType::Condition:
        return condition;
    case StateType::Script:
        return script;
    case StateType::Handoff:
        return handoff;
    case StateType::End:
        return end;
    }
    return condition;
}

std::vector<SlotSpec> slotSpecs(const State& state)
{
    std::vector<SlotSpec> specs;
    const auto it = state.config.find("slots");
    if (it == state.config.end() || !it->is_array()) {
        return specs;
    }
    for (const auto& slot : *it) {
        if (!slot.is_object()) {
            continue;
        }
        SlotSpec spec;
        spec.name = slot.value("name", std::string{});
        spec.type = slot.value("type", std::string{"text"});
        spec.prompt = slot.value("prompt", std::string{});
        spec.pattern = slot.value("pattern", std::string{});
        if (const auto values = slot.find("values"); values != slot.end() && values->is_array()) {
            for (const auto& v : *values) {
                if (v.is_string()) {
                    spec.values.push_back(v.get<std::string>());
                }
            }
        }
        spec.required = slot.value("required", true);
        specs.push_back(std::move(spec));
    }
    return specs;
}

std::vector<std::pair<std::string, std::string>> responseTemplates(const State& state)
{
    std::vector<std::pair<std::string, std::string>> templates;
    const auto it = state.config.find("response_templates");
    if (it == state.config.end() || !it->is_object()) {
        return templates;
    }
    for (const auto& [variant, text] : it->items()) {
        if (text.is_string()) {
            templates.emplace_back(variant, text.get<std::string>());
        }
    }
    return templates;
}

std::vector<std::pair<std::string, std::vector<std::string>>> intentExamples(const State& state)
{
    std::vector<std::pair<std::string, std::vector<std::string>>> intents;
    const auto it = state.config.find("intents");
    if (it == state.config.end() || !it->is_object()) {
        return intents;
    }
    for (const auto& [name, examples] : it->items()) {
        std::vector<std::string> phrases;
        if (examples.is_array()) {
            for (const auto& e : examples) {
                if (e.is_string()) {
                    phrases.push_back(e.get<std::string>());
                }
            }
        }
        intents.emplace_back(name, std::move(phrases));
    }
    return intents;
}

} // namespace flowdeck::engine
