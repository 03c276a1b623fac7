// libFuzzer target for the Lua sandbox: arbitrary text run as an expression or a script must end
// in an outcome (a value or a plain-words error) within tight limits, never a crash, a hang, an
// escape from the memory cap or a sandbox left unusable; whatever a script writes back must be
// storable JSON, an expression must change nothing, and a compile error must read the same from
// checkExpression/checkScript as from running the code.
//
// The first byte picks what is done with the rest (seed files start with a readable letter):
// byte % 3 == 0 ('c'): checkExpression and checkScript only (compile, never run);
// byte % 3 == 1 ('s'): run as a script, after checkScript;
// byte % 3 == 2 ('e'): evaluate as an expression, after checkExpression.

#include "flowdeck/engine/lua_sandbox.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

using namespace flowdeck::engine;

namespace {

[[noreturn]] void fail(const char* what, std::string_view code, const std::string& detail) {
    std::fprintf(stderr, "fuzz-expression: %s\ncode: %.*s\ndetail: %s\n", what,
                 static_cast<int>(code.size()), code.data(), detail.c_str());
    std::abort();
}

LuaLimits tightLimits() {
    LuaLimits limits;
    limits.instructionBudget = 20000;
    limits.memoryBytes = 2 * 1024 * 1024;
    limits.timeout = std::chrono::milliseconds(2000);
    return limits;
}

struct Context {
    Json slotValues = Json::parse(R"({"name": "Ana", "age": 42, "tags": ["a", "b"],
                                      "price": 9.5, "email": null})");
    Json vars = Json::parse(R"({"count": 1, "nested": {"list": [1, 2, {"deep": true}]},
                                "text": "héllo wörld"})");
    Json user = Json::parse(R"({"tier": "gold", "id": 7})");
};

LuaEnvironment environmentOf(Context& context) {
    LuaEnvironment env;
    env.slots = &context.slotValues;
    env.vars = &context.vars;
    env.user = &context.user;
    env.intent = "order_status";
    env.confidence = 0.87;
    env.input = "where is my order AB-123?";
    return env;
}

void checkOutcome(const LuaOutcome& outcome, std::string_view code) {
    if (outcome.ok != outcome.error.empty()) {
        fail("ok and error disagree", code, outcome.error);
    }
    if (outcome.ok && (outcome.budgetExceeded || outcome.memoryExceeded || outcome.timedOut)) {
        fail("a limit was passed but the outcome is ok", code, "");
    }
}

// A compile error must be reported the same way with and without running the code.
void checkCompileAgreement(const std::string& checked, const LuaOutcome& outcome,
                           std::string_view code) {
    if (checked.empty() || outcome.memoryExceeded) {
        return;
    }
    if (outcome.ok || outcome.error != checked) {
        fail("check and run disagree on a compile error", code,
             "check: " + checked + "\nrun: " + outcome.error);
    }
}

void runScript(LuaSandbox& sandbox, std::string_view code) {
    Context context;
    const std::string checked = LuaSandbox::checkScript(code);
    const LuaOutcome outcome = sandbox.run(code, environmentOf(context));
    checkOutcome(outcome, code);
    checkCompileAgreement(checked, outcome, code);
    // Whatever the script stored must be JSON that can be written out (valid UTF-8, no NaN).
    for (const Json* root : {&context.slotValues, &context.vars, &context.user}) {
        try {
            (void)root->dump();
        } catch (const std::exception& e) {
            fail("a script stored a value that is not valid JSON", code, e.what());
        }
    }
}

void evaluateExpression(LuaSandbox& sandbox, std::string_view code) {
    Context context;
    const std::string checked = LuaSandbox::checkExpression(code);
    const LuaOutcome outcome = sandbox.evaluate(code, environmentOf(context));
    checkOutcome(outcome, code);
    checkCompileAgreement(checked, outcome, code);
    if (context.vars != Context().vars || context.slotValues != Context().slotValues) {
        fail("an expression changed the conversation", code, context.vars.dump());
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) {
        return 0;
    }
    const std::string_view code(reinterpret_cast<const char*>(data) + 1, size - 1);
    const int mode = data[0] % 3;
    if (mode == 0) {
        (void)LuaSandbox::checkExpression(code);
        (void)LuaSandbox::checkScript(code);
        return 0;
    }
    // A fresh sandbox per input keeps every crash reproducible from its input alone (and lets
    // libFuzzer's leak check see a clean slate). The code runs twice: the second time from the
    // compiled-chunk cache, with the first run's garbage still counted against the memory cap.
    LuaSandbox sandbox(tightLimits());
    for (int pass = 0; pass < 2; ++pass) {
        if (mode == 1) {
            runScript(sandbox, code);
        } else {
            evaluateExpression(sandbox, code);
        }
    }
    Context context;
    const LuaOutcome sanity = sandbox.evaluate("slots.age + 1 == 43", environmentOf(context));
    if (!sanity.ok || !sanity.value) {
        fail("the sandbox is unusable after this input", code, sanity.error);
    }
    return 0;
}
