#include "store_contract.h"

#include "flowdeck/engine/caching_store.h"
#include "flowdeck/engine/memory_store.h"
#include "flowdeck/engine/sqlite_store.h"

#include <QTemporaryDir>
#include <QtTest>

#include <atomic>

using namespace flowdeck::engine;

namespace {

// Counts the loads that reach the inner store: what the cache is there to save.
class CountingStore final : public ConversationStore {
public:
    std::optional<ConversationState> load(const std::string& tenantId,
                                          const std::string& conversationId) override {
        ++loads;
        return inner.load(tenantId, conversationId);
    }
    std::optional<StoredMessage> findMessage(const std::string& tenantId,
                                             const std::string& conversationId,
                                             const std::string& key) override {
        ++finds;
        return inner.findMessage(tenantId, conversationId, key);
    }
    CommitResult commit(const ConversationState& next, int64_t expectedVersion,
                        const StoredMessage& message) override {
        return inner.commit(next, expectedVersion, message);
    }
    std::vector<StoredMessage> history(const std::string& tenantId,
                                       const std::string& conversationId, size_t limit) override {
        return inner.history(tenantId, conversationId, limit);
    }
    bool remove(const std::string& tenantId, const std::string& conversationId) override {
        return inner.remove(tenantId, conversationId);
    }
    int64_t conversationCount() override { return inner.conversationCount(); }

    MemoryStore inner;
    std::atomic<int> loads{0};
    std::atomic<int> finds{0};
};

// A state as Engine commits it: both timestamps set.
ConversationState stamped(const std::string& conversationId) {
    ConversationState state = storecontract::makeState(conversationId);
    state.createdAtMs = 1700000000000;
    state.updatedAtMs = 1700000000000;
    return state;
}

} // namespace

class tst_CachingStore : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;

private Q_SLOTS:
    // The whole ConversationStore contract, with MemoryStore behind the cache.
    void keepsTheStoreContract() {
        const auto check = [](auto&& scenario, size_t historyLimit = 10000) {
            MemoryStore inner(historyLimit);
            CachingStore store(inner, 64);
            scenario(store);
        };
        check(storecontract::roundTripsEveryField);
        check(storecontract::historyIsOldestFirstAndLimited);
        check(storecontract::historyLimitKeepsNewestMessages, 10);
        check(storecontract::removeDeletesConversationAndHistory);
        check(storecontract::countsConversations);
        check(storecontract::staleVersionConflictsAndWritesNothing);
        check(storecontract::creatingExistingConversationConflicts);
        check(storecontract::duplicateKeyReturnsFirstMessage);
        check(storecontract::rejectsCommitWithoutIds);
    }

    void appliesConcurrentMessagesExactlyOnceInFrontOfSqlite() {
        SqliteOptions options;
        options.historyLimitPerConversation = 20000;
        std::string error;
        auto inner =
            SqliteStore::open(m_dir.filePath("shared.sqlite").toStdString(), options, &error);
        QVERIFY2(inner, error.c_str());
        CachingStore store(*inner, 64);
        storecontract::concurrentWritersApplyEachMessageOnce(store, 16, 300);
    }

    void servesTheLoadAfterACommitFromMemory() {
        CountingStore inner;
        CachingStore store(inner, 64);
        ConversationState state = stamped("c");
        for (int64_t version = 0; version < 5; ++version) {
            state.vars["n"] = version;
            const auto key = "k" + std::to_string(version);
            QVERIFY(store.commit(state, version, storecontract::makeMessage(key)).status ==
                    CommitStatus::Committed);
            const auto loaded = store.load("acme", "c");
            QCOMPARE(loaded->version, version + 1);
            QCOMPARE(loaded->messageCount, version + 1);
            QCOMPARE(loaded->vars["n"].get<int64_t>(), version);
            QCOMPARE(loaded->createdAtMs, int64_t(1700000000000));
        }
        QCOMPARE(inner.loads.load(), 0);
        QCOMPARE(store.stats().hits, uint64_t(5));
    }

    // Another writer moved the conversation on behind the cache's back: the stale state costs
    // one Conflict, after which the cache serves the current state.
    void staleStateConflictsOnceThenLoadsFresh() {
        CountingStore inner;
        CachingStore store(inner, 64);
        QVERIFY(store.commit(stamped("c"), 0, storecontract::makeMessage("k1")).status ==
                CommitStatus::Committed);
        ConversationState elsewhere = stamped("c");
        elsewhere.currentState = "moved_on";
        QVERIFY(inner.commit(elsewhere, 1, storecontract::makeMessage("other")).status ==
                CommitStatus::Committed);
        ConversationState stale = *store.load("acme", "c");
        QCOMPARE(stale.version, int64_t(1));
        QVERIFY(store.commit(stale, stale.version, storecontract::makeMessage("k2")).status ==
                CommitStatus::Conflict);
        const auto fresh = store.load("acme", "c");
        QCOMPARE(fresh->version, int64_t(2));
        QCOMPARE(fresh->currentState, std::string("moved_on"));
        QVERIFY(store.commit(*fresh, 2, storecontract::makeMessage("k2")).status ==
                CommitStatus::Committed);
        QCOMPARE(inner.history("acme", "c", 10).size(), size_t(3));
    }

    // Zero timestamps mean "now", as in every store; the cache stamps them itself so that it
    // knows what was stored.
    void fillsInMissingTimestamps() {
        CountingStore inner;
        CachingStore store(inner, 64);
        QVERIFY(store.commit(storecontract::makeState("c"), 0, storecontract::makeMessage("k1"))
                    .status == CommitStatus::Committed);
        const auto cached = store.load("acme", "c");
        QVERIFY(cached->createdAtMs > 0);
        QCOMPARE(cached->updatedAtMs, cached->createdAtMs);
        const auto stored = inner.inner.load("acme", "c");
        QCOMPARE(stored->createdAtMs, cached->createdAtMs);
        QCOMPARE(stored->updatedAtMs, cached->updatedAtMs);
        QCOMPARE(inner.loads.load(), 0);
    }

    // A conversation the cache created and kept: a key none of its messages had is answered
    // "never stored" without asking the inner store; a key it had is looked up there.
    void knowsTheKeysOfAConversationItCreated() {
        CountingStore inner;
        CachingStore store(inner, 64);
        ConversationState state = stamped("c");
        QVERIFY(store.commit(state, 0, storecontract::makeMessage("k1")).status ==
                CommitStatus::Committed);
        state = *store.load("acme", "c");
        QVERIFY(store.commit(state, 1, storecontract::makeMessage("k2")).status ==
                CommitStatus::Committed);
        QVERIFY(!store.findMessage("acme", "c", "k3"));
        QCOMPARE(inner.finds.load(), 0);
        QCOMPARE(store.stats().absentKeys, uint64_t(1));
        for (const std::string key : {"k1", "k2"}) {
            const auto found = store.findMessage("acme", "c", key);
            QVERIFY2(found, key.c_str());
            QCOMPARE(found->idempotencyKey, key);
        }
        QCOMPARE(inner.finds.load(), 2);
        // Unknown conversations go to the inner store too.
        QVERIFY(!store.findMessage("acme", "other", "k1"));
        QCOMPARE(inner.finds.load(), 3);
    }

    // Keys committed before the cache held the conversation (another process, an eviction)
    // are not known: every look-up for it goes to the inner store, and a retry is found.
    void asksTheInnerStoreForConversationsItDidNotCreate() {
        CountingStore inner;
        CachingStore store(inner, 64);
        QVERIFY(inner.commit(stamped("c"), 0, storecontract::makeMessage("early")).status ==
                CommitStatus::Committed);
        ConversationState state = *store.load("acme", "c");
        QVERIFY(store.commit(state, 1, storecontract::makeMessage("k2")).status ==
                CommitStatus::Committed);
        QVERIFY(store.findMessage("acme", "c", "early"));
        QVERIFY(!store.findMessage("acme", "c", "k3"));
        QCOMPARE(inner.finds.load(), 2);
        QCOMPARE(store.stats().absentKeys, uint64_t(0));
    }

    // A conversation re-created after a reset starts with no keys; a very long one stops
    // keeping them (bounded memory) and asks the inner store from then on.
    void forgetsKeysOnResetAndPastItsBound() {
        CountingStore inner;
        CachingStore store(inner, 64);
        QVERIFY(store.commit(stamped("c"), 0, storecontract::makeMessage("k0")).status ==
                CommitStatus::Committed);
        QVERIFY(store.remove("acme", "c"));
        QVERIFY(store.commit(stamped("c"), 0, storecontract::makeMessage("k1")).status ==
                CommitStatus::Committed);
        QVERIFY(!store.findMessage("acme", "c", "k0"));
        QCOMPARE(inner.finds.load(), 0);
        for (int64_t version = 1; version <= 300; ++version) {
            ConversationState state = *store.load("acme", "c");
            QVERIFY(store
                        .commit(state, version,
                                storecontract::makeMessage("m" + std::to_string(version)))
                        .status == CommitStatus::Committed);
        }
        QVERIFY(!store.findMessage("acme", "c", "never"));
        QCOMPARE(inner.finds.load(), 1);
        QVERIFY(store.findMessage("acme", "c", "m300"));
    }

    void keepsAtMostItsCapacity() {
        CountingStore inner;
        CachingStore store(inner, 32);
        for (int i = 0; i < 500; ++i) {
            QVERIFY(
                store.commit(stamped("c" + std::to_string(i)), 0, storecontract::makeMessage("k"))
                    .status == CommitStatus::Committed);
        }
        QVERIFY(store.stats().entries <= 32);
        QVERIFY(store.stats().entries > 0);
        // An evicted conversation is still there, read from the inner store.
        QCOMPARE(store.load("acme", "c0")->version, int64_t(1));
        QVERIFY(inner.loads.load() >= 1);
    }
};

QTEST_GUILESS_MAIN(tst_CachingStore)
#include "tst_caching_store.moc"
