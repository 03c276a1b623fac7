#pragma once

#include "flowdeck/engine/conversation.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace flowdeck::engine {

// One applied message, as kept in a conversation's history. `resultJson` is what the engine
// answered, so a retried request with the same idempotency key gets the same answer again.
struct StoredMessage {
    std::string idempotencyKey; // unique per conversation
    int64_t seq = 0;            // 1-based position in the conversation (set by the store)
    std::string input;
    std::string reply;
    std::string stateBefore;
    std::string stateAfter;
    std::string resultJson;
    int64_t createdAtMs = 0;
};

enum class CommitStatus { Committed, Conflict, Duplicate, Failed };

struct CommitResult {
    CommitStatus status = CommitStatus::Failed;
    std::optional<StoredMessage> existing; // for Duplicate: the message stored earlier
    std::string error;                     // for Failed
};

// Where conversations live. Contract for every implementation:
// - commit() is atomic: the state and its message are written together or not at all;
// - optimistic concurrency: commit succeeds only when the stored version equals expectedVersion
//   (0 = the conversation must not exist yet) and stores next.version = expectedVersion + 1;
// - idempotency: a second commit with an idempotency key already stored for the conversation
//   returns Duplicate with the stored message, and changes nothing;
// - durability: when commit() returns Committed the write survives a killed process;
// - all methods are thread-safe.
class ConversationStore {
public:
    virtual ~ConversationStore() = default;
    virtual std::optional<ConversationState> load(const std::string& tenantId,
                                                  const std::string& conversationId) = 0;
    virtual std::optional<StoredMessage> findMessage(const std::string& tenantId,
                                                     const std::string& conversationId,
                                                     const std::string& idempotencyKey) = 0;
    virtual CommitResult commit(const ConversationState& next, int64_t expectedVersion,
                                const StoredMessage& message) = 0;
    // The newest `limit` messages, oldest first.
    virtual std::vector<StoredMessage> history(const std::string& tenantId,
                                               const std::string& conversationId, size_t limit) = 0;
    // Deletes a conversation and its history (ResetConversation). False when it did not exist.
    virtual bool remove(const std::string& tenantId, const std::string& conversationId) = 0;
    virtual int64_t conversationCount() = 0;
};

} // namespace flowdeck::engine
