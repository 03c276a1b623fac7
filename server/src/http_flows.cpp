#include "http_flows.h"

#include "flows_api.h"

#include <google/protobuf/util/json_util.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <cstdlib>

namespace flowdeck::server {

namespace {

using engine::ErrorCode;
using OrderedJson = nlohmann::ordered_json;
namespace pbu = google::protobuf::util;

// Keys of a request body that steer the call rather than belong to the flow document.
constexpr const char* kControlKeys[] = {"tenant_id",   "flow_id",      "publish",
                                        "change_note", "base_version", "reason"};

uint32_t queryNumber(const httplib::Request& request, const char* name) {
    return static_cast<uint32_t>(std::strtoul(request.get_param_value(name).c_str(), nullptr, 10));
}

// A request's control value: the body's key, else the query parameter.
std::string control(const OrderedJson& body, const httplib::Request& request, const char* key) {
    if (body.contains(key) && body[key].is_string()) {
        return body[key].get<std::string>();
    }
    if (body.contains(key) && body[key].is_boolean()) {
        return body[key].get<bool>() ? "true" : "false";
    }
    return request.get_param_value(key);
}

// What a POST or PUT body asks for, in any of the three accepted shapes: a request message
// ({"flow": {...}, ...}, structured fields or flow_json), the seed's REST body ({"name",
// "description", "version", "flow_definition": {...}}), or a bare flow document.
struct FlowBody {
    std::string flowJson;
    std::string tenantId;
    std::string flowId;
    std::string changeNote;
    std::string baseVersion;
    bool publish = false;
};

std::optional<std::string> readFlowBody(const httplib::Request& request, FlowBody& out) {
    OrderedJson body = OrderedJson::parse(request.body, nullptr, false);
    if (body.is_discarded() || !body.is_object()) {
        return "the body is not a JSON object";
    }
    out.tenantId = control(body, request, "tenant_id");
    out.flowId = control(body, request, "flow_id");
    out.changeNote = control(body, request, "change_note");
    out.baseVersion = control(body, request, "base_version");
    const std::string publish = control(body, request, "publish");
    out.publish = publish == "true" || publish == "1";
    if (body.contains("flow") && body["flow"].is_object()) {
        const auto& flow = body["flow"];
        out.flowJson = flow.contains("flow_json") && flow["flow_json"].is_string()
                           ? flow["flow_json"].get<std::string>()
                           : flow.dump(); // the structured fields are a flow document's keys
        return std::nullopt;
    }
    for (const char* key : kControlKeys) {
        body.erase(key);
    }
    if (body.contains("flow_definition") && body["flow_definition"].is_object()) {
        OrderedJson document = OrderedJson::object();
        for (const char* key : {"name", "description", "version"}) {
            if (body.contains(key)) {
                document[key] = body[key];
            }
        }
        document.update(body["flow_definition"]);
        body = std::move(document);
    }
    out.flowJson = body.dump();
    return std::nullopt;
}

void sendFlowError(httplib::Response& response, const FlowFailure& failure,
                   const std::string& traceId) {
    response.status = statusOf(failure).http;
    response.set_header("X-Flowdeck-Trace-Id", traceId);
    response.set_content(httpErrorBody(failure, traceId), "application/json");
}

template <class Out>
void answer(httplib::Response& response, const FlowRejection& rejected, const Out& out,
            const std::string& traceId, int okStatus = 200) {
    if (rejected) {
        sendFlowError(response, *rejected, traceId);
        return;
    }
    sendMessage(response, out, traceId);
    if (response.status == 200) {
        response.status = okStatus;
    }
}

v1::FlowStatus statusParam(const std::string& text) {
    if (text == "active") {
        return v1::FLOW_STATUS_ACTIVE;
    }
    if (text == "draft") {
        return v1::FLOW_STATUS_DRAFT;
    }
    return text == "archived" ? v1::FLOW_STATUS_ARCHIVED : v1::FLOW_STATUS_UNSPECIFIED;
}

void postFlow(Node& node, const httplib::Request& request, httplib::Response& response,
              const std::string& traceId) {
    FlowBody body;
    if (auto problem = readFlowBody(request, body)) {
        sendError(response, ErrorCode::ValidationError, *problem, traceId);
        return;
    }
    v1::CreateFlowRequest in;
    in.set_tenant_id(body.tenantId);
    in.set_flow_id(body.flowId);
    in.set_publish(body.publish);
    in.set_change_note(body.changeNote);
    in.mutable_flow()->set_flow_json(body.flowJson);
    const auto who = admitted(node, request, response, in, traceId);
    if (!who) {
        return;
    }
    v1::CreateFlowResponse out;
    answer(response, createFlow(node, in, who->subject, out), out, traceId, 201);
    audited(node, *who, in, response, traceId);
}

void putFlow(Node& node, const httplib::Request& request, httplib::Response& response,
             const std::string& traceId) {
    FlowBody body;
    if (auto problem = readFlowBody(request, body)) {
        sendError(response, ErrorCode::ValidationError, *problem, traceId);
        return;
    }
    v1::UpdateFlowRequest in;
    in.set_tenant_id(body.tenantId);
    in.set_flow_id(request.matches[1]);
    in.set_publish(body.publish);
    in.set_change_note(body.changeNote);
    in.set_base_version(body.baseVersion);
    in.mutable_flow()->set_flow_json(body.flowJson);
    const auto who = admitted(node, request, response, in, traceId);
    if (!who) {
        return;
    }
    v1::UpdateFlowResponse out;
    answer(response, updateFlow(node, in, who->subject, out), out, traceId);
    audited(node, *who, in, response, traceId);
}

void listFlowsRoute(Node& node, const httplib::Request& request, httplib::Response& response,
                    const std::string& traceId) {
    v1::ListFlowsRequest in;
    in.set_tenant_id(request.get_param_value("tenant_id"));
    in.set_limit(queryNumber(request, "limit"));
    in.set_offset(queryNumber(request, "offset"));
    in.set_status(statusParam(request.get_param_value("status")));
    in.set_query(request.get_param_value("query"));
    if (!admitted(node, request, response, in, traceId)) {
        return;
    }
    v1::ListFlowsResponse out;
    listFlows(node, in, out);
    sendMessage(response, out, traceId);
}

void getFlowRoute(Node& node, const httplib::Request& request, httplib::Response& response,
                  const std::string& traceId) {
    v1::GetFlowRequest in;
    in.set_tenant_id(request.get_param_value("tenant_id"));
    in.set_flow_id(request.matches[1]);
    in.set_version(request.get_param_value("version"));
    if (!admitted(node, request, response, in, traceId)) {
        return;
    }
    v1::GetFlowResponse out;
    if (auto rejected = getFlow(node, in, out)) {
        sendError(response, *rejected, traceId);
    } else {
        sendMessage(response, out, traceId);
    }
}

void deleteFlowRoute(Node& node, const httplib::Request& request, httplib::Response& response,
                     const std::string& traceId) {
    v1::DeleteFlowRequest in;
    in.set_tenant_id(request.get_param_value("tenant_id"));
    in.set_flow_id(request.matches[1]);
    in.set_reason(request.get_param_value("reason"));
    const auto who = admitted(node, request, response, in, traceId);
    if (!who) {
        return;
    }
    v1::DeleteFlowResponse out;
    answer(response, deleteFlow(node, in, out), out, traceId);
    audited(node, *who, in, response, traceId);
}

void versionsRoute(Node& node, const httplib::Request& request, httplib::Response& response,
                   const std::string& traceId) {
    v1::ListVersionsRequest in;
    in.set_tenant_id(request.get_param_value("tenant_id"));
    in.set_flow_id(request.matches[1]);
    in.set_limit(queryNumber(request, "limit"));
    in.set_offset(queryNumber(request, "offset"));
    if (!admitted(node, request, response, in, traceId)) {
        return;
    }
    v1::ListVersionsResponse out;
    answer(response, listVersions(node, in, out), out, traceId);
}

using Route = void (*)(Node&, const httplib::Request&, httplib::Response&, const std::string&);

httplib::Server::Handler handler(Node& node, Route route) {
    return [&node, route](const httplib::Request& request, httplib::Response& response) {
        const std::string traceId = newTraceId();
        guarded(response, traceId, [&] { route(node, request, response, traceId); });
    };
}

} // namespace

void addFlowRoutes(httplib::Server& server, Node& node) {
    constexpr const char* kOne = R"(/api/v2/flows/([A-Za-z0-9_.\-]+))";
    server.Post("/api/v2/flows", handler(node, postFlow));
    server.Get("/api/v2/flows", handler(node, listFlowsRoute));
    server.Get(R"(/api/v2/flows/([A-Za-z0-9_.\-]+)/versions)", handler(node, versionsRoute));
    server.Get(kOne, handler(node, getFlowRoute));
    server.Put(kOne, handler(node, putFlow));
    server.Delete(kOne, handler(node, deleteFlowRoute));
}

} // namespace flowdeck::server
