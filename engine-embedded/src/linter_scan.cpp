#include "linter_scan.h"

#include <string>

namespace flowdeck::engine::lint {
namespace {

// Bytes of multi-byte UTF-8 count as identifier characters: Lua rejects them (and the syntax
// check says so) but templates may well name a slot {{slots.城市}}.
bool isIdentifierByte(char c) {
    const auto u = static_cast<unsigned char>(c);
    return (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') || u == '_' ||
           u >= 0x80;
}

bool isSpace(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

size_t skipSpaces(std::string_view code, size_t i) {
    while (i < code.size() && isSpace(code[i])) {
        ++i;
    }
    return i;
}

// Position after a long bracket "[==[ ... ]==]" starting at i, or npos when none starts there.
size_t skipLongBracket(std::string_view code, size_t i) {
    size_t j = i + 1;
    while (j < code.size() && code[j] == '=') {
        ++j;
    }
    if (j >= code.size() || code[j] != '[') {
        return std::string_view::npos;
    }
    const std::string close = "]" + std::string(j - i - 1, '=') + "]";
    const size_t end = code.find(close, j + 1);
    return end == std::string_view::npos ? code.size() : end + close.size();
}

size_t skipQuoted(std::string_view code, size_t i) {
    const char quote = code[i];
    for (size_t j = i + 1; j < code.size(); ++j) {
        if (code[j] == '\\') {
            ++j;
        } else if (code[j] == quote || code[j] == '\n') {
            return j + 1;
        }
    }
    return code.size();
}

// Position after the "]" matching the "[" at i.
size_t skipBracketed(std::string_view code, size_t i) {
    int depth = 0;
    for (size_t j = i; j < code.size(); ++j) {
        if (code[j] == '[') {
            ++depth;
        } else if (code[j] == ']' && --depth == 0) {
            return j + 1;
        }
    }
    return code.size();
}

// After `slots` at i: the accessed name, and whether it is assigned. Returns the position to go
// on scanning from.
size_t readAccess(std::string_view code, size_t i, bool allowWrites, const SlotVisitor& visit) {
    size_t j = skipSpaces(code, i);
    std::string_view name;
    if (j < code.size() && code[j] == '.') {
        const size_t start = skipSpaces(code, j + 1);
        size_t end = start;
        while (end < code.size() && isIdentifierByte(code[end])) {
            ++end;
        }
        name = code.substr(start, end - start);
        j = end;
    } else if (j < code.size() && code[j] == '[') {
        const size_t open = skipSpaces(code, j + 1);
        const size_t close = open < code.size() && (code[open] == '"' || code[open] == '\'')
                                 ? code.find(code[open], open + 1)
                                 : std::string_view::npos;
        const size_t bracket =
            close == std::string_view::npos ? close : skipSpaces(code, close + 1);
        if (bracket < code.size() && code[bracket] == ']') {
            name = code.substr(open + 1, close - open - 1);
            j = bracket + 1;
        } else {
            j = skipBracketed(code, j); // slots[k]: which slot is not known here
        }
    }
    const size_t after = skipSpaces(code, j);
    const bool assigned = after < code.size() && code[after] == '=' &&
                          (after + 1 >= code.size() || code[after + 1] != '=');
    if (name.empty()) {
        if (assigned && allowWrites) {
            visit({}, SlotAccess::DynamicWrite); // slots[k] = v, slots = {...}
        }
        return j > i ? j : i;
    }
    visit(name, assigned && allowWrites ? SlotAccess::Write : SlotAccess::Read);
    return j;
}

void scan(std::string_view code, bool allowWrites, const SlotVisitor& visit) {
    char previous = ' '; // last significant character, to tell `vars.slots` from `slots`
    size_t i = 0;
    while (i < code.size()) {
        const char c = code[i];
        if (c == '-' && i + 1 < code.size() && code[i + 1] == '-') {
            const size_t longEnd = i + 2 < code.size() && code[i + 2] == '['
                                       ? skipLongBracket(code, i + 2)
                                       : std::string_view::npos;
            const size_t lineEnd = code.find('\n', i);
            i = longEnd != std::string_view::npos   ? longEnd
                : lineEnd == std::string_view::npos ? code.size()
                                                    : lineEnd;
        } else if (c == '"' || c == '\'') {
            i = skipQuoted(code, i);
            previous = c;
        } else if (c == '[' && skipLongBracket(code, i) != std::string_view::npos) {
            i = skipLongBracket(code, i);
            previous = ']';
        } else if (isIdentifierByte(c)) {
            size_t end = i;
            while (end < code.size() && isIdentifierByte(code[end])) {
                ++end;
            }
            const bool member = previous == '.' || previous == ':';
            if (!member && code.substr(i, end - i) == "slots") {
                end = readAccess(code, end, allowWrites, visit);
            }
            i = end;
            previous = 'a';
        } else {
            if (!isSpace(c)) {
                previous = c;
            }
            ++i;
        }
    }
}

} // namespace

void scanLuaSlots(std::string_view code, const SlotVisitor& visit) {
    scan(code, true, visit);
}

void scanTemplateSlots(std::string_view text, const SlotVisitor& visit) {
    size_t i = text.find("{{");
    while (i != std::string_view::npos) {
        const size_t end = text.find("}}", i + 2);
        if (end == std::string_view::npos) {
            return;
        }
        scan(text.substr(i + 2, end - i - 2), false, visit);
        i = text.find("{{", end + 2);
    }
}

std::string_view slotOfMappingKey(std::string_view key) {
    constexpr std::string_view kPrefix = "slots.";
    if (key.substr(0, kPrefix.size()) != kPrefix) {
        return {};
    }
    const std::string_view rest = key.substr(kPrefix.size());
    return rest.substr(0, rest.find_first_of(".["));
}

} // namespace flowdeck::engine::lint
