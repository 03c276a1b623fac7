// Persisted commits per second through SqliteStore's group commit: N client threads, each
// committing to its own conversations, on a real file (WAL, synchronous=NORMAL).
// The database goes to $FLOWDECK_BENCH_DIR, or /tmp.
//
//   bench-store --benchmark_filter=SqliteCommit

#include "flowdeck/engine/memory_store.h"
#include "flowdeck/engine/sqlite_store.h"

#include <benchmark/benchmark.h>
#include <sqlite3.h>
#include <sys/resource.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

using namespace flowdeck::engine;

namespace {

std::unique_ptr<ConversationStore> s_store;
std::string s_path;
std::atomic<int64_t> s_nextConversation{0};

std::string benchPath() {
    const char* dir = std::getenv("FLOWDECK_BENCH_DIR");
    return std::string(dir && *dir ? dir : "/tmp") + "/flowdeck-bench-store.sqlite";
}

// User + system CPU of the whole process (client threads, writer, checkpointer). On a shared VM
// the wall-clock rate moves with the neighbours' load; CPU per message moves much less.
double processCpuSeconds() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    const auto seconds = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
    return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

// Thread 0 measures the process's CPU across the timed loop and reports it per item, all
// threads' items together (every thread runs the same number of iterations).
class CpuPerItem final {
public:
    explicit CpuPerItem(const benchmark::State& state)
        : m_start(state.thread_index() == 0 ? processCpuSeconds() : 0) {}
    void report(benchmark::State& state) const {
        if (state.thread_index() != 0 || state.iterations() == 0) {
            return;
        }
        const double items = static_cast<double>(state.iterations()) * state.threads();
        state.counters["cpu_us_per_item"] = (processCpuSeconds() - m_start) * 1e6 / items;
    }

private:
    double m_start;
};

void removeDatabase() {
    for (const char* suffix : {"", "-wal", "-shm"}) {
        std::error_code ignored;
        std::filesystem::remove(s_path + suffix, ignored);
    }
}

void openSqlite(const benchmark::State&) {
    s_path = benchPath();
    removeDatabase();
    std::string error;
    s_store = SqliteStore::open(s_path, SqliteOptions{}, &error);
    if (!s_store) {
        std::fprintf(stderr, "cannot open %s: %s\n", s_path.c_str(), error.c_str());
        std::abort();
    }
}

void openMemory(const benchmark::State&) {
    s_store = std::make_unique<MemoryStore>();
}

void closeStore(const benchmark::State&) {
    s_store.reset(); // SqliteStore: drains the queue, commits, joins the writer
    if (!s_path.empty()) {
        removeDatabase();
        s_path.clear();
    }
}

// A conversation of realistic size: a few slots and vars, a user profile.
ConversationState freshConversation() {
    ConversationState state;
    state.tenantId = "bench";
    state.conversationId = "c" + std::to_string(s_nextConversation.fetch_add(1));
    state.flowId = "order_support";
    state.flowVersion = "1.0";
    state.currentState = "detect";
    state.slots = {{"order_id", "A-123456"}, {"email", "someone@example.com"}};
    state.vars = {{"attempts", 0}, {"last_intent", "order_status"}};
    state.user = {{"name", "Zoë"}, {"locale", "en-GB"}, {"premium", true}};
    return state;
}

void commitLoop(benchmark::State& state) {
    constexpr int kConversationsPerThread = 8;
    std::vector<ConversationState> conversations;
    for (int i = 0; i < kConversationsPerThread; ++i) {
        conversations.push_back(freshConversation());
    }
    StoredMessage message;
    message.input = "where is my order A-123456?";
    message.reply = "Your order A-123456 left our warehouse yesterday and arrives on Friday.";
    message.stateBefore = "detect";
    message.stateAfter = "order_status";
    message.resultJson = R"({"ok":true,"intent":"order_status","confidence":0.93,"transitions":2,)"
                         R"("actions":["integration:order_api"]})";
    int64_t n = 0;
    int64_t failed = 0;
    const CpuPerItem cpu(state);
    for (auto _ : state) {
        ConversationState& conversation = conversations[n % kConversationsPerThread];
        message.idempotencyKey = conversation.conversationId + "-" + std::to_string(n++);
        conversation.vars["attempts"] = n;
        const CommitResult result = s_store->commit(conversation, conversation.version, message);
        if (result.status == CommitStatus::Committed) {
            ++conversation.version;
        } else {
            ++failed;
        }
    }
    cpu.report(state);
    state.SetItemsProcessed(state.iterations());
    state.counters["failed"] = benchmark::Counter(static_cast<double>(failed));
}

// Reference: the SQLite floor on this machine. One thread inserts rows of the same size into a
// plain table (WAL, synchronous=NORMAL), 64 per transaction, with no version or idempotency check,
// no second index and no thread hand-off. docs/benchmarks.md reports SqliteCommit against it.
void ReferenceRawSqlite(benchmark::State& state) {
    const std::string path = benchPath() + ".raw";
    for (const char* suffix : {"", "-wal", "-shm"}) {
        std::filesystem::remove(path + suffix);
    }
    sqlite3* db = nullptr;
    sqlite3_open(path.c_str(), &db);
    sqlite3_exec(db,
                 "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; CREATE TABLE m (conversation "
                 "TEXT, seq INTEGER, body TEXT, PRIMARY KEY (conversation, seq))",
                 nullptr, nullptr, nullptr);
    sqlite3_stmt* insert = nullptr;
    sqlite3_prepare_v2(db, "INSERT INTO m VALUES (?1, ?2, ?3)", -1, &insert, nullptr);
    const std::string body(400, 'x');
    int64_t n = 0;
    const CpuPerItem cpu(state);
    for (auto _ : state) {
        if (n % 64 == 0) {
            sqlite3_exec(db, n == 0 ? "BEGIN" : "COMMIT; BEGIN", nullptr, nullptr, nullptr);
        }
        const std::string conversation = "c" + std::to_string(n % 512);
        sqlite3_bind_text(insert, 1, conversation.c_str(), -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(insert, 2, n++);
        sqlite3_bind_text(insert, 3, body.c_str(), static_cast<int>(body.size()), SQLITE_STATIC);
        sqlite3_step(insert);
        sqlite3_reset(insert);
    }
    sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
    cpu.report(state);
    sqlite3_finalize(insert);
    sqlite3_close(db);
    for (const char* suffix : {"", "-wal", "-shm"}) {
        std::filesystem::remove(path + suffix);
    }
    state.SetItemsProcessed(state.iterations());
}

void SqliteCommit(benchmark::State& state) {
    commitLoop(state);
}

void MemoryCommit(benchmark::State& state) {
    commitLoop(state);
}

} // namespace

BENCHMARK(ReferenceRawSqlite)->UseRealTime();
BENCHMARK(SqliteCommit)
    ->Setup(openSqlite)
    ->Teardown(closeStore)
    ->Threads(1)
    ->Threads(4)
    ->Threads(16)
    ->Threads(64)
    ->Threads(256)
    ->UseRealTime();
BENCHMARK(MemoryCommit)
    ->Setup(openMemory)
    ->Teardown(closeStore)
    ->Threads(1)
    ->Threads(16)
    ->UseRealTime();

BENCHMARK_MAIN();
