// JSONPath subset used by integration response mappings: $, .key, .*, ['key'], [n], [-n], [*],
// ..key, ..*, ..['key'].
//
// A definite path (only keys and indexes) yields the value itself; an indefinite one (a wildcard
// or a recursive descent anywhere) yields an array of every match, so a mapping such as
// $.items[*].sku gives the same shape whether one or many items came back. Nothing matched
// yields "null" in both cases.
#include "flowdeck/engine/integration_gateway.h"

#include <nlohmann/json.hpp>

#include <charconv>
#include <string_view>

namespace flowdeck::engine {

namespace {

using Json = nlohmann::ordered_json;

constexpr int kMaxDepth = 128;
constexpr size_t kMaxPathLength = 4096;
constexpr size_t kMaxMatches = 100000;

enum class SelectorKind { Key, Index, Wildcard };

struct Segment {
    SelectorKind kind = SelectorKind::Key;
    bool recursive = false; // preceded by ".."
    std::string key;
    long long index = 0;
};

struct PathError {
    size_t position = 0;
    std::string message;
};

// Scans the document for bracket nesting before handing it to the parser, so that a hostile
// response cannot make parsing or destruction recurse deeply.
bool nestingWithinLimit(std::string_view text) {
    int depth = 0;
    bool inString = false;
    for (size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (inString) {
            if (c == '\\') {
                ++i;
            } else if (c == '"') {
                inString = false;
            }
        } else if (c == '"') {
            inString = true;
        } else if (c == '[' || c == '{') {
            if (++depth > kMaxDepth) {
                return false;
            }
        } else if (c == ']' || c == '}') {
            --depth;
        }
    }
    return true;
}

class PathParser final {
public:
    explicit PathParser(std::string_view path)
        : m_path(path) {}

    bool parse(std::vector<Segment>& segments, PathError& error) {
        if (m_path.empty() || m_path[0] != '$') {
            return fail(error, 0, "path must start with '$'");
        }
        m_pos = 1;
        while (m_pos < m_path.size()) {
            Segment segment;
            if (!parseSegment(segment, error)) {
                return false;
            }
            segments.push_back(std::move(segment));
        }
        return true;
    }

private:
    bool fail(PathError& error, size_t position, std::string message) {
        error.position = position;
        error.message = std::move(message);
        return false;
    }

    bool parseSegment(Segment& segment, PathError& error) {
        const char c = m_path[m_pos];
        if (c == '[') {
            return parseBracket(segment, error);
        }
        if (c != '.') {
            return fail(error, m_pos, std::string("expected '.' or '[' but found '") + c + "'");
        }
        ++m_pos;
        if (m_pos < m_path.size() && m_path[m_pos] == '.') {
            segment.recursive = true;
            ++m_pos;
            if (m_pos < m_path.size() && m_path[m_pos] == '[') {
                return parseBracket(segment, error);
            }
        }
        return parseDottedName(segment, error);
    }

    bool parseDottedName(Segment& segment, PathError& error) {
        const size_t start = m_pos;
        while (m_pos < m_path.size() && m_path[m_pos] != '.' && m_path[m_pos] != '[' &&
               m_path[m_pos] != ']') {
            ++m_pos;
        }
        if (m_pos == start) {
            return fail(error, start, "expected a key name after '.'");
        }
        segment.key = std::string(m_path.substr(start, m_pos - start));
        segment.kind = segment.key == "*" ? SelectorKind::Wildcard : SelectorKind::Key;
        return true;
    }

    bool parseBracket(Segment& segment, PathError& error) {
        const size_t open = m_pos++;
        if (m_pos >= m_path.size()) {
            return fail(error, open, "unclosed '['");
        }
        const char c = m_path[m_pos];
        bool parsed = false;
        if (c == '\'' || c == '"') {
            parsed = parseQuotedKey(segment, error);
        } else if (c == '*') {
            segment.kind = SelectorKind::Wildcard;
            ++m_pos;
            parsed = true;
        } else {
            parsed = parseIndex(segment, error);
        }
        if (!parsed) {
            return false;
        }
        if (m_pos >= m_path.size() || m_path[m_pos] != ']') {
            return fail(error, m_pos,
                        "expected ']' to close '[' at position " + std::to_string(open));
        }
        ++m_pos;
        return true;
    }

    bool parseQuotedKey(Segment& segment, PathError& error) {
        const char quote = m_path[m_pos];
        const size_t open = m_pos++;
        std::string key;
        while (m_pos < m_path.size() && m_path[m_pos] != quote) {
            if (m_path[m_pos] == '\\' && m_pos + 1 < m_path.size()) {
                ++m_pos;
            }
            key += m_path[m_pos++];
        }
        if (m_pos >= m_path.size()) {
            return fail(error, open, "unterminated quoted key");
        }
        ++m_pos;
        segment.kind = SelectorKind::Key;
        segment.key = std::move(key);
        return true;
    }

    bool parseIndex(Segment& segment, PathError& error) {
        const size_t start = m_pos;
        if (m_path[m_pos] == '-') {
            ++m_pos;
        }
        while (m_pos < m_path.size() && m_path[m_pos] >= '0' && m_path[m_pos] <= '9') {
            ++m_pos;
        }
        const std::string_view digits = m_path.substr(start, m_pos - start);
        long long value = 0;
        const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
        if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size()) {
            return fail(error, start, "expected an array index, '*' or a quoted key inside '[]'");
        }
        segment.kind = SelectorKind::Index;
        segment.index = value;
        return true;
    }

    std::string_view m_path;
    size_t m_pos = 0;
};

class Evaluator final {
public:
    // Returns false when the match count passed kMaxMatches.
    bool apply(const Segment& segment, std::vector<const Json*>& nodes) {
        std::vector<const Json*> next;
        for (const Json* node : nodes) {
            if (segment.recursive) {
                if (!descend(segment, *node, next)) {
                    return false;
                }
            } else {
                select(segment, *node, next);
            }
            if (next.size() > kMaxMatches) {
                return false;
            }
        }
        nodes = std::move(next);
        return true;
    }

private:
    static void select(const Segment& segment, const Json& node, std::vector<const Json*>& out) {
        switch (segment.kind) {
        case SelectorKind::Key:
            if (node.is_object()) {
                if (auto it = node.find(segment.key); it != node.end()) {
                    out.push_back(&*it);
                }
            }
            break;
        case SelectorKind::Index:
            if (node.is_array()) {
                const auto size = static_cast<long long>(node.size());
                const long long i = segment.index < 0 ? size + segment.index : segment.index;
                if (i >= 0 && i < size) {
                    out.push_back(&node[static_cast<size_t>(i)]);
                }
            }
            break;
        case SelectorKind::Wildcard:
            if (node.is_structured()) {
                for (const auto& child : node) {
                    out.push_back(&child);
                }
            }
            break;
        }
    }

    // Applies the selector to the node and to every descendant, document order. Recursion depth
    // is bounded by the nesting check done before parsing.
    bool descend(const Segment& segment, const Json& node, std::vector<const Json*>& out) {
        select(segment, node, out);
        if (out.size() > kMaxMatches) {
            return false;
        }
        if (node.is_structured()) {
            for (const auto& child : node) {
                if (!descend(segment, child, out)) {
                    return false;
                }
            }
        }
        return true;
    }
};

std::string dumpJson(const Json& value) {
    return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

bool parseDocument(const std::string& text, Json& document, std::string& error) {
    if (!nestingWithinLimit(text)) {
        error = "JSON document nests deeper than " + std::to_string(kMaxDepth) + " levels";
        return false;
    }
    try {
        document = Json::parse(text);
        return true;
    } catch (const Json::parse_error& e) {
        std::string what = e.what();
        // Drop the "[json.exception.parse_error.101] " prefix: users need the position, not the id.
        if (const auto close = what.find("] ");
            what.rfind("[json.exception", 0) == 0 && close != std::string::npos) {
            what = what.substr(close + 2);
        }
        error = "document is not valid JSON: " + what;
        return false;
    }
}

std::string evaluate(const std::string& jsonText, const std::string& path, std::string& error) {
    if (path.size() > kMaxPathLength) {
        error = "JSONPath longer than " + std::to_string(kMaxPathLength) + " characters";
        return "null";
    }
    std::vector<Segment> segments;
    PathError pathError;
    if (!PathParser(path).parse(segments, pathError)) {
        error = "malformed JSONPath '" + path + "' at position " +
                std::to_string(pathError.position) + ": " + pathError.message;
        return "null";
    }
    Json document;
    if (!parseDocument(jsonText, document, error)) {
        return "null";
    }
    bool indefinite = false;
    std::vector<const Json*> nodes{&document};
    Evaluator evaluator;
    for (const Segment& segment : segments) {
        indefinite = indefinite || segment.recursive || segment.kind == SelectorKind::Wildcard;
        if (!evaluator.apply(segment, nodes)) {
            error = "JSONPath '" + path + "' matched more than " + std::to_string(kMaxMatches) +
                    " values";
            return "null";
        }
    }
    if (nodes.empty()) {
        return "null";
    }
    if (!indefinite) {
        return dumpJson(*nodes.front());
    }
    Json matches = Json::array();
    for (const Json* node : nodes) {
        matches.push_back(*node);
    }
    return dumpJson(matches);
}

} // namespace

std::string evaluateJsonPath(const std::string& jsonText, const std::string& path,
                             std::string* error) {
    std::string message;
    std::string result;
    try {
        result = evaluate(jsonText, path, message);
    } catch (const std::exception& e) {
        // Allocation failure or a library surprise: report it rather than let it escape the API.
        message = std::string("JSONPath evaluation failed: ") + e.what();
        result = "null";
    }
    if (error) {
        *error = std::move(message);
    }
    return result;
}

} // namespace flowdeck::engine
