#pragma once

#include <functional>
#include <string_view>

// Finds where Lua code and {{templates}} touch slots, for SLOT_NEVER_FILLED. A light lexer, not
// a parser: it skips comments and string literals and recognises `slots.x`, `slots["x"]` and
// `slots['x']` (reads), the same followed by `=` (writes), and any other assignment into `slots`
// (a dynamic write, after which any slot may be filled).
namespace flowdeck::engine::lint {

enum class SlotAccess { Read, Write, DynamicWrite };

// `name` views into `code`; empty for DynamicWrite.
using SlotVisitor = std::function<void(std::string_view name, SlotAccess access)>;

void scanLuaSlots(std::string_view code, const SlotVisitor& visit);
// Reads inside every {{ ... }} of a template.
void scanTemplateSlots(std::string_view text, const SlotVisitor& visit);
// "slots.order_id" or "slots.order.id" -> "order_id" / "order"; empty when not a slot path.
std::string_view slotOfMappingKey(std::string_view key);

} // namespace flowdeck::engine::lint
