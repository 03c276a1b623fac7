#pragma once

#include "api_errors.h"
#include "conversation_api.h"

#include "flowdeck/engine/diagnostic.h"
#include "flowdeck/v1/flows.pb.h"

#include <optional>
#include <string>
#include <vector>

namespace flowdeck::server {

// A failed Flows call: the error, the API status when the error code alone does not say it
// (ALREADY_EXISTS, FAILED_PRECONDITION), and, for a flow refused for its errors, every finding
// (sent as a DiagnosticList after the Error in the gRPC status details, and as "diagnostics" in
// the HTTP error body).
struct FlowFailure {
    engine::EngineError error;
    std::optional<ApiStatus> status;
    std::vector<engine::Diagnostic> diagnostics;
};
using FlowRejection = std::optional<FlowFailure>;

ApiStatus statusOf(const FlowFailure& failure);
grpc::Status grpcError(const FlowFailure& failure, const std::string& traceId);
std::string httpErrorBody(const FlowFailure& failure, const std::string& traceId);

// The Flows service's core, shared by gRPC (Flows and the seed's MCPEngine) and HTTP. Flows come
// from two places: the flows directory (loaded read-only at startup, one version each) and the
// flow store (DATA/flows.sqlite, immutable versions written by CreateFlow/UpdateFlow). A stored
// flow wins over a file's flow of the same id. Only flow_json is accepted as input; the
// structured FlowDefinition fields are filled on output only.
Rejection validateFlow(const v1::ValidateFlowRequest& request, v1::ValidateFlowResponse& out);
Rejection listFlows(Node& node, const v1::ListFlowsRequest& request, v1::ListFlowsResponse& out);
Rejection getFlow(Node& node, const v1::GetFlowRequest& request, v1::GetFlowResponse& out);

// In flow_versions_api.cpp: the calls that write versions, and the version listing.
// `who` is the caller (the token's subject), recorded as the version's author.
FlowRejection createFlow(Node& node, const v1::CreateFlowRequest& request, const std::string& who,
                         v1::CreateFlowResponse& out);
FlowRejection updateFlow(Node& node, const v1::UpdateFlowRequest& request, const std::string& who,
                         v1::UpdateFlowResponse& out);
FlowRejection deleteFlow(Node& node, const v1::DeleteFlowRequest& request,
                         v1::DeleteFlowResponse& out);
FlowRejection listVersions(Node& node, const v1::ListVersionsRequest& request,
                           v1::ListVersionsResponse& out);

// Shared by flows_api.cpp and flow_versions_api.cpp.
namespace flowconv {
// A request's tenant: "default" when empty.
std::string tenantOf(const std::string& tenantId);
void toProto(const std::vector<engine::Diagnostic>& diagnostics,
             google::protobuf::RepeatedPtrField<v1::Diagnostic>& out);
void toProto(const engine::StoredFlowVersion& version, const engine::StoredFlow& flow,
             v1::FlowVersion& out);
void toProto(const engine::StoredFlow& flow, v1::FlowSummary& out);
// The flow document a request carries: its flow_json when set (it wins, so a definition read
// with GetFlow and sent back unchanged keeps its exact text), else the structured fields (name,
// states, global_handlers, ...) written as a document of the same format. False with *error
// when the definition has neither.
bool documentOf(const v1::FlowDefinition& definition, std::string* json, std::string* error);
} // namespace flowconv

} // namespace flowdeck::server
