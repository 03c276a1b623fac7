#include "flowdeck/engine/conversation.h"

namespace flowdeck::engine {

size_t contextBytes(const ConversationState& state) {
    // Serialized as stored (conversation_codec.h), minus the few bytes of the wrapping object.
    // Invalid UTF-8 is counted as its replacement rather than failing the count.
    size_t bytes = 0;
    for (const Json* part : {&state.slots, &state.vars, &state.user}) {
        bytes += part->dump(-1, ' ', false, Json::error_handler_t::replace).size();
    }
    return bytes;
}

} // namespace flowdeck::engine
