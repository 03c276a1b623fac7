// Rename detection: which removed state and added state are one state under a new name.

#include "flow_diff_internal.h"

#include <algorithm>
#include <functional>
#include <string_view>
#include <unordered_set>

namespace flowdeck::engine::diffing {
namespace {

// Stands for "the state itself" in signatures, so that a self-loop survives a rename. No state
// name can contain a NUL byte that the parser accepted unescaped, and collisions only cost a
// missed rename.
const std::string kSelf("\0self", 5);

std::string dumpSafely(const Json& value) {
    return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string contentSignature(const State& state) {
    Json transitions = Json::array();
    for (const auto& t : state.transitions) {
        transitions.push_back(Json::array({std::string(toString(t.condition)), t.conditionValue,
                                           t.expression, t.target == state.name ? kSelf : t.target,
                                           t.priority, t.hasPriority, t.extra}));
    }
    return dumpSafely(
        Json::array({std::string(toString(state.type)), state.config, state.extra, transitions}));
}

struct Bucket {
    int removedCount = 0;
    int addedCount = 0;
    const State* removed = nullptr;
};

// Pairs the removed and added state that alone share a non-empty key. Keys are given in the
// order of `removed` and `added`; states renamed by an earlier pass must have an empty key.
void pairUnique(const std::vector<const State*>& removed, const std::vector<std::string>& oldKeys,
                const std::vector<const State*>& added, const std::vector<std::string>& newKeys,
                Renames& renames) {
    std::unordered_map<std::string_view, Bucket> buckets;
    for (size_t k = 0; k < removed.size(); ++k) {
        if (!oldKeys[k].empty()) {
            auto& bucket = buckets[oldKeys[k]];
            ++bucket.removedCount;
            bucket.removed = removed[k];
        }
    }
    for (size_t k = 0; k < added.size(); ++k) {
        const auto it = newKeys[k].empty() ? buckets.end() : buckets.find(newKeys[k]);
        if (it != buckets.end()) {
            ++it->second.addedCount;
        }
    }
    for (size_t k = 0; k < added.size(); ++k) {
        const auto it = newKeys[k].empty() ? buckets.end() : buckets.find(newKeys[k]);
        if (it != buckets.end() && it->second.removedCount == 1 && it->second.addedCount == 1) {
            renames.toNew.emplace(it->second.removed->name, added[k]->name);
            renames.toOld.emplace(added[k]->name, it->second.removed->name);
        }
    }
}

void pairByContent(const std::vector<const State*>& removed, const std::vector<const State*>& added,
                   Renames& renames) {
    std::vector<std::string> oldKeys;
    std::vector<std::string> newKeys;
    oldKeys.reserve(removed.size());
    newKeys.reserve(added.size());
    for (const State* s : removed) {
        oldKeys.push_back(contentSignature(*s));
    }
    for (const State* s : added) {
        newKeys.push_back(contentSignature(*s));
    }
    pairUnique(removed, oldKeys, added, newKeys, renames);
}

using SourceName = std::function<const std::string&(const std::string&)>;

// For each state of `names`, one line per reference to it: transitions (by source state and
// condition), initial_state, error_state and global handlers. Sorted, so order is no change.
std::unordered_map<std::string_view, std::vector<std::string>>
referencesTo(const Flow& flow, const std::unordered_set<std::string_view>& names,
             const SourceName& sourceName) {
    std::unordered_map<std::string_view, std::vector<std::string>> refs;
    auto add = [&](const std::string& target, std::string line) {
        if (names.count(target) != 0) {
            refs[target].push_back(std::move(line));
        }
    };
    for (const auto& state : flow.states) {
        for (const auto& t : state.transitions) {
            const std::string& source = t.target == state.name ? kSelf : sourceName(state.name);
            add(t.target, "t\x1f" + source + '\x1f' + std::string(toString(t.condition)) + '\x1f' +
                              t.conditionValue + '\x1f' + t.expression);
        }
    }
    add(flow.initialState, "initial");
    add(flow.errorState, "error");
    for (const auto& [trigger, target] : flow.globalHandlers) {
        add(target, "handler\x1f" + trigger);
    }
    return refs;
}

std::vector<std::string> referenceKeys(const Flow& flow, const std::vector<const State*>& states,
                                       const std::unordered_map<std::string, std::string>& done,
                                       const SourceName& sourceName) {
    std::unordered_set<std::string_view> names;
    for (const State* s : states) {
        if (done.count(s->name) == 0) {
            names.insert(s->name);
        }
    }
    auto refs = referencesTo(flow, names, sourceName);
    std::vector<std::string> keys(states.size());
    for (size_t k = 0; k < states.size(); ++k) {
        const auto it = names.count(states[k]->name) != 0 ? refs.find(states[k]->name) : refs.end();
        if (it != refs.end()) {
            std::sort(it->second.begin(), it->second.end());
            for (const auto& line : it->second) {
                keys[k] += line;
                keys[k] += '\x1e';
            }
        }
    }
    return keys;
}

} // namespace

Renames detectRenames(const Flow& before, const Flow& after,
                      const std::vector<const State*>& removed,
                      const std::vector<const State*>& added) {
    Renames renames;
    if (removed.empty() || added.empty()) {
        return renames;
    }
    pairByContent(removed, added, renames);
    if (renames.toNew.size() == removed.size() || renames.toOld.size() == added.size()) {
        return renames; // nothing left to pair; spares two scans of every transition
    }
    // Sources renamed by content are compared under their new names.
    const SourceName oldSource = [&renames](const std::string& name) -> const std::string& {
        return renames.newName(name);
    };
    const SourceName newSource = [](const std::string& name) -> const std::string& { return name; };
    const auto oldKeys = referenceKeys(before, removed, renames.toNew, oldSource);
    const auto newKeys = referenceKeys(after, added, renames.toOld, newSource);
    pairUnique(removed, oldKeys, added, newKeys, renames);
    return renames;
}

} // namespace flowdeck::engine::diffing
