// The table nodes share canary numbers through, on a real PostgreSQL (LocalPostgres on a free
// loopback port): the schema creates it, two nodes publish, each reads only the other's rows, a
// second published again replaces its row, old rows are pruned, and a database that cannot be
// reached fails fast instead of stalling the leader's analysis.
#include "cluster/local_postgres.h"
#include "flowdeck/engine/postgres_store.h"
#include "flowdeck/engine/postgres_variant_stats.h"

#include <QTemporaryDir>
#include <QtTest>

#include <chrono>
#include <memory>
#include <string>

using namespace flowdeck::engine;
using namespace std::chrono_literals;

namespace {

constexpr int64_t kStart = 1'700'000'000'000;

PublishedSeries seriesOf(const release::VariantStats& stats, const std::string& version) {
    return {"shop", version, stats.seconds("shop", version, 0, kStart + 600'000)};
}

} // namespace

class tst_PostgresVariantStats : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    std::unique_ptr<flowdeck::cluster::LocalPostgres> m_server;
    std::shared_ptr<PostgresDatabase> m_database;

    std::unique_ptr<PostgresVariantStats> open() {
        return std::make_unique<PostgresVariantStats>(
            PostgresVariantStats::Options{m_server->conninfo()});
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_dir.isValid());
        flowdeck::cluster::LocalPostgresOptions options;
        options.dir = m_dir.path().toStdString();
        std::string error;
        m_server = flowdeck::cluster::LocalPostgres::start(options, &error);
        QVERIFY2(m_server, error.c_str());
        m_database = PostgresDatabase::open({m_server->conninfo()}, &error); // creates the table
        QVERIFY2(m_database, error.c_str());
    }

    void cleanupTestCase() {
        m_database.reset();
        if (m_server) {
            std::string error;
            QVERIFY2(m_server->stop(10s, &error), error.c_str());
        }
    }

    void eachNodeReadsTheOthersSecondsOnly() {
        release::VariantStats a;
        release::VariantStats b;
        release::VariantStats all;
        for (int i = 0; i < 300; ++i) {
            const release::VariantStats::Sample sample{i % 10 == 0, i % 4 == 0, 0.3 * i};
            (i % 3 == 0 ? a : b).record("shop", "2", sample, kStart + i * 20);
            all.record("shop", "2", sample, kStart + i * 20);
        }
        b.record("shop", "1", {}, kStart);
        auto nodeA = open();
        auto nodeB = open();
        std::string error;
        QVERIFY2(nodeA->publish("node-a", {seriesOf(a, "2")}, &error), error.c_str());
        QVERIFY2(nodeB->publish("node-b", {seriesOf(b, "2"), seriesOf(b, "1")}, &error),
                 error.c_str());

        std::vector<release::StatsSecond> fromB;
        QVERIFY2(nodeA->peerSeconds("node-a", "shop", "2", kStart, kStart + 10'000, &fromB, &error),
                 error.c_str());
        QVERIFY(fromB == b.seconds("shop", "2", 0, kStart + 10'000));
        // A's analysis over its own seconds and B's rows is what one node seeing all would say.
        QVERIFY(a.measure("shop", "2", kStart, kStart + 10'000, fromB) ==
                all.measure("shop", "2", kStart, kStart + 10'000));

        std::vector<release::StatsSecond> window;
        QVERIFY(nodeB->peerSeconds("node-b", "shop", "2", kStart + 1000, kStart + 1999, &window,
                                   &error));
        QCOMPARE(window.size(), size_t{1});
        QCOMPARE(window[0].second, kStart / 1000 + 1);
        QVERIFY(window[0] == a.seconds("shop", "2", kStart + 1000, kStart + 1999)[0]);
    }

    void aSecondPublishedAgainReplacesItsRow() {
        release::VariantStats c;
        c.record("shop", "3", {}, kStart);
        auto node = open();
        std::string error;
        QVERIFY(node->publish("node-c", {seriesOf(c, "3")}, &error));
        c.record("shop", "3", {true, false, 9.0}, kStart + 500); // the second was still filling
        QVERIFY2(node->publish("node-c", {seriesOf(c, "3")}, &error), error.c_str());
        std::vector<release::StatsSecond> rows;
        QVERIFY(open()->peerSeconds("leader", "shop", "3", kStart, kStart + 999, &rows, &error));
        QCOMPARE(rows.size(), size_t{1});
        QCOMPARE(rows[0].messages, uint64_t{2});
        QCOMPARE(rows[0].errors, uint64_t{1});
    }

    void oldRowsArePruned() {
        release::VariantStats d;
        d.record("shop", "4", {}, kStart);
        d.record("shop", "4", {}, kStart + 400'000);
        auto node = open();
        std::string error;
        QVERIFY(node->publish("node-d", {seriesOf(d, "4")}, &error));
        QVERIFY2(node->prune(kStart / 1000 + 100, &error), error.c_str());
        std::vector<release::StatsSecond> rows;
        QVERIFY(node->peerSeconds("leader", "shop", "4", 0, kStart + 600'000, &rows, &error));
        QCOMPARE(rows.size(), size_t{1});
        QCOMPARE(rows[0].second, (kStart + 400'000) / 1000);
    }

    void anUnreachableDatabaseFailsFast() {
        PostgresVariantStats::Options options;
        options.conninfo = "host=127.0.0.1 port=1 dbname=flowdeck user=flowdeck";
        options.timeout = 500ms;
        PostgresVariantStats stats(options);
        std::vector<release::StatsSecond> rows;
        std::string error;
        QVERIFY(!stats.peerSeconds("a", "shop", "2", 0, kStart, &rows, &error));
        QVERIFY2(error.find("cannot connect") != std::string::npos, error.c_str());
        // Within retryAfter the next read does not try again: it fails at once.
        const auto started = std::chrono::steady_clock::now();
        error.clear();
        QVERIFY(!stats.peerSeconds("a", "shop", "2", 0, kStart, &rows, &error));
        QVERIFY(!error.empty());
        QVERIFY(std::chrono::steady_clock::now() - started < 100ms);
    }
};

QTEST_GUILESS_MAIN(tst_PostgresVariantStats)
#include "tst_postgres_variant_stats.moc"
