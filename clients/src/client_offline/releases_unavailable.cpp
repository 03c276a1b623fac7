// ReleasesClient for a build without gRPC (FLOWDECK_BUILD_PROTO=OFF): every call fails at once
// with a message that says why, so flowctl still builds and its offline commands work.
#include "flowdeck/client/releases_client.h"

namespace flowdeck::client {

namespace {

namespace rel = engine::release;

template <class T> CallResult<T> unavailable() {
    constexpr int kUnimplemented = 12; // grpc::StatusCode::UNIMPLEMENTED
    return CallResult<T>{std::nullopt,
                         CallError{kUnimplemented, {}, "this flowctl was built without gRPC", {}}};
}

} // namespace

struct ReleasesClient::Impl {
    ClientOptions options;
};

ReleasesClient::ReleasesClient(ClientOptions options)
    : m_impl(std::make_unique<Impl>(Impl{std::move(options)})) {}

ReleasesClient::~ReleasesClient() = default;

const ClientOptions& ReleasesClient::options() const {
    return m_impl->options;
}

CallResult<std::vector<RemoteFlow>> ReleasesClient::listFlows() {
    return unavailable<std::vector<RemoteFlow>>();
}

CallResult<std::vector<RemoteFlowVersion>> ReleasesClient::listVersions(const std::string&,
                                                                        uint32_t) {
    return unavailable<std::vector<RemoteFlowVersion>>();
}

CallResult<RemoteFlowVersion> ReleasesClient::version(const std::string&, const std::string&) {
    return unavailable<RemoteFlowVersion>();
}

CallResult<PushedVersion> ReleasesClient::push(const std::string&, const std::string&,
                                               const std::string&) {
    return unavailable<PushedVersion>();
}

CallResult<rel::Rollout> ReleasesClient::deploy(const rel::DeployPlan&) {
    return unavailable<rel::Rollout>();
}

CallResult<rel::Rollout> ReleasesClient::rollout(const std::string&, const std::string&) {
    return unavailable<rel::Rollout>();
}

CallResult<rel::Rollout> ReleasesClient::promote(const std::string&, const std::string&, bool,
                                                 const std::string&) {
    return unavailable<rel::Rollout>();
}

CallResult<rel::Rollout> ReleasesClient::abort(const std::string&, const std::string&,
                                               const std::string&) {
    return unavailable<rel::Rollout>();
}

CallResult<rel::RollbackOutcome> ReleasesClient::rollback(const std::string&, const std::string&,
                                                          const std::string&) {
    return unavailable<rel::RollbackOutcome>();
}

CallResult<rel::HistoryPage> ReleasesClient::history(const rel::HistoryQuery&) {
    return unavailable<rel::HistoryPage>();
}

} // namespace flowdeck::client
