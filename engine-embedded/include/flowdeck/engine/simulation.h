#pragma once

#include "flowdeck/engine/conversation.h"
#include "flowdeck/engine/executor.h"
#include "flowdeck/engine/integration_gateway.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

// Offline simulation of one conversation with the embedded engine: the console's Simulate workspace
// and `flowctl test` both run on this. No Qt; thread-compatible (use one Simulation from one thread
// at a time; the flow is immutable and the stub gateway is thread-safe, so several Simulations may
// share them).
namespace flowdeck::engine {

// One message (or the opening) and everything it did.
struct SimTurn {
    InboundMessage input;            // type "start" and empty text for the opening turn
    ConversationState before, after; // full snapshots: time travel restores these
    ExecutionResult result;          // traced (unless the session's tracing is off)
    std::vector<std::string> path;   // states entered, in order (from the trace)
    std::vector<std::pair<std::string, int>> transitionsTaken; // (from state, transition index)
    int64_t engineUs = 0; // wall time spent inside the executor, hook time excluded
};

class Simulation final {
public:
    // `stubs` answers every integration call; null gives an empty StubGateway, where every
    // integration fails like an unreachable endpoint (never the network).
    Simulation(std::shared_ptr<const CompiledFlow> flow, std::shared_ptr<StubGateway> stubs,
               EngineLimits limits = {});

    // Starts a new conversation with this user profile (clears the turns); the reply is the opening
    // message. The returned reference stays valid until the next start/send/rewindTo.
    const SimTurn& start(const Json& user = Json::object(), const ExecutionOptions& options = {});
    // Sends a message to the conversation as it is now (including edits made through
    // conversation()). options.trace is forced on while tracing() is.
    const SimTurn& send(const InboundMessage& message, const ExecutionOptions& options = {});
    const std::vector<SimTurn>& turns() const { return m_turns; }

    // Editable between messages ("what if premium?"); the next send() records the edit in its
    // turn's `before`.
    ConversationState& conversation() { return m_conversation; }
    const ConversationState& conversation() const { return m_conversation; }
    // Time travel: keeps turns[0..turn] and restores conversation = turns[turn].after, the fork
    // point. Out of range: does nothing. Stub sequences are not rewound.
    void rewindTo(size_t turn);

    // Later turns use the new flow; the conversation stays where it is (a state the new flow lacks
    // makes the next message fail with STATE_ERROR).
    void setFlow(std::shared_ptr<const CompiledFlow> flow);
    const CompiledFlow& flow() const { return *m_flow; }
    std::shared_ptr<const CompiledFlow> flowPtr() const { return m_flow; }
    StubGateway& stubs() { return *m_stubs; }
    std::shared_ptr<StubGateway> stubsPtr() const { return m_stubs; }
    const EngineLimits& limits() const { return m_limits; }

    // On by default. Off, turns keep no trace (4x cheaper messages, for suite runs); path and
    // transitionsTaken are then taken from the step hook and are the same.
    void setTracing(bool on) { m_tracing = on; }
    bool tracing() const { return m_tracing; }

private:
    const SimTurn& run(SimTurn turn, bool opening, const ExecutionOptions& options);

    std::shared_ptr<const CompiledFlow> m_flow;
    std::shared_ptr<StubGateway> m_stubs;
    EngineLimits m_limits;
    ConversationState m_conversation;
    std::vector<SimTurn> m_turns;
    bool m_tracing = true;
};

// Edits made to a conversation between two messages, as a patch:
//   { "slots": { "order_id": "42", "gone": null }, "vars": {...}, "user": { "premium": true } }
// Top-level keys only; null removes a key. Empty object when nothing changed.
Json contextPatch(const ConversationState& from, const ConversationState& to);
void applyContextPatch(ConversationState& conversation, const Json& patch);

// Re-runs the conversation in `turns` against `flow`: the same opening user (turns[0].before.user),
// the same inputs, and the same edits made between messages (contextPatch of each turn's `before`
// against the previous turn's `after`, applied before sending that turn's input). Stubs answer from
// `stubs` as they are: pass a freshly loaded gateway for sequences to start over. Returns the new
// turns (empty when `turns` is).
std::vector<SimTurn> replayInputs(const std::vector<SimTurn>& turns,
                                  std::shared_ptr<const CompiledFlow> flow,
                                  std::shared_ptr<StubGateway> stubs, EngineLimits limits = {});

// The first turn whose path or reply differs, for "see where the path changes". A turn present in
// one list only differs (its other side is empty). nullopt when both lists match.
struct PathDivergence {
    size_t turn = 0;
    std::vector<std::string> oldPath, newPath;
    std::string oldReply, newReply;
};
std::optional<PathDivergence> firstDivergence(const std::vector<SimTurn>& a,
                                              const std::vector<SimTurn>& b);

} // namespace flowdeck::engine
