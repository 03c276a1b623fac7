// flowdeck-http-stub: a small HTTP server on 127.0.0.1 that integration tests start as a real
// process. Prints "listening 127.0.0.1:<port>" as its first and only stdout line, then serves:
//   GET|POST /json/<name>[?body=<json>&status=<code>]  a JSON document (canned unless body= given)
//   ANY /delay/<ms>          answers 200 after the delay (at most 60 s)
//   ANY /status/<code>       answers with that status
//   ANY /flaky/<n>[/<key>]   503 for the first n calls to that exact path, then 200
//   ANY /echo[/...]          the request as JSON: method, path, query, headers, body
//   ANY /big/<bytes>[?chunked=1]  a body of that many bytes (at most 64 MiB)
//   GET /calls               calls per path since start (DELETE /calls resets)
//   routes from --routes FILE: {"/path": {"status":200,"body":...,"delay_ms":0,"headers":{}}}
//     or {"/path": [response, response, ...]} answered in order, the last one repeating.
// Exits 0 on SIGTERM or SIGINT, and when its parent dies (so a crashed test leaves nothing).
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <regex>
#include <string>
#include <thread>

#include <sys/prctl.h>

namespace {

using Json = nlohmann::ordered_json;
using std::chrono::milliseconds;

constexpr long kMaxDelayMs = 60000;
constexpr size_t kMaxBigBytes = 64 * 1024 * 1024;
constexpr size_t kMaxCountedPaths = 10000;

class StubState final {
public:
    void countCall(const std::string& path) {
        std::lock_guard lock(m_mutex);
        if (m_calls.size() < kMaxCountedPaths || m_calls.count(path)) {
            ++m_calls[path];
        }
    }
    Json calls() {
        std::lock_guard lock(m_mutex);
        Json result = Json::object();
        for (const auto& [path, count] : m_calls) {
            result[path] = count;
        }
        return result;
    }
    void resetCalls() {
        std::lock_guard lock(m_mutex);
        m_calls.clear();
        m_routeNext.clear();
    }
    long callCount(const std::string& path) {
        std::lock_guard lock(m_mutex);
        auto it = m_calls.find(path);
        return it == m_calls.end() ? 0 : it->second;
    }
    // Index of the next response of a route sequence; the last one repeats.
    size_t nextRouteIndex(const std::string& path, size_t size) {
        std::lock_guard lock(m_mutex);
        size_t& next = m_routeNext[path];
        const size_t current = next;
        if (next + 1 < size) {
            ++next;
        }
        return current;
    }
    // Returns false when the server is stopping, so that a long delay never holds up exit.
    bool sleepFor(milliseconds delay) {
        std::unique_lock lock(m_mutex);
        return !m_stopCv.wait_for(lock, delay, [this] { return m_stopping; });
    }
    void stop() {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
        m_stopCv.notify_all();
    }

private:
    std::mutex m_mutex;
    std::condition_variable m_stopCv;
    bool m_stopping = false;
    std::map<std::string, long> m_calls;
    std::map<std::string, size_t> m_routeNext;
};

std::string dump(const Json& json) {
    return json.dump(-1, ' ', false, Json::error_handler_t::replace);
}

void replyJson(httplib::Response& res, int status, const Json& body) {
    res.status = status;
    res.set_content(dump(body), "application/json");
}

long numberParam(const httplib::Request& req, size_t index, long max) {
    try {
        return std::min(std::stol(req.matches[index].str()), max);
    } catch (const std::exception&) {
        return -1;
    }
}

template <typename Handler>
void onAnyMethod(httplib::Server& server, const std::string& pattern, Handler handler) {
    server.Get(pattern, handler);
    server.Post(pattern, handler);
    server.Put(pattern, handler);
    server.Patch(pattern, handler);
    server.Delete(pattern, handler);
}

std::string escapeRegex(const std::string& text) {
    static const std::regex special(R"([.^$|()\[\]{}*+?\\])");
    return std::regex_replace(text, special, R"(\$&)");
}

void answerRoute(StubState& state, const Json& spec, httplib::Response& res) {
    const long delay = spec.value("delay_ms", 0L);
    if (delay > 0 && !state.sleepFor(milliseconds(std::min(delay, kMaxDelayMs)))) {
        res.status = 503;
        return;
    }
    res.status = spec.value("status", 200);
    if (spec.contains("headers") && spec["headers"].is_object()) {
        for (const auto& [name, value] : spec["headers"].items()) {
            res.set_header(name, value.is_string() ? value.get<std::string>() : dump(value));
        }
    }
    const Json body = spec.value("body", Json("{}"));
    res.set_content(body.is_string() ? body.get<std::string>() : dump(body), "application/json");
}

bool addFileRoutes(httplib::Server& server, StubState& state, const std::string& file) {
    std::ifstream in(file);
    const Json routes = Json::parse(in, nullptr, false);
    if (!in || routes.is_discarded() || !routes.is_object()) {
        std::cerr << "flowdeck-http-stub: cannot read routes from " << file
                  << " (expected a JSON object of path -> response)\n";
        return false;
    }
    for (const auto& [path, spec] : routes.items()) {
        const Json responses = spec.is_array() ? spec : Json::array({spec});
        if (responses.empty()) {
            continue;
        }
        onAnyMethod(
            server, escapeRegex(path),
            [&state, responses, path = path](const httplib::Request&, httplib::Response& res) {
                const size_t i = state.nextRouteIndex(path, responses.size());
                answerRoute(state, responses[i], res);
            });
    }
    return true;
}

Json echoOf(const httplib::Request& req) {
    Json headers = Json::object();
    for (const auto& [name, value] : req.headers) {
        if (name == "REMOTE_ADDR" || name == "REMOTE_PORT" || name == "LOCAL_ADDR" ||
            name == "LOCAL_PORT") {
            continue; // httplib's own bookkeeping, not something the client sent
        }
        std::string& slot = headers[name].is_string()
                                ? headers[name].get_ref<std::string&>()
                                : (headers[name] = "").get_ref<std::string&>();
        slot += slot.empty() ? value : ", " + value;
    }
    // Only the URL's query: httplib also merges form-encoded bodies into req.params.
    httplib::Params params;
    if (const auto mark = req.target.find('?'); mark != std::string::npos) {
        httplib::detail::parse_query_text(req.target.substr(mark + 1), params);
    }
    Json query = Json::object();
    for (const auto& [name, value] : params) {
        query[name] = value;
    }
    return Json{{"method", req.method},
                {"path", req.path},
                {"query", query},
                {"headers", headers},
                {"body", req.body}};
}

void addJsonAndStatusRoutes(httplib::Server& server) {
    auto json = [](const httplib::Request& req, httplib::Response& res) {
        const int status =
            req.has_param("status") ? std::atoi(req.get_param_value("status").c_str()) : 200;
        res.status = status >= 100 && status <= 599 ? status : 200;
        if (req.has_param("body")) {
            res.set_content(req.get_param_value("body"), "application/json");
            return;
        }
        // A canned document with nesting, arrays and unicode, for JSONPath response mappings.
        const Json doc = {
            {"id", req.matches[1].str()},
            {"method", req.method},
            {"status", "shipped"},
            {"customer", {{"name", "Zoë"}, {"email", "zoe@example.com"}}},
            {"items", Json::array({{{"sku", "A-1"}, {"qty", 1}}, {{"sku", "B-2"}, {"qty", 2}}})},
            {"total", 42.5}};
        res.set_content(dump(doc), "application/json");
    };
    server.Get(R"(/json/(.+))", json);
    server.Post(R"(/json/(.+))", json);
    onAnyMethod(server, R"(/status/(\d+))",
                [](const httplib::Request& req, httplib::Response& res) {
                    const long code = numberParam(req, 1, 1000);
                    if (code < 100 || code > 599) {
                        return replyJson(res, 400, {{"error", "status must be 100-599"}});
                    }
                    replyJson(res, static_cast<int>(code), {{"status", code}});
                });
}

void addTimingRoutes(httplib::Server& server, StubState& state) {
    onAnyMethod(server, R"(/delay/(\d+))",
                [&state](const httplib::Request& req, httplib::Response& res) {
                    const long ms = numberParam(req, 1, kMaxDelayMs);
                    if (!state.sleepFor(milliseconds(std::max(ms, 0L)))) {
                        return replyJson(res, 503, {{"error", "stopping"}});
                    }
                    replyJson(res, 200, {{"delayed_ms", ms}});
                });
    onAnyMethod(server, R"(/flaky/(\d+)(/.*)?)",
                [&state](const httplib::Request& req, httplib::Response& res) {
                    const long failures = numberParam(req, 1, 1000000);
                    const long attempt = state.callCount(req.path); // counted before routing
                    if (attempt <= failures) {
                        return replyJson(res, 503, {{"error", "flaky"}, {"attempt", attempt}});
                    }
                    replyJson(res, 200, {{"ok", true}, {"attempt", attempt}});
                });
    onAnyMethod(server, R"(/big/(\d+))", [](const httplib::Request& req, httplib::Response& res) {
        const auto bytes = static_cast<size_t>(std::max(numberParam(req, 1, kMaxBigBytes), 0L));
        if (req.get_param_value("chunked") != "1") {
            return res.set_content(std::string(bytes, 'x'), "text/plain");
        }
        res.set_chunked_content_provider(
            "text/plain", [bytes, sent = size_t{0}](size_t, httplib::DataSink& sink) mutable {
                const std::string chunk(std::min<size_t>(64 * 1024, bytes - sent), 'x');
                sent += chunk.size();
                if (!chunk.empty() && !sink.write(chunk.data(), chunk.size())) {
                    return false;
                }
                if (sent >= bytes) {
                    sink.done();
                }
                return true;
            });
    });
}

void addBuiltinRoutes(httplib::Server& server, StubState& state) {
    server.set_pre_routing_handler([&state](const httplib::Request& req, httplib::Response&) {
        if (req.path != "/calls") {
            state.countCall(req.path);
        }
        return httplib::Server::HandlerResponse::Unhandled;
    });
    server.Get("/calls", [&state](const httplib::Request&, httplib::Response& res) {
        replyJson(res, 200, state.calls());
    });
    server.Delete("/calls", [&state](const httplib::Request&, httplib::Response& res) {
        state.resetCalls();
        replyJson(res, 200, Json::object());
    });
    onAnyMethod(server, R"(/echo(/.*)?)", [](const httplib::Request& req, httplib::Response& res) {
        replyJson(res, 200, echoOf(req));
    });
    addJsonAndStatusRoutes(server);
    addTimingRoutes(server, state);
}

struct Options {
    int port = 0;
    std::string routesFile;
};

bool parseOptions(int argc, char** argv, Options& options) {
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--port" && i + 1 < argc) {
            options.port = std::atoi(argv[++i]);
        } else if (arg == "--routes" && i + 1 < argc) {
            options.routesFile = argv[++i];
        } else {
            std::cerr << "usage: flowdeck-http-stub [--port N] [--routes FILE]\n";
            return false;
        }
    }
    return options.port >= 0 && options.port <= 65535;
}

} // namespace

int main(int argc, char** argv) {
    Options options;
    if (!parseOptions(argc, argv, options)) {
        return 2;
    }
    // Signals are blocked in every thread and taken by one waiting thread, which can then stop
    // the server safely (nothing in httplib is async-signal-safe).
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    prctl(PR_SET_PDEATHSIG, SIGTERM);

    StubState state;
    httplib::Server server;
    server.set_tcp_nodelay(true); // no delayed-ACK stalls when load tests call it
    // Clients that keep connections alive (CurlGateway does) hold a worker each while idle; with
    // 32 workers, a load test through flowd (one kept-alive connection per HTTP worker, 64)
    // stalled for seconds. Idle connections are closed after 2 s.
    server.new_task_queue = [] { return new httplib::ThreadPool(256); };
    server.set_keep_alive_timeout(2);
    server.set_keep_alive_max_count(1000); // httplib closes after 5 requests by default
    server.set_payload_max_length(16 * 1024 * 1024);
    // Routes from the file are registered first so that they win over the built-in endpoints.
    if (!options.routesFile.empty() && !addFileRoutes(server, state, options.routesFile)) {
        return 2;
    }
    addBuiltinRoutes(server, state);

    const int port = options.port == 0
                         ? server.bind_to_any_port("127.0.0.1")
                         : (server.bind_to_port("127.0.0.1", options.port) ? options.port : -1);
    if (port <= 0) {
        std::cerr << "flowdeck-http-stub: cannot bind 127.0.0.1:" << options.port << "\n";
        return 1;
    }
    std::printf("listening 127.0.0.1:%d\n", port);
    std::fflush(stdout);

    std::thread([&signals, &server, &state] {
        int received = 0;
        sigwait(&signals, &received);
        state.stop();
        server.stop();
        // stop() joins the worker threads, and a worker idling on a kept-alive connection only
        // notices after the keep-alive timeout: give in-flight answers a moment, then leave.
        std::this_thread::sleep_for(milliseconds(200));
        std::fflush(nullptr);
        std::_Exit(0);
    }).detach();
    server.listen_after_bind();
    return 0;
}
