// PostgresListener against a real PostgreSQL (LocalPostgres on 127.0.0.1): notifications arrive,
// exactly one node leads and hands over when it goes away, and a restarted database is
// reconnected to with the connection changes reported.
#include "cluster/local_postgres.h"
#include "flowdeck/engine/postgres_store.h"
#include "pg_query.h"

#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QtTest>

#include <libpq-fe.h>
#include <mutex>

using flowdeck::cluster::LocalPostgres;
using flowdeck::cluster::LocalPostgresOptions;
using flowdeck::engine::PostgresListener;
using namespace std::chrono_literals;

namespace {

constexpr int64_t kLockKey = 4242;

using pgtest::queryValue;

// What one listener reported, readable from the test thread while callbacks keep coming.
class Recorder final {
public:
    PostgresListener::Callbacks callbacks() {
        PostgresListener::Callbacks c;
        c.onNotify = [this](const std::string& channel, const std::string& payload) {
            std::lock_guard lock(m_mutex);
            m_notes.emplace_back(channel, payload);
        };
        c.onConnection = [this](bool connected, const std::string& error) {
            std::lock_guard lock(m_mutex);
            m_connections.emplace_back(connected, error);
        };
        c.onLeadership = [this](bool leader) {
            std::lock_guard lock(m_mutex);
            m_leadership.push_back(leader);
        };
        return c;
    }
    bool received(const std::string& channel, const std::string& payload) {
        std::lock_guard lock(m_mutex);
        return std::find(m_notes.begin(), m_notes.end(), std::pair(channel, payload)) !=
               m_notes.end();
    }
    // The connected flags reported so far, e.g. {false, true}.
    std::vector<bool> connectionChanges() {
        std::lock_guard lock(m_mutex);
        std::vector<bool> out;
        for (const auto& c : m_connections) {
            out.push_back(c.first);
        }
        return out;
    }
    // Why the connection was first reported lost, "" if it never was.
    std::string firstLossReason() {
        std::lock_guard lock(m_mutex);
        for (const auto& c : m_connections) {
            if (!c.first) {
                return c.second;
            }
        }
        return {};
    }
    std::vector<bool> leadershipChanges() {
        std::lock_guard lock(m_mutex);
        return m_leadership;
    }

private:
    std::mutex m_mutex;
    std::vector<std::pair<std::string, std::string>> m_notes;
    std::vector<std::pair<bool, std::string>> m_connections;
    std::vector<bool> m_leadership;
};

std::unique_ptr<PostgresListener> listen(const std::string& conninfo, Recorder& recorder,
                                         int64_t lockKey = 0) {
    PostgresListener::Options options;
    options.conninfo = conninfo;
    options.channels = {"releases", "odd \"channel\" name"};
    options.leaderLockKey = lockKey;
    std::string error;
    auto listener = PostgresListener::start(options, recorder.callbacks(), &error);
    if (!listener) {
        qWarning("PostgresListener::start: %s", error.c_str());
    }
    return listener;
}

// The backend holding the leadership lock (a bigint advisory key: objid holds its low 32 bits).
std::string lockHolderPid(const std::string& conninfo) {
    return queryValue(conninfo, "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted "
                                "AND objid = " +
                                    std::to_string(kLockKey));
}

} // namespace

class tst_PostgresListener final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void deliversNotificationsWithChannelAndPayload();
    void badConninfoFailsAtStart();
    void exactlyOneOfTwoListenersLeads();
    void leadershipMovesWhenTheLeaderIsDestroyed();
    void leadershipMovesWhenTheLeadersSessionIsTerminated();
    void survivesAPostgresRestart();

private:
    QTemporaryDir m_dir;
    std::unique_ptr<LocalPostgres> m_pg;
};

void tst_PostgresListener::initTestCase() {
    LocalPostgresOptions options;
    options.dir = m_dir.path().toStdString();
    std::string error;
    m_pg = LocalPostgres::start(options, &error);
    QVERIFY2(m_pg, error.c_str());
}

void tst_PostgresListener::cleanupTestCase() {
    m_pg.reset();
}

void tst_PostgresListener::deliversNotificationsWithChannelAndPayload() {
    Recorder recorder;
    auto listener = listen(m_pg->conninfo(), recorder);
    QVERIFY(listener);
    QVERIFY(listener->isConnected());
    QVERIFY(!listener->isLeader()); // it does not compete without a lock key

    QCOMPARE(queryValue(m_pg->conninfo(), "SELECT pg_notify('releases', 'flow checkout v7')"),
             std::string());
    QTRY_VERIFY_WITH_TIMEOUT(recorder.received("releases", "flow checkout v7"), 1000);
    QCOMPARE(queryValue(m_pg->conninfo(), "NOTIFY \"odd \"\"channel\"\" name\", 'quoted'"),
             std::string());
    QTRY_VERIFY_WITH_TIMEOUT(recorder.received("odd \"channel\" name", "quoted"), 1000);

    QElapsedTimer timer;
    timer.start();
    listener.reset();
    QVERIFY2(timer.elapsed() < 300, qPrintable(QString::number(timer.elapsed())));
}

void tst_PostgresListener::badConninfoFailsAtStart() {
    PostgresListener::Options options;
    options.conninfo = m_pg->conninfo() + " dbname=no_such_database";
    options.channels = {"releases"};
    std::string error;
    QVERIFY(!PostgresListener::start(options, {}, &error));
    QVERIFY2(error.find("no_such_database") != std::string::npos, error.c_str());
}

void tst_PostgresListener::exactlyOneOfTwoListenersLeads() {
    Recorder a;
    Recorder b;
    auto first = listen(m_pg->conninfo(), a, kLockKey);
    auto second = listen(m_pg->conninfo(), b, kLockKey);
    QVERIFY(first && second);
    QTRY_VERIFY_WITH_TIMEOUT(first->isLeader() || second->isLeader(), 1000);
    QTest::qWait(1200); // a few lock polls by the other one
    QVERIFY(first->isLeader() != second->isLeader());
    QCOMPARE(a.leadershipChanges().size() + b.leadershipChanges().size(), size_t(1));
}

void tst_PostgresListener::leadershipMovesWhenTheLeaderIsDestroyed() {
    Recorder a;
    Recorder b;
    auto first = listen(m_pg->conninfo(), a, kLockKey);
    QVERIFY(first);
    QTRY_VERIFY_WITH_TIMEOUT(first->isLeader(), 1000);
    auto second = listen(m_pg->conninfo(), b, kLockKey);
    QVERIFY(second);
    QTest::qWait(600);
    QVERIFY(!second->isLeader());

    first.reset();
    QTRY_VERIFY_WITH_TIMEOUT(second->isLeader(), 1200);
    QCOMPARE(b.leadershipChanges(), std::vector<bool>{true});
}

void tst_PostgresListener::leadershipMovesWhenTheLeadersSessionIsTerminated() {
    Recorder a;
    Recorder b;
    auto first = listen(m_pg->conninfo(), a, kLockKey);
    QVERIFY(first);
    QTRY_VERIFY_WITH_TIMEOUT(first->isLeader(), 1000);
    auto second = listen(m_pg->conninfo(), b, kLockKey);
    QVERIFY(second);

    const std::string holder = lockHolderPid(m_pg->conninfo());
    QVERIFY2(!holder.empty() && holder.rfind("ERROR", 0) != 0, holder.c_str());
    QCOMPARE(queryValue(m_pg->conninfo(), "SELECT pg_terminate_backend(" + holder + ")"),
             std::string("t"));
    QTRY_VERIFY_WITH_TIMEOUT(second->isLeader(), 1200);

    // The old leader was told, in order, and came back as a follower.
    QTRY_COMPARE_WITH_TIMEOUT(a.connectionChanges(), (std::vector<bool>{false, true}), 3000);
    QCOMPARE(a.leadershipChanges(), (std::vector<bool>{true, false}));
    QVERIFY2(a.firstLossReason().find("terminating connection") != std::string::npos,
             a.firstLossReason().c_str());
    QTest::qWait(600);
    QVERIFY(!first->isLeader());
    QVERIFY(first->isConnected());
}

void tst_PostgresListener::survivesAPostgresRestart() {
    QTemporaryDir dir;
    LocalPostgresOptions options;
    options.dir = dir.path().toStdString();
    std::string error;
    auto pg = LocalPostgres::start(options, &error);
    QVERIFY2(pg, error.c_str());
    const std::string conninfo = pg->conninfo();
    Recorder recorder;
    auto listener = listen(conninfo, recorder, kLockKey);
    QVERIFY(listener);
    QTRY_VERIFY_WITH_TIMEOUT(listener->isLeader(), 1000);
    Recorder idle;
    auto another = listen(conninfo, idle);
    QVERIFY(another);

    QVERIFY2(pg->stop(10s, &error), error.c_str());
    QTRY_COMPARE_WITH_TIMEOUT(recorder.connectionChanges(), std::vector<bool>{false}, 2000);
    QVERIFY(!listener->isConnected());
    QVERIFY(!listener->isLeader());
    QCOMPARE(recorder.leadershipChanges(), (std::vector<bool>{true, false}));

    // Stopping stays prompt while it is retrying against a database that is down.
    QTRY_VERIFY_WITH_TIMEOUT(!another->isConnected(), 2000);
    QElapsedTimer timer;
    timer.start();
    another.reset();
    QVERIFY2(timer.elapsed() < 300, qPrintable(QString::number(timer.elapsed())));

    options.port = pg->port();
    pg = LocalPostgres::start(options, &error);
    QVERIFY2(pg, error.c_str());
    QTRY_COMPARE_WITH_TIMEOUT(recorder.connectionChanges(), (std::vector<bool>{false, true}), 5000);
    QTRY_VERIFY_WITH_TIMEOUT(listener->isLeader(), 2000);
    QCOMPARE(queryValue(conninfo, "SELECT pg_notify('releases', 'after restart')"), std::string());
    QTRY_VERIFY_WITH_TIMEOUT(recorder.received("releases", "after restart"), 1000);
}

QTEST_GUILESS_MAIN(tst_PostgresListener)
#include "tst_postgres_listener.moc"
