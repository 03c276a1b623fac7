#pragma once

#include "flowdeck/v1/conversations.grpc.pb.h"

#include <grpcpp/completion_queue.h>
#include <grpcpp/server_builder.h>
#include <grpcpp/support/async_unary_call.h>

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace flowdeck::server {

class Node;

// ProcessMessage, of Conversations and of the seed's MCPEngine, on gRPC's async API. One thread
// polls the completion queue and answers each call itself when its message needs no waiting
// (Engine::tryProcess): the call is never handed from one thread to another. On two vCPUs each
// such hand-off (gRPC's sync server makes them for every call) costs more than the rest of the
// call: 97 against 38 µs of server CPU per call at 5,000 calls/s with nothing behind them
// (docs/benchmarks.md, "Session 2026-12-08"). A message that must wait, for an integration call
// or another message of its conversation, goes to a pool of worker threads, and so does every
// message when `answerInline` is false (cluster mode, where each message waits for PostgreSQL).
// The one thread bounds what runs inline to one core: when it stays busy, it hands every message
// to the workers for a while, so the other cores and SQLite's group commit add to it (run()).
class ProcessReactor final {
public:
    using Clock = std::chrono::steady_clock;
    using Writer = grpc::ServerAsyncResponseWriter<v1::ProcessMessageResponse>;
    // Asks gRPC for the next ProcessMessage call of one service, delivered to `queue` with `tag`
    // (the generated RequestProcessMessage).
    using Requester = std::function<void(grpc::ServerContext*, v1::ProcessMessageRequest*, Writer*,
                                         grpc::ServerCompletionQueue*, void* tag)>;

    ProcessReactor(Node& node, std::vector<Requester> services, bool answerInline);
    ~ProcessReactor();
    ProcessReactor(const ProcessReactor&) = delete;
    ProcessReactor& operator=(const ProcessReactor&) = delete;

    // Before the server is built: adds the completion queue.
    void attach(grpc::ServerBuilder& builder);
    // Once the server runs: asks for calls and starts the thread.
    void start();
    // Shutting down, in this order: stopAsking() before Server::Shutdown (no call is asked for
    // any more), then stop() once it returned: the workers finish what they hold, the queue is
    // drained and the thread joined. Both are safe to call more than once.
    void stopAsking();
    void stop();

private:
    class Call;
    class Workers;
    void ask(size_t service);
    void run();
    bool answersInline() const;
    static std::chrono::nanoseconds threadCpuTime();

    Node& m_node;
    std::vector<Requester> m_services;
    bool m_inline;
    // The reactor thread's own (see run()): until when every message goes to the workers.
    Clock::time_point m_offloadUntil{};
    std::unique_ptr<grpc::ServerCompletionQueue> m_queue;
    std::unique_ptr<Workers> m_workers;
    std::thread m_thread;
    std::mutex m_askMutex; // orders every ask before the queue's shutdown
    bool m_asking = false;
    bool m_stopped = false;
};

} // namespace flowdeck::server
