#include "flowdeck/engine/sqlite_store.h"

#include <QTemporaryDir>
#include <QtTest>

#include <sqlite3.h>

#include <string>

using namespace flowdeck::engine;

// A database written by the first SqliteStore (schema 1, 2026-11-23) must open with everything
// in it: conversations, their history, idempotency keys, and versions to continue from.
class tst_SqliteMigration : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    int m_files = 0;

    // Schema 1, exactly as the first SqliteStore created it.
    static constexpr const char* kSchemaV1 =
        "CREATE TABLE IF NOT EXISTS conversations ("
        "    tenant_id TEXT NOT NULL,"
        "    conversation_id TEXT NOT NULL,"
        "    flow_id TEXT NOT NULL,"
        "    flow_version TEXT NOT NULL,"
        "    current_state TEXT NOT NULL,"
        "    context TEXT NOT NULL,"
        "    ab_variant TEXT NOT NULL,"
        "    version INTEGER NOT NULL,"
        "    message_count INTEGER NOT NULL,"
        "    created_at INTEGER NOT NULL,"
        "    updated_at INTEGER NOT NULL,"
        "    PRIMARY KEY (tenant_id, conversation_id)"
        ");"
        "CREATE TABLE IF NOT EXISTS messages ("
        "    tenant_id TEXT NOT NULL,"
        "    conversation_id TEXT NOT NULL,"
        "    seq INTEGER NOT NULL,"
        "    idempotency_key TEXT,"
        "    input TEXT NOT NULL,"
        "    reply TEXT NOT NULL,"
        "    state_before TEXT NOT NULL,"
        "    state_after TEXT NOT NULL,"
        "    result_json TEXT NOT NULL,"
        "    created_at INTEGER NOT NULL,"
        "    PRIMARY KEY (tenant_id, conversation_id, seq),"
        "    UNIQUE (tenant_id, conversation_id, idempotency_key)"
        ");"
        "PRAGMA user_version = 1;";

    // "Where is my order?": three messages, the oldest pruned (seq 2..4 kept), one without a
    // key. Written in an order that is not seq order, as concurrent batches could have.
    static constexpr const char* kDataV1 =
        "INSERT INTO conversations VALUES ('acme', 'order-7', 'order_support', '1.2', "
        "    'ask_order_id', '{\"slots\":{\"email\":\"zoe@example.com\"},\"vars\":{\"n\":4},"
        "\"user\":{\"name\":\"Zoë\"}}', 'canary', 4, 4, 1700000000000, 1700000004000);"
        "INSERT INTO conversations VALUES ('acme', 'empty', 'faq', '2.0', 'start', '{}', '', 0, 0, "
        "    1700000000000, 1700000000000);"
        "INSERT INTO conversations VALUES ('globex', 'order-7', 'billing', '1.0', 'done', "
        "    '{\"slots\":{},\"vars\":{},\"user\":{}}', 'stable', 1, 1, 1700000000000, "
        "    1700000000000);"
        "INSERT INTO messages VALUES ('acme', 'order-7', 4, 'k4', 'thanks', 'You are welcome.', "
        "    'answer', 'done', '{\"ok\":true}', 1700000004000);"
        "INSERT INTO messages VALUES ('globex', 'order-7', 1, 'k1', 'invoice?', 'Sent.', 'start', "
        "    'done', '{\"ok\":true}', 1700000000100);"
        "INSERT INTO messages VALUES ('acme', 'order-7', 2, 'k2', 'where is my order?', "
        "    'Which order?', 'start', 'ask_order_id', '{\"ok\":true}', 1700000002000);"
        "INSERT INTO messages VALUES ('acme', 'order-7', 3, NULL, 'AB-12345', 'On its way.', "
        "    'ask_order_id', 'answer', '{\"ok\":true}', 1700000003000);";

    std::string writeV1Database() {
        const std::string path =
            m_dir.filePath(QString("v1-%1.sqlite").arg(++m_files)).toStdString();
        sqlite3* db = nullptr;
        if (sqlite3_open(path.c_str(), &db) != SQLITE_OK ||
            sqlite3_exec(db, "PRAGMA journal_mode = WAL", nullptr, nullptr, nullptr) != SQLITE_OK ||
            sqlite3_exec(db, kSchemaV1, nullptr, nullptr, nullptr) != SQLITE_OK ||
            sqlite3_exec(db, kDataV1, nullptr, nullptr, nullptr) != SQLITE_OK) {
            qWarning("cannot write the schema 1 database: %s", sqlite3_errmsg(db));
        }
        sqlite3_close(db);
        return path;
    }

    static int64_t userVersion(const std::string& path) {
        sqlite3* db = nullptr;
        sqlite3_open(path.c_str(), &db);
        sqlite3_stmt* stmt = nullptr;
        sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &stmt, nullptr);
        const int64_t version =
            sqlite3_step(stmt) == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : -1;
        sqlite3_finalize(stmt);
        sqlite3_close(db);
        return version;
    }

    std::unique_ptr<SqliteStore> openStore(const std::string& path) {
        std::string error;
        auto store = SqliteStore::open(path, {}, &error);
        if (!store) {
            qWarning("open failed: %s", error.c_str());
        }
        return store;
    }

private Q_SLOTS:
    void readsConversationsWrittenWithSchema1() {
        auto store = openStore(writeV1Database());
        QVERIFY(store);
        QCOMPARE(store->conversationCount(), int64_t(3));
        const auto state = store->load("acme", "order-7");
        QVERIFY(state.has_value());
        QCOMPARE(state->flowId, std::string("order_support"));
        QCOMPARE(state->flowVersion, std::string("1.2"));
        QCOMPARE(state->currentState, std::string("ask_order_id"));
        QCOMPARE(state->slots.dump(), std::string("{\"email\":\"zoe@example.com\"}"));
        QCOMPARE(state->vars.dump(), std::string("{\"n\":4}"));
        QCOMPARE(state->user["name"].get<std::string>(), std::string("Zoë"));
        QCOMPARE(state->abVariant, std::string("canary"));
        QCOMPARE(state->version, int64_t(4));
        QCOMPARE(state->messageCount, int64_t(4));
        QCOMPARE(state->createdAtMs, int64_t(1700000000000));
        QCOMPARE(state->updatedAtMs, int64_t(1700000004000));
        QCOMPARE(store->load("globex", "order-7")->flowId, std::string("billing"));
        QCOMPARE(store->load("acme", "empty")->version, int64_t(0));
        QCOMPARE(store->lastReadError(), std::string());
    }

    void readsHistoryInSeqOrderWithEveryField() {
        auto store = openStore(writeV1Database());
        QVERIFY(store);
        const auto history = store->history("acme", "order-7", 10);
        QCOMPARE(history.size(), size_t(3));
        QCOMPARE(history[0].seq, int64_t(2));
        QCOMPARE(history[1].seq, int64_t(3));
        QCOMPARE(history[2].seq, int64_t(4));
        QCOMPARE(history[0].idempotencyKey, std::string("k2"));
        QCOMPARE(history[0].input, std::string("where is my order?"));
        QCOMPARE(history[0].reply, std::string("Which order?"));
        QCOMPARE(history[0].stateBefore, std::string("start"));
        QCOMPARE(history[0].stateAfter, std::string("ask_order_id"));
        QCOMPARE(history[0].resultJson, std::string("{\"ok\":true}"));
        QCOMPARE(history[0].createdAtMs, int64_t(1700000002000));
        QCOMPARE(history[1].idempotencyKey, std::string()); // stored without a key
        const auto newest = store->history("acme", "order-7", 1);
        QCOMPARE(newest.size(), size_t(1));
        QCOMPARE(newest[0].seq, int64_t(4));
        QCOMPARE(store->history("globex", "order-7", 10).size(), size_t(1));
    }

    void keepsIdempotencyKeysOfMigratedMessages() {
        auto store = openStore(writeV1Database());
        QVERIFY(store);
        QCOMPARE(store->findMessage("acme", "order-7", "k4")->input, std::string("thanks"));
        QVERIFY(!store->findMessage("acme", "order-7", "k1").has_value()); // globex's key
        ConversationState retry = *store->load("acme", "order-7");
        StoredMessage again;
        again.idempotencyKey = "k2";
        again.input = "where is my order?";
        const CommitResult result = store->commit(retry, 1, again); // a late retry
        QVERIFY(result.status == CommitStatus::Duplicate);
        QCOMPARE(result.existing->seq, int64_t(2));
        QCOMPARE(store->load("acme", "order-7")->version, int64_t(4));
    }

    void continuesConversationsFromTheirMigratedVersion() {
        auto store = openStore(writeV1Database());
        QVERIFY(store);
        ConversationState state = *store->load("acme", "order-7");
        QVERIFY(store->commit(state, 3, StoredMessage{}).status == CommitStatus::Conflict);
        StoredMessage next;
        next.idempotencyKey = "k5";
        next.input = "one more thing";
        const CommitResult result = store->commit(state, 4, next);
        QVERIFY2(result.status == CommitStatus::Committed, result.error.c_str());
        QCOMPARE(store->load("acme", "order-7")->version, int64_t(5));
        const auto history = store->history("acme", "order-7", 10);
        QCOMPARE(history.size(), size_t(4));
        QCOMPARE(history.back().seq, int64_t(5));
        QCOMPARE(history.back().idempotencyKey, std::string("k5"));
        QVERIFY(store->remove("globex", "order-7"));
        QCOMPARE(store->conversationCount(), int64_t(2));
    }

    void migratesOnceAndReopens() {
        const std::string path = writeV1Database();
        QCOMPARE(userVersion(path), int64_t(1));
        {
            auto store = openStore(path);
            QVERIFY(store);
            QCOMPARE(store->checkIntegrity(), std::string("ok"));
        }
        QCOMPARE(userVersion(path), int64_t(2));
        auto store = openStore(path);
        QVERIFY(store);
        QCOMPARE(store->history("acme", "order-7", 10).size(), size_t(3));
        QCOMPARE(store->conversationCount(), int64_t(3));
    }
};

QTEST_GUILESS_MAIN(tst_SqliteMigration)
#include "tst_sqlite_migration.moc"
