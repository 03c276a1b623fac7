#include "flowdeck/engine/lua_sandbox.h"

#include <QtTest>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

using namespace flowdeck::engine;

namespace {

using Clock = std::chrono::steady_clock;

// What a conversation holds when an expression or a script runs.
struct Conversation {
    Json slotValues = Json::parse(R"({"name": "Ana", "age": 42, "price": 9.5, "vip": true,
                                      "email": null, "tags": ["new", "mobile"]})");
    Json vars = Json::parse(R"({"count": 2, "status": "shipped",
                                "order": {"id": "AB-123", "items": [{"sku": "X1", "qty": 3}]}})");
    Json user = Json::parse(R"({"tier": "gold", "city": "Zürich"})");
    std::string intent = "order_status";
    double confidence = 0.82;
    std::string input = "Where is my ORDER AB-123?";
};

// Outside the struct: moc reads "slots" inside a class body as the Qt keyword.
LuaEnvironment environmentOf(Conversation& c) {
    LuaEnvironment env;
    env.slots = &c.slotValues;
    env.vars = &c.vars;
    env.user = &c.user;
    env.intent = c.intent;
    env.confidence = c.confidence;
    env.input = c.input;
    return env;
}

// Evaluates an expression against a fresh conversation; fails the test on any error.
bool holds(LuaSandbox& sandbox, std::string_view expression) {
    Conversation c;
    const LuaOutcome outcome = sandbox.evaluate(expression, environmentOf(c));
    if (!outcome.ok) {
        qWarning("%.*s: %s", static_cast<int>(expression.size()), expression.data(),
                 outcome.error.c_str());
    }
    return outcome.ok && outcome.value;
}

// The value a Lua expression produces, read back through a script that stores it in vars.
Json valueOf(LuaSandbox& sandbox, const std::string& expression) {
    Conversation c;
    const LuaOutcome outcome = sandbox.run("vars.result = " + expression, environmentOf(c));
    if (!outcome.ok) {
        qWarning("%s: %s", expression.c_str(), outcome.error.c_str());
        return Json("<error>");
    }
    return c.vars.value("result", Json());
}

bool contains(const std::string& text, std::string_view part) {
    return text.find(part) != std::string::npos;
}

double secondsSince(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

} // namespace

class tst_Lua : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void expressionsReadNumbersStringsAndBooleans() {
        LuaSandbox sandbox;
        QVERIFY(holds(sandbox, "slots.age == 42 and slots.age > 18.5"));
        QVERIFY(holds(sandbox, "slots.price * 2 == 19"));
        QVERIFY(holds(sandbox, "slots.name == 'Ana' and vars.status == \"shipped\""));
        QVERIFY(holds(sandbox, "slots.vip == true and not (slots.vip == false)"));
        QVERIFY(holds(sandbox, "user.tier == 'gold' and user.city == 'Zürich'"));
        QVERIFY(holds(sandbox, "vars.order.items[1].qty == 3 and #vars.order.items == 1"));
        QVERIFY(holds(sandbox, "slots.tags[2] == 'mobile'"));
        QVERIFY(!holds(sandbox, "slots.age < 18"));
        QCOMPARE(valueOf(sandbox, "slots.age // 5"), Json(8));
        QCOMPARE(valueOf(sandbox, "slots.price + 0.25"), Json(9.75));
        QCOMPARE(valueOf(sandbox, "slots.name .. '!'"), Json("Ana!"));
    }

    void expressionsSeeIntentConfidenceAndInput() {
        LuaSandbox sandbox;
        QVERIFY(holds(sandbox, "intent == 'order_status' and confidence > 0.8"));
        QVERIFY(holds(sandbox, "input == 'Where is my ORDER AB-123?'"));
        QVERIFY(!holds(sandbox, "intent == 'goodbye'"));
    }

    void sameExpressionSeesEachConversation() {
        // Compiled chunks are cached by text: the cache must not keep the first values seen.
        LuaSandbox sandbox;
        Conversation c;
        QVERIFY(sandbox.evaluate("slots.age >= 18", environmentOf(c)).value);
        c.slotValues["age"] = 12;
        const LuaOutcome second = sandbox.evaluate("slots.age >= 18", environmentOf(c));
        QVERIFY(second.ok);
        QVERIFY(!second.value);
    }

    void missingAndNullValuesAreNil() {
        LuaSandbox sandbox;
        QVERIFY(holds(sandbox, "slots.unknown == nil and vars.nope == nil"));
        QVERIFY(holds(sandbox, "slots.email == nil")); // JSON null
        QVERIFY(holds(sandbox, "(vars.order.missing or 'fallback') == 'fallback'"));
        QVERIFY(!holds(sandbox, "slots.unknown"));
        // No JSON at all behind a root reads as empty, not as an error.
        LuaEnvironment bare;
        const LuaOutcome outcome = sandbox.evaluate("slots.x == nil and input == ''", bare);
        QVERIFY(outcome.ok);
        QVERIFY(outcome.value);
    }

    void failingExpressionSaysWhy() {
        LuaSandbox sandbox;
        Conversation c;
        const LuaOutcome nilCompare = sandbox.evaluate("slots.unknown > 3", environmentOf(c));
        QVERIFY(!nilCompare.ok);
        QVERIFY(!nilCompare.value);
        QVERIFY2(contains(nilCompare.error, "compare"), nilCompare.error.c_str());
        QVERIFY(!nilCompare.budgetExceeded && !nilCompare.memoryExceeded);
        const LuaOutcome raised = sandbox.evaluate("error('no order yet')", environmentOf(c));
        QVERIFY(!raised.ok);
        QVERIFY2(contains(raised.error, "no order yet"), raised.error.c_str());
        const LuaOutcome object = sandbox.evaluate("error({code = 1})", environmentOf(c));
        QVERIFY(!object.ok);
        QVERIFY2(contains(object.error, "table"), object.error.c_str());
    }

    void stringMathTableAndUtf8FunctionsWork() {
        LuaSandbox sandbox;
        QVERIFY(holds(sandbox, "input:lower():find('order', 1, true) ~= nil"));
        QVERIFY(holds(sandbox, "string.upper(slots.name) == 'ANA' and #slots.name == 3"));
        QVERIFY(holds(sandbox, "input:match('%u%u%-(%d+)') == '123'"));
        QVERIFY(holds(sandbox, "select(2, input:gsub('e', '3')) == 2"));
        QVERIFY(holds(sandbox, "string.format('%s-%03d', slots.name, 7) == 'Ana-007'"));
        QVERIFY(holds(sandbox, "('abc'):sub(2) == 'bc' and ('ab'):rep(2, ',') == 'ab,ab'"));
        QVERIFY(holds(sandbox, "utf8.len(user.city) == 6 and #user.city == 7"));
        QVERIFY(holds(sandbox, "math.floor(slots.price) == 9 and math.max(1, 5) == 5"));
        QVERIFY(holds(sandbox, "table.concat(slots.tags, ',') == 'new,mobile'"));
        QVERIFY(holds(sandbox, "tostring(12) == '12' and tonumber('0x10') == 16"));
        QCOMPARE(valueOf(sandbox, "(input:gsub('%p', ''))"), Json("Where is my ORDER AB123"));
        QCOMPARE(valueOf(sandbox, "utf8.char(72, 228)"), Json("Hä"));
    }

    void scriptsSetVarsSlotsAndUser() {
        LuaSandbox sandbox;
        Conversation c;
        const LuaOutcome outcome = sandbox.run(R"(
            vars.count = vars.count + 1
            vars.label = string.format('%s/%d', slots.name, vars.count)
            vars.list = {1, 2, 3}
            vars.profile = {level = 'high', score = 0.5}
            slots.confirmed = true
            slots.email = 'ana@example.org'
            user.tier = 'platinum'
            vars.status = nil
        )",
                                               environmentOf(c));
        QVERIFY2(outcome.ok, outcome.error.c_str());
        QCOMPARE(c.vars["count"], Json(3));
        QCOMPARE(c.vars["label"], Json("Ana/3"));
        QCOMPARE(c.vars["list"], Json::parse("[1, 2, 3]"));
        QCOMPARE(c.vars["profile"]["level"], Json("high"));
        QCOMPARE(c.vars["profile"]["score"], Json(0.5));
        QVERIFY(!c.vars.contains("status"));
        QCOMPARE(c.slotValues["confirmed"], Json(true));
        QCOMPARE(c.slotValues["email"], Json("ana@example.org"));
        QCOMPARE(c.user["tier"], Json("platinum"));
    }

    void scriptsChangeNestedTablesInPlace() {
        LuaSandbox sandbox;
        Conversation c;
        const LuaOutcome outcome = sandbox.run(R"(
            table.insert(vars.order.items, {sku = 'Y2', qty = 1})
            vars.order.items[1].qty = vars.order.items[1].qty - 1
            local tags = slots.tags
            tags[#tags + 1] = 'returning'
            for key, value in pairs(user) do vars['seen_' .. key] = value end
        )",
                                               environmentOf(c));
        QVERIFY2(outcome.ok, outcome.error.c_str());
        QCOMPARE(c.vars["order"]["items"].size(), size_t(2));
        QCOMPARE(c.vars["order"]["items"][0]["qty"], Json(2));
        QCOMPARE(c.vars["order"]["items"][1]["sku"], Json("Y2"));
        QCOMPARE(c.slotValues["tags"], Json::parse(R"(["new", "mobile", "returning"])"));
        QCOMPARE(c.vars["seen_city"], Json("Zürich"));
    }

    void scriptsRefuseValuesJsonCannotHold() {
        LuaSandbox sandbox;
        Conversation c;
        const LuaOutcome function =
            sandbox.run("vars.handler = print or function() end", environmentOf(c));
        QVERIFY(!function.ok);
        QVERIFY2(contains(function.error, "vars.handler") && contains(function.error, "function"),
                 function.error.c_str());
        QVERIFY(!c.vars.contains("handler"));
        const LuaOutcome nan = sandbox.run("vars.ratio = 0/0", environmentOf(c));
        QVERIFY(!nan.ok);
        QVERIFY2(contains(nan.error, "NaN"), nan.error.c_str());
        const LuaOutcome missingRoot = sandbox.run("vars.x = 1", LuaEnvironment{});
        QVERIFY(!missingRoot.ok);
        QVERIFY2(contains(missingRoot.error, "vars"), missingRoot.error.c_str());
    }

    void expressionsCannotChangeTheConversation() {
        LuaSandbox sandbox;
        Conversation c;
        const Json before = c.vars;
        const LuaOutcome outcome =
            sandbox.evaluate("(function() vars.count = 99 end)() == nil", environmentOf(c));
        QVERIFY(!outcome.ok);
        QVERIFY2(contains(outcome.error, "expression cannot change vars"), outcome.error.c_str());
        const LuaOutcome inPlace =
            sandbox.evaluate("table.insert(vars.order.items, 1) == nil and #vars.order.items == 2",
                             environmentOf(c));
        QVERIFY(inPlace.ok);
        QCOMPARE(c.vars, before);
    }

    void globalsDoNotLeakBetweenEvaluations() {
        LuaSandbox sandbox;
        Conversation c;
        QVERIFY(sandbox.run("leaked = 1; string_backup = string", environmentOf(c)).ok);
        QVERIFY(holds(sandbox, "leaked == nil and string_backup == nil"));
        const LuaOutcome poison = sandbox.run("string.upper = nil", environmentOf(c));
        QVERIFY(!poison.ok);
        QVERIFY2(contains(poison.error, "cannot be changed"), poison.error.c_str());
        QVERIFY(holds(sandbox, "string.upper('a') == 'A'"));
        // The string metatable would hand out the real string table: it is hidden.
        QVERIFY(holds(sandbox, "getmetatable('') == false"));
    }

    void dangerousFunctionsAreAbsent() {
        LuaSandbox sandbox;
        for (const char* name :
             {"io", "os", "require", "load", "loadstring", "loadfile", "dofile", "debug", "package",
              "collectgarbage", "print", "string.dump", "_G", "module"}) {
            QVERIFY2(holds(sandbox, std::string(name) + " == nil"), name);
        }
        Conversation c;
        for (const char* call :
             {"io.open('/etc/passwd')", "os.execute('true')", "require('os')", "load('return 1')",
              "dofile('/etc/passwd')", "debug.getregistry()", "collectgarbage()"}) {
            const LuaOutcome outcome = sandbox.evaluate(call, environmentOf(c));
            QVERIFY2(!outcome.ok, call);
            // Lua's own words: "attempt to call a nil value (global 'require')" and the like.
            QVERIFY2(contains(outcome.error, "attempt to") && contains(outcome.error, "nil value"),
                     outcome.error.c_str());
        }
        const LuaOutcome gc = sandbox.run(
            "setmetatable({}, {__gc = function() while true do end end})", environmentOf(c));
        QVERIFY(!gc.ok);
        QVERIFY2(contains(gc.error, "__gc"), gc.error.c_str());
    }

    void infiniteLoopStopsOnTheBudgetQuickly() {
        LuaSandbox sandbox;
        Conversation c;
        for (const char* loop :
             {"while true do end", "while true do pcall(function() while true do end end) end",
              "local function f() return f() end return f()"}) {
            const auto start = Clock::now();
            const LuaOutcome outcome = sandbox.run(loop, environmentOf(c));
            QVERIFY2(secondsSince(start) < 2.0, loop);
            QVERIFY(!outcome.ok);
            QVERIFY2(outcome.budgetExceeded, outcome.error.c_str());
            QVERIFY2(contains(outcome.error, "budget of 1000000 instructions"),
                     outcome.error.c_str());
        }
        QVERIFY(holds(sandbox, "slots.age + 1 == 43"));
    }

    void patternBacktrackingCountsAgainstTheBudget() {
        // Stock Lua matches patterns in C where the instruction hook never looks.
        LuaSandbox sandbox;
        Conversation c;
        const auto start = Clock::now();
        const LuaOutcome outcome =
            sandbox.evaluate("string.rep('a', 20000):find('.-.-.-.-.-b') ~= nil", environmentOf(c));
        QVERIFY(secondsSince(start) < 2.0);
        QVERIFY(!outcome.ok);
        QVERIFY2(outcome.budgetExceeded, outcome.error.c_str());
        QVERIFY(holds(sandbox, "('abc'):find('b') == 2"));
    }

    void wallClockLimitStopsCodeWithoutABudget() {
        LuaLimits limits;
        limits.instructionBudget = 0; // none: only the clock stops it
        limits.timeout = std::chrono::milliseconds(150);
        LuaSandbox sandbox(limits);
        Conversation c;
        const auto start = Clock::now();
        const LuaOutcome outcome = sandbox.run("while true do end", environmentOf(c));
        QVERIFY(secondsSince(start) < 2.0);
        QVERIFY(!outcome.ok);
        QVERIFY2(outcome.timedOut, outcome.error.c_str());
        QVERIFY2(contains(outcome.error, "time limit of 150 ms"), outcome.error.c_str());
        QVERIFY(holds(sandbox, "true"));
    }

    void setLimitsAppliesToTheNextEvaluation() {
        LuaSandbox sandbox;
        Conversation c;
        const char* work = "local n = 0 for i = 1, 10000 do n = n + i end vars.n = n";
        QVERIFY(sandbox.run(work, environmentOf(c)).ok);
        LuaLimits tight;
        tight.instructionBudget = 1000;
        sandbox.setLimits(tight);
        const LuaOutcome limited = sandbox.run(work, environmentOf(c));
        QVERIFY(limited.budgetExceeded);
        QVERIFY2(contains(limited.error, "budget of 1000 instructions"), limited.error.c_str());
        sandbox.setLimits(LuaLimits{});
        QVERIFY(sandbox.run(work, environmentOf(c)).ok);
        QCOMPARE(c.vars["n"], Json(50005000));
    }

    void memoryBombsFailWithAMemoryError() {
        LuaLimits limits;
        limits.instructionBudget = 200000000; // so the memory cap, not the budget, stops them
        LuaSandbox sandbox(limits);
        Conversation c;
        for (const char* bomb :
             {"vars.x = #string.rep('x', 1e12)", "vars.x = #string.rep('x', 2^40, 'yy')",
              "local s = 'x' while true do s = s .. s end",
              "local t = {} for i = 1, 1e9 do t[i] = i end",
              "local t = {} for i = 1, 1e9 do t['k' .. i] = {i} end",
              "vars.x = #table.concat(setmetatable({}, {__index = function() return "
              "string.rep('y', 1e6) end}), '', 1, 1e6)"}) {
            const auto start = Clock::now();
            const LuaOutcome outcome = sandbox.run(bomb, environmentOf(c));
            QVERIFY2(secondsSince(start) < 5.0, bomb);
            QVERIFY(!outcome.ok);
            QVERIFY2(outcome.memoryExceeded, (std::string(bomb) + ": " + outcome.error).c_str());
            QVERIFY2(contains(outcome.error, "memory limit of 16 MiB"), outcome.error.c_str());
            QVERIFY(!c.vars.contains("x"));
            // The garbage is reclaimed: the next evaluation has its full allowance again.
            QVERIFY2(holds(sandbox, "#string.rep('z', 4e6) == 4e6"), bomb);
        }
    }

    void storingIntoTheConversationCountsAgainstTheMemoryLimit() {
        // What a script stores lives in JSON, outside Lua's allocator: one string stored many
        // times, or a table shared many times inside another, would otherwise grow the process
        // without bound.
        LuaSandbox sandbox;
        Conversation c;
        for (const char* bomb :
             {"local s = string.rep('a', 1e6) for i = 1, 1e5 do vars['k' .. i] = s end",
              "local s = string.rep('a', 1e5) local t = {} for i = 1, 1e4 do t[i] = s end "
              "vars.x = t",
              "local t = {} for i = 1, 60 do t = {t, t} end vars.x = t",
              "local t = {} for i = 1, 1e5 do t[i] = i vars.x = t end"}) {
            const auto start = Clock::now();
            const LuaOutcome outcome = sandbox.run(bomb, environmentOf(c));
            QVERIFY2(secondsSince(start) < 2.0, bomb);
            QVERIFY(!outcome.ok);
            QVERIFY2(outcome.memoryExceeded, (std::string(bomb) + ": " + outcome.error).c_str());
            QVERIFY(c.vars.dump().size() < 20 * 1000 * 1000);
        }
        // Below the limit, storing a large value is fine.
        QVERIFY(sandbox.run("vars.big = string.rep('b', 4e6)", environmentOf(c)).ok);
        QCOMPARE(c.vars["big"].get_ref<const std::string&>().size(), size_t(4000000));
    }

    void readingLargeValuesCountsAgainstTheBudget() {
        // Each read copies the JSON value into Lua in C, where the instruction hook cannot see.
        LuaSandbox sandbox;
        Conversation c;
        c.vars["big"] = std::string(1000000, 'r');
        const auto start = Clock::now();
        const LuaOutcome outcome = sandbox.evaluate(
            "(function() for i = 1, 1e7 do local x = vars.big end end)() == nil", environmentOf(c));
        QVERIFY(secondsSince(start) < 2.0);
        QVERIFY(!outcome.ok);
        QVERIFY2(outcome.budgetExceeded, outcome.error.c_str());
        QVERIFY(sandbox.evaluate("#vars.big == 1e6", environmentOf(c)).value);
    }

    void syntaxErrorsNameTheLine() {
        LuaSandbox sandbox;
        Conversation c;
        const LuaOutcome script =
            sandbox.run("vars.a = 1\nvars.b = = 2\nvars.c = 3", environmentOf(c));
        QVERIFY(!script.ok);
        QVERIFY2(script.error.rfind("line 2: ", 0) == 0, script.error.c_str());
        QVERIFY(!c.vars.contains("a")); // nothing ran
        const LuaOutcome runtime =
            sandbox.run("vars.a = 1\n\nvars.b = slots.name + 1", environmentOf(c));
        QVERIFY(!runtime.ok);
        QVERIFY2(runtime.error.rfind("line 3: ", 0) == 0, runtime.error.c_str());
        QVERIFY2(contains(runtime.error, "attempt to add a 'string'"), runtime.error.c_str());
        const LuaOutcome expression = sandbox.evaluate("slots.age >", environmentOf(c));
        QVERIFY(!expression.ok);
        QVERIFY2(contains(expression.error, "unexpected symbol"), expression.error.c_str());
    }

    void checksReportProblemsWithoutRunning() {
        QCOMPARE(LuaSandbox::checkExpression("slots.age >= 18 and intent == 'x'"), std::string());
        QCOMPARE(LuaSandbox::checkScript("vars.n = (vars.n or 0) + 1"), std::string());
        QVERIFY(!LuaSandbox::checkExpression("slots.age >=").empty());
        QVERIFY(!LuaSandbox::checkExpression("vars.x = 1").empty()); // a statement
        const std::string script = LuaSandbox::checkScript("if vars.x then\n  vars.y = 1\n");
        QVERIFY2(script.rfind("line 3: ", 0) == 0 && contains(script, "'end' expected"),
                 script.c_str());
        // Compiling is all they do: code that would loop or leave the process is only compiled.
        const auto start = Clock::now();
        QCOMPARE(LuaSandbox::checkScript("while true do end"), std::string());
        QCOMPARE(LuaSandbox::checkScript("os.exit(3)"), std::string());
        QCOMPARE(LuaSandbox::checkExpression("string.rep('x', 1e12)"), std::string());
        QVERIFY(secondsSince(start) < 1.0);
        const std::string huge = LuaSandbox::checkScript(std::string(2 * 1024 * 1024, ' '));
        QVERIFY2(contains(huge, "longer than 1 MiB"), huge.c_str());
    }

    void separateSandboxesRunOnSeveralThreads() {
        constexpr int kThreads = 4;
        constexpr int kRounds = 200;
        std::vector<int> counts(kThreads, -1);
        std::vector<int> budgetStops(kThreads, 0);
        std::atomic<int> checkFailures{0};
        std::vector<std::thread> threads;
        for (int t = 0; t < kThreads; ++t) {
            threads.emplace_back([t, &counts, &budgetStops, &checkFailures] {
                LuaSandbox sandbox;
                Conversation c;
                c.vars["count"] = 0;
                c.slotValues["thread"] = t;
                for (int round = 0; round < kRounds; ++round) {
                    sandbox.run("vars.count = vars.count + 1 + slots.thread - slots.thread",
                                environmentOf(c));
                    if (round % 50 == 0 &&
                        sandbox.run("while true do end", environmentOf(c)).budgetExceeded) {
                        ++budgetStops[t];
                    }
                    if (LuaSandbox::checkExpression("slots.thread ==").empty()) {
                        ++checkFailures;
                    }
                }
                counts[t] = c.vars["count"].get<int>();
            });
        }
        for (auto& thread : threads) {
            thread.join();
        }
        for (int t = 0; t < kThreads; ++t) {
            QCOMPARE(counts[t], kRounds);
            QCOMPARE(budgetStops[t], kRounds / 50);
        }
        QCOMPARE(checkFailures.load(), 0);
    }
};

QTEST_GUILESS_MAIN(tst_Lua)
#include "tst_lua.moc"
