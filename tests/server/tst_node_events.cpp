// The node's event bus and error-event throttle (server/src/node_events.h).
#include "node_events.h"

#include <QtTest>

#include <thread>

using flowdeck::server::EventBus;
using flowdeck::server::EventKind;
using flowdeck::server::EventThrottle;
using flowdeck::server::NodeEvent;
using Clock = std::chrono::steady_clock;

namespace {

NodeEvent makeEvent(EventKind kind, const std::string& summary = {}) {
    NodeEvent out;
    out.kind = kind;
    out.summary = summary;
    return out;
}

Clock::time_point soon() {
    return Clock::now() + std::chrono::milliseconds(50);
}

} // namespace

class tst_NodeEvents : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void subscriberGetsEventsInOrderWithSequenceAndTime() {
        EventBus bus;
        auto subscription = bus.subscribe({}, 0);
        QVERIFY(subscription);
        bus.publish(makeEvent(EventKind::NodeUp, "a"));
        bus.publish(makeEvent(EventKind::AlertFiring, "b"));
        const auto batch = subscription->take(soon(), 10);
        QCOMPARE(batch.events.size(), size_t(2));
        QCOMPARE(batch.events[0].summary, std::string("a"));
        QCOMPARE(batch.events[1].sequence, batch.events[0].sequence + 1);
        QVERIFY(batch.events[0].time.time_since_epoch().count() > 0);
        QCOMPARE(batch.missed, uint64_t(0));
        QVERIFY(!batch.interrupted);
    }

    void kindsFilterWhatASubscriberGets() {
        EventBus bus;
        auto downs = bus.subscribe({EventKind::NodeDown}, 0);
        bus.publish(makeEvent(EventKind::NodeUp));
        bus.publish(makeEvent(EventKind::NodeDown, "down"));
        const auto batch = downs->take(soon(), 10);
        QCOMPARE(batch.events.size(), size_t(1));
        QCOMPARE(batch.events[0].summary, std::string("down"));
    }

    void aSubscriberSeesOnlyItsTenantsEventsAndTheNodesOwn() {
        EventBus bus;
        const auto acmeOnly = [](const std::string& tenant) { return tenant == "acme"; };
        const auto tenantEvent = [](const std::string& tenant, const std::string& summary) {
            NodeEvent event = makeEvent(EventKind::Release, summary);
            event.tenant = tenant;
            return event;
        };
        bus.publish(tenantEvent("globex", "globex before"));
        bus.publish(tenantEvent("acme", "acme before"));
        auto acme = bus.subscribe({}, 10, acmeOnly);
        auto everyone = bus.subscribe({}, 10);
        bus.publish(tenantEvent("globex", "globex after"));
        bus.publish(makeEvent(EventKind::NodeDown, "node down"));
        bus.publish(tenantEvent("acme", "acme after"));

        std::vector<std::string> seen;
        for (const auto& event : acme->take(soon(), 100).events) {
            seen.push_back(event.summary);
        }
        const std::vector<std::string> acmeSees = {"acme before", "node down", "acme after"};
        QCOMPARE(seen, acmeSees); // replayed and live alike
        QCOMPARE(everyone->take(soon(), 100).events.size(), size_t(5));
    }

    void slowSubscriberLosesItsOldestEventsAndIsToldHowMany() {
        EventBus::Limits limits;
        limits.queueCapacity = 8;
        EventBus bus(limits);
        auto slow = bus.subscribe({}, 0);
        for (int i = 1; i <= 20; ++i) {
            bus.publish(makeEvent(EventKind::AlertFiring, std::to_string(i)));
        }
        const auto batch = slow->take(soon(), 100);
        QCOMPARE(batch.missed, uint64_t(12));
        QCOMPARE(batch.events.size(), size_t(8));
        QCOMPARE(batch.events.front().summary, std::string("13"));
        QCOMPARE(batch.events.back().summary, std::string("20"));
        QCOMPARE(slow->take(soon(), 100).missed, uint64_t(0)); // told once
    }

    void publisherNeverWaitsForASubscriberThatDoesNotRead() {
        EventBus bus;
        auto idle = bus.subscribe({}, 0);
        QElapsedTimer timer;
        timer.start();
        for (int i = 0; i < 100000; ++i) {
            bus.publish(makeEvent(EventKind::AlertFiring));
        }
        QVERIFY2(timer.elapsed() < 5000, qPrintable(QString("%1 ms").arg(timer.elapsed())));
        QCOMPARE(idle->take(soon(), 1000).events.size(), bus.limits().queueCapacity);
    }

    void replayStartsWithTheMostRecentMatchingEvents() {
        EventBus bus;
        for (int i = 1; i <= 5; ++i) {
            bus.publish(makeEvent(EventKind::AlertFiring, std::to_string(i)));
            bus.publish(makeEvent(EventKind::NodeUp));
        }
        auto late = bus.subscribe({EventKind::AlertFiring}, 2);
        bus.publish(makeEvent(EventKind::AlertFiring, "live"));
        const auto batch = late->take(soon(), 10);
        QCOMPARE(batch.events.size(), size_t(3));
        QCOMPARE(batch.events[0].summary, std::string("4"));
        QCOMPARE(batch.events[1].summary, std::string("5"));
        QCOMPARE(batch.events[2].summary, std::string("live"));
    }

    void takeWaitsForAnEventAndReturnsAtTheDeadlineWithout() {
        EventBus bus;
        auto subscription = bus.subscribe({}, 0);
        QElapsedTimer timer;
        timer.start();
        QVERIFY(
            subscription->take(Clock::now() + std::chrono::milliseconds(100), 10).events.empty());
        QVERIFY(timer.elapsed() >= 90);
        std::thread publisher([&bus] {
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
            bus.publish(makeEvent(EventKind::NodeUp));
        });
        timer.restart();
        const auto batch = subscription->take(Clock::now() + std::chrono::seconds(10), 10);
        publisher.join();
        QCOMPARE(batch.events.size(), size_t(1));
        QVERIFY(timer.elapsed() < 5000);
    }

    void interruptWakesTakeAfterTheQueueIsDrained() {
        EventBus bus;
        auto subscription = bus.subscribe({}, 0);
        bus.publish(makeEvent(EventKind::NodeDown, "last words"));
        subscription->interrupt();
        const auto first = subscription->take(Clock::now() + std::chrono::seconds(10), 10);
        QCOMPARE(first.events.size(), size_t(1));
        QVERIFY(first.interrupted);
        QElapsedTimer timer;
        timer.start();
        QVERIFY(subscription->take(Clock::now() + std::chrono::seconds(10), 10).interrupted);
        QVERIFY(timer.elapsed() < 1000);
    }

    void subscribersAreCappedAndFreedWhenDropped() {
        EventBus::Limits limits;
        limits.maxSubscribers = 2;
        EventBus bus(limits);
        auto a = bus.subscribe({}, 0);
        auto b = bus.subscribe({}, 0);
        QVERIFY(a && b);
        QVERIFY(!bus.subscribe({}, 0));
        a.reset();
        QCOMPARE(bus.subscriberCount(), size_t(1));
        QVERIFY(bus.subscribe({}, 0));
    }

    void throttleLetsOnePerPeriodThroughAndCountsTheRest() {
        EventThrottle throttle(std::chrono::seconds(1));
        const auto t0 = Clock::now();
        QCOMPARE(throttle.admit("CIRCULAR_TRANSITION/a", t0), uint64_t(1));
        QCOMPARE(throttle.admit("CIRCULAR_TRANSITION/a", t0 + std::chrono::milliseconds(10)),
                 uint64_t(0));
        QCOMPARE(throttle.admit("CIRCULAR_TRANSITION/a", t0 + std::chrono::milliseconds(20)),
                 uint64_t(0));
        QCOMPARE(throttle.admit("CIRCULAR_TRANSITION/b", t0 + std::chrono::milliseconds(30)),
                 uint64_t(1)); // another key is not held back
        QCOMPARE(throttle.admit("CIRCULAR_TRANSITION/a", t0 + std::chrono::milliseconds(1001)),
                 uint64_t(3));
    }

    void throttleKeysAreCapped() {
        EventThrottle throttle(std::chrono::seconds(1), 4);
        const auto t0 = Clock::now();
        for (int i = 0; i < 4; ++i) {
            QCOMPARE(throttle.admit("key" + std::to_string(i), t0), uint64_t(1));
        }
        // Full, and every key is still within its period: new keys share one slot.
        QCOMPARE(throttle.admit("key4", t0), uint64_t(1));
        QCOMPARE(throttle.admit("key5", t0), uint64_t(0));
    }
};

QTEST_GUILESS_MAIN(tst_NodeEvents)
#include "tst_node_events.moc"
