#include "flowdeck/engine/trace.h"

namespace flowdeck::engine {

const char* toString(TraceKind kind) {
    switch (kind) {
    case TraceKind::MessageReceived:
        return "message_received";
    case TraceKind::StateEntered:
        return "state_entered";
    case TraceKind::ConditionEvaluated:
        return "condition_evaluated";
    case TraceKind::TransitionTaken:
        return "transition_taken";
    case TraceKind::TemplateRendered:
        return "template_rendered";
    case TraceKind::IntentClassified:
        return "intent_classified";
    case TraceKind::SlotExtracted:
        return "slot_extracted";
    case TraceKind::IntegrationCall:
        return "integration_call";
    case TraceKind::ScriptRun:
        return "script_run";
    case TraceKind::Waiting:
        return "waiting";
    case TraceKind::Error:
        return "error";
    }
    return "unknown";
}

} // namespace flowdeck::engine
