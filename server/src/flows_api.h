#pragma once

#include "conversation_api.h"

#include "flowdeck/v1/flows.pb.h"

namespace flowdeck::server {

// The read-only Flows calls over the flows this node loaded at startup. Storing flows
// (CreateFlow, UpdateFlow, DeleteFlow, ListVersions) comes with the flow store.
Rejection validateFlow(const v1::ValidateFlowRequest& request, v1::ValidateFlowResponse& out);
Rejection listFlows(Node& node, const v1::ListFlowsRequest& request, v1::ListFlowsResponse& out);
Rejection getFlow(Node& node, const v1::GetFlowRequest& request, v1::GetFlowResponse& out);

} // namespace flowdeck::server
