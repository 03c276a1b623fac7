// bench-grpc-floor: what gRPC itself costs per ProcessMessage on this machine, with no engine
// behind it. It answers every call at once with a fixed response, so bench-flowd-grpc driven
// against it measures the floor flowd's numbers sit on: the same transport, the same driver,
// nothing else. Two front ends: gRPC's synchronous server (what flowd uses, with flowd's thread
// settings, keepSyncServerThreads) and the callback API with the answer given on gRPC's own
// thread; and the async API, answering on the thread that polls (`--mode async`) or handing each
// call to a worker (`--pool N`). docs/benchmarks.md, "Session 2026-12-07" and "2026-12-08".
#include "flowdeck/v1/conversations.grpc.pb.h"
#include "sync_server_threads.h"

#include <CLI/CLI.hpp>
#include <absl/synchronization/mutex.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>

#include <condition_variable>
#include <cstdio>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace {

namespace v1 = flowdeck::v1;

void answer(const v1::ProcessMessageRequest& in, v1::ProcessMessageResponse* out) {
    out->set_conversation_id(in.conversation_id());
    out->set_current_state("greeting");
    out->mutable_response()->set_type("text");
    out->mutable_response()->set_text("Hello! How can I help?");
    out->set_flow_id(in.hints().force_flow());
    out->set_flow_version("1");
    out->set_conversation_version(1);
}

class SyncService final : public v1::Conversations::Service {
    grpc::Status ProcessMessage(grpc::ServerContext*, const v1::ProcessMessageRequest* in,
                                v1::ProcessMessageResponse* out) override {
        answer(*in, out);
        return grpc::Status::OK;
    }
};

class CallbackService final : public v1::Conversations::CallbackService {
    grpc::ServerUnaryReactor* ProcessMessage(grpc::CallbackServerContext* context,
                                             const v1::ProcessMessageRequest* in,
                                             v1::ProcessMessageResponse* out) override {
        answer(*in, out);
        auto* reactor = context->DefaultReactor();
        reactor->Finish(grpc::Status::OK);
        return reactor;
    }
};

// The async API: each completion queue has one thread that both polls and answers, so no call
// is handed from a poller to a worker. `queues` queues, `pending` calls requested on each.
class AsyncFloor {
    using Writer = grpc::ServerAsyncResponseWriter<v1::ProcessMessageResponse>;
    using Requester = std::function<void(grpc::ServerContext*, v1::ProcessMessageRequest*, Writer*,
                                         grpc::ServerCompletionQueue*, void*)>;

public:
    AsyncFloor(grpc::ServerBuilder& builder, int queues, bool mixed) {
        if (mixed) {
            builder.RegisterService(&m_mixed);
            flowdeck::proto::keepSyncServerThreads(builder);
        } else {
            builder.RegisterService(&m_service);
        }
        m_requester = [this, mixed](grpc::ServerContext* context, v1::ProcessMessageRequest* in,
                                    Writer* writer, grpc::ServerCompletionQueue* queue, void* tag) {
            if (mixed) {
                m_mixed.RequestProcessMessage(context, in, writer, queue, queue, tag);
            } else {
                m_service.RequestProcessMessage(context, in, writer, queue, queue, tag);
            }
        };
        for (int i = 0; i < queues; ++i) {
            m_queues.push_back(builder.AddCompletionQueue());
        }
    }
    // pool > 0: the queue's thread hands each call to one of `pool` workers, which answers it.
    void run(int pending, int threadsPerQueue, int pool) {
        std::vector<std::thread> threads;
        for (int i = 0; i < pool; ++i) {
            threads.emplace_back([this] {
                for (;;) {
                    Call* call = nullptr;
                    {
                        std::unique_lock lock(m_mutex);
                        m_ready.wait(lock, [this] { return !m_work.empty(); });
                        call = m_work.front();
                        m_work.pop_front();
                    }
                    call->answerNow();
                }
            });
        }
        m_pool = pool > 0;
        for (auto& queue : m_queues) {
            for (int i = 0; i < pending; ++i) {
                new Call(m_requester, *queue);
            }
            for (int t = 0; t < threadsPerQueue; ++t) {
                threads.emplace_back([this, &queue] {
                    void* tag = nullptr;
                    bool ok = false;
                    while (queue->Next(&tag, &ok)) {
                        auto* call = static_cast<Call*>(tag);
                        if (m_pool && ok && call->fresh()) {
                            call->renew();
                            {
                                std::lock_guard lock(m_mutex);
                                m_work.push_back(call);
                            }
                            m_ready.notify_one();
                            continue;
                        }
                        call->proceed(ok);
                    }
                });
            }
        }
        for (auto& thread : threads) {
            thread.join();
        }
    }

private:
    class Call {
    public:
        Call(const Requester& service, grpc::ServerCompletionQueue& queue)
            : m_service(service)
            , m_queue(queue)
            , m_writer(&m_context) {
            m_service(&m_context, &m_request, &m_writer, &m_queue, this);
        }
        bool fresh() const { return !m_answered; }
        void renew() { new Call(m_service, m_queue); }
        void answerNow() {
            answer(m_request, &m_response);
            m_answered = true;
            m_writer.Finish(m_response, grpc::Status::OK, this);
        }
        void proceed(bool ok) {
            if (!m_answered && ok) {
                new Call(m_service, m_queue);
                answer(m_request, &m_response);
                m_answered = true;
                m_writer.Finish(m_response, grpc::Status::OK, this);
                return;
            }
            delete this;
        }

    private:
        const Requester& m_service;
        grpc::ServerCompletionQueue& m_queue;
        grpc::ServerContext m_context;
        v1::ProcessMessageRequest m_request;
        v1::ProcessMessageResponse m_response;
        grpc::ServerAsyncResponseWriter<v1::ProcessMessageResponse> m_writer;
        bool m_answered = false;
    };

    Requester m_requester;
    v1::Conversations::AsyncService m_service;
    // ProcessMessage async, the other methods on gRPC's sync threads, as flowd would have them.
    v1::Conversations::WithAsyncMethod_ProcessMessage<v1::Conversations::Service> m_mixed;
    bool m_pool = false;
    std::mutex m_mutex;
    std::condition_variable m_ready;
    std::deque<Call*> m_work;
    std::vector<std::unique_ptr<grpc::ServerCompletionQueue>> m_queues;
};

} // namespace

int main(int argc, char** argv) {
    CLI::App app{"A ProcessMessage server with no engine behind it: gRPC's own cost per call"};
    std::string listen = "127.0.0.1:27443";
    std::string mode = "sync";
    int queues = 2;
    int threads = 1;
    int pool = 0;
    bool mixed = false;
    bool health = false;
    app.add_option("--listen", listen, "Address to serve on")->capture_default_str();
    app.add_option("--mode", mode, "sync (flowd's front end), callback or async")
        ->check(CLI::IsMember({"sync", "callback", "async"}))
        ->capture_default_str();
    app.add_option("--queues", queues, "async: completion queues, one thread each")
        ->check(CLI::Range(1, 64))
        ->capture_default_str();
    app.add_option("--pool", pool, "async: worker threads that answer (0: the queue's thread)")
        ->check(CLI::Range(0, 256))
        ->capture_default_str();
    app.add_flag("--health", health, "serve gRPC's default health service too, as flowd does");
    app.add_flag("--mixed", mixed, "async: the other Conversations methods on sync threads");
    app.add_option("--threads", threads, "async: threads on each completion queue")
        ->check(CLI::Range(1, 256))
        ->capture_default_str();
    CLI11_PARSE(app, argc, argv);
    absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore); // as flowd does

    SyncService sync;
    CallbackService callback;
    grpc::EnableDefaultHealthCheckService(health);
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort(listen, grpc::InsecureServerCredentials(), &port);
    std::unique_ptr<AsyncFloor> async;
    if (mode == "sync") {
        builder.RegisterService(&sync);
        flowdeck::proto::keepSyncServerThreads(builder);
    } else if (mode == "async") {
        async = std::make_unique<AsyncFloor>(builder, queues, mixed);
    } else {
        builder.RegisterService(&callback);
    }
    const std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
    if (!server || port == 0) {
        std::fprintf(stderr, "bench-grpc-floor: cannot listen on %s\n", listen.c_str());
        return 1;
    }
    std::fprintf(stderr, "bench-grpc-floor: %s server on %s\n", mode.c_str(), listen.c_str());
    if (async) {
        async->run(64, threads, pool); // until killed
    }
    server->Wait(); // until killed (SIGTERM or SIGINT end the process)
    return 0;
}
