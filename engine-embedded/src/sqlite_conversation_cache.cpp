#include "sqlite_conversation_cache.h"

#include <algorithm>

namespace flowdeck::engine::sqlite {

ConversationCache::ConversationCache(size_t capacity)
    : m_capacity(std::max<size_t>(1, capacity)) {}

std::string_view ConversationCache::makeKey(std::string_view tenantId,
                                            std::string_view conversationId) {
    m_key.assign(std::to_string(tenantId.size()));
    m_key += ':';
    m_key += tenantId;
    m_key += conversationId;
    return m_key;
}

ConversationRow* ConversationCache::find(std::string_view tenantId,
                                         std::string_view conversationId) {
    const auto it = m_index.find(makeKey(tenantId, conversationId));
    if (it == m_index.end()) {
        return nullptr;
    }
    m_entries.splice(m_entries.begin(), m_entries, it->second);
    return &it->second->second;
}

ConversationRow& ConversationCache::put(std::string_view tenantId, std::string_view conversationId,
                                        const ConversationRow& row) {
    if (ConversationRow* cached = find(tenantId, conversationId)) {
        *cached = row;
        return *cached;
    }
    if (m_index.size() >= m_capacity) {
        m_index.erase(m_entries.back().first);
        m_entries.pop_back();
    }
    m_entries.emplace_front(m_key, row); // m_key was set by find()
    m_index.emplace(m_entries.front().first, m_entries.begin());
    return m_entries.front().second;
}

void ConversationCache::erase(std::string_view tenantId, std::string_view conversationId) {
    const auto it = m_index.find(makeKey(tenantId, conversationId));
    if (it != m_index.end()) {
        const auto entry = it->second;
        m_index.erase(it);
        m_entries.erase(entry);
    }
}

void ConversationCache::clear() {
    m_index.clear();
    m_entries.clear();
}

} // namespace flowdeck::engine::sqlite
