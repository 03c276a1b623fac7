#include "flowdeck/engine/stub_file.h"
#include "flowdeck/engine/test_suite.h"
#include "test_suite_internal.h"

#include <regex>

// Running cases: each in its own Simulation over its own StubGateway, then each turn's
// expectations checked against what the engine did.
namespace flowdeck::engine {
namespace {

// std::regex recurses per character; longer replies are refused rather than risking the stack
// (the same bound as regex slots).
constexpr size_t kMaxRegexSubject = 4096;

std::string jsonText(const Json& value) {
    return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

class TurnChecker final {
public:
    TurnChecker(size_t turn, const SimTurn& actual, std::vector<TurnFailure>& failures)
        : m_turn(turn)
        , m_actual(actual)
        , m_failures(failures) {}

    void check(const TestExpectation& expect) {
        const ExecutionResult& result = m_actual.result;
        if (expect.state && *expect.state != m_actual.after.currentState) {
            fail("state", *expect.state, m_actual.after.currentState);
        }
        if (expect.path && *expect.path != m_actual.path) {
            fail("path", testsuite::joinPath(*expect.path), testsuite::joinPath(m_actual.path));
        }
        if (expect.reply && *expect.reply != result.reply) {
            fail("reply", *expect.reply, result.reply);
        }
        if (expect.replyContains && result.reply.find(*expect.replyContains) == std::string::npos) {
            fail("reply_contains", *expect.replyContains, result.reply);
        }
        if (expect.replyMatches) {
            checkMatches(*expect.replyMatches, result.reply);
        }
        if (expect.intent && *expect.intent != result.intent) {
            fail("intent", *expect.intent, result.intent.empty() ? "(none)" : result.intent);
        }
        checkValues("slots", expect.slots, m_actual.after.slots);
        checkValues("vars", expect.vars, m_actual.after.vars);
        checkError(expect.error);
    }

private:
    void fail(std::string field, std::string expected, std::string actual) {
        m_failures.push_back({m_turn, std::move(field), std::move(expected), std::move(actual)});
    }

    void checkMatches(const std::string& pattern, const std::string& reply) {
        if (reply.size() > kMaxRegexSubject) {
            fail("reply_matches", pattern,
                 "(reply of " + std::to_string(reply.size()) +
                     " bytes, too long to match a "
                     "regular expression; the limit is " +
                     std::to_string(kMaxRegexSubject) + ")");
            return;
        }
        try {
            if (!std::regex_search(reply, std::regex(pattern, std::regex::ECMAScript))) {
                fail("reply_matches", pattern, reply);
            }
        } catch (const std::regex_error& e) {
            fail("reply_matches", pattern,
                 std::string("(regular expression error: ") + e.what() + ")");
        }
    }

    // Each listed key equals the expected JSON value; null means "not set".
    void checkValues(const char* part, const std::optional<Json>& expected, const Json& actual) {
        if (!expected || !expected->is_object()) {
            return;
        }
        for (auto it = expected->begin(); it != expected->end(); ++it) {
            const auto found = actual.is_object() ? actual.find(it.key()) : actual.end();
            const bool present = actual.is_object() && found != actual.end() && !found->is_null();
            const bool equal = it->is_null() ? !present : present && *found == *it;
            if (!equal) {
                fail(std::string(part) + "." + it.key(),
                     it->is_null() ? "(not set)" : jsonText(*it),
                     present ? jsonText(*found) : "(not set)");
            }
        }
    }

    void checkError(const std::optional<std::string>& expected) {
        const ExecutionResult& result = m_actual.result;
        const EngineError* error = result.ok || result.errors.empty() ? nullptr : &result.errors[0];
        const std::string actual = error == nullptr
                                       ? "(no error)"
                                       : std::string(toString(error->code)) + ": " + error->message;
        if (expected) {
            if (error == nullptr || toString(error->code) != *expected) {
                fail("error", *expected, actual);
            }
        } else if (error != nullptr) {
            fail("error", "(no error)", actual);
        }
    }

    size_t m_turn;
    const SimTurn& m_actual;
    std::vector<TurnFailure>& m_failures;
};

void addCoverage(const SimTurn& turn, Coverage& coverage) {
    coverage.states.insert(turn.path.begin(), turn.path.end());
    for (const auto& taken : turn.transitionsTaken) {
        if (taken.second >= 0) { // global handlers are no transition of their state
            coverage.transitions.insert(taken);
        }
    }
}

std::shared_ptr<StubGateway> caseStubs(const TestSuite& suite, const TestCase& testCase,
                                       std::vector<TurnFailure>& failures) {
    Json merged = suite.stubs.is_object() ? suite.stubs : Json::object();
    if (testCase.stubs.is_object()) {
        for (auto it = testCase.stubs.begin(); it != testCase.stubs.end(); ++it) {
            merged[it.key()] = *it;
        }
    }
    auto gateway = std::make_shared<StubGateway>();
    for (const Diagnostic& d : loadStubs(jsonText(merged), *gateway)) {
        failures.push_back({0, "stubs", "valid stubs", formatDiagnostic(d)});
    }
    return gateway;
}

InboundMessage messageFor(const TestTurn& turn) {
    InboundMessage message;
    message.type = turn.type;
    message.text = turn.input.value_or("");
    message.attributes = turn.attributes;
    return message;
}

} // namespace

namespace testsuite {

std::string joinPath(const std::vector<std::string>& path) {
    if (path.empty()) {
        return "(no state entered)";
    }
    std::string text;
    for (const std::string& state : path) {
        text += (text.empty() ? "" : " -> ") + state;
    }
    return text;
}

bool isOpening(const TestTurn& turn, size_t index) {
    return index == 0 && !turn.input && turn.type == "text";
}

} // namespace testsuite

Coverage emptyCoverage(const CompiledFlow& flow) {
    Coverage coverage;
    const Flow& source = sourceFlow(flow);
    coverage.totalStates = source.states.size();
    for (const State& state : source.states) {
        coverage.totalTransitions += state.transitions.size();
    }
    return coverage;
}

std::vector<std::string> uncoveredStates(const CompiledFlow& flow, const Coverage& coverage) {
    std::vector<std::string> states;
    for (const State& state : sourceFlow(flow).states) {
        if (coverage.states.count(state.name) == 0) {
            states.push_back(state.name);
        }
    }
    return states;
}

CaseResult runTestCase(std::shared_ptr<const CompiledFlow> flow, const TestSuite& suite,
                       const TestCase& testCase, Coverage* coverage, const EngineLimits& limits) {
    CaseResult out;
    out.name = testCase.name;
    if (!flow) {
        out.failures.push_back({0, "flow", "a compiled flow", "(none)"});
        return out;
    }
    Simulation simulation(std::move(flow), caseStubs(suite, testCase, out.failures), limits);
    simulation.setTracing(false); // paths come from the step hook: a quarter of the cost
    simulation.start(testCase.user);
    for (size_t i = 0; i < testCase.turns.size(); ++i) {
        const TestTurn& turn = testCase.turns[i];
        if (!testsuite::isOpening(turn, i)) {
            applyContextPatch(simulation.conversation(), turn.set);
            simulation.send(messageFor(turn));
        }
        const SimTurn& actual = simulation.turns().back();
        out.actualPaths.push_back(actual.path);
        out.expectedPaths.push_back(turn.expect.path.value_or(std::vector<std::string>{}));
        out.actualReplies.push_back(actual.result.reply);
        out.inputs.push_back(testsuite::isOpening(turn, i) ? std::string() : actual.input.text);
        TurnChecker(i, actual, out.failures).check(turn.expect);
    }
    for (const SimTurn& turn : simulation.turns()) {
        out.engineUs += turn.engineUs;
        if (coverage != nullptr) {
            addCoverage(turn, *coverage);
        }
    }
    out.passed = out.failures.empty();
    return out;
}

SuiteResult runTestSuite(std::shared_ptr<const CompiledFlow> flow, const TestSuite& suite,
                         const SuiteRunOptions& options) {
    SuiteResult result;
    if (flow) {
        result.coverage = emptyCoverage(*flow);
    }
    const size_t total = suite.cases.size();
    result.cases.reserve(total);
    for (size_t i = 0; i < total; ++i) {
        if (options.cancel != nullptr && options.cancel->load(std::memory_order_relaxed)) {
            result.cancelled = true;
            break;
        }
        CaseResult one = runTestCase(flow, suite, suite.cases[i], &result.coverage, options.limits);
        result.engineUs += one.engineUs;
        (one.passed ? result.passed : result.failed) += 1;
        result.cases.push_back(std::move(one));
        if (options.progress) {
            options.progress(i + 1, total);
        }
    }
    return result;
}

} // namespace flowdeck::engine
