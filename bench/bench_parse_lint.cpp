// Parse and lint times for large flows (DESIGN.md §3: parse + lint of a 10,000-state flow must
// stay under 100 ms). Two shapes:
//   seed  — the generator of the seed's test_maximum_complexity_flows scaled up: response states
//           in a ring, each with an intent_match and a distinct Lua expression (one Lua compile
//           per state, the worst case for the expression check);
//   mixed — engine's generateBlockFlow: blocks of ten states of every type (response, intent,
//           slot_filling, integration, condition, script, handoff, end) with templates, slots,
//           scripts and integrations, as a realistic designer's flow.
// Run: build-<dir>/bin/bench-parse-lint --benchmark_min_time=0.5

#include "flowdeck/engine/flow_generator.h"
#include "flowdeck/engine/flow_json.h"
#include "flowdeck/engine/linter.h"

#include <benchmark/benchmark.h>

#include <map>
#include <string>
#include <utility>

using namespace flowdeck::engine;

namespace {

enum class Shape { Seed, Mixed };

std::string seedFlowText(int states) {
    return generateSeedRingFlow(static_cast<size_t>(states)).dump();
}

// Built once per shape and size: the benchmarks measure parsing and linting, not generation.
const std::string& flowText(Shape shape, int states) {
    static std::map<std::pair<Shape, int>, std::string> cache;
    auto [it, fresh] = cache.try_emplace({shape, states});
    if (fresh) {
        it->second = shape == Shape::Seed
                         ? seedFlowText(states)
                         : serializeFlow(generateBlockFlow(static_cast<size_t>(states)), 0);
    }
    return it->second;
}

// Reference: nlohmann-json alone parsing the same text into a DOM, no checks. The floor under
// parseOnly on this machine; docs/benchmarks.md reports parseOnly as a ratio to it.
template <Shape S> void referenceJsonParse(benchmark::State& state) {
    const std::string& text = flowText(S, static_cast<int>(state.range(0)));
    for (auto _ : state) {
        auto document = Json::parse(text, nullptr, false);
        benchmark::DoNotOptimize(document);
    }
}

template <Shape S> void parseOnly(benchmark::State& state) {
    const std::string& text = flowText(S, static_cast<int>(state.range(0)));
    for (auto _ : state) {
        auto parsed = parseFlow(text);
        benchmark::DoNotOptimize(parsed);
    }
    state.counters["bytes"] = static_cast<double>(text.size());
}

template <Shape S> void lintOnly(benchmark::State& state) {
    const auto parsed = parseFlow(flowText(S, static_cast<int>(state.range(0))));
    if (!parsed.flow) {
        state.SkipWithError("the generated flow does not parse");
        return;
    }
    size_t findings = 0;
    for (auto _ : state) {
        auto diagnostics = lintFlow(*parsed.flow);
        findings = diagnostics.size();
        benchmark::DoNotOptimize(diagnostics);
    }
    state.counters["findings"] = static_cast<double>(findings);
}

template <Shape S> void parseAndLint(benchmark::State& state) {
    const std::string& text = flowText(S, static_cast<int>(state.range(0)));
    bool valid = false;
    for (auto _ : state) {
        auto result = validateFlowText(text);
        valid = result.valid;
        benchmark::DoNotOptimize(result);
    }
    state.counters["valid"] = valid ? 1 : 0;
}

} // namespace

BENCHMARK_TEMPLATE(referenceJsonParse, Shape::Seed)->Arg(10000)->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(referenceJsonParse, Shape::Mixed)->Arg(10000)->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(parseOnly, Shape::Seed)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(lintOnly, Shape::Seed)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(parseAndLint, Shape::Seed)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(parseOnly, Shape::Mixed)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(lintOnly, Shape::Mixed)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(parseAndLint, Shape::Mixed)
    ->Arg(1000)
    ->Arg(10000)
    ->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
