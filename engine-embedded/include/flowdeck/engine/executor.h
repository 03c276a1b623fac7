#pragma once

#include "flowdeck/engine/conversation.h"
#include "flowdeck/engine/diagnostic.h"
#include "flowdeck/engine/flow.h"
#include "flowdeck/engine/lua_sandbox.h"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>

namespace flowdeck::engine {

class IntegrationGateway;

struct EngineLimits {
    int maxTransitionsPerMessage = 50;    // circuit breaker (CIRCULAR_TRANSITION)
    size_t maxContextBytes = 1024 * 1024; // slots + vars + user, serialized
    size_t maxMessageBytes = 64 * 1024;   // text + attributes of one inbound message
    // Default per state; a state's config "timeout_ms" overrides it.
    std::chrono::milliseconds stateTimeout{10000};
    double intentThreshold = 0.5; // default; config "confidence_threshold" overrides
    LuaLimits lua;
};

// The runtime form of a flow: states by index, targets resolved, templates pre-split,
// classifier examples tokenized, expressions kept for the per-thread Lua cache. Immutable and
// shared between threads. A flow with linter errors still compiles (a designer may run a
// draft); taking a transition to an unknown state then fails that message with STATE_ERROR.
class CompiledFlow;
std::shared_ptr<const CompiledFlow> compileFlow(const Flow& flow);
const Flow& sourceFlow(const CompiledFlow& compiled);

// Where the executor is about to enter a state; for the simulator's breakpoints and
// single-stepping.
struct StepPoint {
    std::string_view state; // the state about to be entered
    // The state just left; empty when entering the initial state on start().
    std::string_view fromState;
    // Index of the transition taken in fromState; -1 on start() and for a global handler.
    int transition = -1;
    int step = 0; // transitions taken so far in this message, this one included (0 on start())
    // The in-flight context: slots/vars/user as they are now. Its currentState is still the state
    // the message started in (it is updated when the message completes).
    const ConversationState* conversation = nullptr;
};
enum class StepDecision { Continue, Abort };

struct ExecutionOptions {
    bool trace = false;
    // Whole-message deadline (the request's timeout_ms); max() means none.
    std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
    int64_t nowMs = 0;  // wall clock for date extraction ("today", "friday"); 0 = system clock
    std::string locale; // picks response_templates[locale] when present
    // Called before each state is entered (null: never). May block (the simulator waits for the
    // user there). Abort ends the message with STATE_ERROR whose details carry "aborted" = "true",
    // and leaves the conversation exactly as it was before the message (never moved to the
    // error_state). Time spent inside the hook counts against no timeout (neither the deadline nor
    // a state's timeout) and is left out of the trace's times.
    std::function<StepDecision(const StepPoint&)> onStep;
    // False: the message must not wait for an integration call. Reaching one throws WouldBlock
    // before anything is sent, and the caller runs the message again where waiting is fine
    // (Engine::tryProcess).
    bool mayBlock = true;
};

// Thrown through the executor when ExecutionOptions::mayBlock is false and the message reaches an
// integration call. Deliberately not a std::exception, so no `catch (const std::exception&)` on
// the way turns it into a message error.
struct WouldBlock {};

// Runs messages through a compiled flow. Thread-safe (each thread gets its own Lua sandbox);
// holds no conversation state of its own. On failure the conversation is either moved to the
// flow's error_state or left exactly as it was before the message, never half-applied.
class Executor {
public:
    explicit Executor(IntegrationGateway& gateway, EngineLimits limits = {});

    // Enters the initial state of a new conversation; the reply is the opening message.
    ExecutionResult start(const CompiledFlow& flow, ConversationState& state,
                          const ExecutionOptions& options = {}) const;
    // Evaluates the current state's transitions against the message, then enters target states
    // until one waits for input.
    ExecutionResult process(const CompiledFlow& flow, ConversationState& state,
                            const InboundMessage& message,
                            const ExecutionOptions& options = {}) const;

    const EngineLimits& limits() const { return m_limits; }

private:
    IntegrationGateway& m_gateway;
    EngineLimits m_limits;
};

} // namespace flowdeck::engine
