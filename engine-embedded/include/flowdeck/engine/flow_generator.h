#pragma once

#include "flowdeck/engine/flow.h"

#include <cstddef>

namespace flowdeck::engine {

// Builds a large, valid flow for benchmarks, stress tests and the 1,000-state sample: blocks of
// ten states using every state type (response, intent, slot_filling, integration, condition,
// script, handoff, end), each block leading to the next. `states` is rounded up to a multiple of
// ten. Deterministic: the same size gives the same flow.
Flow generateBlockFlow(size_t states);

// The seed's test_maximum_complexity_flows document, scaled: `states` response states in a ring
// ("state_0" -> "state_1" -> ... -> "state_0"), each with an intent_match and an expression
// transition ("slots.value > i") to the next. Valid, with warnings (undefined intents, no end
// state); the worst case for the linter's expression check (one Lua compile per state).
Json generateSeedRingFlow(size_t states);

} // namespace flowdeck::engine
