#include "slot_extractors.h"

#include <array>
#include <charconv>
#include <chrono>
#include <cstdio>

namespace flowdeck::engine {
namespace {

bool isDigit(char c) {
    return c >= '0' && c <= '9';
}

bool isAsciiAlpha(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// Bytes of multi-byte UTF-8 sequences count as letters, so "yes" is not found inside "yesé".
bool isWordChar(char c) {
    return isDigit(c) || isAsciiAlpha(c) || c == '_' || static_cast<unsigned char>(c) >= 0x80;
}

std::string lowerAscii(std::string_view text) {
    std::string out(text);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
        }
    }
    return out;
}

// First occurrence of `needle` in `haystack` as a whole word (both already lowercase).
size_t findWholeWord(std::string_view haystack, std::string_view needle) {
    if (needle.empty()) {
        return std::string_view::npos;
    }
    for (size_t pos = haystack.find(needle); pos != std::string_view::npos;
         pos = haystack.find(needle, pos + 1)) {
        const size_t end = pos + needle.size();
        const bool before = pos == 0 || !isWordChar(haystack[pos - 1]);
        const bool after = end == haystack.size() || !isWordChar(haystack[end]);
        if (before && after) {
            return pos;
        }
    }
    return std::string_view::npos;
}

template <size_t N>
std::optional<size_t> earliestWord(std::string_view lower,
                                   const std::array<std::string_view, N>& words, size_t& position) {
    std::optional<size_t> found;
    position = std::string_view::npos;
    for (size_t i = 0; i < N; ++i) {
        const size_t pos = findWholeWord(lower, words[i]);
        if (pos < position) {
            position = pos;
            found = i;
        }
    }
    return found;
}

constexpr std::array<std::string_view, 12> kNumberWords{"one",  "two", "three",  "four",
                                                        "five", "six", "seven",  "eight",
                                                        "nine", "ten", "eleven", "twelve"};

// A digit run is a number of its own when it is not glued to letters or to other digits by the
// separators of times, dates and codes.
bool standaloneStart(std::string_view text, size_t pos) {
    if (pos == 0) {
        return true;
    }
    const char prev = text[pos - 1];
    if (isWordChar(prev) || prev == '.' || prev == ':' || prev == '/') {
        return false;
    }
    return !(prev == '-' && pos >= 2 && isWordChar(text[pos - 2]));
}

bool standaloneEnd(std::string_view text, size_t end) {
    if (end == text.size()) {
        return true;
    }
    const char next = text[end];
    if (isWordChar(next)) {
        return false;
    }
    const bool joiner = next == ':' || next == '/' || next == '-' || next == '.' || next == ',';
    return !(joiner && end + 1 < text.size() && isDigit(text[end + 1]));
}

std::optional<std::pair<size_t, Json>> firstNumeral(std::string_view text) {
    for (size_t pos = 0; pos < text.size(); ++pos) {
        const bool negative = text[pos] == '-' && pos + 1 < text.size() && isDigit(text[pos + 1]);
        if (!isDigit(text[pos]) && !negative) {
            continue;
        }
        if (!standaloneStart(text, pos)) {
            while (pos + 1 < text.size() && isDigit(text[pos + 1])) {
                ++pos; // skip the rest of this digit run
            }
            continue;
        }
        size_t end = pos + (negative ? 1 : 0);
        while (end < text.size() && isDigit(text[end])) {
            ++end;
        }
        bool decimal = false;
        if (end + 1 < text.size() && text[end] == '.' && isDigit(text[end + 1])) {
            decimal = true;
            for (++end; end < text.size() && isDigit(text[end]);) {
                ++end;
            }
        }
        if (!standaloneEnd(text, end)) {
            pos = end;
            continue;
        }
        const char* first = text.data() + pos;
        const char* last = text.data() + end;
        long long integer = 0;
        if (!decimal && std::from_chars(first, last, integer).ec == std::errc{}) {
            return std::pair{pos, Json(integer)};
        }
        double value = 0.0;
        if (std::from_chars(first, last, value).ec == std::errc{}) {
            return std::pair{pos, Json(value)};
        }
        pos = end;
    }
    return std::nullopt;
}

// Howard Hinnant's days_from_civil / civil_from_days.
int64_t daysFromCivil(int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

bool validDate(int year, int month, int day) {
    if (year < 1 || year > 9999 || month < 1 || month > 12 || day < 1) {
        return false;
    }
    static constexpr std::array<int, 12> kDays{31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    const int maxDay = month == 2 && !leap ? 28 : kDays[static_cast<size_t>(month - 1)];
    return day <= maxDay;
}

int parseDigits(std::string_view text, size_t pos, size_t count) {
    int value = 0;
    for (size_t i = 0; i < count; ++i) {
        value = value * 10 + (text[pos + i] - '0');
    }
    return value;
}

size_t digitRun(std::string_view text, size_t pos) {
    size_t end = pos;
    while (end < text.size() && isDigit(text[end])) {
        ++end;
    }
    return end - pos;
}

std::optional<std::string> numericDate(std::string_view text) {
    for (size_t pos = 0; pos < text.size(); ++pos) {
        if (!isDigit(text[pos]) || (pos > 0 && isDigit(text[pos - 1]))) {
            continue;
        }
        const size_t first = digitRun(text, pos);
        size_t next = pos + first;
        if (first == 4 && next + 5 < text.size() && text[next] == '-' &&
            digitRun(text, next + 1) == 2 && text[next + 3] == '-' &&
            digitRun(text, next + 4) == 2) {
            const int y = parseDigits(text, pos, 4);
            const int m = parseDigits(text, next + 1, 2);
            const int d = parseDigits(text, next + 4, 2);
            if (validDate(y, m, d)) {
                return std::string(text.substr(pos, 10));
            }
        }
        const char sep = next < text.size() ? text[next] : '\0';
        if ((first == 1 || first == 2) && (sep == '/' || sep == '.')) {
            const size_t second = digitRun(text, next + 1);
            const size_t yearPos = next + 1 + second + 1;
            if ((second == 1 || second == 2) && yearPos - 1 < text.size() &&
                text[yearPos - 1] == sep && digitRun(text, yearPos) == 4) {
                const int d = parseDigits(text, pos, first);
                const int m = parseDigits(text, next + 1, second);
                const int y = parseDigits(text, yearPos, 4);
                if (validDate(y, m, d)) {
                    return isoDateFromDays(
                        daysFromCivil(y, static_cast<unsigned>(m), static_cast<unsigned>(d)));
                }
            }
        }
        pos = next;
    }
    return std::nullopt;
}

constexpr std::array<std::string_view, 7> kWeekdays{"sunday",   "monday", "tuesday", "wednesday",
                                                    "thursday", "friday", "saturday"};

int64_t floorDiv(int64_t a, int64_t b) {
    return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

} // namespace

std::optional<SlotType> slotTypeFromString(std::string_view name) {
    static constexpr std::array<std::pair<std::string_view, SlotType>, 7> kTypes{{
        {"text", SlotType::Text},
        {"number", SlotType::Number},
        {"email", SlotType::Email},
        {"date", SlotType::Date},
        {"regex", SlotType::Regex},
        {"enum", SlotType::Enum},
        {"boolean", SlotType::Boolean},
    }};
    for (const auto& [text, type] : kTypes) {
        if (text == name) {
            return type;
        }
    }
    return std::nullopt;
}

std::string isoDateFromDays(int64_t days) {
    const int64_t z = days + 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const auto doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    const unsigned d = doy - (153 * mp + 2) / 5 + 1;
    const unsigned m = mp < 10 ? mp + 3 : mp - 9;
    const int64_t y = static_cast<int64_t>(yoe) + era * 400 + (m <= 2);
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%04lld-%02u-%02u", static_cast<long long>(y), m, d);
    return buffer;
}

std::optional<Json> extractNumber(std::string_view input) {
    auto numeral = firstNumeral(input);
    const std::string lower = lowerAscii(input);
    size_t wordPos = std::string_view::npos;
    const auto word = earliestWord(lower, kNumberWords, wordPos);
    if (word && (!numeral || wordPos < numeral->first)) {
        return Json(static_cast<long long>(*word + 1));
    }
    if (numeral) {
        return std::move(numeral->second);
    }
    return std::nullopt;
}

std::optional<std::string> extractEmail(std::string_view input) {
    auto localChar = [](char c) {
        return isDigit(c) || isAsciiAlpha(c) || c == '.' || c == '_' || c == '%' || c == '+' ||
               c == '-';
    };
    auto domainChar = [](char c) { return isDigit(c) || isAsciiAlpha(c) || c == '.' || c == '-'; };
    for (size_t at = input.find('@'); at != std::string_view::npos; at = input.find('@', at + 1)) {
        size_t start = at;
        while (start > 0 && localChar(input[start - 1])) {
            --start;
        }
        size_t end = at + 1;
        while (end < input.size() && domainChar(input[end])) {
            ++end;
        }
        while (end > at + 1 && (input[end - 1] == '.' || input[end - 1] == '-')) {
            --end; // "mail me at a@b.com." ends a sentence
        }
        const std::string_view local = input.substr(start, at - start);
        const std::string_view domain = input.substr(at + 1, end - at - 1);
        const size_t lastDot = domain.rfind('.');
        if (local.empty() || local.front() == '.' || domain.empty() || domain.front() == '.' ||
            lastDot == std::string_view::npos || domain.find("..") != std::string_view::npos) {
            continue;
        }
        const std::string_view tld = domain.substr(lastDot + 1);
        bool alphaTld = tld.size() >= 2;
        for (const char c : tld) {
            alphaTld = alphaTld && isAsciiAlpha(c);
        }
        if (alphaTld) {
            return std::string(input.substr(start, end - start));
        }
    }
    return std::nullopt;
}

std::optional<std::string> extractDate(std::string_view input, int64_t nowMs) {
    if (auto numeric = numericDate(input)) {
        return numeric;
    }
    if (nowMs == 0) {
        nowMs = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
    }
    const int64_t today = floorDiv(nowMs, 86400000);
    const std::string lower = lowerAscii(input);
    static constexpr std::array<std::string_view, 2> kRelative{"today", "tomorrow"};
    size_t relativePos = std::string_view::npos;
    size_t weekdayPos = std::string_view::npos;
    const auto relative = earliestWord(lower, kRelative, relativePos);
    const auto weekday = earliestWord(lower, kWeekdays, weekdayPos);
    if (relative && (!weekday || relativePos < weekdayPos)) {
        return isoDateFromDays(today + static_cast<int64_t>(*relative));
    }
    if (weekday) {
        const int64_t todayWeekday = (today % 7 + 7 + 4) % 7; // 1970-01-01 was a Thursday
        int64_t ahead = (static_cast<int64_t>(*weekday) - todayWeekday + 7) % 7;
        return isoDateFromDays(today + (ahead == 0 ? 7 : ahead));
    }
    return std::nullopt;
}

std::optional<bool> extractBoolean(std::string_view input) {
    static constexpr std::array<std::string_view, 4> kWords{"yes", "no", "true", "false"};
    const std::string lower = lowerAscii(input);
    // "y" and "n" only as the whole answer: inside "x@y.org" or "plan b" they mean nothing.
    const size_t first = lower.find_first_not_of(" \t\r\n");
    const size_t last = lower.find_last_not_of(" \t\r\n.!?");
    if (first != std::string::npos && last != std::string::npos && first == last) {
        if (lower[first] == 'y' || lower[first] == 'n') {
            return lower[first] == 'y';
        }
    }
    size_t pos = std::string_view::npos;
    const auto word = earliestWord(lower, kWords, pos);
    if (!word) {
        return std::nullopt;
    }
    return *word % 2 == 0;
}

std::optional<std::string> extractEnum(std::string_view input,
                                       const std::vector<std::string>& values) {
    const std::string lower = lowerAscii(input);
    size_t best = std::string_view::npos;
    const std::string* found = nullptr;
    for (const auto& value : values) {
        const size_t pos = findWholeWord(lower, lowerAscii(value));
        if (pos < best) {
            best = pos;
            found = &value;
        }
    }
    return found ? std::optional<std::string>(*found) : std::nullopt;
}

std::optional<std::string> extractText(std::string_view input) {
    const size_t first = input.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) {
        return std::nullopt;
    }
    const size_t last = input.find_last_not_of(" \t\r\n");
    return std::string(input.substr(first, last - first + 1));
}

SlotRegex::SlotRegex(const std::string& pattern) {
    try {
        m_regex = std::regex(pattern, std::regex::ECMAScript);
        m_valid = true;
    } catch (const std::regex_error& error) {
        m_error = "invalid regex pattern '" + pattern + "': " + error.what();
    }
}

std::optional<std::string> SlotRegex::extract(std::string_view input, std::string* error) const {
    if (!m_valid) {
        if (error) {
            *error = m_error;
        }
        return std::nullopt;
    }
    if (input.size() > kMaxRegexInput) {
        if (error) {
            *error = "input of " + std::to_string(input.size()) + " bytes is longer than the " +
                     std::to_string(kMaxRegexInput) + " bytes matched against regex slots";
        }
        return std::nullopt;
    }
    try {
        std::match_results<std::string_view::const_iterator> match;
        if (!std::regex_search(input.begin(), input.end(), match, m_regex)) {
            return std::nullopt;
        }
        const size_t group = m_regex.mark_count() == 1 && match[1].matched ? 1 : 0;
        return match[group].str();
    } catch (const std::exception& e) {
        if (error) {
            *error = std::string("regex matching failed: ") + e.what();
        }
        return std::nullopt;
    }
}

} // namespace flowdeck::engine
