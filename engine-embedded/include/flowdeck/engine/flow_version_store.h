#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace flowdeck::engine {

// One immutable version of a stored flow. The store assigns revision, version (when the label
// is empty or taken), digest and createdAtMs (when zero); everything else is the caller's.
struct StoredFlowVersion {
    std::string tenantId;
    std::string flowId;
    std::string version; // in: the document's label (may be empty); out: the id actually stored
    int64_t revision = 0;
    int64_t createdAtMs = 0;
    std::string createdBy;
    std::string changeNote;
    std::string baseVersion;
    std::string flowJson;    // empty in listings (versions()); filled by version()
    std::string name;        // the document's name and description, kept on the flow as its
    std::string description; // latest so listings need not parse documents (not per version)
    std::string digest;      // "sha256:<hex>" of flowJson
    uint32_t errorCount = 0;
    uint32_t warningCount = 0;
    bool published = false; // has been the active version at some point
};

// A flow as a whole: what ListFlows and GetFlow summarise.
struct StoredFlow {
    std::string tenantId;
    std::string flowId;
    std::string name;          // from the latest version
    std::string description;   // from the latest version
    std::string activeVersion; // empty: never published (a draft), or archived
    std::string latestVersion;
    int64_t latestRevision = 0;
    int64_t versionCount = 0;
    bool archived = false;
    int64_t createdAtMs = 0;
    int64_t updatedAtMs = 0;
};

enum class FlowStoreStatus { Ok, NotFound, AlreadyExists, Conflict, Failed };

struct FlowStoreResult {
    FlowStoreStatus status = FlowStoreStatus::Failed;
    std::string error;         // for Failed
    StoredFlowVersion version; // for append: what was stored
};

struct FlowVersionPage {
    std::vector<StoredFlowVersion> versions; // newest first, flowJson empty
    int64_t total = 0;
};

// Where flow versions live. Deliberately small: it is what PostgresStore will implement for
// cluster mode, so anything that can be derived (validation, paging filters, registry loading)
// stays with the caller. Contract for every implementation:
// - versions are immutable: nothing ever changes a stored version's flowJson, version id,
//   revision or digest; only its `published` flag and the flow's active/archived state move;
// - append() is atomic with its concurrency check: expectedRevision 0 means the flow must not
//   exist yet (AlreadyExists otherwise); N > 0 means the flow's latest revision must be N
//   (Conflict otherwise, NotFound when the flow does not exist); -1 skips the check;
// - the stored version id is the label when it is free within the flow, else the revision
//   number ("3"), else "<revision>-<n>" for the first free n;
// - all methods are thread-safe; a write is durable once the call returns.
class FlowVersionStore {
public:
    virtual ~FlowVersionStore() = default;

    virtual FlowStoreResult append(const StoredFlowVersion& version, int64_t expectedRevision) = 0;
    // Makes a stored version the flow's active one (marks it published) and un-archives the flow.
    virtual FlowStoreStatus activate(const std::string& tenantId, const std::string& flowId,
                                     const std::string& version) = 0;
    // Archives a flow: no active version, every version kept.
    virtual FlowStoreStatus archive(const std::string& tenantId, const std::string& flowId) = 0;

    virtual std::optional<StoredFlow> flow(const std::string& tenantId,
                                           const std::string& flowId) = 0;
    // A tenant's flows ordered by id; an empty tenant means every tenant (node startup).
    virtual std::vector<StoredFlow> flows(const std::string& tenantId) = 0;
    virtual std::optional<StoredFlowVersion>
    version(const std::string& tenantId, const std::string& flowId, const std::string& version) = 0;
    virtual FlowVersionPage versions(const std::string& tenantId, const std::string& flowId,
                                     size_t limit, size_t offset) = 0;

    // When a message last ran through each flow (FlowSummary.last_used), in Unix ms, keyed by
    // flow id (flow ids are node-wide, and flows from a flows directory have no stored row). Nodes
    // add what they saw every few seconds; a stored time only ever moves forward, so a node that
    // reports late never moves it back. False with *error when the write failed.
    virtual bool recordLastUsed(const std::map<std::string, int64_t>& lastUsedMs,
                                std::string* error) = 0;
    // Every flow's stored last use; empty when none is stored (or the read failed).
    virtual std::map<std::string, int64_t> lastUsed() = 0;
};

// "sha256:<64 hex digits>" of `text`.
std::string flowDigest(std::string_view text);

// In memory, for unit tests and the simulator; keeps the whole contract but durability.
std::unique_ptr<FlowVersionStore> makeMemoryFlowVersionStore();

// One SQLite file (e.g. DATA/flows.sqlite) in WAL mode, apart from the conversation store so
// flow edits never contend with its writer. Null with *error when it cannot be opened.
std::unique_ptr<FlowVersionStore> openSqliteFlowVersionStore(const std::string& path,
                                                             std::string* error);

} // namespace flowdeck::engine
