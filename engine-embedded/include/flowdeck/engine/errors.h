#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace flowdeck::engine {

// Engine error codes. The first five are the API's categories (the seed engine's codes, mapped to
// gRPC and HTTP statuses in one place in server/); the others are specific causes, each of which
// belongs to one category (see categoryOf).
enum class ErrorCode {
    ValidationError,     // VALIDATION_ERROR: the request is malformed
    FlowNotFound,        // FLOW_NOT_FOUND
    StateError,          // STATE_ERROR: a state failed to execute
    TimeoutError,        // TIMEOUT_ERROR: a state or the whole message ran out of time
    RateLimit,           // RATE_LIMIT
    CircularTransition,  // CIRCULAR_TRANSITION: max_transitions_per_message reached
    ContextTooLarge,     // CONTEXT_TOO_LARGE: the conversation context would exceed its limit
    MessageTooLarge,     // MESSAGE_TOO_LARGE
    ExpressionError,     // EXPRESSION_ERROR: a Lua expression or script failed
    IntegrationError,    // INTEGRATION_ERROR: an integration call failed
    VersionConflict,     // VERSION_CONFLICT: optimistic concurrency lost too many times
    StorageError,        // STORAGE_ERROR
    ConversationNotFound // CONVERSATION_NOT_FOUND
};

std::string_view toString(ErrorCode code);
// The inverse of toString; nullopt for a text that names no code.
std::optional<ErrorCode> errorCodeFromString(std::string_view text);
ErrorCode categoryOf(ErrorCode code);

struct EngineError {
    ErrorCode code = ErrorCode::StateError;
    std::string message;
    std::map<std::string, std::string> details;
    std::string traceId;
};

EngineError makeError(ErrorCode code, std::string message);

} // namespace flowdeck::engine
