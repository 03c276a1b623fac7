#pragma once

// Internal to flowctl's remote commands: hands what a watch thread receives to the thread that
// prints it.

#include "flowdeck/client/telemetry_client.h"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>

namespace flowdeck::client {

// What the watch thread hands to the printing thread. Bounded: a terminal that cannot keep up
// loses the oldest items rather than memory growing without end.
template <class Item, size_t MaxQueued> class Handoff final {
public:
    void push(Item item) {
        std::lock_guard lock(m_mutex);
        m_items.push_back(std::move(item));
        if (m_items.size() > MaxQueued) {
            m_items.pop_front();
        }
        m_wake.notify_one();
    }
    void finish(WatchEnd end) {
        std::lock_guard lock(m_mutex);
        m_end = std::move(end);
        m_wake.notify_one();
    }
    // The next item, or nullopt once the stream has ended and everything was taken.
    std::optional<Item> next(WatchEnd* end) {
        std::unique_lock lock(m_mutex);
        m_wake.wait(lock, [this] { return !m_items.empty() || m_end; });
        if (m_items.empty()) {
            *end = *m_end;
            return std::nullopt;
        }
        Item item = std::move(m_items.front());
        m_items.pop_front();
        return item;
    }

private:
    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::deque<Item> m_items;
    std::optional<WatchEnd> m_end;
};

} // namespace flowdeck::client
