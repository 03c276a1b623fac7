#pragma once

// Shared by the flow_diff_*.cpp files; not part of the public API.

#include "flowdeck/engine/flow_diff.h"

#include <string>
#include <unordered_map>
#include <vector>

namespace flowdeck::engine::diffing {

// Renamed states, both ways. Only renamed states are in the maps.
struct Renames {
    std::unordered_map<std::string, std::string> toNew; // old name -> new name
    std::unordered_map<std::string, std::string> toOld; // new name -> old name

    // What the new flow calls a state the old flow calls `oldName`.
    const std::string& newName(const std::string& oldName) const {
        const auto it = toNew.find(oldName);
        return it == toNew.end() ? oldName : it->second;
    }
};

// Pairs removed and added states that are one renamed state (see flow_diff.h).
Renames detectRenames(const Flow& before, const Flow& after,
                      const std::vector<const State*>& removed,
                      const std::vector<const State*>& added);

// Appends a FieldChange for each difference between two values under `pointer` ("" for the
// root): objects key by key down to the leaves, arrays of named objects name by name.
void diffValues(const std::string& pointer, const Json& before, const Json& after,
                std::vector<FieldChange>& out);

// "<pointer>/<escaped key>"
std::string childPointer(const std::string& pointer, const std::string& key);

// Transitions of one matched state (after.name is the state's name in the new flow).
void diffTransitions(const State& before, const State& after, const Renames& renames,
                     std::vector<TransitionChange>& out);

} // namespace flowdeck::engine::diffing
