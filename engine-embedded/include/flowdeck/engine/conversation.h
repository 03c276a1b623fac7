#pragma once

#include "flowdeck/engine/errors.h"
#include "flowdeck/engine/flow.h"
#include "flowdeck/engine/trace.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace flowdeck::engine {

// The state of one conversation, as stored. Everything the executor reads or writes lives here.
struct ConversationState {
    std::string tenantId;
    std::string conversationId;
    std::string flowId;
    std::string flowVersion;
    std::string currentState;
    Json slots = Json::object();
    Json vars = Json::object();
    Json user = Json::object(); // user profile: name, locale, premium, ...
    std::string abVariant;      // "stable" / "canary" / "" (no rollout)
    int64_t version = 0;        // optimistic concurrency: bumped by every applied message
    int64_t messageCount = 0;   // messages applied so far
    int64_t createdAtMs = 0;
    int64_t updatedAtMs = 0;
};

// Serialized size of slots + vars + user, the quantity the context limit applies to.
size_t contextBytes(const ConversationState& state);

struct InboundMessage {
    std::string type = "text"; // text, image, file, audio, video, or "timeout" (idle event)
    std::string text;
    std::map<std::string, std::string>
        attributes; // e.g. intent/intent_confidence from an external NLU
};

// What one message did to a conversation.
struct ExecutionResult {
    bool ok = true;
    std::string reply; // concatenated text of every state rendered while processing
    std::string stateBefore;
    std::string stateAfter;
    std::string intent;               // detected intent, if any classification ran
    double confidence = 0.0;          // its confidence
    int transitions = 0;              // transitions taken
    std::vector<std::string> actions; // e.g. "integration:order_api", "handoff:billing"
    std::map<std::string, std::string>
        contextUpdates;                          // "slots.x" / "vars.y" -> new value (JSON text)
    std::vector<std::string> failedIntegrations; // integration names whose call failed
    bool tookFallback = false;                   // a `fallback` transition was taken
    std::vector<EngineError> errors;
    Trace trace; // filled when tracing is on
};

} // namespace flowdeck::engine
