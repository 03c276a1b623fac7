#pragma once

#include "flowdeck/engine/release.h"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace flowdeck::server {

// What happened on a node, in plain C++ (telemetry_api converts it to flowdeck.v1.Event). The
// kinds and severities mirror EventKind and EventSeverity of telemetry.proto.
enum class EventKind { AlertFiring, AlertResolved, Release, NodeUp, NodeDown, Fault, Capture };
enum class EventSeverity { Info, Warning, Critical };

struct AlertDetail {
    std::string name;
    std::map<std::string, std::string> labels;
    double value = 0.0;
    double threshold = 0.0;
    std::string runbook;
};

// The node an up/down event is about (this one, for now: there are no peers yet).
struct NodeDetail {
    std::string nodeId;
    std::string address;
    std::string version;
    bool up = false;
    std::string reason; // why it is down; empty for up
};

struct NodeEvent {
    uint64_t sequence = 0; // set by EventBus::publish: 1, 2, ... in publishing order
    std::chrono::system_clock::time_point time;
    EventKind kind = EventKind::AlertFiring;
    EventSeverity severity = EventSeverity::Info;
    std::string summary; // one line for a person
    // The tenant whose flow or conversation the event is about: only callers that may act for it
    // see it (WatchEvents). Empty for the node's own events (up, down, node-wide alerts).
    std::string tenant;
    std::optional<AlertDetail> alert;
    std::optional<NodeDetail> node;
    std::optional<engine::release::HistoryEntry> release; // kind Release
};

// A small in-process event bus. publish() never waits for a subscriber: each subscriber has its
// own bounded queue, and when a slow one's queue is full its oldest event is dropped and counted,
// so it learns how many it missed. The bus also keeps the most recent events for replay.
// Thread-safe.
class EventBus final {
public:
    struct Limits {
        size_t history = 1000;       // kept for replay
        size_t queueCapacity = 256;  // per subscriber
        size_t maxSubscribers = 256; // subscribe() refuses more
    };

    // What Subscription::take hands over.
    struct Batch {
        std::vector<NodeEvent> events;
        uint64_t missed = 0;      // dropped from this subscriber's queue since the last take
        bool interrupted = false; // interrupt() was called and the queue is now empty
    };

    // Whether a subscriber may see events of a tenant (a token bound to tenants sees only
    // theirs). Null: every tenant. Node-wide events (no tenant) go to every subscriber.
    using Audience = std::function<bool(const std::string& tenant)>;

    class Subscription final {
    public:
        ~Subscription(); // unsubscribes
        Subscription(const Subscription&) = delete;
        Subscription& operator=(const Subscription&) = delete;

        // Waits until an event is queued, interrupt() is called, or `until`; then takes up to
        // `max` queued events (oldest first). Queued events are handed over before `interrupted`.
        Batch take(std::chrono::steady_clock::time_point until, size_t max);
        // Wakes take() for good, e.g. when the server shuts down. Safe from any thread.
        void interrupt();

    private:
        friend class EventBus;
        struct Shared;
        Subscription(std::shared_ptr<Shared> shared, std::set<EventKind> kinds, Audience audience);
        bool wants(const NodeEvent& event) const;

        std::shared_ptr<Shared> m_shared;
        std::set<EventKind> m_kinds; // empty: all
        Audience m_audience;
        std::deque<NodeEvent> m_queue;
        uint64_t m_missed = 0;
        bool m_interrupted = false;
        std::condition_variable m_wake;
    };

    EventBus();
    explicit EventBus(Limits limits);
    ~EventBus();
    EventBus(const EventBus&) = delete;
    EventBus& operator=(const EventBus&) = delete;

    // Stamps the event (sequence; time if unset), keeps it for replay and queues it for every
    // subscriber whose kinds match. Returns the sequence.
    uint64_t publish(NodeEvent event);

    // Subscribes to events of `kinds` (empty: all) that `audience` may see, starting with up to
    // `replay` of the most recent such ones (capped at Limits::history). Null when
    // maxSubscribers are subscribed.
    std::unique_ptr<Subscription> subscribe(std::set<EventKind> kinds, size_t replay,
                                            Audience audience = nullptr);

    size_t subscriberCount() const;
    const Limits& limits() const { return m_limits; }

private:
    const Limits m_limits;
    std::shared_ptr<Subscription::Shared> m_shared;
};

// Lets one event per key through per period and counts the rest, so an error that repeats on
// every message (a broken flow under load) becomes one event a period, not thousands. Keys are
// capped; past the cap every new key shares one slot. Thread-safe.
class EventThrottle final {
public:
    explicit EventThrottle(std::chrono::milliseconds period, size_t maxKeys = 1024);

    // How many occurrences this event stands for (itself plus those held back since the key's
    // last event), or 0 when it is held back.
    uint64_t admit(const std::string& key, std::chrono::steady_clock::time_point now);

private:
    struct Slot {
        std::chrono::steady_clock::time_point last;
        uint64_t held = 0;
    };

    const std::chrono::milliseconds m_period;
    const size_t m_maxKeys;
    std::mutex m_mutex;
    std::map<std::string, Slot> m_slots;
};

} // namespace flowdeck::server
