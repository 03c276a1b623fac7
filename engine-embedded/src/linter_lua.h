#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>

struct lua_State;

namespace flowdeck::engine::lint {

// Bytes held by the checker's Lua state, against its ceiling.
struct LuaAllocation {
    size_t used = 0;
    size_t limit = 0;
};

// True only when `expression` certainly compiles as `return (<expression>)`: a recogniser for the
// everyday subset, about fifty times cheaper than the Lua compiler. False means "ask Lua".
bool compilesAsSimpleExpression(std::string_view expression);

// Compile-only Lua checks for the linter, with the same wrapping as LuaSandbox (an expression is
// compiled as `return (<expression>)`, a script as a chunk, text only). LuaSandbox::checkExpression
// is static and opens a fresh Lua state per call; a 10,000-state flow has that many expressions,
// so the linter compiles them all in one bare state (no libraries: compiling needs none) and
// caches results by text; most expressions do not even reach Lua (compilesAsSimpleExpression).
// Nothing compiled here is ever run.
class LuaSyntaxChecker final {
public:
    LuaSyntaxChecker();
    ~LuaSyntaxChecker();
    LuaSyntaxChecker(const LuaSyntaxChecker&) = delete;
    LuaSyntaxChecker& operator=(const LuaSyntaxChecker&) = delete;

    // Empty when the code compiles, else the compiler's complaint in plain words ("line 2:
    // unexpected symbol near 'then'"). The texts must outlive the checker (they key the cache).
    const std::string& checkExpression(std::string_view expression);
    const std::string& checkScript(std::string_view script);

private:
    std::string compile(std::string_view code, const char* chunkName);

    LuaAllocation m_allocation;
    lua_State* m_state = nullptr;
    std::string m_buffer;
    const std::string m_compiles; // the empty answer
    std::unordered_map<std::string_view, std::string> m_expressions;
    std::unordered_map<std::string_view, std::string> m_scripts;
};

} // namespace flowdeck::engine::lint
