#pragma once

#include "flowdeck/engine/conversation.h"
#include "flowdeck/engine/conversation_store.h"
#include "flowdeck/engine/executor.h"
#include "flowdeck/engine/flow_registry.h"
#include "flowdeck/engine/metrics.h"

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace flowdeck::engine {

class IntegrationGateway;

// The seed API's request fields (ProcessMessageRequest), in engine terms.
struct MessageHints {
    int priority = 0;
    bool bypassCache = false;
    std::string forceFlow; // start a new conversation on this flow instead of the default
    int64_t timeoutMs = 0; // whole-message deadline; 0 = the engine's default
};

struct MessageRequest {
    std::string tenantId;
    std::string conversationId;
    InboundMessage content;
    std::map<std::string, std::string> metadata;
    MessageHints hints;
    // A retry with the same key gets the first answer again and changes nothing. Empty: none.
    std::string idempotencyKey;
    bool includeTrace = false;
};

// ProcessMessageResponse, in engine terms.
struct ProcessResult {
    bool ok = false; // false when errors is not empty
    std::string conversationId;
    std::string flowId;
    std::string flowVersion;
    std::string currentState;
    std::string response;
    std::map<std::string, std::string> contextUpdates;
    std::vector<std::string> actionsPerformed;
    double processingTimeMs = 0.0;
    std::string abVariant;
    std::vector<EngineError> errors;
    Trace trace;
    int64_t version = 0;    // the conversation's version after this message
    bool duplicate = false; // answered from an earlier message with the same idempotency key
    // The message and this answer are in the store (false: rejected before running, e.g. a
    // VALIDATION_ERROR, FLOW_NOT_FOUND or a STORAGE_ERROR; nothing changed).
    bool stored = false;
    // For metrics; not part of the stored answer.
    int transitions = 0;
    std::vector<std::string> failedIntegrations;
    bool tookFallback = false; // a `fallback` transition was taken
};

struct ConversationView {
    ConversationState state;
    std::vector<StoredMessage> history; // oldest first
};

struct EngineOptions {
    EngineLimits limits;
    std::chrono::milliseconds defaultTimeout{30000}; // per message, unless hints.timeoutMs
    int maxCommitAttempts = 16;                      // optimistic retries before VERSION_CONFLICT
    size_t maxIdBytes = 256;                         // tenant and conversation ids
    // Called with every result, after the metrics are recorded, on the calling thread (flowd
    // feeds its release analysis from here). Must be thread-safe and quick.
    std::function<void(const MessageRequest&, const ProcessResult&)> onProcessed;
    // Whether a new conversation of the tenant may start on the flow (flowd keeps a tenant's
    // flows to that tenant). A flow it may not use is reported exactly like one that is not
    // deployed, so its existence does not leak. Null: every flow for every tenant.
    std::function<bool(const std::string& tenantId, const std::string& flowId)> flowVisible;
    // Called when a conversation is pinned to a version the registry does not have (in a
    // cluster: a canary another node started moments ago): may load it into the registry and
    // return true, so the conversation stays on its version instead of moving to the active
    // one. Null: the conversation continues on the active version.
    std::function<bool(const std::string& tenantId, const std::string& flowId,
                       const std::string& version)>
        loadVersion;
};

// Processes messages for many conversations: loads the conversation, runs the executor, commits
// the new state and the message together. Thread-safe. Messages for one conversation are applied
// in order and exactly once: in this process they are serialised by a striped lock, and across
// processes sharing a store by the store's optimistic version check (a lost race reloads and
// runs again; nothing of the losing run is kept). A message that fails (e.g. CIRCULAR_TRANSITION)
// is still committed with its errors, so a retry with the same key gets the same answer.
class Engine final {
public:
    Engine(FlowRegistry& flows, ConversationStore& store, IntegrationGateway& gateway,
           EngineOptions options = {}, MetricsRegistry* metrics = nullptr);
    // With a registry, every message counts in flowdeck_messages_total{tenant,flow,outcome},
    // flowdeck_errors_total{code}, flowdeck_state_transitions_total{flow} and
    // flowdeck_integration_failures_total{integration} (DESIGN.md §6).

    ProcessResult process(const MessageRequest& request);
    // process() for a thread that must not wait, such as one serving many calls from one event
    // loop: nullopt when the message would wait for another message of a conversation in the same
    // lock stripe, or for an integration call. Then nothing is stored, counted or reported, and
    // the caller runs process() on a thread that may wait. Reads and commits of a local store
    // still run on the calling thread, so this suits an embedded store, not a remote one.
    std::optional<ProcessResult> tryProcess(const MessageRequest& request);
    // The conversation and its newest `historyLimit` messages; nullopt when it does not exist.
    std::optional<ConversationView> conversation(const std::string& tenantId,
                                                 const std::string& conversationId,
                                                 size_t historyLimit = 0);
    // Deletes the conversation; the next message starts it afresh. False when it did not exist.
    bool reset(const std::string& tenantId, const std::string& conversationId);
    // The opening message of a flow (what a new conversation's initial state renders).
    std::optional<std::string> openingMessage(const std::string& flowId);

    const EngineOptions& options() const { return m_options; }

private:
    struct Attempt;
    std::optional<EngineError> checkRequest(const MessageRequest& request) const;
    std::mutex& lockFor(const std::string& tenantId, const std::string& conversationId);
    std::optional<ProcessResult> processWith(const MessageRequest& request, bool mayBlock);
    bool runAttempt(const MessageRequest& request, bool mayBlock, Attempt& attempt);
    void record(const MessageRequest& request, const ProcessResult& result);

    FlowRegistry& m_flows;
    ConversationStore& m_store;
    Executor m_executor;
    EngineOptions m_options;
    FlowdeckMetrics m_metrics; // all null without a registry
    std::array<std::mutex, 64> m_stripes;
};

// ProcessResult <-> JSON (what the store keeps so duplicates get the same answer, and what
// `flowctl` and the HTTP API print).
std::string encodeProcessResult(const ProcessResult& result);
std::optional<ProcessResult> decodeProcessResult(const std::string& json);

} // namespace flowdeck::engine
