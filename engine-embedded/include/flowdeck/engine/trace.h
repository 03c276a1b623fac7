#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace flowdeck::engine {

enum class TraceKind {
    MessageReceived,
    StateEntered,
    ConditionEvaluated,
    TransitionTaken,
    TemplateRendered,
    IntentClassified,
    SlotExtracted,
    IntegrationCall,
    ScriptRun,
    Waiting,
    Error
};

const char* toString(TraceKind kind);

// One step of processing a message. `detail` is a short human sentence; `data` holds the
// structured inputs and outputs as JSON text (condition inputs and result, request/response,
// rendered text), so the console and flowctl can show them without knowing each kind.
struct TraceEvent {
    TraceKind kind = TraceKind::StateEntered;
    std::string state;
    int transition = -1; // index of the transition concerned, or -1
    std::string detail;
    std::string data;    // JSON text, may be empty
    int64_t startUs = 0; // microseconds since the message started
    int64_t durationUs = 0;
};

using Trace = std::vector<TraceEvent>;

} // namespace flowdeck::engine
