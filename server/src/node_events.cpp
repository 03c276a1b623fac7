#include "node_events.h"

#include <algorithm>
#include <utility>

namespace flowdeck::server {

// Everything the bus and its subscriptions share, behind one mutex: a publish touches every
// matching queue anyway, and a subscription outliving the bus keeps this alive.
struct EventBus::Subscription::Shared {
    explicit Shared(Limits limits)
        : limits(limits) {}

    const Limits limits;
    std::mutex mutex;
    std::deque<NodeEvent> history;
    std::vector<Subscription*> subscribers;
    uint64_t nextSequence = 1;
};

EventBus::Subscription::Subscription(std::shared_ptr<Shared> shared, std::set<EventKind> kinds,
                                     Audience audience)
    : m_shared(std::move(shared))
    , m_kinds(std::move(kinds))
    , m_audience(std::move(audience)) {}

bool EventBus::Subscription::wants(const NodeEvent& event) const {
    if (!m_kinds.empty() && !m_kinds.contains(event.kind)) {
        return false;
    }
    return event.tenant.empty() || !m_audience || m_audience(event.tenant);
}

EventBus::Subscription::~Subscription() {
    std::lock_guard lock(m_shared->mutex);
    auto& list = m_shared->subscribers;
    list.erase(std::remove(list.begin(), list.end(), this), list.end());
}

EventBus::Batch EventBus::Subscription::take(std::chrono::steady_clock::time_point until,
                                             size_t max) {
    std::unique_lock lock(m_shared->mutex);
    m_wake.wait_until(lock, until, [this] { return !m_queue.empty() || m_interrupted; });
    Batch batch;
    const size_t count = std::min(std::max<size_t>(max, 1), m_queue.size());
    batch.events.assign(std::make_move_iterator(m_queue.begin()),
                        std::make_move_iterator(m_queue.begin() + static_cast<long>(count)));
    m_queue.erase(m_queue.begin(), m_queue.begin() + static_cast<long>(count));
    batch.missed = std::exchange(m_missed, 0);
    batch.interrupted = m_interrupted && m_queue.empty();
    return batch;
}

void EventBus::Subscription::interrupt() {
    std::lock_guard lock(m_shared->mutex);
    m_interrupted = true;
    m_wake.notify_all();
}

EventBus::EventBus()
    : EventBus(Limits{}) {}

EventBus::EventBus(Limits limits)
    : m_limits(limits)
    , m_shared(std::make_shared<Subscription::Shared>(limits)) {}

EventBus::~EventBus() = default;

uint64_t EventBus::publish(NodeEvent event) {
    if (event.time == std::chrono::system_clock::time_point{}) {
        event.time = std::chrono::system_clock::now();
    }
    std::lock_guard lock(m_shared->mutex);
    event.sequence = m_shared->nextSequence++;
    for (Subscription* subscriber : m_shared->subscribers) {
        if (!subscriber->wants(event)) {
            continue;
        }
        subscriber->m_queue.push_back(event);
        if (subscriber->m_queue.size() > m_limits.queueCapacity) {
            subscriber->m_queue.pop_front();
            ++subscriber->m_missed;
        }
        subscriber->m_wake.notify_one();
    }
    m_shared->history.push_back(std::move(event));
    if (m_shared->history.size() > m_limits.history) {
        m_shared->history.pop_front();
    }
    return m_shared->nextSequence - 1;
}

std::unique_ptr<EventBus::Subscription> EventBus::subscribe(std::set<EventKind> kinds,
                                                            size_t replay, Audience audience) {
    std::lock_guard lock(m_shared->mutex);
    if (m_shared->subscribers.size() >= m_limits.maxSubscribers) {
        return nullptr;
    }
    std::unique_ptr<Subscription> subscription(
        new Subscription(m_shared, std::move(kinds), std::move(audience)));
    // Replay and registration under one lock: no event is both replayed and queued, or neither.
    replay = std::min({replay, m_limits.history, m_limits.queueCapacity});
    std::deque<NodeEvent> recent;
    for (auto it = m_shared->history.rbegin(); it != m_shared->history.rend() && replay > 0; ++it) {
        if (subscription->wants(*it)) {
            recent.push_front(*it);
            --replay;
        }
    }
    subscription->m_queue = std::move(recent);
    m_shared->subscribers.push_back(subscription.get());
    return subscription;
}

size_t EventBus::subscriberCount() const {
    std::lock_guard lock(m_shared->mutex);
    return m_shared->subscribers.size();
}

EventThrottle::EventThrottle(std::chrono::milliseconds period, size_t maxKeys)
    : m_period(period)
    , m_maxKeys(std::max<size_t>(maxKeys, 1)) {}

uint64_t EventThrottle::admit(const std::string& key, std::chrono::steady_clock::time_point now) {
    std::lock_guard lock(m_mutex);
    auto it = m_slots.find(key);
    if (it == m_slots.end()) {
        if (m_slots.size() >= m_maxKeys) {
            // Forget quiet keys first; what they held back is still in the error counters.
            std::erase_if(m_slots, [&](const auto& entry) {
                return now - entry.second.last >= m_period && !entry.first.empty();
            });
        }
        const std::string slotKey = m_slots.size() >= m_maxKeys ? std::string() : key;
        it = m_slots.try_emplace(slotKey, Slot{now - m_period, 0}).first;
    }
    Slot& slot = it->second;
    if (now - slot.last < m_period) {
        ++slot.held;
        return 0;
    }
    slot.last = now;
    return 1 + std::exchange(slot.held, 0);
}

} // namespace flowdeck::server
