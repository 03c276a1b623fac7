#pragma once

#include "flowdeck/engine/conversation.h"

#include <string>
#include <string_view>

namespace flowdeck::engine {

// The stored form of a conversation's context: {"slots": …, "vars": …, "user": …}, key order
// kept. Strings that are not valid UTF-8 are stored with U+FFFD in place of the bad bytes rather
// than failing the commit (JSON cannot hold them).
std::string encodeContext(const ConversationState& state);

// Fills slots/vars/user from a stored context. False (with `error`) when the text is not a JSON
// object; the state then keeps empty objects.
bool decodeContext(std::string_view text, ConversationState& state, std::string* error);

} // namespace flowdeck::engine
