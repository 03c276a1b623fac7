// Whole messages through Engine::process: load, execute, commit, on the sample order flow with
// recorded integration responses. Each thread drives its own conversations; the store is SQLite
// (WAL, synchronous=NORMAL, group commit), SQLite behind a CachingStore, or memory. The database
// goes to $FLOWDECK_BENCH_DIR, or /tmp.
//
//   bench-engine --benchmark_min_time=2

#include "flowdeck/engine/caching_store.h"
#include "flowdeck/engine/engine.h"
#include "flowdeck/engine/flow_json.h"
#include "flowdeck/engine/integration_gateway.h"
#include "flowdeck/engine/memory_store.h"
#include "flowdeck/engine/sqlite_store.h"
#include "flowdeck/engine/stub_file.h"

#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <array>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

using namespace flowdeck::engine;

namespace {

enum class StoreKind { Memory, Sqlite, CachedSqlite };

struct World {
    FlowRegistry flows;
    StubGateway gateway;
    std::unique_ptr<ConversationStore> store;
    std::unique_ptr<CachingStore> cache; // in front of `store` for CachedSqlite
    std::unique_ptr<Engine> engine;
    std::string path;
};

std::unique_ptr<World> s_world;
std::atomic<int> s_nextThread{0};

// User + system CPU of the whole process (client threads, store writer, checkpointer).
double processCpuSeconds() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    const auto seconds = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
    return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

void setUp(StoreKind kind) {
    s_world = std::make_unique<World>();
    auto parsed = parseFlowFile(RESOURCES_DIR "/flows/order_support.json");
    if (!parsed.ok() ||
        !loadStubFile(RESOURCES_DIR "/flows/order_support.stubs.json", s_world->gateway).empty()) {
        std::fprintf(stderr, "cannot load the sample flow or its stubs\n");
        std::abort();
    }
    s_world->flows.add(*parsed.flow);
    s_world->flows.setDefaultFlow("order_support");
    if (kind != StoreKind::Memory) {
        const char* dir = std::getenv("FLOWDECK_BENCH_DIR");
        s_world->path = std::string(dir && *dir ? dir : "/tmp") + "/flowdeck-bench-engine.sqlite";
        for (const char* suffix : {"", "-wal", "-shm"}) {
            std::filesystem::remove(s_world->path + suffix);
        }
        std::string error;
        s_world->store = SqliteStore::open(s_world->path, {}, &error);
        if (!s_world->store) {
            std::fprintf(stderr, "cannot open %s: %s\n", s_world->path.c_str(), error.c_str());
            std::abort();
        }
    } else {
        s_world->store = std::make_unique<MemoryStore>();
    }
    ConversationStore* store = s_world->store.get();
    if (kind == StoreKind::CachedSqlite) {
        s_world->cache = std::make_unique<CachingStore>(*s_world->store);
        store = s_world->cache.get();
    }
    s_world->engine = std::make_unique<Engine>(s_world->flows, *store, s_world->gateway);
}

void tearDown() {
    const std::string path = s_world->path;
    s_world.reset();
    for (const char* suffix : {"", "-wal", "-shm"}) {
        if (!path.empty()) {
            std::filesystem::remove(path + suffix);
        }
    }
}

// A support conversation, over and over: greeting -> intent -> slot -> integration -> answer.
void conversations(benchmark::State& state) {
    static constexpr std::array<const char*, 4> kLines{"where is my order?", "it's AB-12345",
                                                       "where is my order?", "AB-12345"};
    const int thread = s_nextThread.fetch_add(1);
    MessageRequest request;
    request.tenantId = "bench";
    int64_t n = 0;
    int64_t failed = 0;
    const double cpuStart = state.thread_index() == 0 ? processCpuSeconds() : 0;
    for (auto _ : state) {
        // A new conversation every 20 messages, so history and context stay realistic.
        request.conversationId = "t" + std::to_string(thread) + "-" + std::to_string(n / 20);
        request.content.text = kLines[static_cast<size_t>(n % 4)];
        request.idempotencyKey = std::to_string(n++);
        const ProcessResult result = s_world->engine->process(request);
        failed += result.ok ? 0 : 1;
    }
    if (state.thread_index() == 0 && state.iterations() > 0) {
        // The whole process's CPU per message, all threads' messages together.
        const double items = static_cast<double>(state.iterations()) * state.threads();
        state.counters["cpu_us_per_item"] = (processCpuSeconds() - cpuStart) * 1e6 / items;
    }
    state.SetItemsProcessed(state.iterations());
    state.counters["failed"] = benchmark::Counter(static_cast<double>(failed));
}

void EngineSqlite(benchmark::State& state) {
    conversations(state);
}
void EngineMemory(benchmark::State& state) {
    conversations(state);
}
void EngineCachedSqlite(benchmark::State& state) {
    conversations(state);
}

} // namespace

BENCHMARK(EngineMemory)
    ->Setup([](const benchmark::State&) { setUp(StoreKind::Memory); })
    ->Teardown([](const benchmark::State&) { tearDown(); })
    ->Threads(1)
    ->Threads(2)
    ->UseRealTime();
BENCHMARK(EngineSqlite)
    ->Setup([](const benchmark::State&) { setUp(StoreKind::Sqlite); })
    ->Teardown([](const benchmark::State&) { tearDown(); })
    ->Threads(1)
    ->Threads(16)
    ->Threads(64)
    ->UseRealTime();
BENCHMARK(EngineCachedSqlite)
    ->Setup([](const benchmark::State&) { setUp(StoreKind::CachedSqlite); })
    ->Teardown([](const benchmark::State&) { tearDown(); })
    ->Threads(1)
    ->Threads(16)
    ->Threads(64)
    ->UseRealTime();

BENCHMARK_MAIN();
