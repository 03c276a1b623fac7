// The cost of metrics on the engine's hot path: a counter increment, a histogram record and a
// labelled lookup, on one thread and on two threads sharing the same metric (the contended case:
// every message of every worker touches the same few counters), plus a full scrape.
//
//   bench-metrics --benchmark_filter='CounterInc|HistogramRecord'

#include "flowdeck/engine/metrics.h"

#include <benchmark/benchmark.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

using namespace flowdeck::engine;

namespace {

MetricsRegistry& registry() {
    static MetricsRegistry s_registry;
    return s_registry;
}

// Latencies spread from 1 µs to 60 s, precomputed so the loop measures record() alone.
const std::vector<uint64_t>& latencies() {
    static const std::vector<uint64_t> s_values = [] {
        std::mt19937_64 random(42);
        std::uniform_real_distribution<double> exponent(0.0, std::log(60e6));
        std::vector<uint64_t> values(4096);
        for (auto& value : values) {
            value = static_cast<uint64_t>(std::exp(exponent(random)));
        }
        return values;
    }();
    return s_values;
}

void BM_CounterInc(benchmark::State& state) {
    static Counter* s_counter = registry().counter("bench_events_total", "Bench events.");
    for (auto _ : state) {
        s_counter->inc();
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CounterInc)->Threads(1)->Threads(2)->UseRealTime();

void BM_HistogramRecord(benchmark::State& state) {
    static Histogram* s_histogram = registry().histogram("bench_latency_seconds", "Bench latency.");
    const auto& values = latencies();
    size_t i = static_cast<size_t>(state.thread_index()) * 1000;
    for (auto _ : state) {
        s_histogram->record(values[i++ & (values.size() - 1)]);
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_HistogramRecord)->Threads(1)->Threads(2)->UseRealTime();

// What a caller pays when it does not keep the child: a shared lock and a map lookup.
void BM_LabelledCounterLookupAndInc(benchmark::State& state) {
    static auto* s_family = registry().counterFamily("bench_messages_total", "Bench messages.",
                                                     {"tenant", "flow", "outcome"});
    for (auto _ : state) {
        s_family->withLabels({"tenant-0042", "order_support", "ok"}).inc();
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_LabelledCounterLookupAndInc)->Threads(1)->Threads(2)->UseRealTime();

// A scrape of the DESIGN.md families with 200 tenants and 8 latency histograms.
void BM_Exposition(benchmark::State& state) {
    MetricsRegistry scraped;
    const FlowdeckMetrics m = registerFlowdeckMetrics(scraped);
    auto* durations = scraped.histogramFamily("bench_step_seconds", "Bench steps.", {"step"});
    for (int t = 0; t < 200; ++t) {
        m.messages->withLabels({"tenant-" + std::to_string(t), "order_support", "ok"}).inc(t);
    }
    for (int s = 0; s < 8; ++s) {
        for (const uint64_t value : latencies()) {
            durations->withLabels({"step" + std::to_string(s)}).record(value);
        }
    }
    size_t bytes = 0;
    for (auto _ : state) {
        const std::string text = scraped.exposition();
        bytes = text.size();
        benchmark::DoNotOptimize(text.data());
    }
    state.counters["bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_Exposition)->Unit(benchmark::kMicrosecond);

} // namespace

BENCHMARK_MAIN();
