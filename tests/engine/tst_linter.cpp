#include "flowdeck/engine/diagnostic.h"
#include "flowdeck/engine/flow_generator.h"
#include "flowdeck/engine/flow_json.h"
#include "flowdeck/engine/linter.h"
#include "flowdeck/engine/lua_sandbox.h"

#include <QtTest>

#include <algorithm>
#include <fstream>
#include <sstream>

using namespace flowdeck::engine;

namespace {

// A realistic flow with nothing to report: greeting -> intent -> slot filling -> integration ->
// condition -> response, a script on failure, an end state and a global handler.
Json cleanFlow() {
    return Json::parse(R"({
      "name": "order_support", "version": "1.0", "initial_state": "greeting",
      "states": {
        "greeting": { "type": "response",
          "config": { "response_templates": { "default": "Hi {{user.name}}! How can I help?" } },
          "transitions": [ { "condition": "any_input", "target_state": "detect" } ] },
        "detect": { "type": "intent",
          "config": { "intents": { "order_status": ["where is my order", "track"],
                                   "goodbye": ["bye", "that's all"] } },
          "transitions": [
            { "condition": "intent_match", "condition_value": "order_status",
              "target_state": "ask_order", "priority": 10 },
            { "condition": "intent_match", "condition_value": "goodbye", "target_state": "bye",
              "priority": 10 },
            { "condition": "fallback", "target_state": "clarify" } ] },
        "clarify": { "type": "response",
          "config": { "response_templates": { "default": "Sorry, I did not get that." } },
          "transitions": [ { "condition": "any_input", "target_state": "detect" } ] },
        "ask_order": { "type": "slot_filling",
          "config": { "slots": [ { "name": "order_id", "type": "regex",
                                   "pattern": "[A-Z]{2}-[0-9]+", "prompt": "Your order number?" } ] },
          "transitions": [ { "condition": "slot_filled", "condition_value": "order_id",
                             "target_state": "lookup" } ] },
        "lookup": { "type": "integration",
          "config": { "method": "GET", "url": "http://127.0.0.1:8099/orders/{{slots.order_id}}",
                      "timeout_ms": 2000, "response_mapping": { "vars.status": "$.status" } },
          "transitions": [ { "condition": "on_success", "target_state": "check" },
                           { "condition": "on_failure", "target_state": "sorry" } ] },
        "check": { "type": "condition",
          "transitions": [
            { "condition": "expression", "expression": "vars.status == 'shipped'",
              "target_state": "shipped", "priority": 10 },
            { "condition": "fallback", "target_state": "report" } ] },
        "shipped": { "type": "response",
          "config": { "response_templates": { "default": "Order {{slots.order_id}} has shipped." } },
          "transitions": [ { "condition": "any_input", "target_state": "detect" } ] },
        "report": { "type": "response",
          "config": { "response_templates": { "default": "Order {{slots.order_id}} is {{vars.status}}." } },
          "transitions": [ { "condition": "any_input", "target_state": "detect" } ] },
        "sorry": { "type": "script",
          "config": { "script": "vars.failures = (vars.failures or 0) + 1" },
          "transitions": [ { "condition": "fallback", "target_state": "clarify" } ] },
        "bye": { "type": "end", "config": { "response_templates": { "default": "Goodbye!" } } }
      },
      "global_handlers": { "cancel": "bye" }
    })");
}

// The seed's generated flow (test_maximum_complexity_flows): response states in a ring, each
// matching an intent and an expression over slots.value.
Json seedThousandStateFlow() {
    return generateSeedRingFlow(1000);
}

std::vector<Diagnostic> lint(const Json& document) {
    ParseResult parsed = parseFlowJson(document);
    if (!parsed.flow) {
        Diagnostic failed;
        failed.code = "TEST_PARSE_FAILED";
        for (const auto& d : parsed.diagnostics) {
            failed.message += formatDiagnostic(d) + "; ";
        }
        return {failed};
    }
    return lintFlow(*parsed.flow);
}

std::string readFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// All findings, one a line, for failure messages.
std::string describe(const std::vector<Diagnostic>& diagnostics) {
    std::string text = std::to_string(diagnostics.size()) + " findings";
    for (const auto& d : diagnostics) {
        text += "\n  " + formatDiagnostic(d) + " [state '" + d.state + "', transition " +
                std::to_string(d.transition.value_or(-1)) + "]";
    }
    return text;
}

size_t countCode(const std::vector<Diagnostic>& diagnostics, std::string_view code) {
    return static_cast<size_t>(std::count_if(diagnostics.begin(), diagnostics.end(),
                                             [&](const Diagnostic& d) { return d.code == code; }));
}

const Diagnostic* findCode(const std::vector<Diagnostic>& diagnostics, std::string_view code) {
    const auto it = std::find_if(diagnostics.begin(), diagnostics.end(),
                                 [&](const Diagnostic& d) { return d.code == code; });
    return it == diagnostics.end() ? nullptr : &*it;
}

// The finding exists with exactly this severity, pointer, state and transition.
bool hasFinding(const std::vector<Diagnostic>& diagnostics, std::string_view code,
                Severity severity, const std::string& pointer, const std::string& state,
                std::optional<int> transition) {
    const bool found =
        std::any_of(diagnostics.begin(), diagnostics.end(), [&](const Diagnostic& d) {
            return d.code == code && d.severity == severity && d.pointer == pointer &&
                   d.state == state && d.transition == transition && !d.message.empty();
        });
    if (!found) {
        qWarning("expected %s at %s; got %s", std::string(code).c_str(), pointer.c_str(),
                 describe(diagnostics).c_str());
    }
    return found;
}

std::vector<std::string> codesOf(const std::vector<Diagnostic>& diagnostics) {
    std::vector<std::string> codes;
    for (const auto& d : diagnostics) {
        codes.push_back(d.code);
    }
    return codes;
}

// Json::insert with a braced list would insert the list's elements; this inserts one object.
void prepend(Json& transitions, Json transition) {
    transitions.insert(transitions.begin(), std::move(transition));
}

bool contains(const std::string& text, std::string_view part) {
    return text.find(part) != std::string::npos;
}

} // namespace

// The linted document has nothing to report; on failure the message lists what was found.
#define VERIFY_NO_FINDINGS(document)                                                               \
    do {                                                                                           \
        const auto found_ = lint(document);                                                        \
        QVERIFY2(found_.empty(), describe(found_).c_str());                                        \
    } while (false)

class tst_Linter : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void cleanRealisticFlowHasNoFindings();
    void shippedSampleFlowsHaveNoFindings();
    void reportsMissingInitialState();
    void reportsUnknownInitialStateWithSuggestion();
    void reportsUnknownErrorState();
    void reportsTransitionWithoutTarget();
    void reportsUnknownTargetWithSuggestion();
    void reportsUnknownGlobalHandlerTarget();
    void reportsCycleOfNonWaitingStates();
    void reportsNonWaitingSelfLoop();
    void acceptsLoopThroughWaitingState();
    void reportsExpressionThatDoesNotCompile();
    void expressionCheckAgreesWithLuaSandbox();
    void reportsScriptThatDoesNotCompile();
    void reportsIntentMatchWithoutIntent();
    void reportsExpressionConditionWithoutExpression();
    void reportsIntegrationOutcomeOutsideIntegration();
    void reportsUnreachableState();
    void reportsStateWithoutTransitions();
    void reportsIntegrationWithoutFailurePath();
    void reportsFlowWithoutEndState();
    void reportsLoopThatCannotReachEnd();
    void reportsIntentNotDefinedWithSuggestion();
    void reportsSlotReadButNeverFilled();
    void countsSlotFilledByMappingOrScript();
    void reportsTransitionShadowedByAnyInput();
    void reportsDuplicateAndSecondFallback();
    void reportsUnknownConfigKeyAndKeepsIt();
    void reportsUnknownFields();
    void ordersFindingsFlowFirstThenByState();
    void unicodeSeedFlowIsValidWithWarnings();
    void waitingLoopSeedFlowIsValid();
    void thousandStateSeedFlowIsValidWithOneWarningPerKind();
    void malformedJsonIsInvalidWithParserDiagnostic();
};

void tst_Linter::cleanRealisticFlowHasNoFindings() {
    const auto diagnostics = lint(cleanFlow());
    QVERIFY2(diagnostics.empty(), describe(diagnostics).c_str());
    const auto result = validateFlowText(cleanFlow().dump());
    QVERIFY(result.valid);
    QVERIFY(result.diagnostics.empty());
}

void tst_Linter::shippedSampleFlowsHaveNoFindings() {
    for (const char* name : {"order_support.json", "booking.json"}) {
        const auto result =
            validateFlowText(readFile(std::string(RESOURCES_DIR) + "/flows/" + name));
        QVERIFY2(result.valid, name);
        QVERIFY2(result.diagnostics.empty(), (name + describe(result.diagnostics)).c_str());
    }
}

void tst_Linter::reportsMissingInitialState() {
    Json flow = cleanFlow();
    flow.erase("initial_state");
    const auto diagnostics = lint(flow);
    QVERIFY(hasFinding(diagnostics, "MISSING_INITIAL_STATE", Severity::Error, "/initial_state", "",
                       std::nullopt));
    // Without a start, reachability means nothing: no flood of unreachable states.
    QCOMPARE(countCode(diagnostics, "UNREACHABLE_STATE"), size_t{0});
    QVERIFY(!validateFlowText(flow.dump()).valid);
}

void tst_Linter::reportsUnknownInitialStateWithSuggestion() {
    Json flow = cleanFlow();
    flow["initial_state"] = "greting";
    const auto diagnostics = lint(flow);
    QVERIFY(hasFinding(diagnostics, "UNKNOWN_INITIAL_STATE", Severity::Error, "/initial_state", "",
                       std::nullopt));
    QVERIFY(contains(findCode(diagnostics, "UNKNOWN_INITIAL_STATE")->message,
                     "Did you mean 'greeting'?"));
    flow["initial_state"] = "greeting";
    QCOMPARE(countCode(lint(flow), "UNKNOWN_INITIAL_STATE"), size_t{0});
}

void tst_Linter::reportsUnknownErrorState() {
    Json flow = cleanFlow();
    flow["error_state"] = "apology";
    const auto diagnostics = lint(flow);
    QVERIFY(hasFinding(diagnostics, "UNKNOWN_ERROR_STATE", Severity::Error, "/error_state", "",
                       std::nullopt));
    flow["error_state"] = "clarify";
    VERIFY_NO_FINDINGS(flow);
}

void tst_Linter::reportsTransitionWithoutTarget() {
    Json flow = cleanFlow();
    flow["states"]["detect"]["transitions"][2].erase("target_state");
    const auto diagnostics = lint(flow);
    QVERIFY(hasFinding(diagnostics, "MISSING_TARGET", Severity::Error,
                       "/states/detect/transitions/2", "detect", 2));
    QVERIFY(!validateFlowText(flow.dump()).valid);
    flow["states"]["detect"]["transitions"][2]["target_state"] = "clarify";
    VERIFY_NO_FINDINGS(flow);
}

void tst_Linter::reportsUnknownTargetWithSuggestion() {
    Json flow = cleanFlow();
    flow["states"]["detect"]["transitions"][0]["target_state"] = "ask_ordr";
    const auto diagnostics = lint(flow);
    QVERIFY(hasFinding(diagnostics, "UNKNOWN_TARGET", Severity::Error,
                       "/states/detect/transitions/0/target_state", "detect", 0));
    QCOMPARE(findCode(diagnostics, "UNKNOWN_TARGET")->message,
             std::string("Transition 0 of 'detect' goes to 'ask_ordr', which does not exist. Did "
                         "you mean 'ask_order'?"));
    flow["states"]["detect"]["transitions"][0]["target_state"] = "ask_order";
    VERIFY_NO_FINDINGS(flow);
}

void tst_Linter::reportsUnknownGlobalHandlerTarget() {
    Json flow = cleanFlow();
    flow["global_handlers"]["cancel"] = "by";
    const auto diagnostics = lint(flow);
    QVERIFY(hasFinding(diagnostics, "UNKNOWN_TARGET", Severity::Error, "/global_handlers/cancel",
                       "", std::nullopt));
    QVERIFY(contains(findCode(diagnostics, "UNKNOWN_TARGET")->message, "Did you mean 'bye'?"));
    flow["global_handlers"]["cancel"] = "bye";
    VERIFY_NO_FINDINGS(flow);
}

void tst_Linter::reportsCycleOfNonWaitingStates() {
    Json flow = cleanFlow();
    flow["states"]["check"]["transitions"][1]["target_state"] = "loop_a";
    flow["states"]["loop_a"] = {
        {"type", "condition"},
        {"transitions", {{{"condition", "any_input"}, {"target_state", "loop_b"}}}}};
    flow["states"]["loop_b"] = {
        {"type", "condition"},
        {"transitions", {{{"condition", "any_input"}, {"target_state", "loop_a"}}}}};
    auto diagnostics = lint(flow);
    QVERIFY(hasFinding(diagnostics, "NON_WAITING_CYCLE", Severity::Error,
                       "/states/loop_a/transitions/0/target_state", "loop_a", 0));
    QCOMPARE(countCode(diagnostics, "NON_WAITING_CYCLE"), size_t{1});
    QVERIFY(contains(findCode(diagnostics, "NON_WAITING_CYCLE")->message,
                     "'loop_a' -> 'loop_b' -> 'loop_a'"));
    QVERIFY(!validateFlowText(flow.dump()).valid);

    // A state that waits in the loop makes it an ordinary conversation loop.
    flow["states"]["loop_b"]["type"] = "response";
    diagnostics = lint(flow);
    QCOMPARE(countCode(diagnostics, "NON_WAITING_CYCLE"), size_t{0});
    QVERIFY(validateFlowText(flow.dump()).valid);
}

void tst_Linter::reportsNonWaitingSelfLoop() {
    Json flow = cleanFlow();
    flow["states"]["check"]["transitions"][0]["target_state"] = "check";
    const auto diagnostics = lint(flow);
    QVERIFY(hasFinding(diagnostics, "NON_WAITING_CYCLE", Severity::Error,
                       "/states/check/transitions/0/target_state", "check", 0));
    QVERIFY(contains(findCode(diagnostics, "NON_WAITING_CYCLE")->message, "'check' -> 'check'"));
}

void tst_Linter::acceptsLoopThroughWaitingState() {
    // greeting (response) -> detect (intent) -> clarify (response) -> detect: a normal loop.
    const auto diagnostics = lint(cleanFlow());
    QCOMPARE(countCode(diagnostics, "NON_WAITING_CYCLE"), size_t{0});
}

void tst_Linter::reportsExpressionThatDoesNotCompile() {
    Json flow = cleanFlow();
    flow["states"]["check"]["transitions"][0]["expression"] = "vars.status == ";
    const auto diagnostics = lint(flow);
    QVERIFY(hasFinding(diagnostics, "EXPRESSION_SYNTAX", Severity::Error,
                       "/states/check/transitions/0/expression", "check", 0));
    QVERIFY(!validateFlowText(flow.dump()).valid);
    flow["states"]["check"]["transitions"][0]["expression"] = "vars.status == 'late'";
    VERIFY_NO_FINDINGS(flow);
}

void tst_Linter::expressionCheckAgreesWithLuaSandbox() {
    // The linter has a fast recogniser and a shared compiler for speed; it must judge exactly
    // like the sandbox that evaluates the expressions later.
    const std::vector<std::pair<std::string, bool>> expressions{
        // everyday expressions (the fast path)
        {"vars.status == 'shipped'", true},
        {"slots.n > 3 and slots.n < 10", true},
        {"input:lower():find('yes') ~= nil", true},
        {"#slots.items >= 2", true},
        {"not (a or b)", true},
        {"-x ^ -2", true},
        {"slots[\"order id\"] ~= nil", true},
        {"f'x' .. g\"y\"", true},
        {"(a)(b)[c]:d()", true},
        {"a // b % c ~ d << 1", true},
        {"user.premium == true", true},
        {"1.5 + 20", true},
        // valid, but only the Lua compiler knows
        {"1e3 > x", true},
        {"0x10 == 16", true},
        {"'a\\'b' == x", true},
        {"{1, 2}", true},
        {"function() return 1 end", true},
        {"a) or (b", true},
        {"[[long]] == x", true},
        {"1. == x", true},
        {"x --[[c]] == 1", true},
        {"... == nil", true}, // a chunk is a vararg function
        // broken
        {"vars.a ==", false},
        {"then", false},
        {"x = 1", false},
        {"(a", false},
        {"'unterminated", false},
        {"1..2", false},
        {"3x", false},
        {"a.end", false},
        {"nil.x", false},
        {"'a':upper()", false},
        {"a:b", false},
        {"f(a,)", false},
        {"a < = b", false},
        {"slots.城市", false},
        {"a b", false},
        {"#", false},
        {"a.", false},
        {"a -- comment", false},
        {"x --[[c == 1", false},
        {"a ~== b", false}};
    Json flow = cleanFlow();
    for (const auto& [expression, compiles] : expressions) {
        flow["states"]["check"]["transitions"][0]["expression"] = expression;
        const bool linterAccepts = countCode(lint(flow), "EXPRESSION_SYNTAX") == 0;
        const bool sandboxAccepts = LuaSandbox::checkExpression(expression).empty();
        QVERIFY2(sandboxAccepts == compiles, expression.c_str());
        QVERIFY2(linterAccepts == compiles, expression.c_str());
    }
}

void tst_Linter::reportsScriptThatDoesNotCompile() {
    Json flow = cleanFlow();
    flow["states"]["sorry"]["config"]["script"] = "vars.failures = = 1";
    const auto diagnostics = lint(flow);
    QVERIFY(hasFinding(diagnostics, "SCRIPT_SYNTAX", Severity::Error, "/states/sorry/config/script",
                       "sorry", std::nullopt));
    QVERIFY(contains(findCode(diagnostics, "SCRIPT_SYNTAX")->message, "'sorry'"));
    flow["states"]["sorry"]["config"]["script"] = "vars.failures = 1";
    VERIFY_NO_FINDINGS(flow);
}

void tst_Linter::reportsIntentMatchWithoutIntent() {
    Json flow = cleanFlow();
    flow["states"]["detect"]["transitions"][1].erase("condition_value");
    const auto diagnostics = lint(flow);
    QVERIFY(hasFinding(diagnostics, "INVALID_CONDITION", Severity::Error,
                       "/states/detect/transitions/1", "detect", 1));
    flow["states"]["detect"]["transitions"][1]["condition_value"] = "goodbye";
    VERIFY_NO_FINDINGS(flow);
}

void tst_Linter::reportsExpressionConditionWithoutExpression() {
    Json flow = cleanFlow();
    flow["states"]["check"]["transitions"][0].erase("expression");
    const auto diagnostics = lint(flow);
    QVERIFY(hasFinding(diagnostics, "INVALID_CONDITION", Severity::Error,
                       "/states/check/transitions/0", "check", 0));
    QCOMPARE(countCode(diagnostics, "EXPRESSION_SYNTAX"), size_t{0});
}

void tst_Linter::reportsIntegrationOutcomeOutsideIntegration() {
    Json flow = cleanFlow();
    flow["states"]["report"]["transitions"][0]["condition"] = "on_success";
    const auto diagnostics = lint(flow);
    QVERIFY(hasFinding(diagnostics, "INVALID_CONDITION", Severity::Error,
                       "/states/report/transitions/0/condition", "report", 0));
    flow["states"]["report"]["transitions"][0]["condition"] = "any_input";
    VERIFY_NO_FINDINGS(flow);
}

void tst_Linter::reportsUnreachableState() {
    Json flow = cleanFlow();
    flow["states"]["help"] = {
        {"type", "response"},
        {"config", {{"response_templates", {{"default", "Ask me about orders."}}}}},
        {"transitions", {{{"condition", "any_input"}, {"target_state", "detect"}}}}};
    const auto diagnostics = lint(flow);
    QVERIFY(hasFinding(diagnostics, "UNREACHABLE_STATE", Severity::Warning, "/states/help", "help",
                       std::nullopt));
    QCOMPARE(diagnostics.size(), size_t{1});
    QVERIFY(validateFlowText(flow.dump()).valid); // warnings never block
    // A global handler reaches it from anywhere.
    flow["global_handlers"]["help"] = "help";
    VERIFY_NO_FINDINGS(flow);
}

void tst_Linter::reportsStateWithoutTransitions() {
    Json flow = cleanFlow();
    flow["states"]["report"]["transitions"] = Json::array();
    const auto diagnostics = lint(flow);
    QVERIFY(hasFinding(diagnostics, "DEAD_END", Severity::Warning, "/states/report", "report",
                       std::nullopt));
    // End and handoff states are meant to be last.
    flow["states"]["report"]["type"] = "handoff";
    QCOMPARE(countCode(lint(flow), "DEAD_END"), size_t{0});
    QCOMPARE(countCode(lint(cleanFlow()), "DEAD_END"), size_t{0}); // 'bye' is an end state
}

void tst_Linter::reportsIntegrationWithoutFailurePath() {
    Json flow = cleanFlow();
    flow["states"]["lookup"]["transitions"].erase(1);
    const auto diagnostics = lint(flow);
    QVERIFY(hasFinding(diagnostics, "DEAD_END", Severity::Warning, "/states/lookup/transitions",
                       "lookup", std::nullopt));
    QVERIFY(contains(findCode(diagnostics, "DEAD_END")->message, "fails"));
    // A fallback takes the failed call too.
    flow["states"]["lookup"]["transitions"].push_back(
        {{"condition", "fallback"}, {"target_state", "sorry"}});
    VERIFY_NO_FINDINGS(flow);
}

void tst_Linter::reportsFlowWithoutEndState() {
    Json flow = cleanFlow();
    flow["states"]["bye"]["type"] = "handoff";
    const auto diagnostics = lint(flow);
    QVERIFY(
        hasFinding(diagnostics, "NO_END_STATE", Severity::Warning, "/states", "", std::nullopt));
    QCOMPARE(countCode(diagnostics, "NO_END_STATE"), size_t{1});
    QVERIFY(validateFlowText(flow.dump()).valid);
}

void tst_Linter::reportsLoopThatCannotReachEnd() {
    Json flow = cleanFlow();
    flow.erase("global_handlers");
    flow["states"]["detect"]["config"]["intents"]["chat"] = {"let's chat"};
    prepend(flow["states"]["detect"]["transitions"], Json({{"condition", "intent_match"},
                                                           {"condition_value", "chat"},
                                                           {"target_state", "chat_a"}}));
    flow["states"]["chat_a"] = {
        {"type", "response"},
        {"config", {{"response_templates", {{"default", "Tell me more."}}}}},
        {"transitions", {{{"condition", "any_input"}, {"target_state", "chat_b"}}}}};
    flow["states"]["chat_b"] = {
        {"type", "response"},
        {"config", {{"response_templates", {{"default", "Interesting!"}}}}},
        {"transitions", {{{"condition", "any_input"}, {"target_state", "chat_a"}}}}};
    auto diagnostics = lint(flow);
    QVERIFY(hasFinding(diagnostics, "LOOP_WITHOUT_END", Severity::Warning, "/states/chat_a",
                       "chat_a", std::nullopt));
    QCOMPARE(countCode(diagnostics, "LOOP_WITHOUT_END"), size_t{1});
    QVERIFY(contains(findCode(diagnostics, "LOOP_WITHOUT_END")->message,
                     "'chat_a' -> 'chat_b' -> 'chat_a'"));

    // A global handler to an end state is a way out of every waiting state.
    flow["global_handlers"] = {{"cancel", "bye"}};
    VERIFY_NO_FINDINGS(flow);
    // So is a transition out of the loop.
    flow.erase("global_handlers");
    prepend(flow["states"]["chat_b"]["transitions"], Json({{"condition", "intent_match"},
                                                           {"condition_value", "goodbye"},
                                                           {"target_state", "bye"},
                                                           {"priority", 5}}));
    VERIFY_NO_FINDINGS(flow);
}

void tst_Linter::reportsIntentNotDefinedWithSuggestion() {
    Json flow = cleanFlow();
    flow["states"]["detect"]["transitions"][0]["condition_value"] = "order_stats";
    prepend(flow["states"]["clarify"]["transitions"], Json({{"condition", "intent_match"},
                                                            {"condition_value", "order_stats"},
                                                            {"target_state", "ask_order"},
                                                            {"priority", 5}}));
    const auto diagnostics = lint(flow);
    QVERIFY(hasFinding(diagnostics, "INTENT_NOT_DEFINED", Severity::Warning,
                       "/states/detect/transitions/0/condition_value", "detect", 0));
    QCOMPARE(countCode(diagnostics, "INTENT_NOT_DEFINED"), size_t{1}); // once per intent
    const std::string& message = findCode(diagnostics, "INTENT_NOT_DEFINED")->message;
    QVERIFY(contains(message, "Did you mean 'order_status'?"));
    QVERIFY(contains(message, "1 other place"));
    QVERIFY(validateFlowText(flow.dump()).valid);

    // A global handler key is an intent too.
    flow["states"]["detect"]["transitions"][0]["condition_value"] = "cancel";
    flow["states"]["clarify"]["transitions"][0]["condition_value"] = "order_status";
    VERIFY_NO_FINDINGS(flow);
}

void tst_Linter::reportsSlotReadButNeverFilled() {
    Json flow = cleanFlow();
    flow["states"]["report"]["config"]["response_templates"]["default"] =
        "Order {{ slots.orderid }} is {{vars.status}}.";
    flow["states"]["check"]["transitions"][0]["expression"] = "slots[\"carrier\"] == 'dhl'";
    auto diagnostics = lint(flow);
    QVERIFY(hasFinding(diagnostics, "SLOT_NEVER_FILLED", Severity::Warning,
                       "/states/check/transitions/0/expression", "check", 0));
    QVERIFY(hasFinding(diagnostics, "SLOT_NEVER_FILLED", Severity::Warning,
                       "/states/report/config/response_templates/default", "report", std::nullopt));
    QCOMPARE(diagnostics.size(), size_t{2});
    QVERIFY(contains(diagnostics[1].message, "'orderid'"));
    QVERIFY(contains(diagnostics[1].message, "Did you mean 'order_id'?"));

    // A slot_filled condition reads a slot too.
    flow = cleanFlow();
    flow["states"]["ask_order"]["transitions"][0]["condition_value"] = "order";
    QVERIFY(hasFinding(lint(flow), "SLOT_NEVER_FILLED", Severity::Warning,
                       "/states/ask_order/transitions/0/condition_value", "ask_order", 0));
}

void tst_Linter::countsSlotFilledByMappingOrScript() {
    Json flow = cleanFlow();
    flow["states"]["report"]["config"]["response_templates"]["default"] =
        "Order {{slots.order_id}} goes by {{slots.carrier}} in {{slots.days}} days.";
    QCOMPARE(countCode(lint(flow), "SLOT_NEVER_FILLED"), size_t{2});
    flow["states"]["lookup"]["config"]["response_mapping"]["slots.carrier"] = "$.carrier";
    flow["states"]["sorry"]["config"]["script"] = "slots.days = 3 -- slots.never read here";
    VERIFY_NO_FINDINGS(flow);
}

void tst_Linter::reportsTransitionShadowedByAnyInput() {
    Json flow = cleanFlow();
    auto& transitions = flow["states"]["clarify"]["transitions"];
    transitions.push_back(
        {{"condition", "intent_match"}, {"condition_value", "goodbye"}, {"target_state", "bye"}});
    transitions.push_back({{"condition", "timeout"}, {"target_state", "bye"}});
    auto diagnostics = lint(flow);
    QVERIFY(hasFinding(diagnostics, "SHADOWED_TRANSITION", Severity::Warning,
                       "/states/clarify/transitions/1", "clarify", 1));
    QCOMPARE(countCode(diagnostics, "SHADOWED_TRANSITION"), size_t{1}); // a timeout still fires
    // A higher priority is evaluated before the any_input.
    flow["states"]["clarify"]["transitions"][1]["priority"] = 5;
    VERIFY_NO_FINDINGS(flow);
}

void tst_Linter::reportsDuplicateAndSecondFallback() {
    Json flow = cleanFlow();
    auto& transitions = flow["states"]["detect"]["transitions"];
    transitions.push_back({{"condition", "intent_match"},
                           {"condition_value", "order_status"},
                           {"target_state", "clarify"},
                           {"priority", 10}});
    transitions.push_back({{"condition", "fallback"}, {"target_state", "greeting"}});
    const auto diagnostics = lint(flow);
    QVERIFY(hasFinding(diagnostics, "SHADOWED_TRANSITION", Severity::Warning,
                       "/states/detect/transitions/3", "detect", 3));
    QVERIFY(hasFinding(diagnostics, "SHADOWED_TRANSITION", Severity::Warning,
                       "/states/detect/transitions/4", "detect", 4));
    QCOMPARE(diagnostics.size(), size_t{2});
    QVERIFY(contains(diagnostics[1].message, "second fallback"));
}

void tst_Linter::reportsUnknownConfigKeyAndKeepsIt() {
    Json flow = cleanFlow();
    flow["states"]["detect"]["config"]["confidence_treshold"] = 0.7;
    const auto diagnostics = lint(flow);
    QVERIFY(hasFinding(diagnostics, "UNKNOWN_CONFIG_KEY", Severity::Warning,
                       "/states/detect/config/confidence_treshold", "detect", std::nullopt));
    QVERIFY(contains(diagnostics.front().message, "Did you mean 'confidence_threshold'?"));
    const auto parsed = parseFlowJson(flow);
    QVERIFY(parsed.flow.has_value());
    QVERIFY(contains(serializeFlow(*parsed.flow), "confidence_treshold"));
    QVERIFY(validateFlowText(flow.dump()).valid);
}

void tst_Linter::reportsUnknownFields() {
    Json flow = cleanFlow();
    flow["owner"] = "support team";
    flow["states"]["greeting"]["notes"] = "first contact";
    flow["states"]["detect"]["transitions"][0]["prority"] = 3;
    const auto diagnostics = lint(flow);
    QVERIFY(
        hasFinding(diagnostics, "UNKNOWN_FIELD", Severity::Warning, "/owner", "", std::nullopt));
    QVERIFY(hasFinding(diagnostics, "UNKNOWN_FIELD", Severity::Warning, "/states/greeting/notes",
                       "greeting", std::nullopt));
    QVERIFY(hasFinding(diagnostics, "UNKNOWN_FIELD", Severity::Warning,
                       "/states/detect/transitions/0/prority", "detect", 0));
    QVERIFY(contains(diagnostics.back().message, "Did you mean 'priority'?"));
    QCOMPARE(diagnostics.size(), size_t{3});
}

void tst_Linter::ordersFindingsFlowFirstThenByState() {
    Json flow = cleanFlow();
    flow["states"]["help"] = {
        {"type", "response"}, // state 10, unreachable
        {"config", {{"response_templates", {{"default", "Ask me."}}}}},
        {"transitions", {{{"condition", "any_input"}, {"target_state", "bye"}}}}};
    flow["states"]["sorry"]["config"]["script"] = "if then";               // state 8
    flow["states"]["clarify"]["transitions"][0]["target_state"] = "detct"; // state 2
    flow["error_state"] = "nowhere";                                       // flow level
    flow["states"]["bye"]["type"] = "handoff";                             // flow level
    const auto first = lint(flow);
    const std::vector<std::string> expected{"UNKNOWN_ERROR_STATE", "NO_END_STATE", "UNKNOWN_TARGET",
                                            "SCRIPT_SYNTAX", "UNREACHABLE_STATE"};
    QVERIFY2(codesOf(first) == expected, describe(first).c_str());
    QCOMPARE(first[2].state, std::string("clarify"));
    QVERIFY(codesOf(lint(flow)) == codesOf(first)); // deterministic
}

void tst_Linter::unicodeSeedFlowIsValidWithWarnings() {
    const auto result = validateFlowText(readFile(TEST_DATA_DIR "/flows/seed_unicode.json"));
    QVERIFY2(result.valid, describe(result.diagnostics).c_str());
    QVERIFY(hasFinding(result.diagnostics, "UNKNOWN_CONFIG_KEY", Severity::Warning,
                       "/states/处理状态/config/intent_patterns", "处理状态", std::nullopt));
    QVERIFY(hasFinding(result.diagnostics, "DEAD_END", Severity::Warning, "/states/处理状态",
                       "处理状态", std::nullopt));
    QVERIFY(hasFinding(result.diagnostics, "NO_END_STATE", Severity::Warning, "/states", "",
                       std::nullopt));
    QCOMPARE(result.diagnostics.size(), size_t{3});
}

void tst_Linter::waitingLoopSeedFlowIsValid() {
    const auto result = validateFlowText(readFile(TEST_DATA_DIR "/flows/seed_waiting_loop.json"));
    QVERIFY2(result.valid, describe(result.diagnostics).c_str());
    QVERIFY2(codesOf(result.diagnostics) == std::vector<std::string>{"NO_END_STATE"},
             describe(result.diagnostics).c_str());
}

void tst_Linter::thousandStateSeedFlowIsValidWithOneWarningPerKind() {
    const auto result = validateFlowText(seedThousandStateFlow().dump());
    QVERIFY2(result.valid, describe(result.diagnostics).c_str());
    const std::vector<std::string> expected{"NO_END_STATE", "INTENT_NOT_DEFINED",
                                            "SLOT_NEVER_FILLED"};
    QVERIFY2(codesOf(result.diagnostics) == expected, describe(result.diagnostics).c_str());
    const Diagnostic& intents = result.diagnostics[1];
    QCOMPARE(intents.pointer, std::string("/states/state_0/transitions/0/condition_value"));
    QVERIFY(contains(intents.message, "1000 intents"));
    const Diagnostic& slot = result.diagnostics[2];
    QCOMPARE(slot.pointer, std::string("/states/state_0/transitions/1/expression"));
    QVERIFY(contains(slot.message, "'value'"));
    QVERIFY(contains(slot.message, "999 other places"));
}

void tst_Linter::malformedJsonIsInvalidWithParserDiagnostic() {
    const auto result = validateFlowText(R"({"name": "broken", "states": {)");
    QVERIFY(!result.valid);
    QVERIFY(!result.diagnostics.empty());
    QVERIFY(result.diagnostics.front().severity == Severity::Error);
    QCOMPARE(result.diagnostics.front().code, std::string("JSON_SYNTAX"));
}

QTEST_GUILESS_MAIN(tst_Linter)
#include "tst_linter.moc"
