#include "flowdeck/engine/errors.h"

namespace flowdeck::engine {

std::string_view toString(ErrorCode code) {
    switch (code) {
    case ErrorCode::ValidationError:
        return "VALIDATION_ERROR";
    case ErrorCode::FlowNotFound:
        return "FLOW_NOT_FOUND";
    case ErrorCode::StateError:
        return "STATE_ERROR";
    case ErrorCode::TimeoutError:
        return "TIMEOUT_ERROR";
    case ErrorCode::RateLimit:
        return "RATE_LIMIT";
    case ErrorCode::CircularTransition:
        return "CIRCULAR_TRANSITION";
    case ErrorCode::ContextTooLarge:
        return "CONTEXT_TOO_LARGE";
    case ErrorCode::MessageTooLarge:
        return "MESSAGE_TOO_LARGE";
    case ErrorCode::ExpressionError:
        return "EXPRESSION_ERROR";
    case ErrorCode::IntegrationError:
        return "INTEGRATION_ERROR";
    case ErrorCode::VersionConflict:
        return "VERSION_CONFLICT";
    case ErrorCode::StorageError:
        return "STORAGE_ERROR";
    case ErrorCode::ConversationNotFound:
        return "CONVERSATION_NOT_FOUND";
    }
    return "STATE_ERROR";
}

std::optional<ErrorCode> errorCodeFromString(std::string_view text) {
    for (int i = 0; i <= static_cast<int>(ErrorCode::ConversationNotFound); ++i) {
        const auto code = static_cast<ErrorCode>(i);
        if (toString(code) == text) {
            return code;
        }
    }
    return std::nullopt;
}

EngineError makeError(ErrorCode code, std::string message) {
    EngineError error;
    error.code = code;
    error.message = std::move(message);
    return error;
}

ErrorCode categoryOf(ErrorCode code) {
    switch (code) {
    case ErrorCode::ValidationError:
    case ErrorCode::ContextTooLarge:
    case ErrorCode::MessageTooLarge:
        return ErrorCode::ValidationError;
    case ErrorCode::FlowNotFound:
    case ErrorCode::ConversationNotFound:
        return ErrorCode::FlowNotFound;
    case ErrorCode::TimeoutError:
        return ErrorCode::TimeoutError;
    case ErrorCode::RateLimit:
        return ErrorCode::RateLimit;
    case ErrorCode::StateError:
    case ErrorCode::CircularTransition:
    case ErrorCode::ExpressionError:
    case ErrorCode::IntegrationError:
    case ErrorCode::VersionConflict:
    case ErrorCode::StorageError:
        return ErrorCode::StateError;
    }
    return ErrorCode::StateError;
}

} // namespace flowdeck::engine
