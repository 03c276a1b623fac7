#include "conversation_codec.h"

namespace flowdeck::engine {

std::string encodeContext(const ConversationState& state) {
    Json context = Json::object();
    context["slots"] = state.slots;
    context["vars"] = state.vars;
    context["user"] = state.user;
    return context.dump(-1, ' ', false, Json::error_handler_t::replace);
}

bool decodeContext(std::string_view text, ConversationState& state, std::string* error) {
    state.slots = Json::object();
    state.vars = Json::object();
    state.user = Json::object();
    Json context = Json::parse(text, nullptr, false);
    if (context.is_discarded() || !context.is_object()) {
        if (error) {
            *error = "stored context of conversation '" + state.conversationId +
                     "' is not a JSON object";
        }
        return false;
    }
    for (auto [key, target] : {std::pair{"slots", &state.slots}, std::pair{"vars", &state.vars},
                               std::pair{"user", &state.user}}) {
        auto it = context.find(key);
        if (it != context.end()) {
            *target = std::move(*it);
        }
    }
    return true;
}

} // namespace flowdeck::engine
