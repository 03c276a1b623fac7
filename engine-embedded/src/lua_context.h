#pragma once

#include "flowdeck/engine/lua_sandbox.h"

#include <lua.hpp>

#include <chrono>
#include <cstddef>
#include <string_view>

// Internals shared by the sandbox's translation units (lua_sandbox.cpp, lua_bridge.cpp,
// lua_stdlib.cpp, lua_patterns.cpp). Nothing here is part of the engine's API.
//
// A rule that holds in every C function registered with Lua here: Lua raises errors with
// longjmp, which skips C++ destructors. Code that may raise (any Lua API call that allocates,
// luaL_error, luaL_check*) runs only where no C++ object with a destructor is alive; code that
// builds C++ objects uses only the Lua calls that cannot raise (type tests, lua_next, rawlen,
// rawgeti, lua_checkstack) and reports failure by return value.
namespace flowdeck::engine::lua {

inline constexpr int kRootCount = 3; // slots, vars, user
inline constexpr const char* kRootNames[kRootCount] = {"slots", "vars", "user"};

// Per-state bookkeeping read by the allocator, the instruction hook and the C functions. One per
// lua_State, reachable from the state's extra space, so no global is needed.
struct StateContext {
    // Memory: every block the state holds, against a ceiling (0: none).
    size_t usedBytes = 0;
    size_t memoryLimit = 0;
    bool memoryRefused = false;

    // JSON that scripts wrote into the roots during this evaluation, in approximate bytes, against
    // the same ceiling as memoryLimit. The allocator never sees it (it lives outside Lua), and one
    // Lua string stored a thousand times becomes a thousand copies there.
    size_t jsonBytesStored = 0;

    // Instructions and wall clock for the evaluation in progress (0: no budget).
    size_t instructionBudget = 0;
    size_t instructionsRun = 0;
    int hookStep = 0;
    bool hasDeadline = false;
    std::chrono::steady_clock::time_point deadline;
    bool budgetExceeded = false;
    bool timedOut = false;

    // What the evaluation in progress sees.
    Json* roots[kRootCount] = {};
    bool writable = false;            // scripts write back; expressions may not
    bool cacheInUse[kRootCount] = {}; // a proxy holds converted tables for this run
    const char* kind = "expression";  // for messages: "expression" or "script"
    int proxyRefs[kRootCount] = {LUA_NOREF, LUA_NOREF, LUA_NOREF}; // registry refs of the proxies
};

StateContext* contextOf(lua_State* L);

// lua_Alloc that keeps StateContext::usedBytes and refuses to grow past memoryLimit.
void* trackingAlloc(void* userData, void* block, size_t oldSize, size_t newSize);

// Counts instructions run (charged by the count hook and by pattern matching) and raises when the
// budget or the deadline is passed. charge() is for C code that does work without running VM
// instructions; it raises, so call it only where no C++ destructor is pending.
void installBudgetHook(lua_State* L);
void removeBudgetHook(lua_State* L);
void chargeInstructions(lua_State* L, size_t count);

// Opens base, string, table, math and utf8 into the global table, strips what reaches files,
// the OS or the loader, and hides the libraries behind read-only proxies. Call protected.
void openSandboxLibraries(lua_State* L);
// Replaces string.find/match/gmatch/gsub with versions that charge their work to the budget.
void registerBoundedPatterns(lua_State* L, int stringTable);

} // namespace flowdeck::engine::lua
