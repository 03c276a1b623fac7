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
    if (const auto it = m_lastSeen.find(key); it != m_lastSeen.end()) {
        it->second = nowMs;
    } else if (m_lastSeen.size() < m_maxTracked) {
        m_lastSeen.emplace(std::move(key), nowMs);
    } else {
        ++m_untracked;
    }
    return m_lastSeen.size() + m_untracked;
}

size_t ActiveConversations::count(int64_t nowMs) {
    std::lock_guard lock(m_mutex);
    sweep(nowMs);
    return m_lastSeen.size() + m_untracked;
}

void ActiveConversations::sweep(int64_t nowMs) {
    if (nowMs - m_lastSweepMs < 1000) {
        return;
    }
    m_lastSweepMs = nowMs;
    for (auto it = m_lastSeen.begin(); it != m_lastSeen.end();) {
        it = nowMs - it->second > m_windowMs ? m_lastSeen.erase(it) : std::next(it);
    }
    m_untracked = 0; // an estimate at best: forget it once a second, with the old entries
}

} // namespace flowdeck::server
