// Crash-test client for SqliteStore: commits to many conversations from 4 threads as fast as it
// can and prints each acknowledged commit as "<conversation> <idempotency key>", one per line,
// flushed before the next commit starts. The test kills it with SIGKILL at a random moment and
// then checks that everything printed is in the database.
//
// Usage: store_writer <database> <run id>

#include "flowdeck/engine/sqlite_store.h"

#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

using namespace flowdeck::engine;

namespace {

constexpr int kThreads = 4;
constexpr int kConversationsPerThread = 50;

std::mutex s_outputMutex;

void acknowledge(const std::string& conversationId, const std::string& key) {
    std::lock_guard lock(s_outputMutex);
    std::fprintf(stdout, "%s %s\n", conversationId.c_str(), key.c_str());
    std::fflush(stdout);
}

// Each thread owns its conversations, so it knows their versions without reloading; the first
// use of each picks up what earlier runs left.
bool writeForever(SqliteStore& store, int thread, const std::string& runId) {
    std::vector<ConversationState> states(kConversationsPerThread);
    for (int c = 0; c < kConversationsPerThread; ++c) {
        const std::string id = "w" + std::to_string(thread) + "-c" + std::to_string(c);
        states[c] = store.load("crash", id).value_or(ConversationState{});
        states[c].tenantId = "crash";
        states[c].conversationId = id;
        states[c].flowId = "crash_flow";
    }
    for (int64_t n = 0;; ++n) {
        ConversationState& state = states[n % kConversationsPerThread];
        StoredMessage message;
        message.idempotencyKey = state.conversationId + "-" + runId + "-" + std::to_string(n);
        message.input = "message " + std::to_string(n);
        state.currentState = "s" + std::to_string(n % 7);
        state.vars["n"] = n;
        const CommitResult result = store.commit(state, state.version, message);
        if (result.status != CommitStatus::Committed) {
            std::fprintf(stderr, "commit %s failed: %s\n", message.idempotencyKey.c_str(),
                         result.error.c_str());
            return false;
        }
        ++state.version;
        acknowledge(state.conversationId, message.idempotencyKey);
    }
}

} // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: %s <database> <run id>\n", argv[0]);
        return 2;
    }
    SqliteOptions options;
    options.historyLimitPerConversation = 0; // the test counts every message
    std::string error;
    auto store = SqliteStore::open(argv[1], options, &error);
    if (!store) {
        std::fprintf(stderr, "%s\n", error.c_str());
        return 1;
    }
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&store, t, runId = std::string(argv[2])] {
            if (!writeForever(*store, t, runId)) {
                std::_Exit(1);
            }
        });
    }
    for (auto& thread : threads) {
        thread.join();
    }
    return 0;
}
