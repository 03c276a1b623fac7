#pragma once

#include "load_driver.h"

#include "flowdeck/v1/conversations.grpc.pb.h"

#include <grpcpp/grpcpp.h>

#include <deque>
#include <mutex>
#include <thread>

namespace flowdeck::bench {

// Which share of the run one worker takes: its conversations and calls, and every
// `stride`-th message of the open-loop schedule starting at `index`.
struct WorkerShare {
    size_t index = 0;
    size_t stride = 1;
    size_t conversations = 1;
    size_t concurrency = 1;
};

// One completion queue and the thread that drains it; in open loop also a thread that sends on
// the schedule (gRPC's own timers wake a queue only to the millisecond, which would add up to a
// millisecond of send lag to every latency at 5,000 messages a second). Both send under m_mutex.
class LoadWorker final {
public:
    LoadWorker(const LoadOptions& options, const LoadScript& script,
               std::shared_ptr<grpc::Channel> channel, WorkerShare share);
    ~LoadWorker();
    LoadWorker(const LoadWorker&) = delete;
    LoadWorker& operator=(const LoadWorker&) = delete;

    void start(const Schedule& schedule);
    LoadCounts join();

private:
    struct Conversation {
        size_t slot = 0;
        size_t block = 0;
        size_t line = 0;
        uint64_t generation = 0;
        std::string id;
    };
    struct Call {
        std::unique_ptr<grpc::ClientContext> context;
        v1::ProcessMessageRequest request;
        v1::ProcessMessageResponse response;
        grpc::Status status;
        std::unique_ptr<grpc::ClientAsyncResponseReader<v1::ProcessMessageResponse>> reader;
        Conversation* conversation = nullptr;
        Clock::time_point intended;
        bool measured = false;
    };

    void drainQueue();
    void sendOnSchedule();
    void sendDue(Clock::time_point now);
    void sendClosedLoop(Clock::time_point now);
    void sendOpenLoop(Clock::time_point now);
    void send(Clock::time_point intended, Clock::time_point now);
    void record(const Call& call, Clock::time_point now);
    void show(const Call& call);
    void advance(Conversation& conversation, bool failed);
    void startConversation(Conversation& conversation);
    Clock::time_point intendedAt(uint64_t k) const;
    void shutdownWhenIdle();

    const LoadOptions& m_options;
    const LoadScript& m_script;
    const WorkerShare m_share;
    std::unique_ptr<v1::Conversations::Stub> m_stub;
    grpc::CompletionQueue m_queue;
    Schedule m_schedule;

    std::mutex m_mutex; // everything below
    std::vector<Conversation> m_conversations;
    std::deque<Conversation*> m_ready; // waiting for their next message, oldest first
    std::vector<Call> m_calls;
    std::vector<Call*> m_freeCalls;
    size_t m_outstanding = 0;
    uint64_t m_next = 0; // open loop: the next message of the schedule
    bool m_stopped = false;
    bool m_shutdown = false;
    int m_shown = 0;
    LoadCounts m_counts;
    engine::Histogram m_latency;

    std::thread m_drainer;
    std::thread m_sender;
};

} // namespace flowdeck::bench
