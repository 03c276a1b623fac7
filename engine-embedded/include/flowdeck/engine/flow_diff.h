#pragma once

#include "flowdeck/engine/diagnostic.h"
#include "flowdeck/engine/flow.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace flowdeck::engine {

// A structural diff of two versions of a flow: what the console draws on the canvas (added,
// removed and changed states and transitions, with the changed fields listed), what the Deploy
// workspace shows before a release and what `flowctl diff` prints.
//
// Semantics:
// - States match by name. A removed and an added state are one renamed state when their content
//   (type, config, transitions, unknown keys; a transition to itself counts as the same) is
//   identical, or when every reference to the old name (transitions, initial_state, error_state,
//   global handlers) moved to the new name; each pairing must be unambiguous. References that
//   only follow a rename (a transition's target, initial_state, a global handler) are no change.
// - Transitions of a matched state match first on (condition, condition_value, expression,
//   target), then on (condition, condition_value, expression) — a retargeted transition is one
//   Changed transition with a "/target_state" field — then by position.
// - Document order alone is no change. A transition is reported with an "/order" field only when
//   its place in evaluation order (highest priority first, ties in document order) moved
//   relative to the transitions whose priority did not change.
// - Inside values (config, settings, unknown keys) a field change is reported at the deepest
//   differing object key; arrays are compared whole, except arrays of objects keyed by a unique
//   "name" (slots), compared per name: "/config/slots/email/prompt". Key order within an object
//   is no change.
// - Added and removed states carry no fields and their own transitions are not listed: they are
//   implied by the state.
// - In a flow built in code with two states of one name, the first one is used (as the
//   serializer does).

enum class ChangeKind { Added, Removed, Changed };

std::string_view toString(ChangeKind kind); // "added", "removed", "changed"

struct FieldChange {
    // RFC 6901 pointer relative to the flow, state or transition: "/config/response_templates/
    // default", "/type", "/priority", "/global_handlers/cancel". Tokens are escaped.
    std::string pointer;
    Json before; // null when absent
    Json after;  // null when absent
};

struct TransitionChange {
    ChangeKind kind = ChangeKind::Changed;
    std::string state; // source state name (in the new flow for Added/Changed, old for Removed)
    std::optional<int> beforeIndex, afterIndex; // index in the source state's transitions
    std::string target;                         // target of the new one (old one for Removed)
    std::string condition; // condition of the new one (old one for Removed), e.g. "fallback"
    std::vector<FieldChange> fields; // for Changed; "/order" values are evaluation positions
};

struct StateChange {
    ChangeKind kind = ChangeKind::Changed;
    std::string name; // new name (old name for Removed)
    std::optional<std::string> renamedFrom;
    std::vector<FieldChange> fields; // the state's own fields; transitions are listed apart
};

struct FlowDiff {
    // name, description, version, initial_state, error_state, global_handlers, settings and
    // unknown top-level keys
    std::vector<FieldChange> flowFields;
    std::vector<StateChange> states; // in new-document order, removed ones after
    // by source state in new-document order; within one: new transitions in order, then removed
    std::vector<TransitionChange> transitions;
    // Set when the diff could not be computed (out of memory); the lists are then empty.
    std::string error;

    bool empty() const; // false when error is set
    size_t size() const { return flowFields.size() + states.size() + transitions.size(); }
};

struct DiffOptions {
    bool detectRenames = true;
};

// Never throws on flows from the parser. Linear in the size of both flows (hash maps
// throughout), so two 100,000-state flows diff in well under a second.
FlowDiff diffFlows(const Flow& before, const Flow& after, const DiffOptions& options = {});

// Human-readable summary, one line per change, empty when there is none:
//   + state ask_email
//   + transition detect[2] → clarify (fallback)
//   ~ state greet: /config/response_templates/default "Hi" → "Hello"
//   ~ transition detect[1] → clarify: /target_state "help" → "clarify"
// Long values are shortened with "…".
std::string formatDiff(const FlowDiff& diff);

// For `flowctl diff --json` and the console:
//   {"equal": false, "flow": [{"pointer", "before", "after"}],
//    "states": [{"kind", "name", "pointer", "renamed_from"?, "fields": [...]}],
//    "transitions": [{"kind", "state", "before_index", "after_index", "target", "condition",
//                     "pointer", "fields": [...]}]}
// "pointer" is absolute ("/states/greet", "/states/detect/transitions/1"), into the new document,
// or into the old one for removed states and transitions.
Json diffToJson(const FlowDiff& diff);

// "/states/<name>" and "/states/<name>/transitions/<index>", the name escaped.
std::string statePointer(std::string_view state);
std::string transitionPointer(std::string_view state, int index);

} // namespace flowdeck::engine
