// Shape checks for the known keys of a state's config (knownConfigKeys in flow.h). Unknown keys
// are kept untouched: the linter warns about them, and they round-trip.

#include "flow_parser_internal.h"

#include <algorithm>
#include <array>

namespace flowdeck::engine::parsing {
namespace {

constexpr std::array<std::string_view, 7> kSlotTypes{"text",  "number", "email",  "date",
                                                     "regex", "enum",   "boolean"};

class ConfigChecker final {
public:
    ConfigChecker(const std::string& state, DiagnosticSink& sink)
        : m_state(state)
        , m_sink(sink) {}

    void check(const ConfigKey& key, const Json& value, const std::string& pointer);

private:
    void wrong(const std::string& pointer, const std::string& what, const char* expected,
               const Json& value);
    void checkStringMap(const std::string& name, const Json& value, const std::string& pointer);
    void checkStringListMap(const std::string& name, const Json& value, const std::string& pointer);
    void checkSlots(const Json& value, const std::string& pointer);
    void checkSlot(const Json& slot, const std::string& pointer, const std::string& label);
    void checkSlotType(const Json& type, const std::string& pointer, const std::string& label);

    const std::string& m_state;
    DiagnosticSink& m_sink;
};

std::string child(const std::string& pointer, const std::string& key) {
    return pointer + "/" + escapePointerToken(key);
}

void ConfigChecker::wrong(const std::string& pointer, const std::string& what, const char* expected,
                          const Json& value) {
    m_sink.error(kWrongType, pointer,
                 "State \"" + m_state + "\": " + what + " is " + describeType(value) +
                     "; it must be " + expected + ".",
                 m_state);
}

void ConfigChecker::check(const ConfigKey& key, const Json& value, const std::string& pointer) {
    const std::string name(key.name);
    const std::string what = "config \"" + name + "\"";
    switch (key.kind) {
    case ConfigValueKind::String:
        if (!value.is_string()) {
            wrong(pointer, what, "a string", value);
        }
        break;
    case ConfigValueKind::Integer:
        if (!isIntValue(value)) {
            wrong(pointer, what, "a whole number between -2147483648 and 2147483647", value);
        }
        break;
    case ConfigValueKind::Number:
        if (!value.is_number()) {
            wrong(pointer, what, "a number", value);
        }
        break;
    case ConfigValueKind::Boolean:
        if (!value.is_boolean()) {
            wrong(pointer, what, "true or false", value);
        }
        break;
    case ConfigValueKind::StringMap:
        checkStringMap(name, value, pointer);
        break;
    case ConfigValueKind::StringListMap:
        checkStringListMap(name, value, pointer);
        break;
    case ConfigValueKind::SlotList:
        checkSlots(value, pointer);
        break;
    case ConfigValueKind::StringOrObject:
        if (!value.is_string() && !value.is_object()) {
            wrong(pointer, what, "a string or an object", value);
        }
        break;
    }
}

void ConfigChecker::checkStringMap(const std::string& name, const Json& value,
                                   const std::string& pointer) {
    if (!value.is_object()) {
        wrong(pointer, "config \"" + name + "\"", "an object of strings", value);
        return;
    }
    for (const auto& [key, item] : value.get_ref<const Json::object_t&>()) {
        if (!item.is_string()) {
            wrong(child(pointer, key), "\"" + key + "\" in config \"" + name + "\"", "a string",
                  item);
        }
    }
}

void ConfigChecker::checkStringListMap(const std::string& name, const Json& value,
                                       const std::string& pointer) {
    if (!value.is_object()) {
        wrong(pointer, "config \"" + name + "\"", "an object of string lists", value);
        return;
    }
    for (const auto& [key, list] : value.get_ref<const Json::object_t&>()) {
        const std::string what = "\"" + key + "\" in config \"" + name + "\"";
        if (!list.is_array()) {
            wrong(child(pointer, key), what, "an array of strings", list);
            continue;
        }
        for (size_t i = 0; i < list.size(); ++i) {
            if (!list[i].is_string()) {
                wrong(child(pointer, key) + "/" + std::to_string(i),
                      "entry " + std::to_string(i) + " of " + what, "a string", list[i]);
            }
        }
    }
}

void ConfigChecker::checkSlots(const Json& value, const std::string& pointer) {
    if (!value.is_array()) {
        wrong(pointer, "config \"slots\"", "an array of slot objects", value);
        return;
    }
    for (size_t i = 0; i < value.size(); ++i) {
        checkSlot(value[i], pointer + "/" + std::to_string(i), "slot " + std::to_string(i));
    }
}

void ConfigChecker::checkSlot(const Json& slot, const std::string& pointer,
                              const std::string& label) {
    if (!slot.is_object()) {
        wrong(pointer, label, "an object with a \"name\"", slot);
        return;
    }
    const auto name = slot.find("name");
    const std::string title = name != slot.end() && name->is_string()
                                  ? "slot \"" + name->get<std::string>() + "\""
                                  : label;
    if (name == slot.end()) {
        m_sink.error(kMissingField, child(pointer, "name"),
                     "State \"" + m_state + "\": " + label + " has no \"name\".", m_state);
    } else if (!name->is_string()) {
        wrong(child(pointer, "name"), "the name of " + label, "a string", *name);
    }
    for (const char* key : {"prompt", "pattern"}) {
        if (const auto it = slot.find(key); it != slot.end() && !it->is_string()) {
            wrong(child(pointer, key), "\"" + std::string(key) + "\" of " + title, "a string", *it);
        }
    }
    if (const auto it = slot.find("required"); it != slot.end() && !it->is_boolean()) {
        wrong(child(pointer, "required"), "\"required\" of " + title, "true or false", *it);
    }
    if (const auto it = slot.find("values"); it != slot.end()) {
        const bool strings =
            it->is_array() &&
            std::all_of(it->begin(), it->end(), [](const Json& v) { return v.is_string(); });
        if (!strings) {
            wrong(child(pointer, "values"), "\"values\" of " + title, "an array of strings", *it);
        }
    }
    if (const auto it = slot.find("type"); it != slot.end()) {
        checkSlotType(*it, child(pointer, "type"), title);
    }
}

void ConfigChecker::checkSlotType(const Json& type, const std::string& pointer,
                                  const std::string& label) {
    if (!type.is_string()) {
        wrong(pointer, "the type of " + label, "a string", type);
        return;
    }
    const auto& name = type.get_ref<const std::string&>();
    if (std::find(kSlotTypes.begin(), kSlotTypes.end(), name) == kSlotTypes.end()) {
        m_sink.error(kUnknownSlotType, pointer,
                     "State \"" + m_state + "\": " + label + " has the unknown type \"" + name +
                         "\"; use one of text, number, email, date, regex, enum or boolean.",
                     m_state);
    }
}

} // namespace

void checkConfig(StateType type, const Json& config, const std::string& pointer,
                 const std::string& state, DiagnosticSink& sink) {
    const auto& known = knownConfigKeys(type);
    ConfigChecker checker(state, sink);
    for (const auto& member : config.get_ref<const Json::object_t&>()) {
        const std::string& key = member.first; // clang 14 cannot capture structured bindings
        const auto it = std::find_if(known.begin(), known.end(),
                                     [&](const ConfigKey& k) { return k.name == key; });
        if (it != known.end()) {
            checker.check(*it, member.second, child(pointer, key));
        }
    }
}

} // namespace flowdeck::engine::parsing
