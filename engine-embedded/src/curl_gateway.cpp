// CurlGateway: HTTP integration calls through libcurl.
//
// Threading: every thread keeps one easy handle (reset before each call) so that connections to
// the same API are kept alive between calls without any handle being shared across threads.
// Secrets: header values are never copied into error texts, and neither are URLs (they may carry
// tokens in the query or credentials in the authority); errors name the scheme, host and port.
#include "flowdeck/engine/integration_gateway.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <thread>

namespace flowdeck::engine {

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr size_t kMaxResponseBytes = 4 * 1024 * 1024;
constexpr const char* kMaxResponseText = "response larger than 4 MiB";
constexpr int kMaxRetries = 10;
constexpr milliseconds kFirstBackoff{50};
constexpr milliseconds kMaxBackoff{800};
constexpr milliseconds kMaxConnectTimeout{10000};
constexpr milliseconds kMaxTimeout{10 * 60 * 1000};
constexpr long kMaxRedirects = 5;

std::once_flag s_globalInitOnce;
CURLcode s_globalInitResult = CURLE_OK;

void initCurlOnce() {
    std::call_once(s_globalInitOnce,
                   [] { s_globalInitResult = curl_global_init(CURL_GLOBAL_ALL); });
}

struct ThreadHandle final {
    CURL* handle = nullptr;
    ~ThreadHandle() {
        if (handle) {
            curl_easy_cleanup(handle);
        }
    }
};

CURL* threadHandle() {
    thread_local ThreadHandle t;
    if (!t.handle) {
        t.handle = curl_easy_init();
    } else {
        curl_easy_reset(t.handle); // keeps the connection cache, drops the previous call's options
    }
    return t.handle;
}

struct HeaderList final {
    curl_slist* list = nullptr;
    ~HeaderList() { curl_slist_free_all(list); }
    bool append(const std::string& line) {
        curl_slist* next = curl_slist_append(list, line.c_str());
        if (next) {
            list = next;
        }
        return next != nullptr;
    }
};

struct BodySink final {
    std::string data;
    bool overflow = false;
};

size_t writeBody(char* ptr, size_t size, size_t count, void* userdata) {
    auto* sink = static_cast<BodySink*>(userdata);
    const size_t bytes = size * count;
    if (sink->data.size() + bytes > kMaxResponseBytes) {
        sink->overflow = true;
        return 0; // makes libcurl stop with CURLE_WRITE_ERROR
    }
    sink->data.append(ptr, bytes);
    return bytes;
}

struct UrlParts {
    std::string scheme;
    std::string hostPort = "the server";
};

UrlParts urlParts(const std::string& url) {
    UrlParts parts;
    CURLU* u = curl_url();
    if (!u) {
        return parts;
    }
    if (curl_url_set(u, CURLUPART_URL, url.c_str(), CURLU_NON_SUPPORT_SCHEME) == CURLUE_OK) {
        char* scheme = nullptr;
        char* host = nullptr;
        char* port = nullptr;
        if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK) {
            parts.scheme = scheme;
        }
        if (curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
            parts.hostPort = host;
            if (curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK) {
                parts.hostPort += std::string(":") + port;
            }
        }
        curl_free(scheme);
        curl_free(host);
        curl_free(port);
    }
    curl_url_cleanup(u);
    return parts;
}

bool isTokenChar(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || std::strchr("!#$%&'*+-.^_`|~", c);
}

// Rejects what would let a flow inject extra header lines or a malformed request line.
std::string validateRequest(const IntegrationRequest& request, std::string& method) {
    method = request.method.empty() ? "GET" : request.method;
    std::transform(method.begin(), method.end(), method.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    if (method.size() > 16 || !std::all_of(method.begin(), method.end(), isTokenChar)) {
        return "invalid HTTP method '" + method.substr(0, 16) + "'";
    }
    if (request.url.empty()) {
        return "no URL given";
    }
    for (const auto& [name, value] : request.headers) {
        if (name.empty() || name.size() > 256 ||
            !std::all_of(name.begin(), name.end(), isTokenChar)) {
            return "invalid header name '" + name.substr(0, 64) + "'";
        }
        if (value.find_first_of(std::string("\r\n\0", 3)) != std::string::npos) {
            return "header '" + name + "' has a line break or NUL in its value";
        }
    }
    return {};
}

struct Attempt {
    CURLcode code = CURLE_OK;
    long status = 0;
    long osErrno = 0;
    BodySink body;
};

void setMethodAndBody(CURL* h, const std::string& method, const std::string& body) {
    if (method == "HEAD") {
        curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
        return;
    }
    if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body.data());
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    }
    if (method != "GET" && method != "POST") {
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method.c_str());
    } else if (method == "GET" && !body.empty()) {
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, "GET");
    }
}

Attempt perform(CURL* h, const IntegrationRequest& request, const std::string& method,
                curl_slist* headers, milliseconds remaining) {
    Attempt a;
    curl_easy_setopt(h, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(h, CURLOPT_MAXREDIRS, kMaxRedirects);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(remaining.count()));
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(std::min(remaining, kMaxConnectTimeout).count()));
    curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(kMaxResponseBytes));
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, writeBody);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &a.body);
    curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(h, CURLOPT_USERAGENT, "flowdeck/0.1");
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    setMethodAndBody(h, method, request.body);
    a.code = curl_easy_perform(h);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &a.status);
    curl_easy_getinfo(h, CURLINFO_OS_ERRNO, &a.osErrno);
    return a;
}

std::string describeFailure(const Attempt& a, const IntegrationRequest& request) {
    const UrlParts url = urlParts(request.url);
    switch (a.code) {
    case CURLE_COULDNT_CONNECT:
        if (a.osErrno == ECONNREFUSED) {
            return "connection refused to " + url.hostPort;
        }
        return "could not connect to " + url.hostPort +
               (a.osErrno ? std::string(" (") + std::strerror(static_cast<int>(a.osErrno)) + ")"
                          : std::string());
    case CURLE_COULDNT_RESOLVE_HOST:
        return "could not resolve host of " + url.hostPort;
    case CURLE_OPERATION_TIMEDOUT:
        return "timed out after " + std::to_string(request.timeout.count()) + " ms";
    case CURLE_UNSUPPORTED_PROTOCOL:
        return "unsupported URL scheme '" + url.scheme + "' (only http and https are allowed)";
    case CURLE_URL_MALFORMAT:
        return "malformed URL";
    case CURLE_FILESIZE_EXCEEDED:
        return kMaxResponseText;
    case CURLE_WRITE_ERROR:
        return a.body.overflow ? kMaxResponseText : "could not store the response";
    case CURLE_TOO_MANY_REDIRECTS:
        return "more than " + std::to_string(kMaxRedirects) + " redirects from " + url.hostPort;
    default:
        return std::string(curl_easy_strerror(a.code)) + " (" + url.hostPort + ")";
    }
}

bool isRetryable(const Attempt& a) {
    switch (a.code) {
    case CURLE_OK:
        return a.status >= 500;
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
        return true;
    default:
        return false;
    }
}

void applyAttempt(Attempt& a, const IntegrationRequest& request, IntegrationResponse& response) {
    response.status = a.code == CURLE_OK ? static_cast<int>(a.status) : 0;
    response.timedOut = a.code == CURLE_OPERATION_TIMEDOUT;
    if (a.code == CURLE_OK) {
        response.body = std::move(a.body.data);
        response.error.clear();
    } else {
        response.body.clear();
        response.error = describeFailure(a, request);
    }
}

milliseconds backoffFor(int attempt) {
    const int shift = std::min(attempt - 1, 8);
    return std::min(kFirstBackoff * (1 << shift), kMaxBackoff);
}

IntegrationResponse failed(std::string error, Clock::time_point start) {
    IntegrationResponse r;
    r.error = std::move(error);
    r.elapsed = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start);
    return r;
}

} // namespace

CurlGateway::CurlGateway() {
    initCurlOnce();
}

CurlGateway::~CurlGateway() = default;

IntegrationResponse CurlGateway::call(const IntegrationRequest& request) {
    const auto start = Clock::now();
    const auto budget = std::clamp(request.timeout, milliseconds{1}, kMaxTimeout);
    const auto deadline = start + budget;
    initCurlOnce();
    if (s_globalInitResult != CURLE_OK) {
        return failed("libcurl could not be initialised", start);
    }
    std::string method;
    if (std::string invalid = validateRequest(request, method); !invalid.empty()) {
        return failed(std::move(invalid), start);
    }
    HeaderList headers;
    bool headersOk = headers.append("Expect:"); // no 100-continue round trip for large bodies
    for (const auto& [name, value] : request.headers) {
        headersOk = headersOk && headers.append(name + ": " + value);
    }
    CURL* handle = threadHandle();
    if (!handle || !headersOk) {
        return failed("could not prepare the libcurl request", start);
    }

    IntegrationResponse response;
    const int maxAttempts = 1 + std::clamp(request.retries, 0, kMaxRetries);
    for (int attempt = 1;; ++attempt) {
        const auto remaining = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
        if (remaining.count() <= 0) {
            response.timedOut = true;
            response.error = "timed out after " + std::to_string(request.timeout.count()) + " ms";
            break;
        }
        response.attempts = attempt;
        Attempt a = perform(handle, request, method, headers.list, remaining);
        applyAttempt(a, request, response);
        if (attempt >= maxAttempts || !isRetryable(a)) {
            break;
        }
        const auto backoff = backoffFor(attempt);
        if (Clock::now() + backoff >= deadline) {
            break; // a retry could not finish in time: report what the last attempt got
        }
        std::this_thread::sleep_for(backoff);
    }
    response.elapsed = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start);
    return response;
}

} // namespace flowdeck::engine
