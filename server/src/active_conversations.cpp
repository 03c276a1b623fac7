#include "active_conversations.h"

namespace flowdeck::server {

ActiveConversations::ActiveConversations(std::chrono::milliseconds window, size_t maxTracked)
    : m_windowMs(window.count())
    , m_maxTracked(maxTracked) {}

size_t ActiveConversations::touch(const std::string& tenantId, const std::string& conversationId,
                                  int64_t nowMs) {
    std::string key;
    key.reserve(tenantId.size() + conversationId.size() + 1);
    key.append(tenantId).append(1, '\n').append(conversationId);
    std::lock_guard lock(m_mutex);
    sweep(nowMs);
    if (const auto it = m_index.find(key); it != m_index.end()) {
        it->second->lastMs = nowMs;
        m_byAge.splice(m_byAge.end(), m_byAge, it->second); // iterators stay valid
    } else if (m_index.size() < m_maxTracked) {
        m_byAge.push_back(Seen{std::move(key), nowMs});
        const auto last = std::prev(m_byAge.end());
        m_index.emplace(std::string_view(last->key), last);
    } else {
        ++m_untracked;
    }
    return m_index.size() + m_untracked;
}

size_t ActiveConversations::count(int64_t nowMs) {
    std::lock_guard lock(m_mutex);
    sweep(nowMs);
    return m_index.size() + m_untracked;
}

void ActiveConversations::sweep(int64_t nowMs) {
    // A clock that went back leaves the list slightly out of order: those entries go a little
    // late, which a count of "about how many" can bear.
    while (!m_byAge.empty() && nowMs - m_byAge.front().lastMs > m_windowMs) {
        m_index.erase(std::string_view(m_byAge.front().key));
        m_byAge.pop_front();
    }
    if (nowMs - m_lastUntrackedResetMs >= 1000) {
        m_lastUntrackedResetMs = nowMs;
        m_untracked = 0; // an estimate at best: forget it once a second
    }
}

} // namespace flowdeck::server
