#pragma once

#include <chrono>
#include <cstdint>
#include <list>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace flowdeck::server {

// How many conversations had a message in the last `window`: what flowdeck_conversations_active
// reports. Conversations are kept in the order of their last message, so those past the window
// fall off the front as time goes on: a message costs a hash lookup and a list splice under a
// mutex, never a scan of the map (a scan of a million conversations held every message thread
// for tens of milliseconds). At most `maxTracked` conversations are remembered (past that, new
// ones are counted by an estimate). Thread-safe.
class ActiveConversations final {
public:
    explicit ActiveConversations(std::chrono::milliseconds window = std::chrono::minutes(5),
                                 size_t maxTracked = 1'000'000);

    // Records a message of (tenant, conversation) at `nowMs`; returns the count of active ones.
    size_t touch(const std::string& tenantId, const std::string& conversationId, int64_t nowMs);
    size_t count(int64_t nowMs);

private:
    struct Seen {
        std::string key; // "tenant\nconversation"
        int64_t lastMs = 0;
    };
    void sweep(int64_t nowMs);

    const int64_t m_windowMs;
    const size_t m_maxTracked;
    std::mutex m_mutex;
    std::list<Seen> m_byAge; // oldest message first
    // Keys view the strings in m_byAge (list nodes never move).
    std::unordered_map<std::string_view, std::list<Seen>::iterator> m_index;
    size_t m_untracked = 0; // new since the map filled up
    int64_t m_lastUntrackedResetMs = 0;
};

} // namespace flowdeck::server
