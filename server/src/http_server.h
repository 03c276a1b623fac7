#pragma once

#include "node.h"
#include "tls.h"

#include <memory>
#include <string>
#include <thread>

namespace httplib {
class Server;
}

namespace flowdeck::server {

// The seed engine's HTTP surface (DESIGN.md §5): /health, /ready, /metrics, POST /api/v2/process,
// GET /api/v2/conversations/{id}/state and GET /api/v2/flows. Bodies are the proto messages
// printed with their proto field names; errors are the seed's
// {"status":"error","error":{...}} with the status statusFor() gives.
class HttpServer final {
public:
    // Serves HTTPS when `tls` has a certificate (and asks for client certificates signed by
    // its client CA, when given).
    HttpServer(Node& node, const TlsOptions& tls);
    ~HttpServer();

    // Binds and serves on a thread of its own; false with *error when it cannot bind (or the
    // TLS files were refused).
    bool start(const std::string& host, int port, std::string* error);
    int port() const { return m_port; }
    // Stops accepting, lets requests in flight finish, and joins the serving thread.
    void stop();

private:
    void routes();

    Node& m_node;
    std::unique_ptr<httplib::Server> m_server;
    std::thread m_thread;
    int m_port = 0;
};

} // namespace flowdeck::server
