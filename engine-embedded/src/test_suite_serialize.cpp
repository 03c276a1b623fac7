#include "flowdeck/engine/test_suite.h"

// Writing suites back (the console saves them) and recording a simulated conversation as a case.
// Keys are written in the order docs/testing.md shows them, and only when they say something, so
// a saved file reads like a hand-written one.
namespace flowdeck::engine {
namespace {

Json expectationToJson(const TestExpectation& e) {
    Json out = Json::object();
    if (e.state) {
        out["state"] = *e.state;
    }
    if (e.path) {
        out["path"] = *e.path;
    }
    if (e.reply) {
        out["reply"] = *e.reply;
    }
    if (e.replyContains) {
        out["reply_contains"] = *e.replyContains;
    }
    if (e.replyMatches) {
        out["reply_matches"] = *e.replyMatches;
    }
    if (e.intent) {
        out["intent"] = *e.intent;
    }
    if (e.slots) {
        out["slots"] = *e.slots;
    }
    if (e.vars) {
        out["vars"] = *e.vars;
    }
    if (e.error) {
        out["error"] = *e.error;
    }
    return out;
}

Json turnToJson(const TestTurn& turn) {
    Json out = Json::object();
    if (turn.input) {
        out["input"] = *turn.input;
    }
    if (turn.type != "text") {
        out["type"] = turn.type;
    }
    if (!turn.attributes.empty()) {
        out["attributes"] = turn.attributes;
    }
    if (turn.set.is_object() && !turn.set.empty()) {
        out["set"] = turn.set;
    }
    if (!turn.expect.empty()) {
        out["expect"] = expectationToJson(turn.expect);
    }
    return out;
}

Json caseToJson(const TestCase& testCase) {
    Json out = Json::object();
    out["name"] = testCase.name;
    if (testCase.user.is_object() && !testCase.user.empty()) {
        out["user"] = testCase.user;
    }
    if (testCase.stubs.is_object() && !testCase.stubs.empty()) {
        out["stubs"] = testCase.stubs;
    }
    Json turns = Json::array();
    for (const TestTurn& turn : testCase.turns) {
        turns.push_back(turnToJson(turn));
    }
    out["turns"] = std::move(turns);
    return out;
}

} // namespace

bool TestExpectation::empty() const {
    return !state && !path && !reply && !replyContains && !replyMatches && !intent && !slots &&
           !vars && !error;
}

Json testSuiteToJson(const TestSuite& suite) {
    Json out = Json::object();
    if (!suite.flowId.empty()) {
        out["flow"] = suite.flowId;
    }
    if (suite.stubs.is_object() && !suite.stubs.empty()) {
        out["stubs"] = suite.stubs;
    }
    Json cases = Json::array();
    for (const TestCase& testCase : suite.cases) {
        cases.push_back(caseToJson(testCase));
    }
    out["cases"] = std::move(cases);
    return out;
}

std::string serializeTestSuite(const TestSuite& suite) {
    return testSuiteToJson(suite).dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

TestCase testCaseFromTurns(std::string name, const std::vector<SimTurn>& turns, const Json& stubs) {
    TestCase testCase;
    testCase.name = std::move(name);
    testCase.stubs = stubs.is_object() ? stubs : Json::object();
    if (turns.empty()) {
        return testCase;
    }
    testCase.user = turns.front().before.user;
    for (size_t i = 0; i < turns.size(); ++i) {
        const SimTurn& turn = turns[i];
        TestTurn out;
        if (i > 0) {
            out.input = turn.input.text;
            out.type = turn.input.type;
            out.attributes = turn.input.attributes;
            out.set = contextPatch(turns[i - 1].after, turn.before);
        }
        out.expect.state = turn.after.currentState;
        out.expect.path = turn.path;
        out.expect.reply = turn.result.reply;
        if (!turn.result.ok && !turn.result.errors.empty()) {
            out.expect.error = std::string(toString(turn.result.errors.front().code));
        }
        testCase.turns.push_back(std::move(out));
    }
    return testCase;
}

} // namespace flowdeck::engine
