#include "process_reactor.h"

#include "api_errors.h"
#include "conversation_api.h"
#include "grpc_admission.h"
#include "node.h"

#include <chrono>
#include <condition_variable>
#include <deque>

#include <pthread.h>
#include <time.h>

namespace flowdeck::server {

// Threads for the calls that wait. One is started whenever a call arrives with none idle, up to
// kMaxThreads (gRPC's sync server allowed flowd as many); they stay until stop(), so each keeps
// its per-thread setup (trace id generator, curl handle and connection) for the next call.
class ProcessReactor::Workers {
public:
    static constexpr size_t kMaxThreads = 256;

    void submit(std::function<void()> task) {
        std::unique_lock lock(m_mutex);
        if (m_stopping) {
            lock.unlock();
            task(); // a call that arrived as the server stopped: answer it here
            return;
        }
        m_tasks.push_back(std::move(task));
        if (m_tasks.size() > m_idle && m_threads.size() < kMaxThreads) {
            try {
                m_threads.emplace_back([this] {
                    pthread_setname_np(pthread_self(), "flowd-worker");
                    loop();
                });
                return;
            } catch (const std::system_error& e) {
                if (m_threads.empty()) {
                    auto run = std::move(m_tasks.back());
                    m_tasks.pop_back();
                    lock.unlock();
                    logLine(std::string("gRPC workers: cannot start a thread (") + e.what() +
                            "); running the call on the reactor");
                    run();
                    return;
                }
            }
        }
        m_wake.notify_one();
    }

    // Runs what is queued, then ends every thread.
    void stop() {
        std::vector<std::thread> threads;
        {
            std::lock_guard lock(m_mutex);
            m_stopping = true;
            threads.swap(m_threads);
        }
        m_wake.notify_all();
        for (auto& thread : threads) {
            thread.join();
        }
    }

private:
    void loop() {
        std::unique_lock lock(m_mutex);
        for (;;) {
            ++m_idle;
            m_wake.wait(lock, [this] { return m_stopping || !m_tasks.empty(); });
            --m_idle;
            if (m_tasks.empty()) {
                return; // stopping, nothing left
            }
            auto task = std::move(m_tasks.front());
            m_tasks.pop_front();
            lock.unlock();
            task();
            lock.lock();
        }
    }

    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::deque<std::function<void()>> m_tasks;
    std::vector<std::thread> m_threads;
    size_t m_idle = 0;
    bool m_stopping = false;
};

// One ProcessMessage call, from being asked for to its answer. Events arrive on the reactor
// thread; the work runs there or on one worker, never on two threads at once.
class ProcessReactor::Call {
public:
    Call(ProcessReactor& reactor, size_t service)
        : m_reactor(reactor)
        , m_service(service)
        , m_writer(&m_context) {
        m_reactor.m_services[m_service](&m_context, &m_request, &m_writer, m_reactor.m_queue.get(),
                                        this);
    }

    // The call arrived (ok), or its answer went out or it ended (anything after arriving).
    void onEvent(bool ok) {
        if (m_arrived || !ok) {
            delete this;
            return;
        }
        m_arrived = true;
        m_reactor.ask(m_service);
        Node& node = m_reactor.m_node;
        m_admission = admitCall(node, m_context, m_request);
        if (!m_admission.who) {
            finish(m_admission.refused);
            return;
        }
        if (m_reactor.answersInline() && answerWithoutWaiting()) {
            return;
        }
        m_reactor.m_workers->submit([this] { answerWaiting(); });
    }

private:
    bool answerWithoutWaiting() {
        Node& node = m_reactor.m_node;
        const std::string& traceId = m_admission.traceId;
        grpc::Status status;
        try {
            Rejection rejected;
            if (!tryProcessMessage(node, m_request, traceId, deadlineBudget(m_context), m_response,
                                   rejected)) {
                return false;
            }
            status = rejected ? grpcError(*rejected, traceId) : grpc::Status::OK;
        } catch (const std::exception& e) {
            status = internalError(e, traceId);
        }
        auditCall(node, m_admission, m_request, status);
        finish(status);
        return true;
    }

    void answerWaiting() {
        Node& node = m_reactor.m_node;
        const std::string& traceId = m_admission.traceId;
        grpc::Status status;
        try {
            const Rejection rejected =
                processMessage(node, m_request, traceId, deadlineBudget(m_context), m_response);
            status = rejected ? grpcError(*rejected, traceId) : grpc::Status::OK;
        } catch (const std::exception& e) {
            status = internalError(e, traceId);
        }
        auditCall(node, m_admission, m_request, status);
        finish(status);
    }

    void finish(const grpc::Status& status) {
        if (status.ok()) {
            m_writer.Finish(m_response, status, this);
        } else {
            m_writer.FinishWithError(status, this);
        }
    }

    ProcessReactor& m_reactor;
    size_t m_service;
    grpc::ServerContext m_context;
    v1::ProcessMessageRequest m_request;
    v1::ProcessMessageResponse m_response;
    Writer m_writer;
    Admission m_admission;
    bool m_arrived = false;
};

ProcessReactor::ProcessReactor(Node& node, std::vector<Requester> services, bool answerInline)
    : m_node(node)
    , m_services(std::move(services))
    , m_inline(answerInline)
    , m_workers(std::make_unique<Workers>()) {}

ProcessReactor::~ProcessReactor() {
    stopAsking();
    stop();
}

void ProcessReactor::attach(grpc::ServerBuilder& builder) {
    m_queue = builder.AddCompletionQueue();
}

void ProcessReactor::start() {
    {
        std::lock_guard lock(m_askMutex);
        m_asking = true;
        // Enough calls asked for that a burst never waits for the reactor to ask again.
        constexpr int kAskedPerService = 64;
        for (size_t service = 0; service < m_services.size(); ++service) {
            for (int i = 0; i < kAskedPerService; ++i) {
                new Call(*this, service);
            }
        }
    }
    m_thread = std::thread([this] {
        pthread_setname_np(pthread_self(), "flowd-reactor");
        run();
    });
}

void ProcessReactor::ask(size_t service) {
    std::lock_guard lock(m_askMutex);
    if (m_asking) {
        new Call(*this, service);
    }
}

void ProcessReactor::run() {
    // The thread's CPU time (gRPC's reading and writing included) decides whether it answers
    // messages itself. Busy above kBusy for kHotWindows windows in a row, calls arrive faster
    // than one thread answers them: for kOffloadFor every message goes to the workers, which use
    // the other cores and SQLite's group commit. A share would not do: an inline commit then
    // waits behind the workers' batches, and the thread stalls while looking idle.
    constexpr auto kWindow = std::chrono::milliseconds(20);
    constexpr double kBusy = 0.97;
    constexpr int kHotWindows = 5;
    constexpr auto kOffloadFor = std::chrono::seconds(1);
    auto windowStart = Clock::now();
    auto cpuStart = threadCpuTime();
    int hot = 0;
    void* tag = nullptr;
    bool ok = false;
    while (m_queue->Next(&tag, &ok)) {
        static_cast<Call*>(tag)->onEvent(ok);
        const auto now = Clock::now();
        if (now - windowStart >= kWindow) {
            const auto cpu = threadCpuTime();
            const double busy = std::chrono::duration<double>(cpu - cpuStart).count() /
                                std::chrono::duration<double>(now - windowStart).count();
            hot = now >= m_offloadUntil && busy > kBusy ? hot + 1 : 0;
            if (hot >= kHotWindows) {
                m_offloadUntil = now + kOffloadFor;
                hot = 0;
            }
            windowStart = now;
            cpuStart = cpu;
        }
    }
}

bool ProcessReactor::answersInline() const {
    return m_inline && Clock::now() >= m_offloadUntil;
}

std::chrono::nanoseconds ProcessReactor::threadCpuTime() {
    timespec now{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return std::chrono::seconds(now.tv_sec) + std::chrono::nanoseconds(now.tv_nsec);
}

void ProcessReactor::stopAsking() {
    std::lock_guard lock(m_askMutex);
    m_asking = false;
}

void ProcessReactor::stop() {
    if (m_stopped || !m_queue) {
        return;
    }
    m_stopped = true;
    m_workers->stop(); // each answers (or finds its call cancelled) before the queue closes
    {
        std::lock_guard lock(m_askMutex); // no ask is under way
        m_queue->Shutdown();
    }
    if (m_thread.joinable()) {
        m_thread.join();
    } else {
        void* tag = nullptr;
        bool ok = false;
        while (m_queue->Next(&tag, &ok)) {
            delete static_cast<Call*>(tag);
        }
    }
}

} // namespace flowdeck::server
