#pragma once

#include "flowdeck/engine/flow.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

// Typed extractors for slot_filling states: each finds the first value of its type in a user
// message, or nothing. All are pure functions (the date extractor takes "now"), safe to call
// from any thread.
namespace flowdeck::engine {

enum class SlotType { Text, Number, Email, Date, Regex, Enum, Boolean };

// Unknown type names come back empty; the executor then treats the slot as text.
std::optional<SlotType> slotTypeFromString(std::string_view name);

// Integers and decimals written as a standalone number ("4", "2.5", "-3"; not the digits of
// "19:30", "2026-12-24", "AB-12345" or "4pm"), or the words one..twelve. Integers come back as
// JSON integers, decimals as JSON numbers. The earliest in the text wins.
std::optional<Json> extractNumber(std::string_view input);
std::optional<std::string> extractEmail(std::string_view input);
// ISO "YYYY-MM-DD", "DD/MM/YYYY" (or DD.MM.YYYY), "today", "tomorrow", or a weekday name, which
// means the next such day after today (a Friday said on a Friday is a week ahead). Relative to
// nowMs (UTC, milliseconds since the epoch). Returned as ISO "YYYY-MM-DD".
std::optional<std::string> extractDate(std::string_view input, int64_t nowMs);
// yes/no/true/false/y/n as whole words, case-insensitive; the earliest wins.
std::optional<bool> extractBoolean(std::string_view input);
// The value (as written in the flow) found as a whole word or phrase, case-insensitive; the
// earliest in the text wins, ties go to the first value listed.
std::optional<std::string> extractEnum(std::string_view input,
                                       const std::vector<std::string>& values);
// The whole input, trimmed; empty input gives nothing.
std::optional<std::string> extractText(std::string_view input);

// A regex slot's pattern, compiled once (ECMAScript syntax). With exactly one capture group the
// group is the value; otherwise the whole match (so "([0-9]+):([0-9]+)" yields "19:30", not
// "19"). std::regex recurses per character, so inputs longer than kMaxRegexInput are refused
// instead of risking the stack; any std::regex exception becomes an error, never a crash.
class SlotRegex {
public:
    static constexpr size_t kMaxRegexInput = 4096;

    SlotRegex() = default;
    explicit SlotRegex(const std::string& pattern);

    bool valid() const { return m_valid; }
    const std::string& error() const { return m_error; }
    std::optional<std::string> extract(std::string_view input, std::string* error) const;

private:
    std::regex m_regex;
    bool m_valid = false;
    std::string m_error;
};

// Days since 1970-01-01 -> "YYYY-MM-DD" (proleptic Gregorian, UTC).
std::string isoDateFromDays(int64_t days);

} // namespace flowdeck::engine
