#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

namespace flowdeck::server {

// How many conversations had a message in the last `window`: what flowdeck_conversations_active
// reports. Entries older than the window are swept at most once a second, so a message costs one
// hash-map write under a mutex; the map holds at most `maxTracked` conversations (past that, new
// ones are counted by an estimate rather than remembered). Thread-safe.
class ActiveConversations final {
public:
    explicit ActiveConversations(std::chrono::milliseconds window = std::chrono::minutes(5),
                                 size_t maxTracked = 1'000'000);

    // Records a message of (tenant, conversation) at `nowMs`; returns the count of active ones.
    size_t touch(const std::string& tenantId, const std::string& conversationId, int64_t nowMs);
    size_t count(int64_t nowMs);

private:
    void sweep(int64_t nowMs);

    const int64_t m_windowMs;
    const size_t m_maxTracked;
    std::mutex m_mutex;
    std::unordered_map<std::string, int64_t> m_lastSeen; // "tenant\nconversation" -> ms
    size_t m_untracked = 0;                              // new since the map filled up
    int64_t m_lastSweepMs = 0;
};

} // namespace flowdeck::server
