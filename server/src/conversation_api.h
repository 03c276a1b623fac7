#pragma once

#include "node.h"

#include "flowdeck/engine/errors.h"
#include "flowdeck/v1/conversations.pb.h"

#include <chrono>
#include <optional>
#include <string>

namespace flowdeck::server {

// The Conversations calls on protobuf messages, shared by the gRPC service and the HTTP API so
// both behave identically. Each returns the error that rejects the call as a whole (mapped to a
// status by the caller through statusFor), or nullopt with `out` filled. A message that ran and
// was stored is not a rejection: its problems are in out.errors().
using Rejection = std::optional<engine::EngineError>;

// `budget`: what is left of the caller's deadline, if it has one; it caps hints.timeout_ms.
Rejection processMessage(Node& node, const v1::ProcessMessageRequest& request,
                         const std::string& traceId,
                         std::optional<std::chrono::milliseconds> budget,
                         v1::ProcessMessageResponse& out);
// processMessage for a thread that must not wait (Engine::tryProcess): false when the message
// has to wait for an integration call or another message of its conversation; then nothing was
// stored or counted, and the caller runs processMessage where waiting is fine. True when the
// call is answered: in `out`, or refused with `rejected`.
bool tryProcessMessage(Node& node, const v1::ProcessMessageRequest& request,
                       const std::string& traceId, std::optional<std::chrono::milliseconds> budget,
                       v1::ProcessMessageResponse& out, Rejection& rejected);
Rejection getConversationState(Node& node, const v1::GetStateRequest& request,
                               v1::GetStateResponse& out);
Rejection resetConversation(Node& node, const v1::ResetRequest& request, v1::ResetResponse& out);

} // namespace flowdeck::server
