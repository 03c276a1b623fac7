#pragma once

#include "compiled_flow.h"
#include "flowdeck/engine/conversation.h"
#include "flowdeck/engine/executor.h"
#include "flowdeck/engine/lua_sandbox.h"

#include <array>
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

// The executor's private machinery. One Run lives for one message (or one start()); it holds
// references to everything the message touches and the little per-message bookkeeping: the
// transition count, the intents classified, the context snapshot for rollback, the trace clock.
//
// Hot path rule: with tracing off, nothing here allocates per transition. Every trace call site
// is guarded by `if (run.tracing())`, so detail strings and JSON are never built for nothing.
namespace flowdeck::engine::exec {

using Clock = std::chrono::steady_clock;

// Ends the message with an error. Thrown only inside the executor and caught in executor.cpp,
// which restores the conversation (or moves it to the error state): it never leaves the API.
struct ExecFailure {
    ErrorCode code = ErrorCode::StateError;
    std::string message;
    std::string state;
    std::map<std::string, std::string> details;
    bool aborted = false; // the step hook said Abort: restore, never move to the error state
};

struct IntentInfo {
    std::string intent; // empty when below the threshold or nothing was recognised
    double confidence = 0.0;
};

enum class CallOutcome { None, Success, Failure, TimedOut };

// Why transitions are being evaluated; decides which conditions may match.
enum class EvalMode {
    Message,      // a message arrived at the waiting current state
    TimeoutEvent, // an idle event arrived at the waiting current state: only `timeout` matches
    Entry,        // a slot_filling state was just entered: the message was already consumed
    Continue      // a non-waiting state ran (same message)
};

// What one state visit produced, as its transitions see it.
struct Visit {
    EvalMode mode = EvalMode::Continue;
    CallOutcome outcome = CallOutcome::None; // integration states
    bool timedOut = false;                   // the state's own work (call or script) timed out
    bool scriptFailed = false;
    bool requiredMissing = false; // slot_filling: some required slot is still empty
};

class Run {
public:
    Run(const CompiledFlow& flow, const EngineLimits& limits, IntegrationGateway& gateway,
        ConversationState& conversation, const InboundMessage* message,
        const ExecutionOptions& options, ExecutionResult& result);

    const CompiledFlow& flow;
    const EngineLimits& limits;
    IntegrationGateway& gateway;
    ConversationState& conversation;
    const InboundMessage* message; // null for start()
    const ExecutionOptions& options;
    ExecutionResult& result;

    int current = -1;    // state index the conversation is in
    int transitions = 0; // taken in this message
    int maxTransitions = 50;
    bool filledSlots = false; // this message already answered some slot_filling state

    // --- input -------------------------------------------------------------------------
    bool hasInput() const { return m_hasInput; }
    bool isTimeoutEvent() const { return m_timeoutEvent; }
    std::string_view input() const;

    // --- trace -------------------------------------------------------------------------
    bool tracing() const { return options.trace; }
    int64_t elapsedUs() const;
    void trace(TraceKind kind, int state, int transition, std::string detail, std::string data = {},
               int64_t startUs = -1, int64_t durationUs = 0);
    void traceJson(TraceKind kind, int state, int transition, std::string detail, const Json& data,
                   int64_t startUs = -1, int64_t durationUs = 0);

    // --- intents -----------------------------------------------------------------------
    // The message's intent as `state` sees it: the external NLU's when the message carries one,
    // else the built-in classifier's over the state's intents (intent states) or over every
    // intent of the flow. Classified at most once per classifier and message.
    const IntentInfo& intentFor(const CompiledState& state);
    // The message's intent over every intent of the flow, with the engine's threshold (global
    // handlers). References stay valid until the next intentFor/flowIntent call.
    const IntentInfo& flowIntent();
    // Whatever intent is already known for this message, without classifying.
    const IntentInfo* knownIntent() const;
    double thresholdFor(const CompiledState& state) const;

    // --- context -----------------------------------------------------------------------
    // Call before changing slots/vars/user: the first call keeps a copy for rollback.
    void beginMutation();
    bool mutated() const { return m_snapshot.has_value(); }
    void restoreContext();
    void collectContextUpdates();
    TemplateScope scope() const;
    // Renders into the reply (a "\n" between states' texts) and traces it.
    void renderReply(const CompiledState& state, const CompiledTemplate& text,
                     std::string_view what);

    // --- time --------------------------------------------------------------------------
    // What the state may still spend: its timeout_ms (or the engine's), cut by the deadline.
    // `cutByDeadline` tells whether the message's deadline, not the state's timeout, set it.
    std::chrono::milliseconds stateBudget(const CompiledState& state,
                                          bool* cutByDeadline = nullptr) const;
    // Ends the message with TIMEOUT_ERROR once its deadline has passed. `timedOutOnDeadline`:
    // some work just timed out after being given only what the deadline left; that is the
    // deadline too, even when its timer fired a hair before the deadline it was derived from.
    void checkDeadline(const CompiledState& state, bool timedOutOnDeadline = false) const;

    // The message's deadline, pushed back by the time spent in the step hook.
    Clock::time_point deadline() const;

    // --- step hook ---------------------------------------------------------------------
    // Asks options.onStep (when set) whether to enter `target`; throws an aborted ExecFailure
    // on Abort. The hook's time is taken out of the deadline and the trace clock.
    void stepHook(int target, int from, int transition) {
        if (options.onStep) {
            callStepHook(target, from, transition);
        }
    }

    // --- Lua ---------------------------------------------------------------------------
    LuaOutcome evaluateExpression(const CompiledState& state, const CompiledTransition& t);
    LuaOutcome runScript(const CompiledState& state);

    // --- transitions -------------------------------------------------------------------
    void noteVisited(int state);
    std::string recentStates() const; // "a -> b -> a" (the last few, oldest first)

private:
    struct Snapshot {
        Json slots;
        Json vars;
        Json user;
    };
    struct CachedIntent {
        const IntentClassifier* classifier;
        IntentInfo info;
    };

    void callStepHook(int target, int from, int transition);
    const IntentInfo& cachedIntent(int state, const IntentClassifier& classifier, double threshold,
                                   bool flowWide);
    IntentInfo classify(int state, const IntentClassifier& classifier, double threshold,
                        bool flowWide);

    bool m_hasInput = false;
    bool m_timeoutEvent = false;
    bool m_external = false;
    IntentInfo m_externalIntent;
    std::vector<CachedIntent> m_intents;
    std::optional<Snapshot> m_snapshot;
    Clock::time_point m_start;
    Clock::duration m_paused{}; // spent inside the step hook
    std::array<int, 8> m_recent{};
    int m_recentCount = 0;
};

// The thread's Lua sandbox with these limits applied (exec_lua.cpp).
LuaSandbox& threadSandbox(const LuaLimits& limits);

// Short JSON-safe excerpt for trace details.
std::string excerpt(std::string_view text, size_t max = 200);

} // namespace flowdeck::engine::exec
