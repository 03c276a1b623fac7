#pragma once

#include "flowdeck/engine/conversation_store.h"

#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

namespace flowdeck::engine {

// ConversationStore in memory, for the simulator and unit tests. It keeps the whole contract
// except durability: everything is lost with the process. Like SqliteStore, it sets version,
// messageCount and each message's seq, and replaces zero timestamps by the current time.
class MemoryStore final : public ConversationStore {
public:
    // Each conversation keeps at most this many newest messages (0 = unlimited).
    explicit MemoryStore(size_t historyLimitPerConversation = 10000);
    ~MemoryStore() override;

    std::optional<ConversationState> load(const std::string& tenantId,
                                          const std::string& conversationId) override;
    std::optional<StoredMessage> findMessage(const std::string& tenantId,
                                             const std::string& conversationId,
                                             const std::string& idempotencyKey) override;
    CommitResult commit(const ConversationState& next, int64_t expectedVersion,
                        const StoredMessage& message) override;
    std::vector<StoredMessage> history(const std::string& tenantId,
                                       const std::string& conversationId, size_t limit) override;
    bool remove(const std::string& tenantId, const std::string& conversationId) override;
    int64_t conversationCount() override;

private:
    struct Conversation;
    using Key = std::pair<std::string, std::string>; // tenant, conversation

    const size_t m_historyLimit;
    std::mutex m_mutex;
    std::map<Key, std::unique_ptr<Conversation>> m_conversations;
};

} // namespace flowdeck::engine
