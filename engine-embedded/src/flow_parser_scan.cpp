// The first pass of the flow parser: JSON text to a document, with every limit that protects
// memory and the stack enforced while reading (a 100,000-deep "[[[[..." is refused at depth
// maxDepth, before anything that deep exists), and duplicate keys detected — nlohmann's parser
// silently keeps one of them, which would let two states with the same name lose one unseen.

#include "flow_parser_internal.h"

#include <algorithm>
#include <deque>
#include <unordered_set>

namespace flowdeck::engine::parsing {
namespace {

// Objects with more members than this get a hash set for duplicate detection; smaller ones are
// searched linearly, which is faster for the handful of keys most objects have.
constexpr size_t kLinearKeyLimit = 12;
constexpr size_t kMaxTokenInMessage = 60;

struct Frame {
    Json* value = nullptr;
    std::string key;      // object: the key of the member being read
    size_t index = 0;     // array: the index of the element being read
    bool keyed = false;   // object: a key has been read and its value not yet finished
    bool discard = false; // the member being read repeats a key: its value is dropped
    std::unordered_set<std::string> keys; // filled once the object outgrows kLinearKeyLimit
    // An object's members are collected here and moved into the ordered_map when it closes:
    // growing an ordered_map copies every member (its const keys make moves throw-capable), which
    // for the states object means copying each state's subtree again and again.
    std::vector<std::pair<std::string, Json>> members;
};

std::pair<int, int> lineAndColumn(std::string_view text, size_t offset) {
    offset = std::min(offset, text.size());
    int line = 1;
    int column = 1;
    for (size_t i = 0; i < offset; ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c == '\n') {
            ++line;
            column = 1;
        } else if ((c & 0xC0) != 0x80) { // count code points, not UTF-8 continuation bytes
            ++column;
        }
    }
    return {line, column};
}

// "[json.exception.parse_error.101] parse error at line 1, column 2: syntax error ..." keeps only
// the explanation; the position is reported from our own computation.
std::string explainSyntaxError(const std::string& what) {
    std::string_view text = what;
    if (const auto bracket = text.find("] "); bracket != std::string_view::npos) {
        text.remove_prefix(bracket + 2);
    }
    if (text.rfind("parse error", 0) == 0) {
        if (const auto colon = text.find(": "); colon != std::string_view::npos) {
            text.remove_prefix(colon + 2);
        }
    }
    std::string out(text.substr(0, 300));
    if (text.size() > 300) {
        out += "...";
    }
    return out;
}

class DocumentBuilder final : public nlohmann::json_sax<Json> {
public:
    DocumentBuilder(std::string_view text, const ParseLimits& limits, DiagnosticSink& sink,
                    Json& root)
        : m_text(text)
        , m_limits(limits)
        , m_sink(sink)
        , m_root(root) {}

    bool null() override { return addScalar(Json(nullptr)); }
    bool boolean(bool value) override { return addScalar(Json(value)); }
    bool number_integer(number_integer_t value) override { return addScalar(Json(value)); }
    bool number_unsigned(number_unsigned_t value) override { return addScalar(Json(value)); }
    bool number_float(number_float_t value, const string_t&) override {
        return addScalar(Json(value));
    }
    bool string(string_t& value) override {
        return checkString(value) && addScalar(Json(std::move(value)));
    }
    bool binary(binary_t&) override { return addScalar(Json(nullptr)); } // never in JSON text
    bool start_object(std::size_t) override { return openContainer(Json::object()); }
    bool start_array(std::size_t) override { return openContainer(Json::array()); }
    bool end_object() override { return closeContainer(); }
    bool end_array() override { return closeContainer(); }
    bool key(string_t& key) override;
    bool parse_error(std::size_t position, const std::string& lastToken,
                     const nlohmann::detail::exception& ex) override;

    bool stoppedOnLimit() const { return m_stoppedOnLimit; }

private:
    std::string pointer() const;
    Json* place(Json value);
    bool addScalar(Json value);
    bool openContainer(Json container);
    bool closeContainer();
    void finishMember();
    bool checkString(const std::string& value); // reports at pointer()
    bool isDuplicate(Frame& frame, const std::string& key) const;
    bool limitExceeded(std::string where, std::string message);

    std::string_view m_text;
    const ParseLimits& m_limits;
    DiagnosticSink& m_sink;
    Json& m_root;
    // Frames are reused, not destroyed: the buffers of a level serve every container at that
    // level, which saves most allocations on a large flow.
    std::vector<Frame> m_stack;
    size_t m_depth = 0; // frames in use
    Frame& top() { return m_stack[m_depth - 1]; }
    std::deque<Json> m_discarded; // values of repeated keys; a deque keeps their addresses
    bool m_stoppedOnLimit = false;
};

std::string DocumentBuilder::pointer() const {
    std::string out;
    for (size_t i = 0; i < m_depth; ++i) {
        const Frame& frame = m_stack[i];
        if (frame.value->is_object() && !frame.keyed) {
            break; // between members: the object itself is the place
        }
        out += '/';
        out +=
            frame.value->is_object() ? escapePointerToken(frame.key) : std::to_string(frame.index);
    }
    return out;
}

// Puts a value where the parser is: the root, the next array element, or the pending member.
Json* DocumentBuilder::place(Json value) {
    if (m_depth == 0) {
        m_root = std::move(value);
        return &m_root;
    }
    Frame& frame = top();
    if (frame.value->is_array()) {
        auto& array = frame.value->get_ref<Json::array_t&>();
        array.push_back(std::move(value));
        return &array.back();
    }
    if (frame.discard) {
        frame.discard = false;
        return &m_discarded.emplace_back(std::move(value));
    }
    frame.members.emplace_back(frame.key, std::move(value));
    return &frame.members.back().second;
}

bool DocumentBuilder::addScalar(Json value) {
    place(std::move(value));
    finishMember();
    return true;
}

void DocumentBuilder::finishMember() {
    if (m_depth == 0) {
        return;
    }
    Frame& parent = top();
    if (parent.value->is_array()) {
        ++parent.index;
    } else {
        parent.keyed = false;
    }
}

bool DocumentBuilder::openContainer(Json container) {
    if (m_depth + 1 > m_limits.maxDepth) {
        return limitExceeded(pointer(), "The document nests arrays and objects more than " +
                                            std::to_string(m_limits.maxDepth) + " levels deep.");
    }
    Json* value = place(std::move(container));
    if (m_depth == m_stack.size()) {
        m_stack.emplace_back();
    }
    Frame& frame = m_stack[m_depth++];
    frame.value = value;
    frame.key.clear();
    frame.index = 0;
    frame.keyed = false;
    frame.discard = false;
    frame.keys.clear();
    frame.members.clear();
    return true;
}

bool DocumentBuilder::closeContainer() {
    if (m_depth == 0) {
        return true;
    }
    Frame& frame = top();
    if (frame.value->is_object()) {
        auto& object = frame.value->get_ref<Json::object_t&>();
        object.reserve(frame.members.size());
        for (auto& [key, value] : frame.members) {
            object.emplace_back(std::move(key), std::move(value));
        }
    }
    frame.members.clear();
    --m_depth;
    finishMember();
    return true;
}

bool DocumentBuilder::isDuplicate(Frame& frame, const std::string& key) const {
    const auto& object = frame.members;
    if (object.size() <= kLinearKeyLimit) {
        return std::any_of(object.begin(), object.end(),
                           [&](const auto& member) { return member.first == key; });
    }
    if (frame.keys.empty()) {
        frame.keys.reserve(object.size() * 2);
        for (const auto& member : object) {
            frame.keys.insert(member.first);
        }
    }
    return !frame.keys.insert(key).second;
}

bool DocumentBuilder::key(string_t& key) {
    Frame& frame = top();
    frame.key = std::move(key);
    frame.keyed = true;
    if (!checkString(frame.key)) {
        return false;
    }
    if (isDuplicate(frame, frame.key)) {
        frame.discard = true;
        const bool isState = m_depth == 2 && m_stack[0].key == "states";
        m_sink.error(kDuplicateKey, pointer(),
                     isState
                         ? "Two states are named \"" + frame.key + "\"; state names must be unique."
                         : "The key \"" + frame.key +
                               "\" appears twice in the same object; only one is allowed.",
                     isState ? frame.key : std::string{});
    }
    return true;
}

bool DocumentBuilder::checkString(const std::string& value) {
    if (value.size() <= m_limits.maxStringBytes) {
        return true;
    }
    return limitExceeded(pointer(), "A string of " + std::to_string(value.size()) +
                                        " bytes is longer than the limit of " +
                                        std::to_string(m_limits.maxStringBytes) + " bytes.");
}

bool DocumentBuilder::limitExceeded(std::string where, std::string message) {
    m_stoppedOnLimit = true;
    m_sink.error(kLimitExceeded, std::move(where), std::move(message));
    return false;
}

bool DocumentBuilder::parse_error(std::size_t position, const std::string& lastToken,
                                  const nlohmann::detail::exception& ex) {
    // nlohmann reports how many bytes it had read; the offending byte is the last of them.
    const auto [line, column] = lineAndColumn(m_text, position > 0 ? position - 1 : 0);
    std::string message = "The document is not valid JSON (line " + std::to_string(line) +
                          ", column " + std::to_string(column) +
                          "): " + explainSyntaxError(ex.what());
    if (lastToken.size() > kMaxTokenInMessage) {
        message += " (near \"" + lastToken.substr(0, kMaxTokenInMessage) + "...\")";
    }
    m_sink.syntaxError(pointer(), std::move(message), line, column);
    return false;
}

} // namespace

bool readDocument(std::string_view text, const ParseLimits& limits, DiagnosticSink& sink,
                  Json& out) {
    DocumentBuilder builder(text, limits, sink, out);
    const bool parsed = Json::sax_parse(text, &builder, nlohmann::detail::input_format_t::json,
                                        /*strict=*/true, /*ignore_comments=*/false);
    return parsed && !builder.stoppedOnLimit();
}

bool checkDocumentLimits(const Json& document, const ParseLimits& limits, DiagnosticSink& sink) {
    // Explicit stack: a caller's document may be nested far deeper than the call stack allows.
    std::vector<std::pair<const Json*, size_t>> pending{{&document, 0}};
    while (!pending.empty()) {
        const auto [value, depth] = pending.back();
        pending.pop_back();
        if (value->is_string() &&
            value->get_ref<const std::string&>().size() > limits.maxStringBytes) {
            sink.error(kLimitExceeded, {},
                       "A string is longer than the limit of " +
                           std::to_string(limits.maxStringBytes) + " bytes.");
            return false;
        }
        if (!value->is_structured()) {
            continue;
        }
        if (depth + 1 > limits.maxDepth) {
            sink.error(kLimitExceeded, {},
                       "The document nests arrays and objects more than " +
                           std::to_string(limits.maxDepth) + " levels deep.");
            return false;
        }
        if (value->is_array()) {
            for (const auto& child : *value) {
                pending.emplace_back(&child, depth + 1);
            }
            continue;
        }
        for (const auto& [key, child] : value->get_ref<const Json::object_t&>()) {
            if (key.size() > limits.maxStringBytes) {
                sink.error(kLimitExceeded, {},
                           "A key is longer than the limit of " +
                               std::to_string(limits.maxStringBytes) + " bytes.");
                return false;
            }
            pending.emplace_back(&child, depth + 1);
        }
    }
    return true;
}

} // namespace flowdeck::engine::parsing
