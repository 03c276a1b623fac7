#include "template_renderer.h"

#include <cstdio>

namespace flowdeck::engine {
namespace {

bool isSpace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

std::string_view trim(std::string_view text) {
    while (!text.empty() && isSpace(text.front())) {
        text.remove_prefix(1);
    }
    while (!text.empty() && isSpace(text.back())) {
        text.remove_suffix(1);
    }
    return text;
}

TemplateRoot rootFromName(std::string_view name) {
    if (name == "slots") {
        return TemplateRoot::Slots;
    }
    if (name == "vars") {
        return TemplateRoot::Vars;
    }
    if (name == "user") {
        return TemplateRoot::User;
    }
    if (name == "intent") {
        return TemplateRoot::Intent;
    }
    if (name == "input") {
        return TemplateRoot::Input;
    }
    if (name == "confidence") {
        return TemplateRoot::Confidence;
    }
    return TemplateRoot::Unknown;
}

// "slots.order_id" -> a reference piece; anything with spaces, braces or empty segments is not a
// reference and the caller keeps it literal.
bool parseReference(std::string_view inner, TemplatePiece& piece) {
    inner = trim(inner);
    if (inner.empty()) {
        return false;
    }
    for (const char c : inner) {
        if (isSpace(c) || c == '{' || c == '}') {
            return false;
        }
    }
    std::vector<std::string> segments;
    size_t start = 0;
    while (true) {
        const size_t dot = inner.find('.', start);
        const std::string_view segment = inner.substr(
            start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
        if (segment.empty()) {
            return false;
        }
        segments.emplace_back(segment);
        if (dot == std::string_view::npos) {
            break;
        }
        start = dot + 1;
    }
    piece.isReference = true;
    piece.text = std::string(inner);
    piece.root = rootFromName(segments.front());
    piece.path.assign(std::make_move_iterator(segments.begin() + 1),
                      std::make_move_iterator(segments.end()));
    return true;
}

void appendLiteral(std::vector<TemplatePiece>& pieces, std::string_view text) {
    if (text.empty()) {
        return;
    }
    if (!pieces.empty() && !pieces.back().isReference) {
        pieces.back().text.append(text);
        return;
    }
    TemplatePiece piece;
    piece.text = std::string(text);
    pieces.push_back(std::move(piece));
}

const Json* descend(const Json* value, const std::vector<std::string>& path) {
    for (const auto& key : path) {
        if (value == nullptr) {
            return nullptr;
        }
        if (value->is_object()) {
            const auto it = value->find(key);
            value = it == value->end() ? nullptr : &*it;
        } else if (value->is_array() && !key.empty() &&
                   key.find_first_not_of("0123456789") == std::string::npos && key.size() < 10) {
            const size_t index = std::stoul(key);
            value = index < value->size() ? &(*value)[index] : nullptr;
        } else {
            return nullptr;
        }
    }
    return value;
}

void appendPercentEncoded(std::string_view text, std::string& out) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        const bool unreserved = (u >= 'A' && u <= 'Z') || (u >= 'a' && u <= 'z') ||
                                (u >= '0' && u <= '9') || u == '-' || u == '.' || u == '_' ||
                                u == '~';
        if (unreserved) {
            out.push_back(c);
        } else {
            out.push_back('%');
            out.push_back(kHex[u >> 4]);
            out.push_back(kHex[u & 0x0F]);
        }
    }
}

} // namespace

CompiledTemplate CompiledTemplate::compile(std::string_view text) {
    CompiledTemplate compiled;
    compiled.m_source = std::string(text);
    size_t pos = 0;
    while (pos < text.size()) {
        const size_t open = text.find("{{", pos);
        if (open == std::string_view::npos) {
            break;
        }
        const size_t close = text.find("}}", open + 2);
        if (close == std::string_view::npos) {
            break; // unterminated: the rest is literal
        }
        TemplatePiece piece;
        if (!parseReference(text.substr(open + 2, close - open - 2), piece)) {
            appendLiteral(compiled.m_pieces, text.substr(pos, open + 2 - pos));
            pos = open + 2;
            continue;
        }
        appendLiteral(compiled.m_pieces, text.substr(pos, open - pos));
        compiled.m_pieces.push_back(std::move(piece));
        compiled.m_hasReferences = true;
        pos = close + 2;
    }
    appendLiteral(compiled.m_pieces, text.substr(std::min(pos, text.size())));
    return compiled;
}

const TemplatePiece* CompiledTemplate::singleReference() const {
    return m_pieces.size() == 1 && m_pieces.front().isReference ? &m_pieces.front() : nullptr;
}

const Json* resolveReference(const TemplatePiece& piece, const TemplateScope& scope,
                             Json& scratch) {
    switch (piece.root) {
    case TemplateRoot::Slots:
        return descend(scope.slots, piece.path);
    case TemplateRoot::Vars:
        return descend(scope.vars, piece.path);
    case TemplateRoot::User:
        return descend(scope.user, piece.path);
    case TemplateRoot::Intent:
        if (!piece.path.empty() || scope.intent.empty()) {
            return nullptr;
        }
        scratch = std::string(scope.intent);
        return &scratch;
    case TemplateRoot::Input:
        if (!piece.path.empty()) {
            return nullptr;
        }
        scratch = std::string(scope.input);
        return &scratch;
    case TemplateRoot::Confidence:
        if (!piece.path.empty()) {
            return nullptr;
        }
        scratch = scope.confidence;
        return &scratch;
    case TemplateRoot::Unknown:
        return nullptr;
    }
    return nullptr;
}

void appendValueText(const Json& value, std::string& out) {
    if (value.is_string()) {
        out.append(value.get_ref<const std::string&>());
    } else if (!value.is_null()) {
        out.append(value.dump(-1, ' ', false, Json::error_handler_t::replace));
    }
}

void CompiledTemplate::renderInto(const TemplateScope& scope, std::string& out,
                                  std::vector<std::string>* missing,
                                  TemplateEncoding encoding) const {
    for (const auto& piece : m_pieces) {
        if (!piece.isReference) {
            out.append(piece.text);
            continue;
        }
        // input and intent are used as they are, without a JSON detour.
        if (piece.root == TemplateRoot::Input && piece.path.empty() &&
            encoding == TemplateEncoding::Raw) {
            out.append(scope.input);
            continue;
        }
        Json scratch;
        const Json* value = resolveReference(piece, scope, scratch);
        if (value == nullptr || value->is_null()) {
            if (missing != nullptr) {
                missing->push_back(piece.text);
            }
            continue;
        }
        if (encoding == TemplateEncoding::Url) {
            std::string text;
            appendValueText(*value, text);
            appendPercentEncoded(text, out);
        } else {
            appendValueText(*value, out);
        }
    }
}

std::string CompiledTemplate::render(const TemplateScope& scope, std::vector<std::string>* missing,
                                     TemplateEncoding encoding) const {
    std::string out;
    renderInto(scope, out, missing, encoding);
    return out;
}

} // namespace flowdeck::engine
