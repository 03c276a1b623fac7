#include "metrics_internal.h"

#include <algorithm>
#include <cstdint>

namespace flowdeck::engine::metrics_internal {

namespace {

bool isAsciiLetter(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool isDigit(char c) {
    return c >= '0' && c <= '9';
}

// The length of the valid UTF-8 sequence starting at text[at], or 0 (RFC 3629: no overlong
// forms, no surrogates, nothing above U+10FFFF) — what Prometheus accepts in a label value.
size_t sequenceLength(std::string_view text, size_t at) {
    const auto byte = [&](size_t i) { return static_cast<uint8_t>(text[i]); };
    const uint8_t lead = byte(at);
    if (lead < 0x80) {
        return 1;
    }
    size_t length = 0;
    uint8_t low = 0x80;
    uint8_t high = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
        length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        length = 3;
        low = lead == 0xE0 ? 0xA0 : 0x80;
        high = lead == 0xED ? 0x9F : 0xBF;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        length = 4;
        low = lead == 0xF0 ? 0x90 : 0x80;
        high = lead == 0xF4 ? 0x8F : 0xBF;
    } else {
        return 0;
    }
    if (at + length > text.size()) {
        return 0;
    }
    if (byte(at + 1) < low || byte(at + 1) > high) {
        return 0;
    }
    for (size_t i = 2; i < length; ++i) {
        if (byte(at + i) < 0x80 || byte(at + i) > 0xBF) {
            return 0;
        }
    }
    return length;
}

} // namespace

bool isValidMetricName(std::string_view name) {
    if (name.empty() || isDigit(name.front())) {
        return false;
    }
    for (const char c : name) {
        if (!isAsciiLetter(c) && !isDigit(c) && c != '_' && c != ':') {
            return false;
        }
    }
    return true;
}

bool isValidLabelName(std::string_view name) {
    if (name.empty() || isDigit(name.front()) || name.starts_with("__")) {
        return false;
    }
    for (const char c : name) {
        if (!isAsciiLetter(c) && !isDigit(c) && c != '_') {
            return false;
        }
    }
    return true;
}

bool isCleanLabelValue(std::string_view text, size_t maxBytes) {
    if (text.size() > maxBytes) {
        return false;
    }
    for (size_t at = 0; at < text.size();) {
        const size_t length = sequenceLength(text, at);
        if (length == 0) {
            return false;
        }
        at += length;
    }
    return true;
}

std::string cleanLabelValue(std::string_view text, size_t maxBytes) {
    static constexpr std::string_view kReplacement = "\xEF\xBF\xBD"; // U+FFFD
    std::string out;
    out.reserve(std::min(text.size(), maxBytes));
    for (size_t at = 0; at < text.size();) {
        const size_t length = sequenceLength(text, at);
        const std::string_view piece = length == 0 ? kReplacement : text.substr(at, length);
        if (out.size() + piece.size() > maxBytes) {
            break;
        }
        out += piece;
        at += length == 0 ? 1 : length;
    }
    return out;
}

} // namespace flowdeck::engine::metrics_internal
