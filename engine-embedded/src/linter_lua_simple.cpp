#include "linter_lua.h"

#include <array>
#include <cstddef>

// A recogniser for the everyday subset of Lua expressions (`slots.n > 3 and vars.ok`,
// `input:lower():find('yes') ~= nil`): names, member access, calls, plain numbers and strings,
// unary and binary operators, parentheses. It answers "certainly compiles" or "don't know"; every
// "don't know" goes to the Lua compiler, so anything unusual (escapes, comments, long strings,
// exponents, table constructors, functions, very long or deep code) is judged by Lua itself.
namespace flowdeck::engine::lint {
namespace {

constexpr size_t kMaxLength = 512;
constexpr size_t kMaxTokens = 128;
constexpr int kMaxDepth = 32;

enum class Kind { End, Name, Number, String, Word, Symbol, Unknown };

struct Token {
    Kind kind = Kind::End;
    std::string_view text;
};

constexpr std::array<std::string_view, 16> kReserved{
    "break", "do", "else",  "elseif", "end",    "for",  "function", "goto",
    "if",    "in", "local", "repeat", "return", "then", "until",    "while"};
// Reserved words an expression may use.
constexpr std::array<std::string_view, 6> kWords{"and", "or", "not", "nil", "true", "false"};
constexpr std::array<std::string_view, 8> kPairs{"==", "~=", "<=", ">=", "//", "..", "<<", ">>"};
constexpr std::string_view kSingles = "+-*/%^#&~|<>()[].:,";

bool isAlpha(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

bool isDigit(char c) {
    return c >= '0' && c <= '9';
}

template <size_t N> bool among(const std::array<std::string_view, N>& list, std::string_view text) {
    for (const auto item : list) {
        if (item == text) {
            return true;
        }
    }
    return false;
}

class Lexer final {
public:
    explicit Lexer(std::string_view text)
        : m_text(text) {}

    Token next() {
        while (m_at < m_text.size() && (m_text[m_at] == ' ' || m_text[m_at] == '\t' ||
                                        m_text[m_at] == '\n' || m_text[m_at] == '\r')) {
            ++m_at;
        }
        if (m_at >= m_text.size()) {
            return {Kind::End, {}};
        }
        const size_t start = m_at;
        const char c = m_text[m_at];
        if (isAlpha(c)) {
            while (m_at < m_text.size() && (isAlpha(m_text[m_at]) || isDigit(m_text[m_at]))) {
                ++m_at;
            }
            const auto word = m_text.substr(start, m_at - start);
            return {among(kWords, word)      ? Kind::Word
                    : among(kReserved, word) ? Kind::Unknown
                                             : Kind::Name,
                    word};
        }
        if (isDigit(c)) {
            return number(start);
        }
        if (c == '\'' || c == '"') {
            return string(start, c);
        }
        return symbol(start);
    }

private:
    // Digits with an optional fraction; anything glued on (exponent, hex, "1..2") is Lua's call.
    Token number(size_t start) {
        while (m_at < m_text.size() && isDigit(m_text[m_at])) {
            ++m_at;
        }
        if (m_at + 1 < m_text.size() && m_text[m_at] == '.' && isDigit(m_text[m_at + 1])) {
            ++m_at;
            while (m_at < m_text.size() && isDigit(m_text[m_at])) {
                ++m_at;
            }
        }
        if (m_at < m_text.size() &&
            (isAlpha(m_text[m_at]) || isDigit(m_text[m_at]) || m_text[m_at] == '.')) {
            return {Kind::Unknown, {}};
        }
        return {Kind::Number, m_text.substr(start, m_at - start)};
    }

    // Quotes without escapes or line breaks.
    Token string(size_t start, char quote) {
        for (++m_at; m_at < m_text.size(); ++m_at) {
            const char c = m_text[m_at];
            if (c == quote) {
                ++m_at;
                return {Kind::String, m_text.substr(start, m_at - start)};
            }
            if (c == '\\' || c == '\n' || c == '\r') {
                break;
            }
        }
        return {Kind::Unknown, {}};
    }

    Token symbol(size_t start) {
        const auto pair = m_text.substr(start, 2);
        if (pair == "--" || m_text.substr(start, 3) == "...") {
            return {Kind::Unknown, {}}; // a comment, or varargs
        }
        if (among(kPairs, pair)) {
            m_at += 2;
            return {Kind::Symbol, pair};
        }
        if (kSingles.find(m_text[start]) != std::string_view::npos) {
            ++m_at;
            return {Kind::Symbol, m_text.substr(start, 1)};
        }
        return {Kind::Unknown, {}};
    }

    std::string_view m_text;
    size_t m_at = 0;
};

class Recogniser final {
public:
    explicit Recogniser(std::string_view text)
        : m_lexer(text) {}

    bool accept() {
        advance();
        return expression(0) && m_token.kind == Kind::End;
    }

private:
    void advance() {
        m_token = ++m_tokens > kMaxTokens ? Token{Kind::Unknown, {}} : m_lexer.next();
    }
    bool is(Kind kind, std::string_view text) const {
        return m_token.kind == kind && m_token.text == text;
    }
    bool take(std::string_view symbol) {
        if (!is(Kind::Symbol, symbol)) {
            return false;
        }
        advance();
        return true;
    }
    bool isUnary() const {
        return is(Kind::Word, "not") ||
               (m_token.kind == Kind::Symbol &&
                (m_token.text == "-" || m_token.text == "#" || m_token.text == "~"));
    }
    bool isBinary() const {
        if (m_token.kind == Kind::Word) {
            return m_token.text == "and" || m_token.text == "or";
        }
        constexpr std::string_view kNotBinary = "#()[].:,";
        return m_token.kind == Kind::Symbol &&
               !(m_token.text.size() == 1 &&
                 kNotBinary.find(m_token.text) != std::string_view::npos);
    }

    bool expression(int depth) {
        if (depth > kMaxDepth) {
            return false;
        }
        do {
            while (isUnary()) {
                advance();
            }
            if (!operand(depth)) {
                return false;
            }
        } while (isBinary() && (advance(), true));
        return true;
    }

    // Literals take no suffix: `'a':upper()` and `nil.x` do not compile.
    bool operand(int depth) {
        if (m_token.kind == Kind::Number || m_token.kind == Kind::String || is(Kind::Word, "nil") ||
            is(Kind::Word, "true") || is(Kind::Word, "false")) {
            advance();
            return true;
        }
        if (m_token.kind == Kind::Name) {
            advance();
        } else if (!(take("(") && expression(depth + 1) && take(")"))) {
            return false;
        }
        return suffixes(depth);
    }

    bool suffixes(int depth) {
        while (true) {
            if (take(".")) {
                if (m_token.kind != Kind::Name) {
                    return false;
                }
                advance();
            } else if (take("[")) {
                if (!(expression(depth + 1) && take("]"))) {
                    return false;
                }
            } else if (take(":")) {
                if (m_token.kind != Kind::Name) {
                    return false;
                }
                advance();
                if (!arguments(depth)) {
                    return false;
                }
            } else if (is(Kind::Symbol, "(") || m_token.kind == Kind::String) {
                if (!arguments(depth)) {
                    return false;
                }
            } else {
                return true;
            }
        }
    }

    bool arguments(int depth) {
        if (m_token.kind == Kind::String) {
            advance();
            return true;
        }
        if (!take("(")) {
            return false;
        }
        if (take(")")) {
            return true;
        }
        do {
            if (!expression(depth + 1)) {
                return false;
            }
        } while (take(","));
        return take(")");
    }

    Lexer m_lexer;
    Token m_token;
    size_t m_tokens = 0;
};

} // namespace

bool compilesAsSimpleExpression(std::string_view expression) {
    return expression.size() <= kMaxLength && Recogniser(expression).accept();
}

} // namespace flowdeck::engine::lint
