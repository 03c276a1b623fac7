// The page-cache layer (engine-embedded/src/sqlite_page_cache.h) under SQLite: it must hold
// exactly what SQLite's own cache would. A model of the rows is kept beside a database that is
// written with random keys (B-tree splits that reorder pages, which briefly renumber one to the
// lock-byte page), appends and deletes, rolled-back transactions that had appended pages, and
// VACUUM (the database shrinks), at a cache small enough to evict and one that holds everything.
#include "sqlite_page_cache.h"

#include <sqlite3.h>

#include <QTemporaryDir>
#include <QtTest>

#include <map>
#include <random>
#include <string>

using namespace flowdeck::engine::sqlite;

namespace {

bool exec(sqlite3* db, const std::string& sql) {
    char* message = nullptr;
    const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message);
    if (rc != SQLITE_OK) {
        qWarning("%s: %s", sql.c_str(), message ? message : sqlite3_errstr(rc));
    }
    sqlite3_free(message);
    return rc == SQLITE_OK;
}

std::string single(sqlite3* db, const std::string& sql) {
    sqlite3_stmt* statement = nullptr;
    std::string out;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &statement, nullptr) == SQLITE_OK &&
        sqlite3_step(statement) == SQLITE_ROW) {
        const auto* text = sqlite3_column_text(statement, 0);
        out = text ? reinterpret_cast<const char*>(text) : "";
    }
    sqlite3_finalize(statement);
    return out;
}

// The rows as the database holds them: key -> value.
std::map<int64_t, std::string> rows(sqlite3* db) {
    std::map<int64_t, std::string> out;
    sqlite3_stmt* statement = nullptr;
    sqlite3_prepare_v2(db, "SELECT k, v FROM t", -1, &statement, nullptr);
    while (statement && sqlite3_step(statement) == SQLITE_ROW) {
        out[sqlite3_column_int64(statement, 0)] =
            reinterpret_cast<const char*>(sqlite3_column_text(statement, 1));
    }
    sqlite3_finalize(statement);
    return out;
}

} // namespace

class tst_SqlitePageCache final : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;

    // Two connections on one file (a writer and a reader, as the store has): the reader must see
    // every commit, which it reads through its own cache.
    void workload(const QString& name, int cacheKiB) {
        const std::string path = m_dir.filePath(name).toStdString();
        sqlite3* db = nullptr;
        sqlite3* reader = nullptr;
        QCOMPARE(sqlite3_open(path.c_str(), &db), SQLITE_OK);
        QVERIFY(exec(db, "PRAGMA journal_mode=WAL; PRAGMA cache_size=-" + std::to_string(cacheKiB) +
                             "; CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT NOT NULL);"
                             "CREATE INDEX t_by_v ON t (v);"));
        QCOMPARE(sqlite3_open(path.c_str(), &reader), SQLITE_OK);

        std::mt19937_64 random(42);
        std::map<int64_t, std::string> model;
        for (int round = 0; round < 400; ++round) {
            const int kind = static_cast<int>(random() % 10);
            QVERIFY(exec(db, "BEGIN"));
            std::map<int64_t, std::string> changed = model;
            if (kind < 6) { // random keys and index values: splits all over both B-trees
                for (int i = 0; i < 40; ++i) {
                    const int64_t k = static_cast<int64_t>(random() % 1'000'000);
                    const std::string v =
                        std::to_string(random()) + std::string(random() % 300, 'x');
                    QVERIFY(exec(db, "INSERT OR REPLACE INTO t VALUES (" + std::to_string(k) +
                                         ", '" + v + "')"));
                    changed[k] = v;
                }
            } else if (kind < 8) { // deletes leave free pages that later splits reuse
                for (int i = 0; i < 30 && !changed.empty(); ++i) {
                    auto it = changed.lower_bound(static_cast<int64_t>(random() % 1'000'000));
                    if (it == changed.end()) {
                        it = changed.begin();
                    }
                    QVERIFY(exec(db, "DELETE FROM t WHERE k = " + std::to_string(it->first)));
                    changed.erase(it);
                }
            } else { // big appends
                for (int i = 0; i < 20; ++i) {
                    const int64_t k = 2'000'000 + round * 100 + i;
                    const std::string v(3000 + random() % 5000, static_cast<char>('a' + i));
                    QVERIFY(
                        exec(db, "INSERT INTO t VALUES (" + std::to_string(k) + ", '" + v + "')"));
                    changed[k] = v;
                }
            }
            if (random() % 5 == 0) {
                QVERIFY(exec(db, "ROLLBACK")); // the pages it appended must go from the cache
            } else {
                QVERIFY(exec(db, "COMMIT"));
                model = std::move(changed);
            }
            if (round % 50 == 49) {
                QVERIFY(exec(db, "VACUUM")); // the file shrinks
            }
            if (round % 25 == 0) {
                QCOMPARE(rows(reader), model);
            }
        }
        QCOMPARE(rows(db), model);
        QCOMPARE(rows(reader), model);
        QCOMPARE(single(db, "PRAGMA integrity_check"), std::string("ok"));
        sqlite3_close(reader);
        sqlite3_close(db);
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_dir.isValid());
        QVERIFY2(installPageCache(), "the layer could not be installed before SQLite's first use");
        QVERIFY(pageCacheInstalled());
    }

    void holdsWhatSqlitesOwnCacheWouldWithEvictions() {
        const auto before = pageCacheStats();
        workload("small.sqlite", 256); // 64 pages: the cache evicts all the time
        const auto after = pageCacheStats();
        QVERIFY(after.exactTruncates > before.exactTruncates);
        QVERIFY(after.innerTruncates > before.innerTruncates); // VACUUM shrank the file
    }

    void holdsWhatSqlitesOwnCacheWouldWhenEverythingFits() {
        const auto before = pageCacheStats();
        workload("large.sqlite", 65536);
        QVERIFY(pageCacheStats().exactTruncates > before.exactTruncates);
    }
};

QTEST_GUILESS_MAIN(tst_SqlitePageCache)
#include "tst_sqlite_page_cache.moc"
