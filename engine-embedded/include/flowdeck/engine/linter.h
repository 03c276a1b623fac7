#pragma once

#include "flowdeck/engine/diagnostic.h"
#include "flowdeck/engine/flow.h"

#include <string_view>
#include <vector>

namespace flowdeck::engine {

// Every check of DESIGN.md §3. Errors (the flow cannot run as written): MISSING_INITIAL_STATE,
// UNKNOWN_INITIAL_STATE, UNKNOWN_ERROR_STATE, MISSING_TARGET, UNKNOWN_TARGET, NON_WAITING_CYCLE,
// EXPRESSION_SYNTAX, SCRIPT_SYNTAX, INVALID_CONDITION (e.g. intent_match without condition_value),
// LINT_FAILED (the linter itself ran out of resources).
// Warnings (runs, but probably not what the designer meant): UNREACHABLE_STATE, DEAD_END,
// NO_END_STATE, LOOP_WITHOUT_END, INTENT_NOT_DEFINED, SLOT_NEVER_FILLED, SHADOWED_TRANSITION,
// UNKNOWN_CONFIG_KEY, UNKNOWN_FIELD.
// Findings come in a stable order: flow-level first, then per state in document order.
std::vector<Diagnostic> lintFlow(const Flow& flow);

// Parse + lint; the flow is valid when no diagnostic is an error.
struct ValidationResult {
    bool valid = false;
    std::vector<Diagnostic> diagnostics;
};
ValidationResult validateFlowText(std::string_view text);

} // namespace flowdeck::engine
