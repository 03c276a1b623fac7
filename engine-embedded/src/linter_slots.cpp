#include "linter_scan.h"
#include "linter_usage.h"

#include <unordered_set>
#include <variant>

// Slots read (templates, integration requests, slot_filled conditions, expressions, scripts) that
// nothing fills (no slot_filling state asks for them, no integration maps a response into them, no
// script assigns them).
namespace flowdeck::engine::lint {
namespace {

struct SlotFacts {
    std::unordered_set<std::string_view> filled;
    std::vector<std::string_view> filledList;
    bool dynamicWrite = false; // some script writes slots[k]: any slot may be filled
    UsageTable reads;

    void fill(std::string_view name) {
        if (!name.empty() && filled.insert(name).second) {
            filledList.push_back(name);
        }
    }
};

void collectDeclaredSlots(SlotFacts& facts, const State& state) {
    if (state.type == StateType::SlotFilling) {
        const auto slots = state.config.find("slots");
        if (slots != state.config.end() && slots->is_array()) {
            for (const auto& slot : *slots) {
                const auto name = slot.is_object() ? slot.find("name") : slot.end();
                if (slot.is_object() && name != slot.end() && name->is_string()) {
                    facts.fill(name->get_ref<const std::string&>());
                }
            }
        }
    }
    if (state.type == StateType::Integration) {
        const auto mapping = state.config.find("response_mapping");
        if (mapping != state.config.end() && mapping->is_object()) {
            for (auto it = mapping->begin(); it != mapping->end(); ++it) {
                facts.fill(slotOfMappingKey(it.key()));
            }
        }
    }
}

// Where in a state's config a value sits: keys and array indices below "config". Kept as views
// and turned into a JSON pointer only for a slot's first use.
using ConfigPath = std::vector<std::variant<std::string_view, size_t>>;

std::string pointerOf(const State& state, const ConfigPath& path) {
    std::string pointer = statePointer(state) + "/config";
    for (const auto& token : path) {
        pointer += '/';
        if (const auto* key = std::get_if<std::string_view>(&token)) {
            pointer += escapePointerToken(std::string(*key));
        } else {
            pointer += std::to_string(std::get<size_t>(token));
        }
    }
    return pointer;
}

// Every string of the config is a template, except the script (Lua) and the response mapping
// (JSONPath).
void walkTemplates(SlotFacts& facts, int stateIndex, const State& state, const Json& value,
                   ConfigPath& path) {
    if (value.is_string()) {
        const auto& text = value.get_ref<const std::string&>();
        if (text.find("{{") == std::string::npos) {
            return;
        }
        scanTemplateSlots(text, [&](std::string_view name, SlotAccess) {
            facts.reads.add(name, [&] {
                const std::string pointer = pointerOf(state, path);
                const std::string local = pointer.substr(statePointer(state).size() + 1);
                return Use{stateIndex, std::nullopt, pointer,
                           "the template at " + local + " of " + quote(state.name)};
            });
        });
        return;
    }
    if (value.is_object()) {
        for (auto it = value.begin(); it != value.end(); ++it) {
            path.emplace_back(std::string_view(it.key()));
            walkTemplates(facts, stateIndex, state, *it, path);
            path.pop_back();
        }
    } else if (value.is_array()) {
        for (size_t i = 0; i < value.size(); ++i) {
            path.emplace_back(i);
            walkTemplates(facts, stateIndex, state, value[i], path);
            path.pop_back();
        }
    }
}

void collectConfigReads(SlotFacts& facts, int stateIndex, const State& state, ConfigPath& path) {
    if (!state.config.is_object()) {
        return;
    }
    for (auto it = state.config.begin(); it != state.config.end(); ++it) {
        const bool script = state.type == StateType::Script && it.key() == "script";
        if (script || it.key() == "response_mapping") {
            continue;
        }
        path.assign(1, std::string_view(it.key()));
        walkTemplates(facts, stateIndex, state, *it, path);
    }
}

void collectScript(SlotFacts& facts, int stateIndex, const State& state) {
    const auto script = state.config.find("script");
    if (state.type != StateType::Script || script == state.config.end() || !script->is_string()) {
        return;
    }
    scanLuaSlots(script->get_ref<const std::string&>(),
                 [&](std::string_view name, SlotAccess access) {
                     if (access == SlotAccess::DynamicWrite) {
                         facts.dynamicWrite = true;
                     } else if (access == SlotAccess::Write) {
                         facts.fill(name);
                     } else {
                         facts.reads.add(name, [&] {
                             return Use{stateIndex, std::nullopt, configPointer(state, "script"),
                                        "the script of " + quote(state.name)};
                         });
                     }
                 });
}

void collectTransitionReads(SlotFacts& facts, int stateIndex, const State& state) {
    for (size_t i = 0; i < state.transitions.size(); ++i) {
        const Transition& t = state.transitions[i];
        const auto index = static_cast<int>(i);
        if (t.condition == ConditionType::SlotFilled && !t.conditionValue.empty()) {
            facts.reads.add(t.conditionValue, [&] {
                return Use{stateIndex, index, transitionPointer(state, i) + "/condition_value",
                           "the slot_filled condition of " + transitionWhere(state, i)};
            });
        } else if (t.condition == ConditionType::Expression) {
            scanLuaSlots(t.expression, [&](std::string_view name, SlotAccess access) {
                if (access == SlotAccess::Read) {
                    facts.reads.add(name, [&] {
                        return Use{stateIndex, index, transitionPointer(state, i) + "/expression",
                                   "the expression of " + transitionWhere(state, i)};
                    });
                }
            });
        }
    }
}

} // namespace

void checkSlots(LintContext& context) {
    const auto& states = context.flow().states;
    SlotFacts facts;
    ConfigPath path;
    for (size_t s = 0; s < states.size(); ++s) {
        const auto index = static_cast<int>(s);
        collectDeclaredSlots(facts, states[s]);
        collectConfigReads(facts, index, states[s], path);
        collectScript(facts, index, states[s]);
        collectTransitionReads(facts, index, states[s]);
    }
    if (facts.dynamicWrite) {
        return; // a script fills slots by computed names: any read may be satisfied
    }
    std::vector<std::string_view> unfilled;
    for (const auto name : facts.reads.names()) {
        if (facts.filled.count(name) == 0) {
            unfilled.push_back(name);
        }
    }
    for (size_t k = 0; k < unfilled.size() && k < kNamedFindings; ++k) {
        const Use& use = facts.reads.firstUse(unfilled[k]);
        context.report(use.state, Severity::Warning, "SLOT_NEVER_FILLED", use.pointer,
                       use.transition,
                       "Slot " + quote(unfilled[k]) + " is read by " + use.where +
                           ", but nothing fills it: no slot_filling state asks for it, no "
                           "integration maps a response into it and no script assigns it, so it "
                           "is always empty." +
                           context.suggest(unfilled[k], facts.filledList) +
                           otherPlaces(facts.reads.count(unfilled[k]), "read"));
    }
    if (unfilled.size() > kNamedFindings) {
        reportSummary(context, facts.reads, {unfilled.begin() + kNamedFindings, unfilled.end()},
                      "SLOT_NEVER_FILLED", "slots are read but never filled");
    }
}

} // namespace flowdeck::engine::lint
