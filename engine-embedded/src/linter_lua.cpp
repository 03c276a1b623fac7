#include "linter_lua.h"

#include <lauxlib.h>
#include <lua.h>

#include <cstdlib>

namespace flowdeck::engine::lint {
namespace {

// Compiling is bounded by the parser's string limit, but a pathological text must still not be
// able to take the process's memory: the checker's state gets a ceiling of its own.
constexpr size_t kMemoryLimit = 64 * 1024 * 1024;
// The sandbox refuses longer code (lua_sandbox.cpp); the linter must not pass what it refuses.
constexpr size_t kMaxSourceBytes = 1024 * 1024;

void* limitedAlloc(void* userData, void* block, size_t oldSize, size_t newSize) {
    auto* allocation = static_cast<LuaAllocation*>(userData);
    // Lua passes the block's type, not a size, in oldSize when block is null.
    const size_t previous = block ? oldSize : 0;
    if (newSize == 0) {
        std::free(block);
        allocation->used -= previous;
        return nullptr;
    }
    if (newSize > previous && allocation->used + (newSize - previous) > allocation->limit) {
        return nullptr;
    }
    void* grown = std::realloc(block, newSize);
    if (grown != nullptr) {
        allocation->used = allocation->used - previous + newSize;
    }
    return grown;
}

// "expression:3: unexpected symbol near 'x'" -> "line 3: unexpected symbol near 'x'", and the
// line is left out for one-line code where it says nothing.
std::string plainError(std::string message, const char* chunkName, bool multiLine) {
    const std::string prefix = std::string(chunkName) + ":";
    if (message.compare(0, prefix.size(), prefix) != 0) {
        return message;
    }
    const size_t colon = message.find(':', prefix.size());
    if (colon == std::string::npos) {
        return message;
    }
    const std::string line = message.substr(prefix.size(), colon - prefix.size());
    std::string rest = message.substr(colon + 1);
    if (!rest.empty() && rest.front() == ' ') {
        rest.erase(0, 1);
    }
    return multiLine ? "line " + line + ": " + rest : rest;
}

} // namespace

LuaSyntaxChecker::LuaSyntaxChecker() {
    m_allocation.limit = kMemoryLimit;
    m_state = lua_newstate(limitedAlloc, &m_allocation);
}

LuaSyntaxChecker::~LuaSyntaxChecker() {
    if (m_state != nullptr) {
        lua_close(m_state);
    }
}

const std::string& LuaSyntaxChecker::checkExpression(std::string_view expression) {
    if (compilesAsSimpleExpression(expression)) {
        return m_compiles;
    }
    auto [it, inserted] = m_expressions.try_emplace(expression);
    if (inserted) {
        m_buffer.assign("return (");
        m_buffer.append(expression);
        m_buffer.append(")");
        it->second = compile(m_buffer, "expression");
    }
    return it->second;
}

const std::string& LuaSyntaxChecker::checkScript(std::string_view script) {
    auto [it, inserted] = m_scripts.try_emplace(script);
    if (inserted) {
        it->second = compile(script, "script");
    }
    return it->second;
}

std::string LuaSyntaxChecker::compile(std::string_view code, const char* chunkName) {
    if (m_state == nullptr) {
        return "the Lua compiler could not start";
    }
    const bool expression = std::string_view(chunkName) == "expression";
    if (code.size() > kMaxSourceBytes + (expression ? 9 : 0)) { // "return (" + ")"
        return std::string("the ") + chunkName + " is longer than 1 MiB";
    }
    const std::string name = std::string("=") + chunkName;
    const int status = luaL_loadbufferx(m_state, code.data(), code.size(), name.c_str(), "t");
    std::string error;
    if (status == LUA_ERRMEM) {
        error = "the code is too large to compile";
    } else if (status != LUA_OK) {
        const char* text = lua_tostring(m_state, -1);
        error = plainError(text ? text : "does not compile", chunkName,
                           code.find('\n') != std::string_view::npos);
    }
    lua_settop(m_state, 0);
    return error;
}

} // namespace flowdeck::engine::lint
