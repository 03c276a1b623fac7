#pragma once

#include "exec_run.h"

// The steps of processing a message, one file per responsibility:
//   exec_conditions.cpp  which transition a state takes
//   exec_states.cpp      what entering a state, or a message arriving at it, does
//   exec_slots.cpp       slot extraction and prompting for slot_filling states
//   exec_integration.cpp integration calls and response mapping
namespace flowdeck::engine::exec {

// The first transition of `state` whose condition holds (priority desc, then as written), else
// its fallback when the visit allows one, else null. Traces every condition evaluated.
const CompiledTransition* selectTransition(Run& run, const CompiledState& state, Visit& visit);

// Runs the entry behaviour of the state just entered. Returns the transition to take next, or
// null when the state now waits for input.
const CompiledTransition* enterState(Run& run, int index);
// A message arriving at the (waiting) current state. Returns the transition to take, or null
// when the conversation stays where it is (the reply then says so).
const CompiledTransition* receiveMessage(Run& run, int index);

// slot_filling. Fills missing slots from the input; `prompted` is the slot whose prompt the user
// is answering (-1 for none), the only one a `text` slot is filled for.
void extractSlots(Run& run, const CompiledState& state, int prompted);
// The first required slot that is still empty, or -1. This is also the slot the state last
// prompted for: the state prompts for exactly this slot before waiting, and nothing changes
// slots while the conversation waits, so it is derived rather than stored in the context.
int firstMissingRequired(const Json& slots, const CompiledState& state);
bool slotFilled(const Json& slots, const std::string& name);
void promptForSlot(Run& run, const CompiledState& state, int slot);

// integration: builds the request, calls the gateway, applies the response mapping.
CallOutcome callIntegration(Run& run, const CompiledState& state);

} // namespace flowdeck::engine::exec
