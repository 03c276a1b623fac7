#include "exec_steps.h"

namespace flowdeck::engine::exec {
namespace {

// Types whose extractor finds "the" value of its kind in a message. One message fills at most
// one slot of each such type ("2" should not become both the adults and the children), the
// prompted slot first. Regex and enum slots each look for their own pattern or values.
bool singleValueType(SlotType type) {
    return type != SlotType::Regex && type != SlotType::Enum;
}

std::optional<Json> extractValue(const Run& run, const CompiledSlot& slot, std::string* error) {
    const std::string_view input = run.input();
    switch (slot.type) {
    case SlotType::Number:
        return extractNumber(input);
    case SlotType::Email:
        if (auto email = extractEmail(input)) {
            return Json(std::move(*email));
        }
        return std::nullopt;
    case SlotType::Date:
        if (auto date = extractDate(input, run.options.nowMs)) {
            return Json(std::move(*date));
        }
        return std::nullopt;
    case SlotType::Boolean:
        if (auto value = extractBoolean(input)) {
            return Json(*value);
        }
        return std::nullopt;
    case SlotType::Enum:
        if (auto value = extractEnum(input, slot.spec.values)) {
            return Json(std::move(*value));
        }
        return std::nullopt;
    case SlotType::Regex:
        if (auto value = slot.regex->extract(input, error)) {
            return Json(std::move(*value));
        }
        return std::nullopt;
    case SlotType::Text:
        if (auto value = extractText(input)) {
            return Json(std::move(*value));
        }
        return std::nullopt;
    }
    return std::nullopt;
}

void fill(Run& run, const CompiledState& state, const CompiledSlot& slot, Json value) {
    run.beginMutation();
    run.filledSlots = true;
    Json& slots = run.conversation.slots;
    if (!slots.is_object()) {
        slots = Json::object();
    }
    if (run.tracing()) {
        run.traceJson(TraceKind::SlotExtracted, state.index, -1,
                      "slot '" + slot.spec.name + "' (" + slot.spec.type + ") = " +
                          excerpt(value.is_string() ? value.get<std::string>() : value.dump()),
                      {{"slot", slot.spec.name}, {"type", slot.spec.type}, {"value", value}});
    }
    slots[slot.spec.name] = std::move(value);
}

void tryExtract(Run& run, const CompiledState& state, size_t index, int prompted,
                unsigned& usedTypes) {
    const CompiledSlot& slot = state.slots[index];
    if (slotFilled(run.conversation.slots, slot.spec.name)) {
        return;
    }
    if (slot.type == SlotType::Text && static_cast<int>(index) != prompted) {
        return; // free text is only taken as the answer to its own prompt
    }
    const unsigned bit = 1u << static_cast<unsigned>(slot.type);
    if (singleValueType(slot.type) && (usedTypes & bit) != 0) {
        return;
    }
    std::string error;
    std::optional<Json> value = extractValue(run, slot, &error);
    if (!error.empty() && run.tracing()) {
        run.traceJson(TraceKind::Error, state.index, -1, "slot '" + slot.spec.name + "': " + error,
                      {{"slot", slot.spec.name}, {"error", error}});
    }
    if (value) {
        usedTypes |= bit;
        fill(run, state, slot, std::move(*value));
    }
}

} // namespace

bool slotFilled(const Json& slots, const std::string& name) {
    if (!slots.is_object()) {
        return false;
    }
    const auto it = slots.find(name);
    if (it == slots.end() || it->is_null()) {
        return false;
    }
    return !(it->is_string() && it->get_ref<const std::string&>().empty());
}

int firstMissingRequired(const Json& slots, const CompiledState& state) {
    for (size_t i = 0; i < state.slots.size(); ++i) {
        if (state.slots[i].spec.required && !slotFilled(slots, state.slots[i].spec.name)) {
            return static_cast<int>(i);
        }
    }
    return -1;
}

void extractSlots(Run& run, const CompiledState& state, int prompted) {
    if (!run.hasInput() || state.slots.empty()) {
        return;
    }
    unsigned usedTypes = 0;
    if (prompted >= 0) {
        tryExtract(run, state, static_cast<size_t>(prompted), prompted, usedTypes);
    }
    for (size_t i = 0; i < state.slots.size(); ++i) {
        if (static_cast<int>(i) != prompted) {
            tryExtract(run, state, i, prompted, usedTypes);
        }
    }
}

void promptForSlot(Run& run, const CompiledState& state, int slot) {
    const CompiledSlot& spec = state.slots[static_cast<size_t>(slot)];
    run.renderReply(state, spec.prompt, "prompt for slot '" + spec.spec.name + "'");
}

} // namespace flowdeck::engine::exec
