// flowdeck_conversations_active's counter (server/src/active_conversations.h).
#include "active_conversations.h"

#include <QtTest>

using flowdeck::server::ActiveConversations;
using namespace std::chrono_literals;

class tst_ActiveConversations : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void countsEachConversationOnceWithinTheWindow() {
        ActiveConversations active(60s);
        QCOMPARE(active.touch("acme", "c1", 1'000), size_t(1));
        QCOMPARE(active.touch("acme", "c1", 2'000), size_t(1));
        QCOMPARE(active.touch("acme", "c2", 3'000), size_t(2));
        // The same conversation id in another tenant is another conversation.
        QCOMPARE(active.touch("globex", "c1", 4'000), size_t(3));
    }

    void aConversationLeavesOnceItsLastMessageIsOlderThanTheWindow() {
        ActiveConversations active(10s);
        active.touch("t", "early", 0);
        active.touch("t", "kept", 1'000);
        active.touch("t", "early", 9'000); // a new message keeps it in
        active.touch("t", "late", 10'500);
        QCOMPARE(active.count(10'500), size_t(3));
        QCOMPARE(active.count(11'001), size_t(2)); // "kept" went quiet at 1 s
        QCOMPARE(active.count(19'001), size_t(1)); // then "early" (9 s)
        QCOMPARE(active.count(20'501), size_t(0));
        QCOMPARE(active.touch("t", "kept", 21'000), size_t(1)); // back, counted afresh
    }

    void pastTheCapNewConversationsAreEstimated() {
        ActiveConversations active(60s, 3);
        for (int i = 0; i < 5; ++i) {
            active.touch("t", "c" + std::to_string(i), 1'000);
        }
        QCOMPARE(active.count(1'500), size_t(5)); // 3 remembered + 2 estimated
        QCOMPARE(active.count(2'600), size_t(3)); // the estimate is dropped each second
    }

    void oldConversationsExpireAsMessagesArrive() {
        ActiveConversations active(1s);
        for (int i = 0; i < 200'000; ++i) {
            active.touch("t", std::to_string(i), i / 100); // 100 a millisecond, over 2 s
        }
        // All but the last second's are gone, swept a few at a time as messages came.
        QCOMPARE(active.count(1'999), size_t(100'100));
        QCOMPARE(active.count(10'000), size_t(0));
    }
};

QTEST_GUILESS_MAIN(tst_ActiveConversations)
#include "tst_active_conversations.moc"
