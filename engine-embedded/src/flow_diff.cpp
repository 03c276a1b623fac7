// diffFlows: matches states by name (and renames), then compares flow fields, states and
// transitions. Values: flow_diff_values.cpp; transitions: flow_diff_transitions.cpp; renames:
// flow_diff_renames.cpp; output: flow_diff_format.cpp.

#include "flow_diff_internal.h"

#include <string_view>
#include <unordered_map>

namespace flowdeck::engine {
namespace {

using diffing::Renames;

// The states of one flow by name; the first state of each name wins, as in serializeFlow.
struct StateIndex {
    std::unordered_map<std::string_view, const State*> byName;
    std::vector<const State*> unique; // first of each name, in document order

    explicit StateIndex(const Flow& flow) {
        byName.reserve(flow.states.size());
        unique.reserve(flow.states.size());
        for (const auto& state : flow.states) {
            if (byName.emplace(state.name, &state).second) {
                unique.push_back(&state);
            }
        }
    }
    const State* find(const std::string& name) const {
        const auto it = byName.find(name);
        return it == byName.end() ? nullptr : it->second;
    }
};

Json nullIfEmpty(const std::string& text) {
    return text.empty() ? Json() : Json(text);
}

// A reference, not a copy: configs are compared for every state.
const Json& objectOrEmpty(const Json& value) {
    static const Json empty = Json::object();
    return value.is_object() ? value : empty;
}

// A reference to a state: no change when it only follows a rename.
void diffReference(const char* pointer, const std::string& before, const std::string& after,
                   const Renames& renames, std::vector<FieldChange>& out) {
    if (renames.newName(before) != after) {
        out.push_back({pointer, nullIfEmpty(before), nullIfEmpty(after)});
    }
}

void diffText(const char* pointer, const std::string& before, const std::string& after,
              std::vector<FieldChange>& out) {
    if (before != after) {
        out.push_back({pointer, nullIfEmpty(before), nullIfEmpty(after)});
    }
}

void diffHandlers(const Flow& before, const Flow& after, const Renames& renames,
                  std::vector<FieldChange>& out) {
    std::unordered_map<std::string_view, const std::string*> old;
    for (const auto& [trigger, target] : before.globalHandlers) {
        old.emplace(trigger, &target);
    }
    for (const auto& [trigger, target] : after.globalHandlers) {
        const auto it = old.find(trigger);
        const std::string pointer = diffing::childPointer("/global_handlers", trigger);
        if (it == old.end()) {
            out.push_back({pointer, Json(), target});
        } else if (it->second != nullptr) {
            if (renames.newName(*it->second) != target) {
                out.push_back({pointer, *it->second, target});
            }
            it->second = nullptr; // seen; a duplicate trigger in `after` is ignored
        }
    }
    for (const auto& [trigger, target] : before.globalHandlers) {
        const auto it = old.find(trigger);
        if (it->second == &target) {
            out.push_back({diffing::childPointer("/global_handlers", trigger), target, Json()});
        }
    }
}

void diffFlowFields(const Flow& before, const Flow& after, const Renames& renames,
                    std::vector<FieldChange>& out) {
    diffText("/name", before.name, after.name, out);
    diffText("/description", before.description, after.description, out);
    diffText("/version", before.version, after.version, out);
    diffReference("/initial_state", before.initialState, after.initialState, renames, out);
    diffReference("/error_state", before.errorState, after.errorState, renames, out);
    diffHandlers(before, after, renames, out);
    diffing::diffValues("/settings", objectOrEmpty(before.settings), objectOrEmpty(after.settings),
                        out);
    diffing::diffValues("", objectOrEmpty(before.extra), objectOrEmpty(after.extra), out);
}

std::vector<FieldChange> stateFields(const State& before, const State& after) {
    std::vector<FieldChange> fields;
    if (before.type != after.type) {
        fields.push_back(
            {"/type", std::string(toString(before.type)), std::string(toString(after.type))});
    }
    diffing::diffValues("/config", objectOrEmpty(before.config), objectOrEmpty(after.config),
                        fields);
    diffing::diffValues("", objectOrEmpty(before.extra), objectOrEmpty(after.extra), fields);
    return fields;
}

void diffMatchedState(const State& before, const State& after, const Renames& renames,
                      FlowDiff& diff) {
    StateChange change{ChangeKind::Changed, after.name, std::nullopt, stateFields(before, after)};
    if (before.name != after.name) {
        change.renamedFrom = before.name;
    }
    if (change.renamedFrom || !change.fields.empty()) {
        diff.states.push_back(std::move(change));
    }
    diffing::diffTransitions(before, after, renames, diff.transitions);
}

void diffStates(const Flow& before, const Flow& after, const DiffOptions& options, FlowDiff& diff) {
    const StateIndex oldIndex(before);
    const StateIndex newIndex(after);
    std::vector<const State*> partner; // old state of each newIndex.unique, by name
    std::vector<const State*> added;
    std::vector<const State*> removed;
    partner.reserve(newIndex.unique.size());
    for (const State* state : newIndex.unique) {
        partner.push_back(oldIndex.find(state->name));
        if (partner.back() == nullptr) {
            added.push_back(state);
        }
    }
    for (const State* state : oldIndex.unique) {
        if (newIndex.find(state->name) == nullptr) {
            removed.push_back(state);
        }
    }
    const Renames renames =
        options.detectRenames ? diffing::detectRenames(before, after, removed, added) : Renames{};
    diffFlowFields(before, after, renames, diff.flowFields);
    for (size_t k = 0; k < partner.size(); ++k) {
        const State& state = *newIndex.unique[k];
        const State* old = partner[k];
        if (old == nullptr) {
            const auto renamed = renames.toOld.find(state.name);
            old = renamed == renames.toOld.end() ? nullptr : oldIndex.find(renamed->second);
        }
        if (old == nullptr) {
            diff.states.push_back({ChangeKind::Added, state.name, std::nullopt, {}});
        } else {
            diffMatchedState(*old, state, renames, diff);
        }
    }
    for (const State* state : removed) {
        if (renames.toNew.count(state->name) == 0) {
            diff.states.push_back({ChangeKind::Removed, state->name, std::nullopt, {}});
        }
    }
}

} // namespace

std::string_view toString(ChangeKind kind) {
    switch (kind) {
    case ChangeKind::Added:
        return "added";
    case ChangeKind::Removed:
        return "removed";
    case ChangeKind::Changed:
        return "changed";
    }
    return "changed";
}

bool FlowDiff::empty() const {
    return error.empty() && flowFields.empty() && states.empty() && transitions.empty();
}

FlowDiff diffFlows(const Flow& before, const Flow& after, const DiffOptions& options) {
    FlowDiff diff;
    try {
        diffStates(before, after, options, diff);
    } catch (const std::exception& e) {
        // Only allocation can fail on flows from the parser. A partial diff would mislead.
        diff = FlowDiff{};
        diff.error = std::string("cannot compute the diff: ") + e.what();
    }
    return diff;
}

} // namespace flowdeck::engine
