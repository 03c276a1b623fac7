#include "commands.h"

#include "flowdeck/engine/executor.h"
#include "flowdeck/engine/flow_json.h"
#include "flowdeck/engine/linter.h"
#include "flowdeck/engine/test_suite.h"

#include <filesystem>
#include <fstream>
#include <ostream>

// flowctl test: runs a suite of recorded conversations against a flow, offline, for CI.
namespace flowdeck::client {

namespace {

using flowdeck::engine::Json;

// Like diff: 0 all passed, 1 some case failed, 2 the inputs themselves are unusable.
constexpr int kExitPassed = 0;
constexpr int kExitCaseFailed = 1;
constexpr int kExitTrouble = 2;

// A flow that does not parse or has linter errors cannot be what CI should gate on.
std::shared_ptr<const engine::CompiledFlow> loadFlow(const std::string& file, Streams& io) {
    engine::ParseResult parsed = engine::parseFlowFile(file);
    std::vector<engine::Diagnostic> diagnostics = parsed.diagnostics;
    if (parsed.ok()) {
        const auto lint = engine::lintFlow(*parsed.flow);
        diagnostics.insert(diagnostics.end(), lint.begin(), lint.end());
    }
    bool failed = !parsed.ok();
    for (const auto& d : diagnostics) {
        if (d.severity == engine::Severity::Error) {
            io.err << file << ": " << engine::formatDiagnostic(d) << "\n";
            failed = true;
        }
    }
    if (failed) {
        io.err << "flowctl test: " << file << " is not a valid flow (see 'flowctl validate')\n";
        return nullptr;
    }
    return engine::compileFlow(*parsed.flow);
}

Json failureToJson(const engine::TurnFailure& failure) {
    return {{"turn", failure.turn},
            {"field", failure.field},
            {"expected", failure.expected},
            {"actual", failure.actual}};
}

Json resultToJson(const engine::SuiteResult& result, const engine::CompiledFlow& flow,
                  const TestOptions& options) {
    Json cases = Json::array();
    for (const auto& one : result.cases) {
        Json failures = Json::array();
        for (const auto& failure : one.failures) {
            failures.push_back(failureToJson(failure));
        }
        cases.push_back({{"name", one.name},
                         {"passed", one.passed},
                         {"engine_us", one.engineUs},
                         {"failures", std::move(failures)},
                         {"actual_paths", one.actualPaths}});
    }
    const engine::Coverage& c = result.coverage;
    Json transitions = Json::array();
    for (const auto& [state, index] : c.transitions) {
        transitions.push_back({{"state", state}, {"transition", index}});
    }
    return {{"flow", engine::sourceFlow(flow).name},
            {"suite", options.suite},
            {"passed", result.passed},
            {"failed", result.failed},
            {"engine_us", result.engineUs},
            {"coverage",
             {{"states", {{"covered", c.states.size()}, {"total", c.totalStates}}},
              {"transitions", {{"covered", c.transitions.size()}, {"total", c.totalTransitions}}},
              {"uncovered_states", engine::uncoveredStates(flow, c)},
              {"transitions_taken", std::move(transitions)}}},
            {"cases", std::move(cases)}};
}

bool writeJunit(const engine::SuiteResult& result, const TestOptions& options, Streams& io) {
    const std::string name = std::filesystem::path(options.suite).stem().string();
    std::ofstream file(*options.junit, std::ios::binary | std::ios::trunc);
    file << engine::junitXml(result, name);
    file.close();
    if (!file) {
        io.err << "flowctl test: cannot write the JUnit report to '" << *options.junit << "'\n";
        return false;
    }
    return true;
}

void printText(const engine::SuiteResult& result, const engine::CompiledFlow& flow, Streams& io) {
    io.out << engine::formatSuiteResult(result);
    const auto uncovered = engine::uncoveredStates(flow, result.coverage);
    if (uncovered.empty()) {
        return;
    }
    io.out << "states no case entered:";
    for (size_t i = 0; i < uncovered.size() && i < 20; ++i) {
        io.out << (i ? ", " : " ") << uncovered[i];
    }
    io.out << (uncovered.size() > 20 ? ", ..." : "") << "\n";
}

} // namespace

int runTest(const TestOptions& options, Streams& io) {
    const auto flow = loadFlow(options.file, io);
    if (!flow) {
        return kExitTrouble;
    }
    engine::TestSuite suite;
    const auto diagnostics = engine::loadTestSuiteFile(options.suite, suite);
    if (engine::hasErrors(diagnostics)) {
        for (const auto& d : diagnostics) {
            io.err << options.suite << ": " << engine::formatDiagnostic(d) << "\n";
        }
        return kExitTrouble;
    }
    const std::string& flowName = engine::sourceFlow(*flow).name;
    if (!suite.flowId.empty() && suite.flowId != flowName) {
        io.err << "flowctl test: warning: " << options.suite << " is a suite for flow '"
               << suite.flowId << "', but " << options.file << " is flow '" << flowName << "'\n";
    }
    const engine::SuiteResult result = engine::runTestSuite(flow, suite);
    if (options.json) {
        io.out << resultToJson(result, *flow, options)
                      .dump(2, ' ', false, Json::error_handler_t::replace)
               << "\n";
    } else {
        printText(result, *flow, io);
    }
    if (options.junit && !writeJunit(result, options, io)) {
        return kExitTrouble;
    }
    return result.failed == 0 ? kExitPassed : kExitCaseFailed;
}

} // namespace flowdeck::client
