#pragma once

#include "node.h"

#include "flowdeck/engine/errors.h"

#include <functional>
#include <optional>
#include <string>

namespace google::protobuf {
class Message;
}
namespace httplib {
class Server;
struct Request;
struct Response;
} // namespace httplib

namespace flowdeck::server {

// Shared by the HTTP routes (defined in http_server.cpp).
void sendError(httplib::Response& response, const engine::EngineError& error,
               const std::string& traceId);
void sendError(httplib::Response& response, engine::ErrorCode code, std::string message,
               const std::string& traceId);
// 200 with the message printed as JSON with its proto field names.
void sendMessage(httplib::Response& response, const google::protobuf::Message& message,
                 const std::string& traceId);
bool queryFlag(const httplib::Request& request, const char* name);
// Runs a handler's body, turning anything thrown into the seed's 500 body.
void guarded(httplib::Response& response, const std::string& traceId,
             const std::function<void()>& body);

// Admits a call (token from Authorization, role, tenant, rate limit: AccessControl); on refusal
// writes the error (401/403/429, with X-RateLimit-* headers) and returns nullopt. Rate headers
// are set on admitted calls too.
std::optional<Principal> admitted(Node& node, const httplib::Request& request,
                                  httplib::Response& response, const google::protobuf::Message& in,
                                  const std::string& traceId);
// The audit line for an admitted call, once its status is known.
void audited(Node& node, const Principal& who, const google::protobuf::Message& in,
             const httplib::Response& response, const std::string& traceId);

// /api/v2/flows over the Flows core (flows_api.h), docs/api.md "Flows over HTTP":
//   POST   /api/v2/flows                 create (seed body, CreateFlowRequest, or a bare document)
//   GET    /api/v2/flows                 list (limit, offset, status, query, tenant_id)
//   GET    /api/v2/flows/{id}            get (version, tenant_id)
//   PUT    /api/v2/flows/{id}            new version (UpdateFlowRequest or a bare document)
//   DELETE /api/v2/flows/{id}            archive
//   GET    /api/v2/flows/{id}/versions   versions, newest first (limit, offset)
void addFlowRoutes(httplib::Server& server, Node& node);

} // namespace flowdeck::server
