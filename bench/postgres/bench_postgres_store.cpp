// Commits per second through the PostgreSQL conversation store (cluster mode): N client threads,
// each committing to its own conversations, as bench-store measures SqliteStore. Every commit is
// one round trip to a throw-away PostgreSQL that LocalPostgres starts on a free loopback port
// (fsync=off by default; FLOWDECK_BENCH_PG_DURABLE=1 for PostgreSQL's durable defaults).
// $FLOWDECK_BENCH_PG_CONNINFO points it at an existing server instead.
//
//   bench-postgres-store --benchmark_filter=PostgresCommit

#include "cluster/local_postgres.h"
#include "flowdeck/engine/postgres_store.h"

#include <benchmark/benchmark.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <unistd.h>

using namespace flowdeck::engine;

namespace {

std::unique_ptr<flowdeck::cluster::LocalPostgres> s_server;
std::string s_conninfo;
std::shared_ptr<PostgresDatabase> s_db;
std::unique_ptr<ConversationStore> s_store;
std::atomic<int64_t> s_nextConversation{0};

[[noreturn]] void fail(const std::string& what, const std::string& error) {
    std::fprintf(stderr, "%s: %s\n", what.c_str(), error.c_str());
    std::exit(1);
}

// One server for the whole run: starting PostgreSQL costs seconds, a benchmark's setup must not.
const std::string& conninfo() {
    if (!s_conninfo.empty()) {
        return s_conninfo;
    }
    if (const char* given = std::getenv("FLOWDECK_BENCH_PG_CONNINFO"); given && *given) {
        s_conninfo = given;
        return s_conninfo;
    }
    flowdeck::cluster::LocalPostgresOptions options;
    options.dir = "/tmp/flowdeck-bench-pg-" + std::to_string(getpid());
    const char* durable = std::getenv("FLOWDECK_BENCH_PG_DURABLE");
    options.durable = durable && std::string(durable) == "1";
    std::string error;
    s_server = flowdeck::cluster::LocalPostgres::start(options, &error);
    if (!s_server) {
        fail("cannot start PostgreSQL in " + options.dir, error);
    }
    s_conninfo = s_server->conninfo();
    return s_conninfo;
}

void openPostgres(const benchmark::State& state) {
    PostgresOptions options;
    options.conninfo = conninfo();
    options.connections = static_cast<size_t>(std::max<int64_t>(8, state.threads()));
    std::string error;
    s_db = PostgresDatabase::open(options, &error);
    if (!s_db) {
        fail("cannot open the PostgreSQL store", error);
    }
    s_store = s_db->conversations();
}

void closeStore(const benchmark::State&) {
    s_store.reset();
    s_db.reset();
}

// A conversation of realistic size: a few slots and vars, a user profile (as bench-store).
ConversationState freshConversation() {
    ConversationState state;
    state.tenantId = "bench";
    state.conversationId =
        "c" + std::to_string(s_nextConversation.fetch_add(1)) + "-" + std::to_string(getpid());
    state.flowId = "order_support";
    state.flowVersion = "1.0";
    state.currentState = "detect";
    state.slots = {{"order_id", "A-123456"}, {"email", "someone@example.com"}};
    state.vars = {{"attempts", 0}, {"last_intent", "order_status"}};
    state.user = {{"name", "Zoë"}, {"locale", "en-GB"}, {"premium", true}};
    return state;
}

StoredMessage sampleMessage() {
    StoredMessage message;
    message.input = "where is my order A-123456?";
    message.reply = "Your order A-123456 left our warehouse yesterday and arrives on Friday.";
    message.stateBefore = "detect";
    message.stateAfter = "order_status";
    message.resultJson = "{\"ok\":true,\"intent\":\"order_status\",\"confidence\":0.93,"
                         "\"transitions\":2,\"actions\":[\"integration:order_api\"]}";
    return message;
}

void PostgresCommit(benchmark::State& state) {
    constexpr int kConversationsPerThread = 8;
    std::vector<ConversationState> conversations;
    for (int i = 0; i < kConversationsPerThread; ++i) {
        conversations.push_back(freshConversation());
    }
    StoredMessage message = sampleMessage();
    int64_t n = 0;
    int64_t failed = 0;
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
    state.SetItemsProcessed(state.iterations());
    state.counters["failed"] = benchmark::Counter(static_cast<double>(failed));
}

// What a node does before each message: load the conversation (one round trip).
void PostgresLoad(benchmark::State& state) {
    ConversationState conversation = freshConversation();
    StoredMessage message = sampleMessage();
    message.idempotencyKey = conversation.conversationId + "-1";
    s_store->commit(conversation, 0, message);
    int64_t missing = 0;
    for (auto _ : state) {
        if (!s_store->load(conversation.tenantId, conversation.conversationId)) {
            ++missing;
        }
    }
    state.SetItemsProcessed(state.iterations());
    state.counters["missing"] = benchmark::Counter(static_cast<double>(missing));
}

} // namespace

BENCHMARK(PostgresCommit)
    ->Setup(openPostgres)
    ->Teardown(closeStore)
    ->Threads(1)
    ->Threads(8)
    ->UseRealTime();
BENCHMARK(PostgresLoad)->Setup(openPostgres)->Teardown(closeStore)->Threads(1)->UseRealTime();

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) {
        return 1;
    }
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    s_store.reset();
    s_db.reset();
    if (s_server) {
        const std::string dir = s_server->dir();
        s_server.reset(); // stops PostgreSQL
        std::error_code ignored;
        std::filesystem::remove_all(dir, ignored);
    }
    return 0;
}
