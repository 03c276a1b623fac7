// bench-grpc-floor: what gRPC itself costs per ProcessMessage on this machine, with no engine
// behind it. It answers every call at once with a fixed response, so bench-flowd-grpc driven
// against it measures the floor flowd's numbers sit on: the same transport, the same driver,
// nothing else. Two front ends: gRPC's synchronous server (what flowd uses, with flowd's thread
// settings, keepSyncServerThreads) and the callback API with the answer given on gRPC's own
// thread. docs/benchmarks.md, "Session 2026-12-07".
#include "flowdeck/v1/conversations.grpc.pb.h"
#include "sync_server_threads.h"

#include <CLI/CLI.hpp>
#include <absl/synchronization/mutex.h>
#include <grpcpp/grpcpp.h>

#include <cstdio>
#include <memory>
#include <string>

namespace {

namespace v1 = flowdeck::v1;

void answer(const v1::ProcessMessageRequest& in, v1::ProcessMessageResponse* out) {
    out->set_conversation_id(in.conversation_id());
    out->set_current_state("greeting");
    out->mutable_response()->set_type("text");
    out->mutable_response()->set_text("Hello! How can I help?");
    out->set_flow_id(in.hints().force_flow());
    out->set_flow_version("1");
    out->set_conversation_version(1);
}

class SyncService final : public v1::Conversations::Service {
    grpc::Status ProcessMessage(grpc::ServerContext*, const v1::ProcessMessageRequest* in,
                                v1::ProcessMessageResponse* out) override {
        answer(*in, out);
        return grpc::Status::OK;
    }
};

class CallbackService final : public v1::Conversations::CallbackService {
    grpc::ServerUnaryReactor* ProcessMessage(grpc::CallbackServerContext* context,
                                             const v1::ProcessMessageRequest* in,
                                             v1::ProcessMessageResponse* out) override {
        answer(*in, out);
        auto* reactor = context->DefaultReactor();
        reactor->Finish(grpc::Status::OK);
        return reactor;
    }
};

} // namespace

int main(int argc, char** argv) {
    CLI::App app{"A ProcessMessage server with no engine behind it: gRPC's own cost per call"};
    std::string listen = "127.0.0.1:27443";
    std::string mode = "sync";
    app.add_option("--listen", listen, "Address to serve on")->capture_default_str();
    app.add_option("--mode", mode, "sync (flowd's front end) or callback")
        ->check(CLI::IsMember({"sync", "callback"}))
        ->capture_default_str();
    CLI11_PARSE(app, argc, argv);
    absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore); // as flowd does

    SyncService sync;
    CallbackService callback;
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort(listen, grpc::InsecureServerCredentials(), &port);
    if (mode == "sync") {
        builder.RegisterService(&sync);
        flowdeck::proto::keepSyncServerThreads(builder);
    } else {
        builder.RegisterService(&callback);
    }
    const std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
    if (!server || port == 0) {
        std::fprintf(stderr, "bench-grpc-floor: cannot listen on %s\n", listen.c_str());
        return 1;
    }
    std::fprintf(stderr, "bench-grpc-floor: %s server on %s\n", mode.c_str(), listen.c_str());
    server->Wait(); // until killed (SIGTERM or SIGINT end the process)
    return 0;
}
