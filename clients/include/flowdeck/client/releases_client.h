#pragma once

// libflowdeck_client's view of a node's Flows and Releases services (docs/api.md): the flows a
// cluster runs and their versions, pushing a local flow as a new version, and rolling versions
// out and back. Results are plain C++ (engine::release types for rollouts and history), so
// callers never see a generated protobuf type. Every call is synchronous with a deadline: call
// from a worker thread where a UI must stay live. A client may be used from one thread at a time.

#include "flowdeck/client/credentials.h"
#include "flowdeck/engine/release.h"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace flowdeck::client {

// Why a call failed.
struct CallError {
    int grpcCode = 0;      // 14 UNAVAILABLE, 9 FAILED_PRECONDITION, 4 DEADLINE_EXCEEDED, ...
    std::string errorCode; // the node's error code from the status details, e.g. "FLOW_NOT_FOUND"
    std::string message;   // for a person: the node's message, or what went wrong reaching it
    std::string traceId;   // the node's trace id for the call, when it sent one
};

template <class T> struct CallResult {
    std::optional<T> value;
    CallError error; // meaningful only without a value

    explicit operator bool() const { return value.has_value(); }
    const T& operator*() const { return *value; }
    const T* operator->() const { return &*value; }
};

// A flow as the node lists it (Flows.ListFlows).
struct RemoteFlow {
    std::string flowId;
    std::string name;
    std::string description;
    std::string activeVersion; // empty: never published, or archived
    std::string latestVersion;
    std::string canaryVersion; // empty without a rollout in progress
    uint32_t versionCount = 0;
    int64_t updatedAtMs = 0;
};

// One stored version (Flows.ListVersions / GetFlow).
struct RemoteFlowVersion {
    std::string flowId;
    std::string version;
    int64_t revision = 0;
    int64_t createdAtMs = 0;
    std::string createdBy;
    std::string changeNote;
    std::string baseVersion;
    std::string digest;
    uint32_t errorCount = 0;
    uint32_t warningCount = 0;
    std::string state;    // "ACTIVE", "DRAFT", "RETIRED", ... (VersionState without its prefix)
    std::string flowJson; // filled by version() only
};

// What push() stored.
struct PushedVersion {
    std::string flowId;
    std::string version;
    bool created = false; // the flow did not exist on the node before
};

struct ClientOptions {
    std::string address; // "host:port" of the node's gRPC API
    std::string tenantId = "default";
    std::chrono::milliseconds timeout{10000}; // per call, connecting included
    Credentials credentials;                  // token, user and TLS; see withEnvironment()
};

class ReleasesClient final {
public:
    explicit ReleasesClient(ClientOptions options);
    ~ReleasesClient();
    ReleasesClient(const ReleasesClient&) = delete;
    ReleasesClient& operator=(const ReleasesClient&) = delete;

    const ClientOptions& options() const;

    // ---- Flows ----
    CallResult<std::vector<RemoteFlow>> listFlows();
    // Newest first, at most `limit`.
    CallResult<std::vector<RemoteFlowVersion>> listVersions(const std::string& flowId,
                                                            uint32_t limit = 100);
    // One version with its document; an empty version means the active one.
    CallResult<RemoteFlowVersion> version(const std::string& flowId, const std::string& version);
    // Stores `flowJson` as a new, unpublished version of `flowId` (CreateFlow when the node does
    // not have the flow, else UpdateFlow on top of its latest version). The node refuses a flow
    // with linter errors (INVALID_ARGUMENT, the findings in the message).
    CallResult<PushedVersion> push(const std::string& flowId, const std::string& flowJson,
                                   const std::string& changeNote);

    // ---- Releases ----
    CallResult<engine::release::Rollout> deploy(const engine::release::DeployPlan& plan);
    // The rollout with this id, or the flow's current (else latest) one.
    CallResult<engine::release::Rollout> rollout(const std::string& flowId,
                                                 const std::string& rolloutId = {});
    CallResult<engine::release::Rollout> promote(const std::string& flowId,
                                                 const std::string& rolloutId, bool toFull,
                                                 const std::string& reason);
    CallResult<engine::release::Rollout>
    abort(const std::string& flowId, const std::string& rolloutId, const std::string& reason);
    // An empty toVersion means the version active before the current one.
    CallResult<engine::release::RollbackOutcome>
    rollback(const std::string& flowId, const std::string& toVersion, const std::string& reason);
    // query.tenantId is ignored: the client's tenant is used.
    CallResult<engine::release::HistoryPage> history(const engine::release::HistoryQuery& query);

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace flowdeck::client
