#pragma once

#include "flowdeck/engine/flow.h"

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace flowdeck::engine {

struct LuaLimits {
    size_t instructionBudget = 1000000;       // VM instructions per evaluation
    size_t memoryBytes = 16 * 1024 * 1024;    // per sandbox (one Lua state)
    std::chrono::milliseconds timeout{10000}; // wall clock per evaluation
};

// What an expression or script sees: `slots`, `vars`, `user` (tables backed by these JSON
// objects), `intent` (string), `confidence` (number) and `input` (string).
struct LuaEnvironment {
    Json* slots = nullptr;
    Json* vars = nullptr;
    Json* user = nullptr;
    std::string_view intent;
    double confidence = 0.0;
    std::string_view input;
};

struct LuaOutcome {
    bool ok = false;
    bool value = false; // truthiness of an expression's result
    std::string error;  // compile or runtime error, budget or memory exhaustion, in plain words
    bool budgetExceeded = false;
    bool memoryExceeded = false;
    bool timedOut = false;
};

// A sandboxed Lua 5.4 state: base (without load/loadfile/dofile/require/collectgarbage),
// string, table, math and utf8 only — no io, os, package or debug. Not thread-safe: use one per
// thread. Compiled chunks are cached by source text.
class LuaSandbox {
public:
    explicit LuaSandbox(LuaLimits limits = {});
    ~LuaSandbox();
    LuaSandbox(const LuaSandbox&) = delete;
    LuaSandbox& operator=(const LuaSandbox&) = delete;

    void setLimits(const LuaLimits& limits);

    // Evaluates `return (<expression>)`. A runtime error (e.g. nil compared with a number)
    // gives ok=false with the reason; callers treat that as false.
    LuaOutcome evaluate(std::string_view expression, const LuaEnvironment& env);
    // Runs a script; assignments to slots.x / vars.x / user.x are written back into the JSON.
    LuaOutcome run(std::string_view script, const LuaEnvironment& env);

    // Compile-only checks for the linter: empty string when the code compiles, else the error.
    static std::string checkExpression(std::string_view expression);
    static std::string checkScript(std::string_view script);

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace flowdeck::engine
