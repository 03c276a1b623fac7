#include "flowdeck/engine/memory_store.h"

#include <chrono>
#include <deque>
#include <unordered_map>

namespace flowdeck::engine {

struct MemoryStore::Conversation {
    ConversationState state;
    std::deque<StoredMessage> messages; // oldest first
    std::unordered_map<std::string, int64_t> seqByKey;
};

namespace {

int64_t nowMs() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

} // namespace

MemoryStore::MemoryStore(size_t historyLimitPerConversation)
    : m_historyLimit(historyLimitPerConversation) {}

MemoryStore::~MemoryStore() = default;

std::optional<ConversationState> MemoryStore::load(const std::string& tenantId,
                                                   const std::string& conversationId) {
    std::lock_guard lock(m_mutex);
    auto it = m_conversations.find({tenantId, conversationId});
    if (it == m_conversations.end()) {
        return std::nullopt;
    }
    return it->second->state;
}

std::optional<StoredMessage> MemoryStore::findMessage(const std::string& tenantId,
                                                      const std::string& conversationId,
                                                      const std::string& idempotencyKey) {
    std::lock_guard lock(m_mutex);
    auto it = m_conversations.find({tenantId, conversationId});
    if (it == m_conversations.end()) {
        return std::nullopt;
    }
    const Conversation& conversation = *it->second;
    auto found = conversation.seqByKey.find(idempotencyKey);
    if (found == conversation.seqByKey.end()) {
        return std::nullopt;
    }
    // Messages hold consecutive seqs, so the position follows from the oldest one kept.
    const int64_t index = found->second - conversation.messages.front().seq;
    return conversation.messages[static_cast<size_t>(index)];
}

CommitResult MemoryStore::commit(const ConversationState& next, int64_t expectedVersion,
                                 const StoredMessage& message) {
    if (next.tenantId.empty() || next.conversationId.empty()) {
        return {CommitStatus::Failed, std::nullopt, "commit needs a tenant and conversation id"};
    }
    if (expectedVersion < 0) {
        return {CommitStatus::Failed, std::nullopt,
                "expected version of conversation '" + next.conversationId + "' is negative"};
    }
    const int64_t now = nowMs();
    std::lock_guard lock(m_mutex);
    auto& slot = m_conversations[{next.tenantId, next.conversationId}];
    const bool existed = slot != nullptr;
    if (!existed) {
        slot = std::make_unique<Conversation>();
    }
    Conversation& conversation = *slot;
    auto duplicate = conversation.seqByKey.find(message.idempotencyKey);
    if (!message.idempotencyKey.empty() && duplicate != conversation.seqByKey.end()) {
        const int64_t index = duplicate->second - conversation.messages.front().seq;
        return {CommitStatus::Duplicate, conversation.messages[static_cast<size_t>(index)], {}};
    }
    if (conversation.state.version != expectedVersion || (expectedVersion == 0 && existed)) {
        if (!existed) {
            m_conversations.erase({next.tenantId, next.conversationId});
        }
        return {CommitStatus::Conflict, std::nullopt, {}};
    }
    const int64_t createdAt =
        existed ? conversation.state.createdAtMs : (next.createdAtMs != 0 ? next.createdAtMs : now);
    const int64_t count = conversation.state.messageCount + 1;
    conversation.state = next;
    conversation.state.version = expectedVersion + 1;
    conversation.state.messageCount = count;
    conversation.state.createdAtMs = createdAt;
    conversation.state.updatedAtMs = next.updatedAtMs != 0 ? next.updatedAtMs : now;

    StoredMessage stored = message;
    stored.seq = count;
    stored.createdAtMs = message.createdAtMs != 0 ? message.createdAtMs : now;
    if (!stored.idempotencyKey.empty()) {
        conversation.seqByKey.emplace(stored.idempotencyKey, count);
    }
    conversation.messages.push_back(std::move(stored));
    while (m_historyLimit > 0 && conversation.messages.size() > m_historyLimit) {
        conversation.seqByKey.erase(conversation.messages.front().idempotencyKey);
        conversation.messages.pop_front();
    }
    return {CommitStatus::Committed, std::nullopt, {}};
}

std::vector<StoredMessage> MemoryStore::history(const std::string& tenantId,
                                                const std::string& conversationId, size_t limit) {
    std::lock_guard lock(m_mutex);
    auto it = m_conversations.find({tenantId, conversationId});
    if (it == m_conversations.end()) {
        return {};
    }
    const auto& messages = it->second->messages;
    const size_t first = messages.size() > limit ? messages.size() - limit : 0;
    return {messages.begin() + static_cast<ptrdiff_t>(first), messages.end()};
}

bool MemoryStore::remove(const std::string& tenantId, const std::string& conversationId) {
    std::lock_guard lock(m_mutex);
    return m_conversations.erase({tenantId, conversationId}) > 0;
}

int64_t MemoryStore::conversationCount() {
    std::lock_guard lock(m_mutex);
    return static_cast<int64_t>(m_conversations.size());
}

} // namespace flowdeck::engine
