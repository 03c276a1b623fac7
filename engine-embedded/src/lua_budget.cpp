#include "lua_context.h"

#include <algorithm>
#include <cstdlib>

namespace flowdeck::engine::lua {
namespace {

// How often, in VM instructions, the hook checks the wall clock: often enough that a timeout is
// noticed within microseconds, rarely enough that reading the clock costs nothing measurable.
constexpr size_t kHookInterval = 1000;

void budgetHook(lua_State* L, lua_Debug*);

void armHook(lua_State* L, StateContext* context) {
    size_t step = kHookInterval;
    if (context->instructionBudget != 0) {
        step = std::clamp<size_t>(context->instructionBudget - context->instructionsRun, 1, step);
    }
    context->hookStep = static_cast<int>(step);
    lua_sethook(L, budgetHook, LUA_MASKCOUNT, context->hookStep);
}

// Raises when a limit is passed. Once passed it stays passed and the hook fires on every
// instruction, so code that catches the error with pcall is stopped at its next instruction.
void enforceLimits(lua_State* L, StateContext* context) {
    if (!context->budgetExceeded && context->instructionBudget != 0 &&
        context->instructionsRun >= context->instructionBudget) {
        context->budgetExceeded = true;
    }
    if (!context->timedOut && context->hasDeadline &&
        std::chrono::steady_clock::now() >= context->deadline) {
        context->timedOut = true;
    }
    if (context->budgetExceeded || context->timedOut) {
        context->hookStep = 1;
        lua_sethook(L, budgetHook, LUA_MASKCOUNT, 1);
        luaL_error(L,
                   context->budgetExceeded ? "%s exceeded its instruction budget"
                                           : "%s exceeded its time limit",
                   context->kind);
    }
}

void budgetHook(lua_State* L, lua_Debug*) {
    StateContext* context = contextOf(L);
    context->instructionsRun += static_cast<size_t>(context->hookStep);
    enforceLimits(L, context);
    armHook(L, context);
}

} // namespace

StateContext* contextOf(lua_State* L) {
    return *static_cast<StateContext**>(lua_getextraspace(L));
}

void* trackingAlloc(void* userData, void* block, size_t oldSize, size_t newSize) {
    auto* context = static_cast<StateContext*>(userData);
    // Lua passes the kind of object, not a size, in oldSize when block is null.
    const size_t previous = block != nullptr ? oldSize : 0;
    if (newSize == 0) {
        std::free(block);
        context->usedBytes -= previous;
        return nullptr;
    }
    if (newSize > previous && context->memoryLimit != 0 &&
        context->usedBytes + (newSize - previous) > context->memoryLimit) {
        context->memoryRefused = true;
        return nullptr;
    }
    void* resized = std::realloc(block, newSize);
    if (resized != nullptr) {
        context->usedBytes = context->usedBytes - previous + newSize;
    }
    return resized;
}

void installBudgetHook(lua_State* L) {
    armHook(L, contextOf(L));
}

void removeBudgetHook(lua_State* L) {
    lua_sethook(L, nullptr, 0, 0);
    contextOf(L)->hookStep = 0;
}

void chargeInstructions(lua_State* L, size_t count) {
    StateContext* context = contextOf(L);
    if (context->hookStep == 0) {
        return; // not evaluating (compile-only states never run code)
    }
    context->instructionsRun += count;
    enforceLimits(L, context);
}

} // namespace flowdeck::engine::lua
