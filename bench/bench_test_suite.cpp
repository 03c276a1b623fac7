// Test-suite runs (flowctl test, the console's suite runner). Target of issue 6: a suite of 1,000
// test conversations in well under a second of engine time.
//   suite_run/1000    — runTestSuite over 1,000 cases generated from the sample order_support flow
//                       (5 kinds of conversation, 3–4 turns each, stubs per case, every turn
//                       checked). Counters: engine_ms (time inside the executor, what the target is
//                       about), messages/s.
//   suite_parse/1000  — parseTestSuite of the same suite as JSON text.
//   reference/process — the same conversations through a bare Executor, untraced, no checks, one
//                       shared stub gateway: the engine's own cost per message, the reference that
//                       the suite's overhead (tracing, snapshots, stubs per case, checks) is
//                       measured against in docs/benchmarks.md.
// Run: build-<dir>/bin/bench-test-suite --benchmark_min_time=1

#include "flowdeck/engine/flow_json.h"
#include "flowdeck/engine/stub_file.h"
#include "flowdeck/engine/test_suite.h"

#include <benchmark/benchmark.h>

#include <stdexcept>
#include <string>

using namespace flowdeck::engine;

namespace {

const std::string kFlowFile = RESOURCES_DIR "/flows/order_support.json";

std::shared_ptr<const CompiledFlow> sampleFlow() {
    ParseResult parsed = parseFlowFile(kFlowFile);
    if (!parsed.ok()) {
        throw std::runtime_error("cannot parse " + kFlowFile);
    }
    return compileFlow(*parsed.flow);
}

Json orderStub(const std::string& status) {
    return {{"orders_api",
             {{"kind", "success"},
              {"body", {{"order", {{"status", status}, {"eta", "Monday"}, {"carrier", "DHL"}}}}}}}};
}

Json turn(const std::string& input, const std::string& state) {
    return {{"input", input}, {"expect", {{"state", state}}}};
}

// Case i: one of five conversations, with an order number of its own.
Json generatedCase(size_t i) {
    const std::string order = "AB-" + std::to_string(10000 + i);
    Json turns = Json::array({{{"expect", {{"state", "greeting"}, {"reply_contains", "Hi"}}}}});
    Json stubs = orderStub("shipped");
    Json user = {{"name", "User " + std::to_string(i)}, {"premium", i % 2 == 0}};
    switch (i % 5) {
    case 0:
        turns.push_back(turn("where is my order?", "ask_order"));
        turns.push_back({{"input", "it's " + order},
                         {"expect",
                          {{"state", "report_shipped"},
                           {"path", {"lookup_order", "check_status", "report_shipped"}},
                           {"slots", {{"order_id", order}}},
                           {"reply_contains", order}}}});
        turns.push_back(turn("thanks, goodbye", "goodbye"));
        break;
    case 1:
        stubs = orderStub("delayed");
        turns.push_back(turn("track my order", "ask_order"));
        turns.push_back(turn(order, i % 2 == 0 ? "handoff_priority" : "report_delayed_reply"));
        break;
    case 2:
        stubs = {{"orders_api", {{"kind", "failure"}, {"status", 404}}}};
        turns.push_back(turn("order status", "ask_order"));
        turns.push_back(turn(order, "lookup_failed"));
        turns.push_back(turn("yes please", i % 2 == 0 ? "handoff_priority" : "handoff_standard"));
        break;
    case 3:
        turns.push_back(turn("hello", "clarify"));
        turns.push_back({{"input", "talk to a person"},
                         {"expect",
                          {{"intent", "human_agent"},
                           {"path",
                            {"detect", "route_agent",
                             i % 2 == 0 ? "handoff_priority" : "handoff_standard"}}}}});
        break;
    default:
        turns.push_back(turn("has my package shipped", "ask_order"));
        turns.push_back(turn("cancel", "goodbye"));
        break;
    }
    return {
        {"name", "case " + std::to_string(i)}, {"user", user}, {"stubs", stubs}, {"turns", turns}};
}

std::string generatedSuiteText(size_t cases) {
    Json all = Json::array();
    for (size_t i = 0; i < cases; ++i) {
        all.push_back(generatedCase(i));
    }
    return Json{{"flow", "order_support"}, {"cases", all}}.dump();
}

TestSuite generatedSuite(size_t cases) {
    TestSuite suite;
    const auto diagnostics = parseTestSuite(generatedSuiteText(cases), suite);
    if (!diagnostics.empty()) {
        throw std::runtime_error(formatDiagnostic(diagnostics.front()));
    }
    return suite;
}

size_t messagesIn(const TestSuite& suite) {
    size_t messages = 0;
    for (const auto& c : suite.cases) {
        messages += c.turns.size(); // the opening counts as one
    }
    return messages;
}

void suiteRun(benchmark::State& state) {
    const auto flow = sampleFlow();
    const TestSuite suite = generatedSuite(static_cast<size_t>(state.range(0)));
    int64_t engineUs = 0;
    size_t failed = 0;
    for (auto _ : state) {
        const SuiteResult result = runTestSuite(flow, suite);
        engineUs += result.engineUs;
        failed += result.failed;
    }
    if (failed != 0) {
        state.SkipWithError("generated cases failed: the benchmark measures nothing useful");
    }
    const double runs = static_cast<double>(state.iterations());
    state.counters["engine_ms"] = static_cast<double>(engineUs) / 1000.0 / runs;
    state.counters["messages/s"] = benchmark::Counter(static_cast<double>(messagesIn(suite)) * runs,
                                                      benchmark::Counter::kIsRate);
}
BENCHMARK(suiteRun)->Name("suite_run")->Arg(1000)->Unit(benchmark::kMillisecond);

void suiteParse(benchmark::State& state) {
    const std::string text = generatedSuiteText(static_cast<size_t>(state.range(0)));
    for (auto _ : state) {
        TestSuite suite;
        benchmark::DoNotOptimize(parseTestSuite(text, suite));
    }
    state.SetBytesProcessed(static_cast<int64_t>(text.size()) * state.iterations());
}
BENCHMARK(suiteParse)->Name("suite_parse")->Arg(1000)->Unit(benchmark::kMillisecond);

// The same conversations, bare: one executor, one gateway, no trace, nothing checked.
void referenceProcess(benchmark::State& state) {
    ExecutionOptions options;
    options.trace = state.range(0) != 0;
    const auto flow = sampleFlow();
    const TestSuite suite = generatedSuite(1000);
    StubGateway gateway;
    if (!loadStubs(orderStub("shipped").dump(), gateway).empty()) {
        throw std::runtime_error("stubs");
    }
    const Executor executor(gateway);
    size_t messages = 0;
    for (auto _ : state) {
        for (const TestCase& c : suite.cases) {
            ConversationState conversation;
            conversation.user = c.user;
            executor.start(*flow, conversation, options);
            for (size_t i = 1; i < c.turns.size(); ++i) {
                InboundMessage message;
                message.text = c.turns[i].input.value_or("");
                benchmark::DoNotOptimize(executor.process(*flow, conversation, message, options));
            }
            messages += c.turns.size();
        }
    }
    state.counters["messages/s"] =
        benchmark::Counter(static_cast<double>(messages), benchmark::Counter::kIsRate);
}
BENCHMARK(referenceProcess)
    ->Name("reference/process")
    ->ArgName("traced")
    ->Arg(0)
    ->Arg(1)
    ->Unit(benchmark::kMillisecond);

} // namespace

BENCHMARK_MAIN();
