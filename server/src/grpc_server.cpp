#include "grpc_server.h"

#include "api_errors.h"
#include "conversation_api.h"
#include "flows_api.h"
#include "grpc_admission.h"
#include "health_service.h"
#include "process_reactor.h"
#include "releases_api.h"
#include "request_limits.h"
#include "sync_server_threads.h"
#include "telemetry_api.h"

#include "flowdeck/v1/conversations.grpc.pb.h"
#include "flowdeck/v1/flows.grpc.pb.h"
#include "flowdeck/v1/releases.grpc.pb.h"

#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/support/server_interceptor.h>
#ifdef FLOWD_HAVE_REFLECTION
#include <grpcpp/ext/proto_server_reflection_plugin.h>
#endif

#include <cstdlib>
#include <optional>

namespace flowdeck::server {

namespace {

namespace gx = grpc::experimental;
using engine::ErrorCode;

class MetricsInterceptor final : public gx::Interceptor {
public:
    MetricsInterceptor(Node& node, std::string method, bool timed)
        : m_node(node)
        , m_method(std::move(method))
        , m_started(std::chrono::steady_clock::now())
        , m_timed(timed) {}

    void Intercept(gx::InterceptorBatchMethods* methods) override {
        if (methods->QueryInterceptionHookPoint(gx::InterceptionHookPoints::PRE_SEND_STATUS)) {
            std::optional<std::chrono::steady_clock::duration> elapsed;
            if (m_timed) {
                elapsed = std::chrono::steady_clock::now() - m_started;
            }
            m_node.recordRequest(m_method, codeName(methods->GetSendStatus().error_code()),
                                 elapsed);
        }
        methods->Proceed();
    }

private:
    Node& m_node;
    std::string m_method;
    std::chrono::steady_clock::time_point m_started;
    bool m_timed;
};

class MetricsInterceptorFactory final : public gx::ServerInterceptorFactoryInterface {
public:
    explicit MetricsInterceptorFactory(Node& node)
        : m_node(node) {}
    gx::Interceptor* CreateServerInterceptor(gx::ServerRpcInfo* info) override {
        std::string method = info->method() != nullptr ? info->method() : "unknown";
        if (method.starts_with('/')) {
            method.erase(0, 1);
        }
        // A stream lasts as long as its caller watches: timing it would swamp the latencies.
        const bool timed = info->type() == gx::ServerRpcInfo::Type::UNARY;
        return new MetricsInterceptor(m_node, std::move(method), timed);
    }

private:
    Node& m_node;
};

// For calls whose core answers with a Rejection (an engine error or nothing).
template <class Call>
grpc::Status serve(Node& node, grpc::ServerContext* context,
                   const google::protobuf::Message& request, Call&& call) {
    return admitAndRun(node, *context, request,
                       [&](const std::string& traceId, const Principal& who) {
                           const Rejection rejected = call(traceId, who);
                           return rejected ? grpcError(*rejected, traceId) : grpc::Status::OK;
                       });
}

// For the Flows and Releases calls whose failures carry more than an error (a status of their
// own, the linter's findings).
template <class Call>
grpc::Status serveFlow(Node& node, grpc::ServerContext* context,
                       const google::protobuf::Message& request, Call&& call) {
    return admitAndRun(node, *context, request,
                       [&](const std::string& traceId, const Principal& who) {
                           const FlowRejection rejected = call(who);
                           return rejected ? grpcError(*rejected, traceId) : grpc::Status::OK;
                       });
}

// A generated service base plus the node its calls go to.
template <class Base> class WithNode : public Base {
public:
    explicit WithNode(Node& node)
        : m_node(node) {}

protected:
    Node& m_node;
};

// Conversations and the seed's MCPEngine serve the same calls. ProcessMessage is marked async in
// both (Base is a WithAsyncMethod_ProcessMessage): the ProcessReactor serves it.
template <class Base> class ConversationCalls : public WithNode<Base> {
public:
    using WithNode<Base>::WithNode;

    grpc::Status GetConversationState(grpc::ServerContext* context, const v1::GetStateRequest* in,
                                      v1::GetStateResponse* out) override {
        return serve(this->m_node, context, *in, [&](const std::string&, const Principal&) {
            return getConversationState(this->m_node, *in, *out);
        });
    }
    grpc::Status ResetConversation(grpc::ServerContext* context, const v1::ResetRequest* in,
                                   v1::ResetResponse* out) override {
        return serve(this->m_node, context, *in, [&](const std::string&, const Principal&) {
            return resetConversation(this->m_node, *in, *out);
        });
    }
};

// Flows and the seed's MCPEngine serve the same flow calls.
template <class Base> class FlowCalls : public Base {
public:
    using Base::Base;

    grpc::Status GetFlow(grpc::ServerContext* context, const v1::GetFlowRequest* in,
                         v1::GetFlowResponse* out) override {
        return serve(this->m_node, context, *in, [&](const std::string&, const Principal&) {
            return getFlow(this->m_node, *in, *out);
        });
    }
    grpc::Status ListFlows(grpc::ServerContext* context, const v1::ListFlowsRequest* in,
                           v1::ListFlowsResponse* out) override {
        return serve(this->m_node, context, *in, [&](const std::string&, const Principal&) {
            return listFlows(this->m_node, *in, *out);
        });
    }
    grpc::Status CreateFlow(grpc::ServerContext* context, const v1::CreateFlowRequest* in,
                            v1::CreateFlowResponse* out) override {
        return serveFlow(this->m_node, context, *in, [&](const Principal& who) {
            return createFlow(this->m_node, *in, who.subject, *out);
        });
    }
    grpc::Status UpdateFlow(grpc::ServerContext* context, const v1::UpdateFlowRequest* in,
                            v1::UpdateFlowResponse* out) override {
        return serveFlow(this->m_node, context, *in, [&](const Principal& who) {
            return updateFlow(this->m_node, *in, who.subject, *out);
        });
    }
    grpc::Status DeleteFlow(grpc::ServerContext* context, const v1::DeleteFlowRequest* in,
                            v1::DeleteFlowResponse* out) override {
        return serveFlow(this->m_node, context, *in,
                         [&](const Principal& who) { return deleteFlow(this->m_node, *in, *out); });
    }
};

class ConversationsService final
    : public ConversationCalls<
          v1::Conversations::WithAsyncMethod_ProcessMessage<v1::Conversations::Service>> {
public:
    using ConversationCalls::ConversationCalls;
};

class SeedService final
    : public FlowCalls<ConversationCalls<
          v1::MCPEngine::WithAsyncMethod_ProcessMessage<v1::MCPEngine::Service>>> {
public:
    using FlowCalls::FlowCalls;
};

class FlowsService final : public FlowCalls<WithNode<v1::Flows::Service>> {
public:
    using FlowCalls::FlowCalls;

    grpc::Status ValidateFlow(grpc::ServerContext* context, const v1::ValidateFlowRequest* in,
                              v1::ValidateFlowResponse* out) override {
        return serve(this->m_node, context, *in,
                     [&](const std::string&, const Principal&) { return validateFlow(*in, *out); });
    }
    grpc::Status ListVersions(grpc::ServerContext* context, const v1::ListVersionsRequest* in,
                              v1::ListVersionsResponse* out) override {
        return serveFlow(this->m_node, context, *in, [&](const Principal& who) {
            return listVersions(this->m_node, *in, *out);
        });
    }
};

class ReleasesService final : public WithNode<v1::Releases::Service> {
public:
    using WithNode::WithNode;

    grpc::Status Deploy(grpc::ServerContext* context, const v1::DeployRequest* in,
                        v1::Rollout* out) override {
        return serveFlow(this->m_node, context, *in, [&](const Principal& who) {
            return deploy(m_node, *in, who.subject, *out);
        });
    }
    grpc::Status GetRollout(grpc::ServerContext* context, const v1::GetRolloutRequest* in,
                            v1::Rollout* out) override {
        return serveFlow(this->m_node, context, *in,
                         [&](const Principal& who) { return getRollout(m_node, *in, *out); });
    }
    grpc::Status Promote(grpc::ServerContext* context, const v1::PromoteRequest* in,
                         v1::Rollout* out) override {
        return serveFlow(this->m_node, context, *in, [&](const Principal& who) {
            return promote(m_node, *in, who.subject, *out);
        });
    }
    grpc::Status Abort(grpc::ServerContext* context, const v1::AbortRequest* in,
                       v1::Rollout* out) override {
        return serveFlow(this->m_node, context, *in, [&](const Principal& who) {
            return abortRollout(m_node, *in, who.subject, *out);
        });
    }
    grpc::Status Rollback(grpc::ServerContext* context, const v1::RollbackRequest* in,
                          v1::RollbackResponse* out) override {
        return serveFlow(this->m_node, context, *in, [&](const Principal& who) {
            return rollback(m_node, *in, who.subject, *out);
        });
    }
    grpc::Status ListHistory(grpc::ServerContext* context, const v1::ListHistoryRequest* in,
                             v1::ListHistoryResponse* out) override {
        return serveFlow(this->m_node, context, *in,
                         [&](const Principal& who) { return listHistory(m_node, *in, *out); });
    }
};

template <class Service> ProcessReactor::Requester requesterOf(Service& service) {
    return
        [&service](grpc::ServerContext* context, v1::ProcessMessageRequest* request,
                   ProcessReactor::Writer* writer, grpc::ServerCompletionQueue* queue, void* tag) {
            service.RequestProcessMessage(context, request, writer, queue, queue, tag);
        };
}

// FLOWDECK_GRPC_INLINE=0 hands every ProcessMessage to the reactor's workers, as gRPC's sync
// server would run it: for comparing the two (docs/operations.md).
bool answerInline() {
    const char* setting = std::getenv("FLOWDECK_GRPC_INLINE");
    return setting == nullptr || std::string_view(setting) != "0";
}

} // namespace

GrpcServer::GrpcServer(Node& node)
    : m_node(node)
    , m_conversations(std::make_unique<ConversationsService>(node))
    , m_flows(std::make_unique<FlowsService>(node))
    , m_seed(std::make_unique<SeedService>(node))
    , m_releases(std::make_unique<ReleasesService>(node))
    , m_telemetry(std::make_unique<TelemetryService>(node))
    , m_health(std::make_unique<HealthService>(std::set<std::string>{
          v1::Conversations::service_full_name(), v1::Flows::service_full_name(),
          v1::MCPEngine::service_full_name(), v1::Releases::service_full_name(),
          v1::Telemetry::service_full_name()})) {}

GrpcServer::~GrpcServer() {
    shutdown(std::chrono::milliseconds(0));
}

bool GrpcServer::start(const std::string& address, const TlsMaterial& tls, std::string* error) {
    // Our own, on the sync threads: gRPC's default one runs on the callback API (HealthService).
    grpc::EnableDefaultHealthCheckService(false);
#ifdef FLOWD_HAVE_REFLECTION
    grpc::reflection::InitProtoReflectionServerBuilderPlugin();
#endif
    grpc::ServerBuilder builder;
    std::shared_ptr<grpc::ServerCredentials> credentials = grpc::InsecureServerCredentials();
    if (!tls.cert.empty()) {
        grpc::SslServerCredentialsOptions options(
            tls.clientCa.empty() ? GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE
                                 : GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
        options.pem_root_certs = tls.clientCa;
        options.pem_key_cert_pairs.push_back({tls.key, tls.cert});
        credentials = grpc::SslServerCredentials(options);
    }
    builder.AddListeningPort(address, credentials, &m_port);
    // gRPC's default 4 MiB would refuse flow documents the parser accepts (16 MiB).
    builder.SetMaxReceiveMessageSize(static_cast<int>(kMaxRequestBytes));
    proto::keepSyncServerThreads(builder);
    // On a remote store every message waits for it: then the reactor hands all to its workers.
    m_reactor = std::make_unique<ProcessReactor>(
        m_node,
        std::vector<ProcessReactor::Requester>{
            requesterOf(static_cast<ConversationsService&>(*m_conversations)),
            requesterOf(static_cast<SeedService&>(*m_seed))},
        !m_node.clustered() && answerInline());
    m_reactor->attach(builder);
    builder.RegisterService(m_conversations.get());
    builder.RegisterService(m_flows.get());
    builder.RegisterService(m_seed.get());
    builder.RegisterService(m_releases.get());
    builder.RegisterService(m_telemetry.get());
    builder.RegisterService(m_health.get());
    std::vector<std::unique_ptr<gx::ServerInterceptorFactoryInterface>> interceptors;
    interceptors.push_back(std::make_unique<MetricsInterceptorFactory>(m_node));
    builder.experimental().SetInterceptorCreators(std::move(interceptors));
    m_server = builder.BuildAndStart();
    if (!m_server || m_port == 0) {
        *error = "cannot listen for gRPC on " + address;
        m_server.reset();
        m_reactor.reset();
        return false;
    }
    m_reactor->start();
    return true;
}

void GrpcServer::shutdown(std::chrono::milliseconds grace) {
    if (!m_server) {
        return;
    }
    m_health->shutdown();
    m_telemetry->closeStreams();
    m_reactor->stopAsking();
    m_server->Shutdown(std::chrono::system_clock::now() + grace);
    m_server->Wait();
    m_reactor->stop();
    m_server.reset();
    m_reactor.reset();
}

} // namespace flowdeck::server
