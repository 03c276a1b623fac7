#pragma once

#include "flows_api.h"

#include "flowdeck/engine/release_controller.h"
#include "flowdeck/v1/releases.pb.h"

#include <memory>
#include <string>

namespace grpc {
class Service;
}

namespace flowdeck::server {

class Node;

// The Releases calls over the node's ReleaseController: convert, call, convert back. `who` is
// the caller as far as the node knows (the x-flowdeck-user metadata until tokens exist).
FlowRejection deploy(Node& node, const v1::DeployRequest& in, const std::string& who,
                     v1::Rollout& out);
FlowRejection getRollout(Node& node, const v1::GetRolloutRequest& in, v1::Rollout& out);
FlowRejection promote(Node& node, const v1::PromoteRequest& in, const std::string& who,
                      v1::Rollout& out);
FlowRejection abortRollout(Node& node, const v1::AbortRequest& in, const std::string& who,
                           v1::Rollout& out);
FlowRejection rollback(Node& node, const v1::RollbackRequest& in, const std::string& who,
                       v1::RollbackResponse& out);
FlowRejection listHistory(Node& node, const v1::ListHistoryRequest& in,
                          v1::ListHistoryResponse& out);

// The one place a refused release call becomes an API error.
FlowFailure toFailure(const engine::release::ReleaseError& error);

} // namespace flowdeck::server
