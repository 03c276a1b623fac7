#pragma once

#include "load_script.h"

#include "flowdeck/engine/metrics.h"

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace grpc {
class Channel;
}

namespace flowdeck::bench {

using Clock = std::chrono::steady_clock;

struct LoadOptions {
    std::string target;
    std::string token;
    std::string tenant = "bench";
    std::string flow;     // hints.force_flow; empty: flowd's default flow
    std::string idPrefix; // conversation ids start with it, so runs never share a conversation
    size_t conversations = 1024;
    size_t concurrency = 64;
    double rate = 0; // messages a second, all threads together; 0 = as fast as possible
    // Open loop: the sender wakes at most once per tick and sends every message due by then
    // (each still timed from its place in the schedule). 0: a wake-up per message.
    std::chrono::milliseconds sendTick{0};
    std::chrono::milliseconds duration{10000};
    std::chrono::milliseconds warmup{2000};
    std::chrono::milliseconds timeout{10000}; // per call
    std::chrono::milliseconds connectTimeout{5000};
    int threads = 1;
    bool idempotencyKeys = true;
    int show = 0; // print the first N exchanges to stderr
};

// When a run sends. Calls whose intended send time falls before warmupEnd are warm-up: counted
// apart, not in the latencies.
struct Schedule {
    Clock::time_point start;
    Clock::time_point warmupEnd;
    Clock::time_point end;
};

// What a run counted, from the calls intended within [warmupEnd, end).
struct LoadCounts {
    uint64_t scheduled = 0; // open loop: messages due in the window
    uint64_t sent = 0;
    uint64_t ok = 0;
    uint64_t duplicates = 0;                    // OK answers flagged duplicate (should be 0)
    std::map<std::string, uint64_t> errors;     // failed calls by gRPC status name
    std::map<std::string, uint64_t> flowErrors; // errors[] codes inside OK answers
    std::string firstError;                     // "CODE: message" of the first failed call
    uint64_t warmupSent = 0;
    uint64_t warmupOk = 0;
    uint64_t conversationsStarted = 0; // all of the run, warm-up included
    // Microseconds from the intended send time to the answer (open loop: the schedule's time,
    // so a server that falls behind cannot hide its queue from the numbers).
    engine::HistogramSnapshot latency;
    double maxSendLagMs = 0; // how far behind the schedule the driver sent
    Clock::time_point lastAnswer{};

    uint64_t errorCount() const;
    void merge(const LoadCounts& other);
};

// One channel per thread, each its own TCP connection; connected within
// options.connectTimeout or an empty vector and *error says so.
std::vector<std::shared_ptr<grpc::Channel>> connectChannels(const LoadOptions& options,
                                                            std::string* error);

class LoadWorker;

// Keeps options.concurrency ProcessMessage calls in flight (or sends at options.rate) over
// options.conversations conversations, with never two calls in flight for one conversation.
class LoadDriver final {
public:
    LoadDriver(const LoadOptions& options, const LoadScript& script,
               const std::vector<std::shared_ptr<grpc::Channel>>& channels);
    ~LoadDriver();
    LoadDriver(const LoadDriver&) = delete;
    LoadDriver& operator=(const LoadDriver&) = delete;

    void start(const Schedule& schedule);
    // Blocks until every call is answered (each has the options.timeout deadline).
    LoadCounts wait();

private:
    std::vector<std::unique_ptr<LoadWorker>> m_workers;
};

} // namespace flowdeck::bench
