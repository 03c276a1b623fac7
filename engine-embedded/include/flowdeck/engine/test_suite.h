#pragma once

#include "flowdeck/engine/diagnostic.h"
#include "flowdeck/engine/executor.h"
#include "flowdeck/engine/flow.h"
#include "flowdeck/engine/simulation.h"

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// Test suites for flows: recorded conversations with expectations, run offline against stubs
// (`flowctl test`, the console's suite runner). The file format is described in docs/testing.md
// and resources/schema/test_suite.schema.json.
namespace flowdeck::engine {

// What a turn must produce. Every field is optional; an absent one is not checked.
struct TestExpectation {
    std::optional<std::string> state; // the state the conversation waits in after the turn
    std::optional<std::vector<std::string>> path; // the states entered by the turn, exactly
    std::optional<std::string> reply;             // the whole reply, exactly
    std::optional<std::string> replyContains;     // "reply_contains": a substring
    std::optional<std::string> replyMatches;      // "reply_matches": ECMAScript regex, searched
    std::optional<std::string> intent;            // detected intent ("" = none)
    std::optional<Json> slots; // object: each listed slot equals this JSON value (null = unset)
    std::optional<Json> vars;  // same, for variables
    // "error": the engine error code the turn must fail with (e.g. "TIMEOUT_ERROR"). Without it a
    // turn that fails with an engine error fails the case.
    std::optional<std::string> error;

    bool empty() const;
};

struct TestTurn {
    // The user's text; none for the opening turn (only the first turn may omit it).
    std::optional<std::string> input;
    std::string type = "text";                     // "type": text, timeout, image, ...
    std::map<std::string, std::string> attributes; // "attributes", e.g. an external NLU's intent
    Json set = Json::object(); // "set": edits applied before the input (see contextPatch)
    TestExpectation expect;
};

struct TestCase {
    std::string name;
    Json user = Json::object();  // the user profile the conversation starts with
    Json stubs = Json::object(); // stubs-file format, per integration; over the suite's stubs
    std::vector<TestTurn> turns; // turn 0 without input checks the opening message
};

struct TestSuite {
    std::string flowId;          // "flow": informative; flowctl warns when it differs
    Json stubs = Json::object(); // "stubs": defaults for every case (a case's entry replaces one)
    std::vector<TestCase> cases;
};

struct TestSuiteLimits {
    size_t maxBytes = 64 * 1024 * 1024;
    size_t maxCases = 10000;
    size_t maxTurnsPerCase = 1000;
};

// Parses a suite. Never throws; every problem is an Error diagnostic with a JSON pointer
// ("/cases/2/turns/1/expect/state"), e.g. unknown keys, wrong types, invalid regexes and stubs,
// limits exceeded. `out` is filled only when there is no error.
std::vector<Diagnostic> parseTestSuite(std::string_view text, TestSuite& out,
                                       const TestSuiteLimits& limits = {});
std::vector<Diagnostic> loadTestSuiteFile(const std::string& path, TestSuite& out,
                                          const TestSuiteLimits& limits = {});
// Pretty JSON (2 spaces); parseTestSuite(serializeTestSuite(s)) gives s back.
std::string serializeTestSuite(const TestSuite& suite);
Json testSuiteToJson(const TestSuite& suite);

// "Save conversation as test": inputs, the opening user, edits made between messages, and for
// every turn the expected state, path and reply, exactly as they happened.
TestCase testCaseFromTurns(std::string name, const std::vector<SimTurn>& turns, const Json& stubs);

struct TurnFailure {
    size_t turn = 0;   // index into the case's turns, as in the file
    std::string field; // "state", "path", "reply", "reply_contains", "slots.order_id", "error", ...
    std::string expected, actual; // readable text
};

struct CaseResult {
    std::string name;
    bool passed = false;
    std::vector<TurnFailure> failures;
    // Per turn of the case (as in the file); expectedPaths[i] is empty when turn i does not
    // expect a path. Every turn runs, even after a failed one.
    std::vector<std::vector<std::string>> actualPaths, expectedPaths;
    std::vector<std::string> actualReplies;
    std::vector<std::string> inputs; // per turn: the text sent ("" for the opening), for reports
    int64_t engineUs = 0;
};

struct Coverage {
    std::set<std::string> states;                      // states entered
    std::set<std::pair<std::string, int>> transitions; // (state, transition index) taken
    size_t totalStates = 0, totalTransitions = 0;      // in the flow (global handlers excluded)
};

struct SuiteResult {
    std::vector<CaseResult> cases; // in suite order; only the cases run before a cancel
    Coverage coverage;
    size_t passed = 0, failed = 0;
    bool cancelled = false;
    int64_t engineUs = 0; // sum over cases of time inside the executor
};

struct SuiteRunOptions {
    std::function<void(size_t done, size_t total)>
        progress;                              // after each case, on the caller's thread
    const std::atomic<bool>* cancel = nullptr; // checked between cases
    EngineLimits limits;
};

// Runs every case with its own StubGateway (suite stubs, then the case's; an integration without
// a stub fails like an unreachable endpoint, never the network) and its own conversation.
SuiteResult runTestSuite(std::shared_ptr<const CompiledFlow> flow, const TestSuite& suite,
                         const SuiteRunOptions& options = {});
// One case (the console runs a single case this way); adds what it entered and took to
// `coverage` when given (totals are left alone).
CaseResult runTestCase(std::shared_ptr<const CompiledFlow> flow, const TestSuite& suite,
                       const TestCase& testCase, Coverage* coverage = nullptr,
                       const EngineLimits& limits = {});
// The flow's totals, with nothing covered yet.
Coverage emptyCoverage(const CompiledFlow& flow);
// The flow's states no case entered, in document order.
std::vector<std::string> uncoveredStates(const CompiledFlow& flow, const Coverage& coverage);

// Human text: PASS/FAIL per case, each failure with expected vs actual and a path diff, then a
// summary with coverage and engine time.
std::string formatSuiteResult(const SuiteResult& result);
// A JUnit XML report: <testsuites> holding one <testsuite>, a <testcase> per case (time = engine
// time), a <failure> per failing case with the readable diff as its text.
std::string junitXml(const SuiteResult& result, std::string_view suiteName);

} // namespace flowdeck::engine
