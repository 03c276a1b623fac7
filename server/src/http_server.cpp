#include "http_server.h"

#include "request_limits.h"

#include "api_errors.h"
#include "conversation_api.h"
#include "flows_api.h"
#include "http_flows.h"
#include "request_limits.h"

#include <google/protobuf/util/json_util.h>
#include <httplib.h>

namespace flowdeck::server {

namespace {

using engine::ErrorCode;
namespace pbu = google::protobuf::util;

constexpr const char* kJson = "application/json";

// The request's start, set when routing begins and read by the logger on the same thread.
thread_local std::chrono::steady_clock::time_point t_started;

std::string routeLabel(const httplib::Request& request) {
    const std::string& path = request.path;
    if (path == "/health" || path == "/ready" || path == "/metrics" || path == "/api/v2/process" ||
        path == "/api/v2/flows") {
        return request.method + " " + path;
    }
    if (path.starts_with("/api/v2/conversations/") && path.ends_with("/state")) {
        return request.method + " /api/v2/conversations/{id}/state";
    }
    if (path.starts_with("/api/v2/flows/")) {
        return request.method + (path.ends_with("/versions") ? " /api/v2/flows/{id}/versions"
                                                             : " /api/v2/flows/{id}");
    }
    return "other"; // unknown paths must not create a metric child each
}

} // namespace

void sendError(httplib::Response& response, const engine::EngineError& error,
               const std::string& traceId) {
    response.status = statusFor(error.code).http;
    response.set_header("X-Flowdeck-Trace-Id", traceId);
    response.set_content(httpErrorBody(error, traceId), kJson);
}

void sendError(httplib::Response& response, ErrorCode code, std::string message,
               const std::string& traceId) {
    sendError(response, engine::makeError(code, std::move(message)), traceId);
}

void sendMessage(httplib::Response& response, const google::protobuf::Message& message,
                 const std::string& traceId) {
    pbu::JsonPrintOptions options;
    options.preserve_proto_field_names = true;
    options.always_print_primitive_fields = true;
    std::string text;
    const auto status = pbu::MessageToJsonString(message, &text, options);
    if (!status.ok()) {
        sendError(response, ErrorCode::StateError,
                  "cannot print the response: " + std::string(status.message()), traceId);
        return;
    }
    response.status = 200;
    response.set_header("X-Flowdeck-Trace-Id", traceId);
    response.set_content(text, kJson);
}

bool queryFlag(const httplib::Request& request, const char* name) {
    const std::string value = request.get_param_value(name);
    return value == "true" || value == "1";
}

std::optional<Principal> admitted(Node& node, const httplib::Request& request,
                                  httplib::Response& response, const google::protobuf::Message& in,
                                  const std::string& traceId) {
    RateInfo rate;
    auto admission = node.access().admit(request.get_header_value("Authorization"),
                                         request.get_header_value("X-Flowdeck-User"), in, &rate);
    for (const auto& [name, value] : rate.headers()) {
        response.set_header(name, value);
    }
    if (const auto* denial = std::get_if<Denial>(&admission)) {
        try {
            node.access().auditDenial(*denial, in, traceId);
        } catch (const std::exception& e) {
            logLine(std::string("audit log: ") + e.what() + " (trace " + traceId + ")");
        }
        response.status = denial->http;
        response.set_header("X-Flowdeck-Trace-Id", traceId);
        if (denial->http == 401) {
            response.set_header("WWW-Authenticate", "Bearer");
        }
        response.set_content(httpErrorBody(*denial, traceId), kJson);
        return std::nullopt;
    }
    return std::get<Principal>(std::move(admission));
}

void audited(Node& node, const Principal& who, const google::protobuf::Message& in,
             const httplib::Response& response, const std::string& traceId) {
    const int status = response.status < 0 ? 200 : response.status;
    node.access().audit(who, in, status < 300 ? "OK" : "HTTP " + std::to_string(status), traceId);
}

void guarded(httplib::Response& response, const std::string& traceId,
             const std::function<void()>& body) {
    try {
        body();
    } catch (const std::exception& e) {
        sendError(response, ErrorCode::StateError, std::string("internal error: ") + e.what(),
                  traceId);
    }
}

namespace {

constexpr size_t kHttpThreads = 64;

} // namespace

namespace {

std::unique_ptr<httplib::Server> makeServer(const TlsOptions& tls) {
    if (!tls.enabled()) {
        return std::make_unique<httplib::Server>();
    }
    return std::make_unique<httplib::SSLServer>(
        tls.certFile.c_str(), tls.keyFile.c_str(),
        tls.clientCaFile.empty() ? nullptr : tls.clientCaFile.c_str());
}

} // namespace

HttpServer::HttpServer(Node& node, const TlsOptions& tls)
    : m_node(node)
    , m_server(makeServer(tls)) {
    // Without TCP_NODELAY a small response waits on the client's delayed ACK (~40 ms per
    // request under wrk). Handlers block on integrations for up to a state's timeout, so the
    // pool is larger than httplib's default of 8 threads.
    m_server->set_tcp_nodelay(true);
    m_server->new_task_queue = [] { return new httplib::ThreadPool(kHttpThreads); };
    routes();
}

HttpServer::~HttpServer() {
    stop();
}

void HttpServer::routes() {
    auto& server = *m_server;
    server.set_keep_alive_timeout(2);
    server.set_keep_alive_max_count(1000); // httplib closes after 5 requests by default
    server.set_payload_max_length(kMaxRequestBytes);
    // httplib answers some faults itself (a body over the limit, an unknown path, a malformed
    // request) with an empty body; callers expect the API's error body on every error.
    const httplib::Server::HandlerWithResponse apiErrorBody = [](const httplib::Request& request,
                                                                 httplib::Response& response) {
        if (!response.body.empty()) {
            return httplib::Server::HandlerResponse::Unhandled; // a handler's own error
        }
        const std::string traceId = newTraceId();
        const int status = response.status;
        std::string message = "HTTP " + std::to_string(status);
        if (status == 413) {
            message = "the request body is larger than the " +
                      std::to_string(kMaxRequestBytes / (1024 * 1024)) + " MiB a request may have";
        } else if (status == 404) {
            message = "no such endpoint: " + request.method + " " + request.path;
        } else if (status == 400) {
            message = "the HTTP request is malformed";
        }
        sendError(response,
                  status == 413  ? ErrorCode::MessageTooLarge
                  : status < 500 ? ErrorCode::ValidationError
                                 : ErrorCode::StateError,
                  message, traceId);
        response.status = status; // keep httplib's status (413, 405, ...)
        return httplib::Server::HandlerResponse::Handled;
    };
    server.set_error_handler(apiErrorBody);
    server.set_pre_routing_handler([](const httplib::Request&, httplib::Response&) {
        t_started = std::chrono::steady_clock::now();
        return httplib::Server::HandlerResponse::Unhandled;
    });
    server.set_logger([this](const httplib::Request& request, const httplib::Response& response) {
        m_node.recordRequest(routeLabel(request), std::to_string(response.status),
                             std::chrono::steady_clock::now() - t_started);
    });
    server.Get("/health", [this](const httplib::Request&, httplib::Response& response) {
        bool healthy = false;
        response.set_content(m_node.healthJson(&healthy), kJson);
        response.status = healthy ? 200 : 503;
    });
    server.Get("/ready", [this](const httplib::Request&, httplib::Response& response) {
        const Node::Phase phase = m_node.phase();
        const char* name = phase == Node::Phase::Serving    ? "serving"
                           : phase == Node::Phase::Starting ? "starting"
                                                            : "draining";
        response.status = phase == Node::Phase::Serving ? 200 : 503;
        response.set_content(std::string(R"({"status":")") + name + "\"}", kJson);
    });
    server.Get("/metrics", [this](const httplib::Request&, httplib::Response& response) {
        response.set_content(m_node.metrics().exposition(),
                             "text/plain; version=0.0.4; charset=utf-8");
    });
    server.Post(
        "/api/v2/process", [this](const httplib::Request& request, httplib::Response& response) {
            const std::string traceId = newTraceId();
            guarded(response, traceId, [&] {
                if (request.body.size() > kMaxProcessBodyBytes) {
                    sendError(response, ErrorCode::MessageTooLarge,
                              "the body is " + std::to_string(request.body.size()) +
                                  " bytes; /api/v2/process takes at most " +
                                  std::to_string(kMaxProcessBodyBytes) + " bytes",
                              traceId);
                    response.status = 413;
                    return;
                }
                v1::ProcessMessageRequest in;
                const auto parsed = pbu::JsonStringToMessage(request.body, &in);
                if (!parsed.ok()) {
                    sendError(response, ErrorCode::ValidationError,
                              "the body is not a ProcessMessageRequest: " +
                                  std::string(parsed.message()),
                              traceId);
                    return;
                }
                if (!admitted(m_node, request, response, in, traceId)) {
                    return;
                }
                v1::ProcessMessageResponse out;
                if (auto rejected = processMessage(m_node, in, traceId, std::nullopt, out)) {
                    sendError(response, *rejected, traceId);
                } else {
                    sendMessage(response, out, traceId);
                }
            });
        });
    server.Get(R"(/api/v2/conversations/([^/]+)/state)",
               [this](const httplib::Request& request, httplib::Response& response) {
                   const std::string traceId = newTraceId();
                   guarded(response, traceId, [&] {
                       v1::GetStateRequest in;
                       in.set_tenant_id(request.get_param_value("tenant_id"));
                       in.set_conversation_id(request.matches[1]);
                       in.set_include_history(queryFlag(request, "include_history"));
                       in.set_include_context(queryFlag(request, "include_context"));
                       if (!admitted(m_node, request, response, in, traceId)) {
                           return;
                       }
                       v1::GetStateResponse out;
                       if (auto rejected = getConversationState(m_node, in, out)) {
                           sendError(response, *rejected, traceId);
                       } else {
                           sendMessage(response, out, traceId);
                       }
                   });
               });
    addFlowRoutes(server, m_node);
}

bool HttpServer::start(const std::string& host, int port, std::string* error) {
    if (!m_server->is_valid()) {
        *error = "the TLS certificate or key was refused (do they match? is the key encrypted?)";
        return false;
    }
    m_port = port == 0 ? m_server->bind_to_any_port(host)
                       : (m_server->bind_to_port(host, port) ? port : -1);
    if (m_port <= 0) {
        *error = "cannot listen for HTTP on " + host + ":" + std::to_string(port);
        return false;
    }
    m_thread = std::thread([this] { m_server->listen_after_bind(); });
    return true;
}

void HttpServer::stop() {
    if (m_thread.joinable()) {
        m_server->stop();
        m_thread.join();
    }
}

} // namespace flowdeck::server
