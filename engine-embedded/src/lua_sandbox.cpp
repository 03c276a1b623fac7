#include "flowdeck/engine/lua_sandbox.h"

#include "lua_bridge.h"
#include "lua_context.h"

#include <string>
#include <unordered_map>

namespace flowdeck::engine {
namespace {

using lua::StateContext;

// Source text longer than this is refused before compiling: flows are limited far below it.
constexpr size_t kMaxSourceBytes = 1024 * 1024;
// Compiled chunks kept per sandbox; the cache is emptied when it fills (flows have far fewer
// distinct expressions, so this only bounds memory against pathological callers).
constexpr size_t kMaxCachedChunks = 1000;
// The static checks compile in a fresh state with this ceiling.
constexpr size_t kCheckMemoryLimit = 64 * 1024 * 1024;
const char kEnvMetaKey = 0;

struct TextHash {
    using is_transparent = void;
    size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
};
using ChunkCache = std::unordered_map<std::string, int, TextHash, std::equal_to<>>;

// "expression:3: attempt to ..." -> "line 3: attempt to ...", and the line is left out for
// one-line code where it says nothing. Same wording as the linter's checker.
std::string plainError(std::string_view message, std::string_view chunkName, bool multiLine) {
    if (message.size() <= chunkName.size() || message.substr(0, chunkName.size()) != chunkName ||
        message[chunkName.size()] != ':') {
        return std::string(message);
    }
    const size_t lineStart = chunkName.size() + 1;
    const size_t colon = message.find(':', lineStart);
    if (colon == std::string_view::npos) {
        return std::string(message);
    }
    std::string_view rest = message.substr(colon + 1);
    if (!rest.empty() && rest.front() == ' ') {
        rest.remove_prefix(1);
    }
    if (!multiLine) {
        return std::string(rest);
    }
    return "line " + std::string(message.substr(lineStart, colon - lineStart)) + ": " +
           std::string(rest);
}

std::string describeBytes(size_t bytes) {
    if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) == 0) {
        return std::to_string(bytes / (1024 * 1024)) + " MiB";
    }
    if (bytes >= 1024 && bytes % 1024 == 0) {
        return std::to_string(bytes / 1024) + " KiB";
    }
    return std::to_string(bytes) + " bytes";
}

// Runs protected: everything here may allocate, and so may raise.
int setUpSandbox(lua_State* L) {
    lua::openSandboxLibraries(L);
    lua_pushglobaltable(L);
    lua::createRootProxies(L, -1);
    // Each evaluation's globals: a fresh table reading through to these, never writing to them.
    lua_createtable(L, 0, 2);
    lua_pushvalue(L, -2);
    lua_setfield(L, -2, "__index");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_rawsetp(L, LUA_REGISTRYINDEX, &kEnvMetaKey);
    return 0;
}

// Runs protected with the environment (light userdata) at 1 and the chunk at 2: gives the chunk
// a fresh _ENV and calls it.
int callChunk(lua_State* L) {
    const auto& environment = *static_cast<const LuaEnvironment*>(lua_touserdata(L, 1));
    lua_pushglobaltable(L); // unreachable from Lua code, so safe to update per evaluation
    lua_pushlstring(L, environment.intent.data(), environment.intent.size());
    lua_setfield(L, -2, "intent");
    lua_pushnumber(L, environment.confidence);
    lua_setfield(L, -2, "confidence");
    lua_pushlstring(L, environment.input.data(), environment.input.size());
    lua_setfield(L, -2, "input");
    lua_pop(L, 1);
    lua_createtable(L, 0, 0);
    lua_rawgetp(L, LUA_REGISTRYINDEX, &kEnvMetaKey);
    lua_setmetatable(L, -2);
    lua_setupvalue(L, 2, 1);
    lua_call(L, 0, 1);
    return 1;
}

std::string checkCompiles(std::string_view code, bool expression) {
    const char* kind = expression ? "expression" : "script";
    if (code.size() > kMaxSourceBytes) {
        return std::string("the ") + kind + " is longer than " + describeBytes(kMaxSourceBytes);
    }
    StateContext context;
    context.memoryLimit = kCheckMemoryLimit;
    lua_State* L = lua_newstate(lua::trackingAlloc, &context);
    if (L == nullptr) {
        return "the Lua compiler could not start";
    }
    const std::string source =
        expression ? "return (" + std::string(code) + ")" : std::string(code);
    const int status = luaL_loadbufferx(L, source.data(), source.size(),
                                        expression ? "=expression" : "=script", "t");
    std::string error;
    if (status == LUA_ERRMEM) {
        error = std::string("the ") + kind + " is too large to compile";
    } else if (status != LUA_OK) {
        const char* text = lua_tostring(L, -1);
        error = plainError(text != nullptr ? text : "does not compile", kind,
                           source.find('\n') != std::string::npos);
    }
    lua_close(L);
    return error;
}

} // namespace

struct LuaSandbox::Impl {
    LuaLimits limits;
    StateContext context;
    lua_State* state = nullptr;
    ChunkCache expressions;
    ChunkCache scripts;
    std::string buffer;

    explicit Impl(const LuaLimits& initial)
        : limits(initial) {
        state = lua_newstate(lua::trackingAlloc, &context);
        if (state == nullptr) {
            return;
        }
        *static_cast<StateContext**>(lua_getextraspace(state)) = &context;
        lua_pushcfunction(state, setUpSandbox);
        if (lua_pcall(state, 0, 0, 0) != LUA_OK) {
            lua_close(state);
            state = nullptr;
            return;
        }
        applyLimits();
    }

    ~Impl() {
        if (state != nullptr) {
            lua_close(state);
        }
    }

    void applyLimits() { context.memoryLimit = limits.memoryBytes; }

    // The sandbox's own bookkeeping (registry references) must never fail on the user's cap.
    template <typename F> auto unlimited(F&& f) {
        const size_t saved = context.memoryLimit;
        context.memoryLimit = 0;
        auto result = f();
        context.memoryLimit = saved;
        return result;
    }

    void clearCache(ChunkCache& cache) {
        unlimited([&] {
            for (const auto& entry : cache) {
                luaL_unref(state, LUA_REGISTRYINDEX, entry.second);
            }
            return 0;
        });
        cache.clear();
    }

    // The registry reference of the compiled chunk, or LUA_NOREF with `outcome` filled in.
    int compiled(std::string_view code, bool script, LuaOutcome& outcome) {
        ChunkCache& cache = script ? scripts : expressions;
        if (auto found = cache.find(code); found != cache.end()) {
            return found->second;
        }
        if (code.size() > kMaxSourceBytes) {
            outcome.error = std::string("the ") + context.kind + " is longer than " +
                            describeBytes(kMaxSourceBytes);
            return LUA_NOREF;
        }
        if (cache.size() >= kMaxCachedChunks) {
            clearCache(cache);
        }
        std::string_view source = code;
        if (!script) {
            buffer.assign("return (").append(code).append(")");
            source = buffer;
        }
        const int status = luaL_loadbufferx(state, source.data(), source.size(),
                                            script ? "=script" : "=expression", "t");
        if (status != LUA_OK) {
            outcome.memoryExceeded = status == LUA_ERRMEM || context.memoryRefused;
            const char* text = lua_tostring(state, -1);
            outcome.error = outcome.memoryExceeded
                                ? std::string("the ") + context.kind + " is too large to compile"
                                : plainError(text != nullptr ? text : "does not compile",
                                             context.kind, source.find('\n') != npos);
            lua_settop(state, 0);
            return LUA_NOREF;
        }
        const int ref = unlimited([&] { return luaL_ref(state, LUA_REGISTRYINDEX); });
        cache.emplace(std::string(code), ref);
        return ref;
    }

    void prepare(const LuaEnvironment& environment, bool script) {
        lua::resetRootCaches(state, context);
        context.kind = script ? "script" : "expression";
        context.roots[0] = environment.slots;
        context.roots[1] = environment.vars;
        context.roots[2] = environment.user;
        context.writable = script;
        context.memoryRefused = false;
        context.budgetExceeded = false;
        context.timedOut = false;
        context.instructionsRun = 0;
        context.jsonBytesStored = 0;
        context.instructionBudget = limits.instructionBudget;
        context.hasDeadline = limits.timeout.count() > 0;
        context.deadline = std::chrono::steady_clock::now() + limits.timeout;
    }

    std::string memoryMessage() const {
        return std::string(context.kind) + " exceeded its memory limit of " +
               describeBytes(limits.memoryBytes);
    }

    void describeFailure(int status, bool multiLine, LuaOutcome& outcome) {
        outcome.ok = false;
        if (context.budgetExceeded) {
            outcome.budgetExceeded = true;
            outcome.error = std::string(context.kind) + " exceeded its budget of " +
                            std::to_string(limits.instructionBudget) + " instructions";
        } else if (context.timedOut) {
            outcome.timedOut = true;
            outcome.error = std::string(context.kind) + " exceeded its time limit of " +
                            std::to_string(limits.timeout.count()) + " ms";
        } else if (status == LUA_ERRMEM || context.memoryRefused) {
            outcome.memoryExceeded = true;
            outcome.error = memoryMessage();
        } else if (lua_type(state, -1) == LUA_TSTRING) {
            outcome.error = plainError(lua_tostring(state, -1), context.kind, multiLine);
        } else {
            outcome.error = std::string(context.kind) + " raised an error object that is a " +
                            luaL_typename(state, -1) + ", not a message";
        }
    }

    LuaOutcome execute(std::string_view code, const LuaEnvironment& environment, bool script) {
        LuaOutcome outcome;
        if (state == nullptr) {
            outcome.error = "the Lua sandbox could not start";
            return outcome;
        }
        prepare(environment, script);
        const int ref = compiled(code, script, outcome);
        if (ref != LUA_NOREF) {
            lua_settop(state, 0);
            // Nothing pushed here allocates (light function, light userdata, a registry read), so
            // nothing can raise outside the protected call.
            lua_pushcfunction(state, callChunk);
            lua_pushlightuserdata(state, const_cast<LuaEnvironment*>(&environment));
            lua_rawgeti(state, LUA_REGISTRYINDEX, ref);
            lua::installBudgetHook(state);
            const int status = lua_pcall(state, 2, 1, 0);
            lua::removeBudgetHook(state);
            if (status == LUA_OK) {
                outcome.ok = true;
                outcome.value = lua_toboolean(state, -1) != 0;
            } else {
                describeFailure(status, code.find('\n') != npos, outcome);
            }
            if (script) {
                std::string syncError = lua::syncRootCaches(state, context);
                if (outcome.ok && !syncError.empty()) {
                    outcome.ok = false;
                    outcome.value = false;
                    outcome.memoryExceeded = context.memoryRefused;
                    outcome.error = context.memoryRefused ? memoryMessage() : std::move(syncError);
                }
            }
        }
        lua_settop(state, 0);
        context.roots[0] = context.roots[1] = context.roots[2] = nullptr;
        trimIfCrowded();
        return outcome;
    }

    // Garbage and cached chunks count against the cap: keep room for the next evaluation.
    void trimIfCrowded() {
        if (limits.memoryBytes == 0 || context.usedBytes < limits.memoryBytes / 2) {
            return;
        }
        lua_gc(state, LUA_GCCOLLECT);
        if (context.usedBytes >= limits.memoryBytes / 2) {
            clearCache(expressions);
            clearCache(scripts);
            lua_gc(state, LUA_GCCOLLECT);
        }
    }

    static constexpr size_t npos = std::string_view::npos;
};

LuaSandbox::LuaSandbox(LuaLimits limits)
    : m_impl(std::make_unique<Impl>(limits)) {}

LuaSandbox::~LuaSandbox() = default;

void LuaSandbox::setLimits(const LuaLimits& limits) {
    m_impl->limits = limits;
    m_impl->applyLimits();
}

LuaOutcome LuaSandbox::evaluate(std::string_view expression, const LuaEnvironment& env) {
    return m_impl->execute(expression, env, false);
}

LuaOutcome LuaSandbox::run(std::string_view script, const LuaEnvironment& env) {
    return m_impl->execute(script, env, true);
}

std::string LuaSandbox::checkExpression(std::string_view expression) {
    return checkCompiles(expression, true);
}

std::string LuaSandbox::checkScript(std::string_view script) {
    return checkCompiles(script, false);
}

} // namespace flowdeck::engine
