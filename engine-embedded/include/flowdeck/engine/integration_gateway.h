#pragma once

#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace flowdeck::engine {

struct IntegrationRequest {
    std::string
        integration; // the name given in the state's config ("integration"), for stubs/metrics
    std::string method = "GET";
    std::string url;
    std::map<std::string, std::string> headers;
    std::string body;
    std::chrono::milliseconds timeout{10000};
    int retries = 0; // extra attempts after a transport error or 5xx
};

struct IntegrationResponse {
    int status = 0; // HTTP status; 0 when no response arrived
    std::string body;
    bool timedOut = false;
    std::string error; // transport error text, empty on success
    int attempts = 0;
    std::chrono::microseconds elapsed{0};
    bool ok() const { return error.empty() && !timedOut && status >= 200 && status < 300; }
};

// Performs integration calls for integration states. Implementations must be thread-safe: the
// engine calls them from many threads at once.
class IntegrationGateway {
public:
    virtual ~IntegrationGateway() = default;
    virtual IntegrationResponse call(const IntegrationRequest& request) = 0;
};

// Real HTTP through libcurl: timeout per attempt bounded by request.timeout overall, retries with
// a short backoff on transport errors and 5xx.
class CurlGateway final : public IntegrationGateway {
public:
    CurlGateway();
    ~CurlGateway() override;
    IntegrationResponse call(const IntegrationRequest& request) override;
};

// Answers from recorded responses, for simulation and tests: never touches the network unless a
// stub is set to live (then it forwards to the given live gateway).
struct StubResponse {
    enum class Kind { Success, Failure, Slow, Timeout, Live };
    Kind kind = Kind::Success;
    int status = 200;
    std::string body = "{}";
    std::chrono::milliseconds delay{0}; // for Slow; a delay beyond the request timeout is a timeout
};

class StubGateway final : public IntegrationGateway {
public:
    explicit StubGateway(std::shared_ptr<IntegrationGateway> live = nullptr);
    // The response for every call to `integration` (replaces any sequence).
    void setResponse(const std::string& integration, StubResponse response);
    // Responses returned in order, one per call; the last one repeats.
    void setSequence(const std::string& integration, std::vector<StubResponse> responses);
    void clear();
    // Requests seen, in order (for assertions and the simulator's trace).
    std::vector<IntegrationRequest> calls() const;
    IntegrationResponse call(const IntegrationRequest& request) override;

private:
    struct Entry {
        std::vector<StubResponse> responses;
        size_t next = 0;
    };
    std::shared_ptr<IntegrationGateway> m_live;
    mutable std::mutex m_mutex;
    std::map<std::string, Entry> m_entries;
    std::deque<IntegrationRequest> m_calls; // the newest kMaxRecordedCalls; O(1) to drop the oldest
};

// Evaluates a JSONPath subset against a JSON text: $, .key, ['key'], [n], [*], ..key.
// Returns the matched value as JSON text ("null" when nothing matched); `error` is set when the
// path or the document does not parse.
std::string evaluateJsonPath(const std::string& jsonText, const std::string& path,
                             std::string* error);

} // namespace flowdeck::engine
