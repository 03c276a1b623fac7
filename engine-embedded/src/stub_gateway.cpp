// StubGateway: recorded responses for the simulator and tests. It plays a request's retries the
// way CurlGateway would (a 5xx answer takes the next response in the sequence while attempts
// remain) so that a simulated flow behaves like the deployed one, and it waits out slow and
// timed-out answers for real so that traces show honest timings.
#include "flowdeck/engine/integration_gateway.h"

#include <algorithm>
#include <optional>
#include <thread>

namespace flowdeck::engine {

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr size_t kMaxRecordedCalls = 10000;
constexpr int kMaxRetries = 10;

std::string timedOutText(const IntegrationRequest& request) {
    return "timed out after " + std::to_string(request.timeout.count()) + " ms";
}

bool deadlinePassed(Clock::time_point deadline) {
    return Clock::now() >= deadline;
}

// One attempt's answer from a non-live stub; waits as the stub says, never past the deadline.
IntegrationResponse answer(const StubResponse& stub, const IntegrationRequest& request,
                           Clock::time_point deadline) {
    IntegrationResponse r;
    const bool timesOut =
        stub.kind == StubResponse::Kind::Timeout ||
        (stub.kind == StubResponse::Kind::Slow && Clock::now() + stub.delay >= deadline);
    if (timesOut) {
        std::this_thread::sleep_until(deadline);
        r.timedOut = true;
        r.error = timedOutText(request);
        return r;
    }
    if (stub.kind == StubResponse::Kind::Slow && stub.delay.count() > 0) {
        std::this_thread::sleep_for(stub.delay);
    }
    r.status = stub.status;
    if (stub.kind == StubResponse::Kind::Failure && stub.status < 400) {
        r.status = 500; // a failure left at the default status 200 still has to fail
    }
    r.body = stub.body;
    return r;
}

} // namespace

StubGateway::StubGateway(std::shared_ptr<IntegrationGateway> live)
    : m_live(std::move(live)) {}

void StubGateway::setResponse(const std::string& integration, StubResponse response) {
    std::lock_guard lock(m_mutex);
    m_entries[integration] = Entry{{std::move(response)}, 0};
}

void StubGateway::setSequence(const std::string& integration, std::vector<StubResponse> responses) {
    std::lock_guard lock(m_mutex);
    if (responses.empty()) {
        m_entries.erase(integration);
        return;
    }
    m_entries[integration] = Entry{std::move(responses), 0};
}

void StubGateway::clear() {
    std::lock_guard lock(m_mutex);
    m_entries.clear();
    m_calls.clear();
}

std::vector<IntegrationRequest> StubGateway::calls() const {
    std::lock_guard lock(m_mutex);
    return {m_calls.begin(), m_calls.end()};
}

IntegrationResponse StubGateway::call(const IntegrationRequest& request) {
    const auto start = Clock::now();
    const auto deadline = start + std::max(request.timeout, milliseconds{0});
    const int maxAttempts = 1 + std::clamp(request.retries, 0, kMaxRetries);
    IntegrationResponse response;
    for (int attempt = 1; attempt <= maxAttempts; ++attempt) {
        std::optional<StubResponse> stub;
        {
            // The lock is held only to pick the answer: waiting happens outside it so that
            // concurrent calls to other integrations are not serialised behind a slow one.
            std::lock_guard lock(m_mutex);
            if (attempt == 1) {
                if (m_calls.size() >= kMaxRecordedCalls) {
                    m_calls.pop_front(); // a vector's erase(begin) cost 70% of a simulated message
                }
                m_calls.push_back(request);
            }
            if (auto it = m_entries.find(request.integration); it != m_entries.end()) {
                Entry& entry = it->second;
                stub = entry.responses[entry.next];
                entry.next = std::min(entry.next + 1, entry.responses.size() - 1);
            }
        }
        if (!stub) {
            response = {};
            response.error = "no stub configured for integration '" + request.integration + "'";
            break;
        }
        if (stub->kind == StubResponse::Kind::Live) {
            if (!m_live) {
                response = {};
                response.error = "integration '" + request.integration +
                                 "' is stubbed as live but no live gateway is configured";
                break;
            }
            return m_live->call(request); // the live gateway does its own retries and timing
        }
        response = answer(*stub, request, deadline);
        response.attempts = attempt;
        if (response.timedOut || response.status < 500 || deadlinePassed(deadline)) {
            break;
        }
    }
    response.elapsed = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start);
    return response;
}

} // namespace flowdeck::engine
