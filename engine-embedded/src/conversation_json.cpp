#include "conversation_codec.h"

namespace flowdeck::engine {

std::string encodeContext(const ConversationState& state) {
    // The text of {"slots":…,"vars":…,"user":…} written part by part: building that object first
    // copied every node of the context on each commit (a third of a committing thread's time).
    const auto dump = [](const Json& part) {
        return part.dump(-1, ' ', false, Json::error_handler_t::replace);
    };
    std::string out = "{\"slots\":";
    out += dump(state.slots);
    out += ",\"vars\":";
    out += dump(state.vars);
    out += ",\"user\":";
    out += dump(state.user);
    out += '}';
    return out;
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
