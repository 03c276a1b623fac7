#pragma once

// One channel to a flowd node and a stub for each of its services: what the cluster tests hold
// per node.

#include "flowdeck/v1/conversations.grpc.pb.h"
#include "flowdeck/v1/flows.grpc.pb.h"
#include "flowdeck/v1/releases.grpc.pb.h"
#include "flowdeck/v1/telemetry.grpc.pb.h"

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

namespace flowd_test {

struct NodeStubs {
    std::shared_ptr<grpc::Channel> channel;
    std::unique_ptr<flowdeck::v1::Conversations::Stub> conversations;
    std::unique_ptr<flowdeck::v1::Flows::Stub> flows;
    std::unique_ptr<flowdeck::v1::Releases::Stub> releases;
    std::unique_ptr<flowdeck::v1::Telemetry::Stub> telemetry;

    explicit NodeStubs(const std::string& address)
        : channel(grpc::CreateChannel(address, grpc::InsecureChannelCredentials()))
        , conversations(flowdeck::v1::Conversations::NewStub(channel))
        , flows(flowdeck::v1::Flows::NewStub(channel))
        , releases(flowdeck::v1::Releases::NewStub(channel))
        , telemetry(flowdeck::v1::Telemetry::NewStub(channel)) {}
};

} // namespace flowd_test
