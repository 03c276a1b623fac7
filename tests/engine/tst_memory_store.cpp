#include "store_contract.h"

#include "flowdeck/engine/memory_store.h"

#include <QtTest>

using namespace flowdeck::engine;

class tst_MemoryStore : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void roundTripsEveryField() {
        MemoryStore store;
        storecontract::roundTripsEveryField(store);
    }
    void returnsHistoryOldestFirstUpToLimit() {
        MemoryStore store;
        storecontract::historyIsOldestFirstAndLimited(store);
    }
    void keepsOnlyNewestMessagesPerConversation() {
        MemoryStore store(10);
        storecontract::historyLimitKeepsNewestMessages(store);
    }
    void removeDeletesConversationAndHistory() {
        MemoryStore store;
        storecontract::removeDeletesConversationAndHistory(store);
    }
    void countsConversationsAcrossTenants() {
        MemoryStore store;
        storecontract::countsConversations(store);
    }
    void staleVersionConflictsAndWritesNothing() {
        MemoryStore store;
        storecontract::staleVersionConflictsAndWritesNothing(store);
    }
    void creatingExistingConversationConflicts() {
        MemoryStore store;
        storecontract::creatingExistingConversationConflicts(store);
    }
    void duplicateKeyReturnsFirstStoredMessage() {
        MemoryStore store;
        storecontract::duplicateKeyReturnsFirstMessage(store);
    }
    void rejectsCommitWithoutIds() {
        MemoryStore store;
        storecontract::rejectsCommitWithoutIds(store);
    }
    void concurrentWritersApplyEachMessageExactlyOnce() {
        MemoryStore store(20000);
        storecontract::concurrentWritersApplyEachMessageOnce(store, 16, 1000);
    }
};

QTEST_GUILESS_MAIN(tst_MemoryStore)
#include "tst_memory_store.moc"
