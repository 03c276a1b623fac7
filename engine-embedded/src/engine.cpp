#include "flowdeck/engine/engine.h"

#include <functional>

namespace flowdeck::engine {

namespace {

using Clock = std::chrono::steady_clock;

int64_t wallClockMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

ProcessResult failure(const MessageRequest& request, EngineError error) {
    ProcessResult result;
    result.conversationId = request.conversationId;
    result.errors.push_back(std::move(error));
    return result;
}

// The answer stored with the message that first used this idempotency key, marked as a
// duplicate; `fallback` when that answer cannot be decoded.
ProcessResult duplicateAnswer(const std::string& storedJson, ProcessResult fallback) {
    auto decoded = decodeProcessResult(storedJson);
    ProcessResult out = decoded ? std::move(*decoded) : std::move(fallback);
    out.duplicate = true;
    out.stored = true;
    return out;
}

size_t messageBytes(const InboundMessage& message) {
    size_t bytes = message.type.size() + message.text.size();
    for (const auto& [key, value] : message.attributes) {
        bytes += key.size() + value.size();
    }
    return bytes;
}

} // namespace

// One try at applying a message: what was loaded, what the executor made of it, and how the
// commit went.
struct Engine::Attempt {
    ProcessResult result;
    CommitStatus status = CommitStatus::Failed;
    bool done = false; // false: lost an optimistic race, run again
};

Engine::Engine(FlowRegistry& flows, ConversationStore& store, IntegrationGateway& gateway,
               EngineOptions options, MetricsRegistry* metrics)
    : m_flows(flows)
    , m_store(store)
    , m_executor(gateway, options.limits)
    , m_options(std::move(options))
    , m_metrics(metrics != nullptr ? registerFlowdeckMetrics(*metrics) : FlowdeckMetrics{}) {}

std::optional<EngineError> Engine::checkRequest(const MessageRequest& request) const {
    if (request.tenantId.empty() || request.conversationId.empty()) {
        return makeError(ErrorCode::ValidationError, "tenant_id and conversation_id are required");
    }
    if (request.tenantId.size() > m_options.maxIdBytes ||
        request.conversationId.size() > m_options.maxIdBytes ||
        request.idempotencyKey.size() > m_options.maxIdBytes) {
        return makeError(ErrorCode::ValidationError,
                         "tenant_id, conversation_id and idempotency key are limited to " +
                             std::to_string(m_options.maxIdBytes) + " bytes");
    }
    const size_t bytes = messageBytes(request.content);
    if (bytes > m_options.limits.maxMessageBytes) {
        return makeError(ErrorCode::MessageTooLarge,
                         "message is " + std::to_string(bytes) + " bytes; the limit is " +
                             std::to_string(m_options.limits.maxMessageBytes));
    }
    if (request.hints.timeoutMs < 0) {
        return makeError(ErrorCode::ValidationError, "hints.timeout_ms must not be negative");
    }
    return std::nullopt;
}

std::mutex& Engine::lockFor(const std::string& tenantId, const std::string& conversationId) {
    const size_t hash =
        std::hash<std::string>{}(tenantId)*31 ^ std::hash<std::string>{}(conversationId);
    return m_stripes[hash % m_stripes.size()];
}

ProcessResult Engine::process(const MessageRequest& request) {
    return *processWith(request, true);
}

std::optional<ProcessResult> Engine::tryProcess(const MessageRequest& request) {
    return processWith(request, false);
}

std::optional<ProcessResult> Engine::processWith(const MessageRequest& request, bool mayBlock) {
    const auto started = Clock::now();
    ProcessResult result;
    if (auto error = checkRequest(request)) {
        result = failure(request, std::move(*error));
    } else {
        std::unique_lock lock(lockFor(request.tenantId, request.conversationId), std::defer_lock);
        if (mayBlock) {
            lock.lock();
        } else if (!lock.try_lock()) {
            return std::nullopt;
        }
        Attempt attempt;
        try {
            for (int i = 0; i < m_options.maxCommitAttempts && !attempt.done; ++i) {
                attempt = Attempt{};
                attempt.done = runAttempt(request, mayBlock, attempt);
            }
        } catch (const WouldBlock&) {
            return std::nullopt; // thrown before the commit: nothing of this run was kept
        }
        result = attempt.done ? std::move(attempt.result)
                              : failure(request, makeError(ErrorCode::VersionConflict,
                                                           "the conversation kept changing under "
                                                           "this message; try again"));
    }
    result.ok = result.errors.empty();
    result.processingTimeMs =
        std::chrono::duration<double, std::milli>(Clock::now() - started).count();
    record(request, result);
    if (m_options.onProcessed) {
        m_options.onProcessed(request, result);
    }
    return result;
}

bool Engine::runAttempt(const MessageRequest& request, bool mayBlock, Attempt& attempt) {
    ProcessResult& out = attempt.result;
    out.conversationId = request.conversationId;
    auto stored = m_store.load(request.tenantId, request.conversationId);
    const bool isNew = !stored;
    // A retry of a message already applied gets the first answer, without running anything. A
    // conversation that does not exist has no messages, so a new one needs no look-up (a retry
    // racing with the first attempt is still caught by the store's own check at commit).
    if (!isNew && !request.idempotencyKey.empty()) {
        if (auto earlier = m_store.findMessage(request.tenantId, request.conversationId,
                                               request.idempotencyKey)) {
            out =
                duplicateAnswer(earlier->resultJson,
                                failure(request, makeError(ErrorCode::StorageError,
                                                           "the stored answer cannot be decoded")));
            return true;
        }
    }
    ConversationState state = stored ? std::move(*stored) : ConversationState{};
    const int64_t expectedVersion = isNew ? 0 : state.version;

    // A conversation stays on the version it started with; if that version is gone, it
    // continues on the active one rather than failing forever.
    const std::string flowId = !isNew                            ? state.flowId
                               : request.hints.forceFlow.empty() ? m_flows.defaultFlow()
                                                                 : request.hints.forceFlow;
    // A new conversation goes where the flow's canary split (if any) sends its id.
    std::optional<FlowRegistry::Entry> flow;
    std::string variant = state.abVariant;
    if (!isNew) {
        flow = m_flows.find(flowId, state.flowVersion);
        if (!flow && m_options.loadVersion &&
            m_options.loadVersion(state.tenantId, flowId, state.flowVersion)) {
            flow = m_flows.find(flowId, state.flowVersion);
        }
    }
    const bool visible = !isNew || !m_options.flowVisible || flowId.empty() ||
                         m_options.flowVisible(request.tenantId, flowId);
    if (!flow && visible) {
        if (auto route = m_flows.route(flowId, request.conversationId)) {
            flow = std::move(route->entry);
            variant = isNew ? std::move(route->variant) : variant;
        }
    }
    if (!flow) {
        out.errors.push_back(makeError(ErrorCode::FlowNotFound,
                                       flowId.empty() ? "no flow is deployed"
                                                      : "flow '" + flowId + "' is not deployed"));
        return true;
    }

    const int64_t now = wallClockMs();
    ExecutionOptions options;
    options.trace = request.includeTrace;
    const auto timeout = request.hints.timeoutMs > 0
                             ? std::chrono::milliseconds(request.hints.timeoutMs)
                             : m_options.defaultTimeout;
    options.deadline = Clock::now() + timeout;
    options.nowMs = now;
    options.mayBlock = mayBlock;
    if (isNew) {
        state.tenantId = request.tenantId;
        state.conversationId = request.conversationId;
        state.flowId = flow->flowId;
        state.flowVersion = flow->version;
        state.abVariant = variant;
        state.createdAtMs = now;
        // Enter the initial state: the first message is evaluated against its transitions.
        m_executor.start(*flow->compiled, state, options);
    } else if (flow->version != state.flowVersion) {
        // Its version is gone (loadVersion could not bring it back): it continues on the active
        // one, and says so rather than reporting a version it no longer runs.
        state.flowVersion = flow->version;
    }
    ExecutionResult run = m_executor.process(*flow->compiled, state, request.content, options);

    out.flowId = state.flowId;
    out.flowVersion = state.flowVersion;
    out.currentState = state.currentState;
    out.response = run.reply;
    out.contextUpdates = std::move(run.contextUpdates);
    out.actionsPerformed = std::move(run.actions);
    out.abVariant = state.abVariant;
    out.errors = std::move(run.errors);
    out.version = expectedVersion + 1;
    out.transitions = run.transitions;
    out.failedIntegrations = std::move(run.failedIntegrations);
    out.tookFallback = run.tookFallback;

    state.version = expectedVersion + 1;
    state.messageCount += 1;
    state.updatedAtMs = now;
    StoredMessage message;
    message.idempotencyKey = request.idempotencyKey;
    message.input = request.content.text;
    message.reply = out.response;
    message.stateBefore = run.stateBefore;
    message.stateAfter = run.stateAfter;
    message.resultJson = encodeProcessResult(out); // without the trace: it can be large
    message.createdAtMs = now;

    const CommitResult commit = m_store.commit(state, expectedVersion, message);
    attempt.status = commit.status;
    switch (commit.status) {
    case CommitStatus::Committed:
        out.trace = std::move(run.trace);
        out.stored = true;
        return true;
    case CommitStatus::Conflict:
        return false;
    case CommitStatus::Duplicate:
        // Another process applied the same key between our lookup and our commit.
        out = duplicateAnswer(commit.existing ? commit.existing->resultJson : std::string(),
                              std::move(out));
        return true;
    case CommitStatus::Failed:
        out = failure(request, makeError(ErrorCode::StorageError,
                                         "the message was not saved: " + commit.error));
        return true;
    }
    return true;
}

std::optional<ConversationView> Engine::conversation(const std::string& tenantId,
                                                     const std::string& conversationId,
                                                     size_t historyLimit) {
    auto state = m_store.load(tenantId, conversationId);
    if (!state) {
        return std::nullopt;
    }
    ConversationView view{std::move(*state), {}};
    if (historyLimit > 0) {
        view.history = m_store.history(tenantId, conversationId, historyLimit);
    }
    return view;
}

bool Engine::reset(const std::string& tenantId, const std::string& conversationId) {
    std::lock_guard lock(lockFor(tenantId, conversationId));
    return m_store.remove(tenantId, conversationId);
}

std::optional<std::string> Engine::openingMessage(const std::string& flowId) {
    const auto flow = m_flows.active(flowId.empty() ? m_flows.defaultFlow() : flowId);
    if (!flow) {
        return std::nullopt;
    }
    ConversationState scratch;
    return m_executor.start(*flow->compiled, scratch).reply;
}

void Engine::record(const MessageRequest& request, const ProcessResult& result) {
    if (m_metrics.messages != nullptr) {
        const std::string_view outcome = result.duplicate ? "duplicate"
                                         : result.ok      ? "ok"
                                                          : "error";
        m_metrics.messages->withLabels({request.tenantId, result.flowId, outcome}).inc();
    }
    if (m_metrics.errors != nullptr) {
        for (const auto& error : result.errors) {
            m_metrics.errors->withLabels({toString(error.code)}).inc();
        }
    }
    if (m_metrics.stateTransitions != nullptr && result.transitions > 0 && !result.duplicate) {
        m_metrics.stateTransitions->withLabels({result.flowId})
            .inc(static_cast<uint64_t>(result.transitions));
    }
    if (m_metrics.integrationFailures != nullptr) {
        for (const auto& integration : result.failedIntegrations) {
            m_metrics.integrationFailures->withLabels({integration}).inc();
        }
    }
}

} // namespace flowdeck::engine
