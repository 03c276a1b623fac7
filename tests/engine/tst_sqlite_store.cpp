#include "store_contract.h"

#include "flowdeck/engine/sqlite_store.h"

#include <QTemporaryDir>
#include <QtTest>

#include <sqlite3.h>

#include <array>
#include <atomic>
#include <chrono>
#include <fstream>
#include <thread>

using namespace flowdeck::engine;
using namespace std::chrono_literals;

class tst_SqliteStore : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    int m_files = 0;

    // A fresh database file per call.
    std::string freshPath() {
        return m_dir.filePath(QString("db%1.sqlite").arg(++m_files)).toStdString();
    }

    std::unique_ptr<SqliteStore> openFresh(SqliteOptions options = {}) {
        std::string error;
        auto store = SqliteStore::open(freshPath(), options, &error);
        if (!store) {
            qWarning("open failed: %s", error.c_str());
        }
        return store;
    }

private Q_SLOTS:
    void roundTripsEveryField() {
        auto store = openFresh();
        QVERIFY(store);
        storecontract::roundTripsEveryField(*store);
    }
    void returnsHistoryOldestFirstUpToLimit() {
        auto store = openFresh();
        QVERIFY(store);
        storecontract::historyIsOldestFirstAndLimited(*store);
    }
    void keepsOnlyNewestMessagesPerConversation() {
        SqliteOptions options;
        options.historyLimitPerConversation = 10;
        auto store = openFresh(options);
        QVERIFY(store);
        storecontract::historyLimitKeepsNewestMessages(*store);
    }
    void prunesHistoryInChunksNeverBelowTheLimit() {
        SqliteOptions options;
        options.historyLimitPerConversation = 64; // pruned every 4 messages
        auto store = openFresh(options);
        QVERIFY(store);
        storecontract::commitSeries(*store, "c", 150);
        const auto kept = store->history("acme", "c", 1000);
        QVERIFY(kept.size() >= 64 && kept.size() < 68);
        QCOMPARE(kept.back().seq, int64_t(150));
        QVERIFY(store->findMessage("acme", "c", "m87").has_value()); // 64th newest
        QVERIFY(!store->findMessage("acme", "c", "m80").has_value());
    }
    void removeDeletesConversationAndHistory() {
        auto store = openFresh();
        QVERIFY(store);
        storecontract::removeDeletesConversationAndHistory(*store);
    }
    void countsConversationsAcrossTenants() {
        auto store = openFresh();
        QVERIFY(store);
        storecontract::countsConversations(*store);
    }
    void staleVersionConflictsAndWritesNothing() {
        auto store = openFresh();
        QVERIFY(store);
        storecontract::staleVersionConflictsAndWritesNothing(*store);
    }
    void creatingExistingConversationConflicts() {
        auto store = openFresh();
        QVERIFY(store);
        storecontract::creatingExistingConversationConflicts(*store);
    }
    void duplicateKeyReturnsFirstStoredMessage() {
        auto store = openFresh();
        QVERIFY(store);
        storecontract::duplicateKeyReturnsFirstMessage(*store);
    }
    void rejectsCommitWithoutIds() {
        auto store = openFresh();
        QVERIFY(store);
        storecontract::rejectsCommitWithoutIds(*store);
    }

    void keepsEverythingAcrossReopen() {
        const std::string path = freshPath();
        std::string error;
        {
            auto store = SqliteStore::open(path, {}, &error);
            QVERIFY2(store, error.c_str());
            storecontract::commitSeries(*store, "c", 3);
        }
        auto store = SqliteStore::open(path, {}, &error);
        QVERIFY2(store, error.c_str());
        QCOMPARE(store->load("acme", "c")->version, int64_t(3));
        QCOMPARE(store->history("acme", "c", 10).size(), size_t(3));
        QCOMPARE(store->checkIntegrity(), std::string("ok"));
    }

    // Full durability syncs the WAL at every commit (and pads it to a sector boundary): the
    // commits must read back the same, before and after reopening.
    void fullDurabilityKeepsEverythingAcrossReopen() {
        const std::string path = freshPath();
        SqliteOptions options;
        options.durability = SqliteOptions::Durability::Full;
        std::string error;
        {
            auto store = SqliteStore::open(path, options, &error);
            QVERIFY2(store, error.c_str());
            storecontract::commitSeries(*store, "c", 20);
            QCOMPARE(store->history("acme", "c", 100).size(), size_t(20));
        }
        auto store = SqliteStore::open(path, options, &error);
        QVERIFY2(store, error.c_str());
        QCOMPARE(store->load("acme", "c")->version, int64_t(20));
        QCOMPARE(store->findMessage("acme", "c", "m20")->seq, int64_t(20));
        QCOMPARE(store->checkIntegrity(), std::string("ok"));
    }

    // A commit bigger than the writer's WAL buffer (4 MiB) goes to the file in pieces; readers
    // and a reopened store must still see all of it.
    void commitLargerThanTheWalBufferReadsBackWhole() {
        const std::string path = freshPath();
        std::string error;
        auto store = SqliteStore::open(path, {}, &error);
        QVERIFY2(store, error.c_str());
        ConversationState state = storecontract::makeState("big");
        std::string text;
        for (int i = 0; text.size() < 6u * 1024 * 1024; ++i) {
            text += "line " + std::to_string(i) + " of a very long transcript; ";
        }
        state.vars["transcript"] = text;
        const CommitResult result = store->commit(state, 0, storecontract::makeMessage("k1"));
        QVERIFY2(result.status == CommitStatus::Committed, result.error.c_str());
        QCOMPARE(store->load("acme", "big")->vars["transcript"].get<std::string>(), text);
        store.reset();
        store = SqliteStore::open(path, {}, &error);
        QVERIFY2(store, error.c_str());
        QCOMPARE(store->load("acme", "big")->vars["transcript"].get<std::string>(), text);
        QCOMPARE(store->checkIntegrity(), std::string("ok"));
    }

    void usesWriteAheadLog() {
        const std::string path = freshPath();
        std::string error;
        auto store = SqliteStore::open(path, {}, &error);
        QVERIFY2(store, error.c_str());
        sqlite3* db = nullptr;
        QCOMPARE(sqlite3_open(path.c_str(), &db), SQLITE_OK);
        sqlite3_stmt* stmt = nullptr;
        sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &stmt, nullptr);
        QCOMPARE(sqlite3_step(stmt), SQLITE_ROW);
        const std::string mode = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
        sqlite3_finalize(stmt);
        sqlite3_close(db);
        QCOMPARE(mode, std::string("wal"));
    }

    // Three commits share one batch (maxBatch 3, long delay): a conflict and a duplicate must
    // not undo the one that succeeds.
    void failingCommitDoesNotUndoOthersInItsBatch() {
        const std::string path = freshPath();
        std::string error;
        {
            auto setup = SqliteStore::open(path, {}, &error); // without the batching delay
            QVERIFY2(setup, error.c_str());
            storecontract::commitSeries(*setup, "stale", 2);
            storecontract::commitSeries(*setup, "dup", 1);
        }
        SqliteOptions options;
        options.maxBatch = 3;
        options.maxBatchDelay = 5s;
        auto store = SqliteStore::open(path, options, &error);
        QVERIFY2(store, error.c_str());
        CommitResult results[3];
        std::thread a([&] {
            results[0] =
                store->commit(storecontract::makeState("new"), 0, storecontract::makeMessage("n1"));
        });
        std::thread b([&] {
            results[1] = store->commit(storecontract::makeState("stale"), 1,
                                       storecontract::makeMessage("s9"));
        });
        std::thread c([&] {
            results[2] =
                store->commit(storecontract::makeState("dup"), 1, storecontract::makeMessage("m1"));
        });
        a.join();
        b.join();
        c.join();
        QVERIFY(results[0].status == CommitStatus::Committed);
        QVERIFY(results[1].status == CommitStatus::Conflict);
        QVERIFY(results[2].status == CommitStatus::Duplicate);
        QCOMPARE(store->load("acme", "new")->version, int64_t(1));
        QCOMPARE(store->load("acme", "stale")->version, int64_t(2));
        QCOMPARE(store->load("acme", "dup")->version, int64_t(1));
        QVERIFY(!store->findMessage("acme", "stale", "s9").has_value());
    }

    // Two commits to one conversation in one batch: the second sees the first's version.
    void sameConversationTwiceInOneBatchAppliesInQueueOrder() {
        SqliteOptions options;
        options.maxBatch = 2;
        options.maxBatchDelay = 5s;
        auto store = openFresh(options);
        QVERIFY(store);
        CommitResult first;
        CommitResult second;
        std::thread a([&] {
            first =
                store->commit(storecontract::makeState("c"), 0, storecontract::makeMessage("k1"));
        });
        std::this_thread::sleep_for(200ms); // k1 is queued first; the writer waits for k2
        ConversationState next = storecontract::makeState("c");
        next.currentState = "second";
        second = store->commit(next, 1, storecontract::makeMessage("k2"));
        a.join();
        QVERIFY(first.status == CommitStatus::Committed);
        QVERIFY2(second.status == CommitStatus::Committed, second.error.c_str());
        const auto loaded = store->load("acme", "c");
        QCOMPARE(loaded->version, int64_t(2));
        QCOMPARE(loaded->currentState, std::string("second"));
        QCOMPARE(store->findMessage("acme", "c", "k2")->seq, int64_t(2));
    }

    void lockedDatabaseFailsCommitWithReadableError() {
        const std::string path = freshPath();
        SqliteOptions options;
        options.busyTimeout = 300ms;
        std::string error;
        auto store = SqliteStore::open(path, options, &error);
        QVERIFY2(store, error.c_str());
        sqlite3* other = nullptr; // another process's connection holding the write lock
        QCOMPARE(sqlite3_open(path.c_str(), &other), SQLITE_OK);
        QCOMPARE(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
        const CommitResult locked =
            store->commit(storecontract::makeState("c"), 0, storecontract::makeMessage("k1"));
        QVERIFY(locked.status == CommitStatus::Failed);
        QVERIFY2(locked.error.find("locked for more than 300 ms") != std::string::npos,
                 locked.error.c_str());
        sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr);
        sqlite3_close(other);
        // Nothing was written, and once the lock is gone the same commit goes through.
        QVERIFY(!store->load("acme", "c").has_value());
        QVERIFY(store->commit(storecontract::makeState("c"), 0, storecontract::makeMessage("k1"))
                    .status == CommitStatus::Committed);
    }

    // The writer remembers the rows it wrote; another process writing to the same file between
    // two commits must not be overruled by that memory. Here the other process replaces
    // conversation "c" by "d" under the same row id, with a message keyed "k2".
    void seesWhatAnotherProcessWroteBetweenCommits() {
        const std::string path = freshPath();
        std::string error;
        auto store = SqliteStore::open(path, {}, &error);
        QVERIFY2(store, error.c_str());
        QVERIFY(store->commit(storecontract::makeState("c"), 0, storecontract::makeMessage("k1"))
                    .status == CommitStatus::Committed);
        sqlite3* other = nullptr;
        QCOMPARE(sqlite3_open(path.c_str(), &other), SQLITE_OK);
        sqlite3_busy_timeout(other, 5000);
        const char* replace =
            "BEGIN IMMEDIATE;"
            "UPDATE conversations SET conversation_id = 'd' WHERE conversation_id = 'c';"
            "UPDATE messages SET idempotency_key = 'k2';"
            "COMMIT;";
        QCOMPARE(sqlite3_exec(other, replace, nullptr, nullptr, nullptr), SQLITE_OK);
        sqlite3_close(other);
        const CommitResult result =
            store->commit(storecontract::makeState("c"), 1, storecontract::makeMessage("k2"));
        QVERIFY(result.status == CommitStatus::Conflict); // "c" is gone: not a Duplicate of d's
        QVERIFY(!store->load("acme", "c").has_value());
        QCOMPARE(store->load("acme", "d")->version, int64_t(1));
        QCOMPARE(store->history("acme", "d", 10).size(), size_t(1));
    }

    void commitAfterCloseFailsInsteadOfThrowing() {
        auto store = openFresh();
        QVERIFY(store);
        storecontract::commitSeries(*store, "c", 1);
        store->close();
        const CommitResult result =
            store->commit(storecontract::makeState("c"), 1, storecontract::makeMessage("k2"));
        QVERIFY(result.status == CommitStatus::Failed);
        QVERIFY(result.error.find("closed") != std::string::npos);
        QVERIFY(!store->load("acme", "c").has_value());
        QVERIFY(!store->remove("acme", "c"));
    }

    void refusesFileThatIsNotADatabase() {
        const std::string path = freshPath();
        std::ofstream(path) << "this is a text file, not SQLite, and it is long enough to tell";
        std::string error;
        QVERIFY(!SqliteStore::open(path, {}, &error));
        QVERIFY2(error.find(path) != std::string::npos, error.c_str());
    }

    void refusesDatabaseWithNewerSchema() {
        const std::string path = freshPath();
        sqlite3* db = nullptr;
        QCOMPARE(sqlite3_open(path.c_str(), &db), SQLITE_OK);
        sqlite3_exec(db, "PRAGMA user_version = 99", nullptr, nullptr, nullptr);
        sqlite3_close(db);
        std::string error;
        QVERIFY(!SqliteStore::open(path, {}, &error));
        QVERIFY2(error.find("newer") != std::string::npos, error.c_str());
    }

    void reportsPathThatCannotBeCreated() {
        std::string error;
        QVERIFY(!SqliteStore::open("/nonexistent-dir/x/store.sqlite", {}, &error));
        QVERIFY2(error.find("/nonexistent-dir/x/store.sqlite") != std::string::npos, error.c_str());
    }

    void concurrentWritersApplyEachMessageExactlyOnce() {
        SqliteOptions options;
        options.historyLimitPerConversation = 20000;
        auto store = openFresh(options);
        QVERIFY(store);
        storecontract::concurrentWritersApplyEachMessageOnce(*store, 16, 1000);
        QCOMPARE(store->checkIntegrity(), std::string("ok"));
    }

    // Callers commit on their own thread when the writer is idle and queue for it otherwise;
    // closing the store in the middle of both must neither hang a caller nor lose a commit that
    // was acknowledged, and nothing is committed after close() returns.
    void closingWhileCallersCommitKeepsEveryAcknowledgedCommit() {
        const std::string path = freshPath();
        std::string error;
        auto store = SqliteStore::open(path, {}, &error);
        QVERIFY2(store, error.c_str());
        constexpr int kCallers = 8;
        std::array<std::atomic<int64_t>, kCallers> acknowledged{};
        std::atomic<bool> closed{false};
        std::atomic<int> afterClose{0};
        std::vector<std::thread> callers;
        for (int i = 0; i < kCallers; ++i) {
            callers.emplace_back([&, i] {
                ConversationState state = storecontract::makeState("c" + std::to_string(i));
                for (int64_t version = 0;; ++version) {
                    const bool wasClosed = closed.load();
                    const auto result = store->commit(
                        state, version, storecontract::makeMessage("k" + std::to_string(version)));
                    if (result.status != CommitStatus::Committed) {
                        QVERIFY(result.error.find("closed") != std::string::npos);
                        return;
                    }
                    afterClose += wasClosed ? 1 : 0;
                    acknowledged[i] = version + 1;
                }
            });
        }
        std::this_thread::sleep_for(200ms);
        store->close();
        closed = true;
        for (auto& caller : callers) {
            caller.join();
        }
        QCOMPARE(afterClose.load(), 0);
        store.reset();
        auto reopened = SqliteStore::open(path, {}, &error);
        QVERIFY2(reopened, error.c_str());
        int64_t total = 0;
        for (int i = 0; i < kCallers; ++i) {
            const auto stored = reopened->load("acme", "c" + std::to_string(i));
            const int64_t version = stored ? stored->version : 0;
            QCOMPARE(version, acknowledged[i].load());
            total += version;
        }
        QVERIFY2(total > kCallers, "the callers committed something before close");
    }
};

QTEST_GUILESS_MAIN(tst_SqliteStore)
#include "tst_sqlite_store.moc"
