#include "load_worker.h"

#include "status_names.h"

#include <algorithm>
#include <array>
#include <cstdio>

namespace flowdeck::bench {

namespace {

constexpr size_t kMaxDistinctCodes = 64;

std::string statusName(grpc::StatusCode code) {
    const std::string_view name = proto::statusCodeName(code);
    return name.empty() ? "CODE_" + std::to_string(static_cast<int>(code)) : std::string(name);
}

void countCode(std::map<std::string, uint64_t>& counts, const std::string& code) {
    if (counts.size() < kMaxDistinctCodes || counts.contains(code)) {
        ++counts[code];
    } else {
        ++counts["other"];
    }
}

} // namespace

LoadWorker::LoadWorker(const LoadOptions& options, const LoadScript& script,
                       std::shared_ptr<grpc::Channel> channel, WorkerShare share)
    : m_options(options)
    , m_script(script)
    , m_share(share)
    , m_stub(v1::Conversations::NewStub(std::move(channel)))
    , m_conversations(share.conversations)
    , m_calls(share.concurrency) {
    for (size_t slot = 0; slot < m_conversations.size(); ++slot) {
        auto& conversation = m_conversations[slot];
        conversation.slot = slot;
        conversation.block = (slot * share.stride + share.index) % script.conversations.size();
        startConversation(conversation);
        m_ready.push_back(&conversation);
    }
    for (auto& call : m_calls) {
        call.request.set_tenant_id(options.tenant);
        if (!options.flow.empty()) {
            call.request.mutable_hints()->set_force_flow(options.flow);
        }
        m_freeCalls.push_back(&call);
    }
}

LoadWorker::~LoadWorker() {
    {
        // A worker that never started still owns a queue that must be shut down and drained.
        std::lock_guard lock(m_mutex);
        m_stopped = true;
        shutdownWhenIdle();
    }
    join();
    void* tag = nullptr;
    bool ok = false;
    while (m_queue.Next(&tag, &ok)) {
    }
}

void LoadWorker::start(const Schedule& schedule) {
    m_schedule = schedule;
    {
        std::lock_guard lock(m_mutex);
        sendDue(Clock::now());
        shutdownWhenIdle();
    }
    m_drainer = std::thread([this] { drainQueue(); });
    if (m_options.rate > 0) {
        m_sender = std::thread([this] { sendOnSchedule(); });
    }
}

LoadCounts LoadWorker::join() {
    if (m_sender.joinable()) {
        m_sender.join();
    }
    if (m_drainer.joinable()) {
        m_drainer.join();
    }
    std::lock_guard lock(m_mutex);
    LoadCounts counts = m_counts;
    counts.latency = m_latency.snapshot();
    return counts;
}

void LoadWorker::drainQueue() {
    void* tag = nullptr;
    bool ok = false;
    while (m_queue.Next(&tag, &ok)) {
        auto* call = static_cast<Call*>(tag);
        const auto now = Clock::now();
        std::lock_guard lock(m_mutex);
        record(*call, now);
        advance(*call->conversation, !call->status.ok());
        call->reader.reset();
        call->context.reset();
        m_freeCalls.push_back(call);
        --m_outstanding;
        sendDue(now);
        shutdownWhenIdle();
    }
}

void LoadWorker::sendOnSchedule() {
    for (;;) {
        Clock::time_point wake;
        {
            std::lock_guard lock(m_mutex);
            const auto now = Clock::now();
            sendDue(now);
            shutdownWhenIdle();
            if (m_stopped) {
                return;
            }
            // Behind the schedule (no free call or conversation): answers send the backlog.
            wake = std::max(intendedAt(m_next), now + std::chrono::microseconds(500));
            if (m_options.sendTick.count() > 0) {
                wake = std::max(wake, now + m_options.sendTick);
            }
        }
        std::this_thread::sleep_until(wake);
    }
}

void LoadWorker::sendDue(Clock::time_point now) {
    if (m_stopped) {
        return;
    }
    if (m_options.rate > 0) {
        sendOpenLoop(now);
    } else {
        sendClosedLoop(now);
    }
}

void LoadWorker::sendClosedLoop(Clock::time_point now) {
    if (now >= m_schedule.end) {
        m_stopped = true;
        return;
    }
    while (!m_freeCalls.empty() && !m_ready.empty()) {
        send(now, now);
    }
}

// Every message due by now is sent, each stamped with its time in the schedule. One that waits
// for a free call or conversation is sent late, and the wait counts in its latency.
void LoadWorker::sendOpenLoop(Clock::time_point now) {
    // Past the end by a whole call timeout the server is not keeping up: stop chasing it.
    const bool giveUp = now >= m_schedule.end + m_options.timeout;
    for (;;) {
        const auto intended = intendedAt(m_next);
        if (intended >= m_schedule.end || giveUp) {
            m_stopped = true;
            return;
        }
        if (intended > now || m_freeCalls.empty() || m_ready.empty()) {
            return;
        }
        send(intended, now);
        ++m_next;
    }
}

void LoadWorker::send(Clock::time_point intended, Clock::time_point now) {
    Call& call = *m_freeCalls.back();
    m_freeCalls.pop_back();
    Conversation& conversation = *m_ready.front();
    m_ready.pop_front();
    call.conversation = &conversation;
    call.intended = intended;
    call.measured = intended >= m_schedule.warmupEnd;
    call.context = std::make_unique<grpc::ClientContext>();
    call.context->set_deadline(std::chrono::system_clock::now() + m_options.timeout);
    if (!m_options.token.empty()) {
        call.context->AddMetadata("authorization", "Bearer " + m_options.token);
    }
    call.request.set_conversation_id(conversation.id);
    call.request.mutable_content()->set_text(
        m_script.conversations[conversation.block][conversation.line]);
    if (m_options.idempotencyKeys) {
        call.request.set_idempotency_key(conversation.id + "/" + std::to_string(conversation.line));
    }
    call.response.Clear();
    call.reader = m_stub->PrepareAsyncProcessMessage(call.context.get(), call.request, &m_queue);
    call.reader->StartCall();
    call.reader->Finish(&call.response, &call.status, &call);
    ++m_outstanding;
    if (conversation.line == 0) {
        ++m_counts.conversationsStarted;
    }
    if (call.measured) {
        ++m_counts.sent;
        const double lagMs = std::chrono::duration<double, std::milli>(now - intended).count();
        m_counts.maxSendLagMs = std::max(m_counts.maxSendLagMs, lagMs);
    } else {
        ++m_counts.warmupSent;
    }
}

void LoadWorker::record(const Call& call, Clock::time_point now) {
    if (m_shown < m_options.show) {
        show(call);
    }
    if (!call.measured) {
        m_counts.warmupOk += call.status.ok() ? 1 : 0;
        return;
    }
    m_latency.record(now - call.intended);
    m_counts.lastAnswer = std::max(m_counts.lastAnswer, now);
    if (!call.status.ok()) {
        countCode(m_counts.errors, statusName(call.status.error_code()));
        if (m_counts.firstError.empty()) {
            m_counts.firstError =
                statusName(call.status.error_code()) + ": " + call.status.error_message();
        }
        return;
    }
    ++m_counts.ok;
    m_counts.duplicates += call.response.duplicate() ? 1 : 0;
    for (const auto& error : call.response.errors()) {
        countCode(m_counts.flowErrors, error.code());
    }
}

void LoadWorker::show(const Call& call) {
    ++m_shown;
    const std::string answer =
        call.status.ok()
            ? call.response.current_state() + ": " + call.response.response().text()
            : statusName(call.status.error_code()) + ": " + call.status.error_message();
    std::fprintf(stderr, "%s  '%s' -> %s\n", call.request.conversation_id().c_str(),
                 call.request.content().text().c_str(), answer.c_str());
}

// A conversation that has sent its last line, or whose call failed (its state is then
// unknown), is over: the slot starts a new one on the next block of lines.
void LoadWorker::advance(Conversation& conversation, bool failed) {
    const auto& lines = m_script.conversations[conversation.block];
    if (failed || ++conversation.line >= lines.size()) {
        conversation.block = (conversation.block + 1) % m_script.conversations.size();
        ++conversation.generation;
        startConversation(conversation);
    }
    m_ready.push_back(&conversation);
}

void LoadWorker::startConversation(Conversation& conversation) {
    conversation.line = 0;
    conversation.id = m_options.idPrefix + "-" + std::to_string(m_share.index) + "-" +
                      std::to_string(conversation.slot) + "-" +
                      std::to_string(conversation.generation);
}

// Worker i of n sends messages i, i+n, i+2n ... of one schedule spaced 1/rate apart.
Clock::time_point LoadWorker::intendedAt(uint64_t k) const {
    const double seconds = static_cast<double>(k * m_share.stride + m_share.index) / m_options.rate;
    return m_schedule.start +
           std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
}

// The queue may only shut down once nothing will be sent on it again.
void LoadWorker::shutdownWhenIdle() {
    if (m_stopped && m_outstanding == 0 && !m_shutdown) {
        m_shutdown = true;
        m_queue.Shutdown();
    }
}

} // namespace flowdeck::bench
