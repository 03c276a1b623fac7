#include "lua_context.h"

#include <lualib.h>

#include <cstring>

namespace flowdeck::engine::lua {
namespace {

// Globals that reach files, the OS, the loader, the collector or the process's stderr.
constexpr const char* kRemovedGlobals[] = {"load",           "loadfile", "dofile", "require",
                                           "collectgarbage", "print",    "warn",   "_G"};

// Finalizers run with hooks disabled (lgc.c GCTM), so a __gc loop could never be stopped.
int sandboxSetMetatable(lua_State* L) {
    if (lua_type(L, 2) == LUA_TTABLE) {
        lua_pushliteral(L, "__gc");
        if (lua_rawget(L, 2) != LUA_TNIL) {
            return luaL_error(L, "__gc metamethods are not allowed here");
        }
        lua_pop(L, 1);
    }
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, 1);
    return 1;
}

// string.rep copies in C without running instructions: string.rep("", 1e15) would spin for
// hours, and a result larger than the memory cap need not be attempted.
int sandboxRep(lua_State* L) {
    size_t length = 0;
    size_t separatorLength = 0;
    const char* text = luaL_checklstring(L, 1, &length);
    const lua_Integer count = luaL_checkinteger(L, 2);
    const char* separator = luaL_optlstring(L, 3, "", &separatorLength);
    if (count <= 0 || length + separatorLength == 0) {
        lua_pushliteral(L, "");
        return 1;
    }
    const auto n = static_cast<size_t>(count);
    const size_t unit = length + separatorLength;
    const size_t limit = contextOf(L)->memoryLimit;
    if (unit < length || unit > (limit != 0 ? limit : (size_t{1} << 40)) / n) {
        contextOf(L)->memoryRefused = limit != 0;
        return luaL_error(L, "resulting string too large");
    }
    luaL_Buffer buffer;
    char* out = luaL_buffinitsize(L, &buffer, n * unit - separatorLength);
    for (size_t i = 0; i < n; ++i) {
        std::memcpy(out, text, length);
        out += length;
        if (i + 1 < n && separatorLength > 0) {
            std::memcpy(out, separator, separatorLength);
            out += separatorLength;
        }
    }
    luaL_pushresultsize(&buffer, n * unit - separatorLength);
    return 1;
}

// Table functions that loop in C over a range the caller chooses (table.move({}, 1, 1e15, 2)
// allocates nothing and would never end) or over a whole table: charge the work to the budget
// first, then call the original, which is upvalue 1.
int callOriginal(lua_State* L) {
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
    return lua_gettop(L);
}

size_t tableLength(lua_State* L) {
    return lua_type(L, 1) == LUA_TTABLE ? static_cast<size_t>(lua_rawlen(L, 1)) : 0;
}

int chargedMove(lua_State* L) {
    const lua_Integer first = luaL_checkinteger(L, 2);
    const lua_Integer last = luaL_checkinteger(L, 3);
    if (last >= first) {
        chargeInstructions(L, static_cast<lua_Unsigned>(last) - static_cast<lua_Unsigned>(first));
    }
    return callOriginal(L);
}

int chargedShift(lua_State* L) {
    // Inserting or removing at a position shifts the elements after it; appending does not.
    const int positional = lua_upvalueindex(2);
    if (lua_gettop(L) >= static_cast<int>(lua_tointeger(L, positional))) {
        chargeInstructions(L, tableLength(L));
    }
    return callOriginal(L);
}

int chargedSort(lua_State* L) {
    chargeInstructions(L, tableLength(L));
    return callOriginal(L);
}

void wrapFunction(lua_State* L, int table, const char* name, lua_CFunction wrapper,
                  int extra = -1) {
    lua_getfield(L, table, name);
    int upvalues = 1;
    if (extra >= 0) {
        lua_pushinteger(L, extra);
        upvalues = 2;
    }
    lua_pushcclosure(L, wrapper, upvalues);
    lua_setfield(L, table, name);
}

int refuseChange(lua_State* L) {
    return luaL_error(L, "the standard libraries cannot be changed");
}

// Replaces global `name` (a library table) with a userdata that reads through to it and
// refuses writes: the library tables outlive every evaluation, so no script may change them.
void protectLibrary(lua_State* L, int globals, const char* name) {
    lua_newuserdatauv(L, 0, 0);
    lua_createtable(L, 0, 3);
    lua_getfield(L, globals, name);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, refuseChange);
    lua_setfield(L, -2, "__newindex");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_setmetatable(L, -2);
    lua_setfield(L, globals, name);
}

} // namespace

void openSandboxLibraries(lua_State* L) {
    const luaL_Reg libraries[] = {{LUA_GNAME, luaopen_base},
                                  {LUA_STRLIBNAME, luaopen_string},
                                  {LUA_TABLIBNAME, luaopen_table},
                                  {LUA_MATHLIBNAME, luaopen_math},
                                  {LUA_UTF8LIBNAME, luaopen_utf8}};
    for (const auto& library : libraries) {
        luaL_requiref(L, library.name, library.func, 1);
        lua_pop(L, 1);
    }
    lua_pushglobaltable(L);
    const int globals = lua_gettop(L);
    for (const char* name : kRemovedGlobals) {
        lua_pushnil(L);
        lua_setfield(L, globals, name);
    }
    wrapFunction(L, globals, "setmetatable", sandboxSetMetatable);

    lua_getfield(L, globals, LUA_STRLIBNAME);
    const int string = lua_gettop(L);
    lua_pushnil(L);
    lua_setfield(L, string, "dump"); // turns functions into binary chunks
    lua_pushcfunction(L, sandboxRep);
    lua_setfield(L, string, "rep");
    registerBoundedPatterns(L, string);
    // ("").x reads the real string table through the string metatable: hide that metatable.
    lua_pushliteral(L, "");
    lua_getmetatable(L, -1);
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_pop(L, 3);

    lua_getfield(L, globals, LUA_TABLIBNAME);
    const int table = lua_gettop(L);
    wrapFunction(L, table, "move", chargedMove);
    wrapFunction(L, table, "insert", chargedShift, 3);
    wrapFunction(L, table, "remove", chargedShift, 2);
    wrapFunction(L, table, "sort", chargedSort);
    lua_pop(L, 1);

    for (const char* name : {LUA_STRLIBNAME, LUA_TABLIBNAME, LUA_MATHLIBNAME, LUA_UTF8LIBNAME}) {
        protectLibrary(L, globals, name);
    }
    lua_pop(L, 1);
}

} // namespace flowdeck::engine::lua
