// The cluster stores on a real PostgreSQL (started by LocalPostgres on a free loopback port):
// the same contracts as the SQLite and in-memory stores, then what only matters with several
// nodes — two PostgresDatabase objects standing for two flowd nodes on one database.
#include "flow_version_store_contract.h"
#include "release_store_contract.h"
#include "store_contract.h"

#include "cluster/local_postgres.h"
#include "flowdeck/engine/postgres_store.h"

#include <libpq-fe.h>

#include <QTemporaryDir>
#include <QtTest>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

using namespace flowdeck::engine;
using namespace std::chrono_literals;

namespace {

// Routes each calling thread to one of two stores, fixed at its first call: the shared
// contract's concurrent check then sees two nodes racing on one conversation.
class TwoNodes final : public ConversationStore {
public:
    TwoNodes(ConversationStore& a, ConversationStore& b)
        : m_nodes{&a, &b} {}

    std::optional<ConversationState> load(const std::string& t, const std::string& c) override {
        return node().load(t, c);
    }
    std::optional<StoredMessage> findMessage(const std::string& t, const std::string& c,
                                             const std::string& key) override {
        return node().findMessage(t, c, key);
    }
    CommitResult commit(const ConversationState& next, int64_t expected,
                        const StoredMessage& message) override {
        return node().commit(next, expected, message);
    }
    std::vector<StoredMessage> history(const std::string& t, const std::string& c,
                                       size_t limit) override {
        return node().history(t, c, limit);
    }
    bool remove(const std::string& t, const std::string& c) override { return node().remove(t, c); }
    int64_t conversationCount() override { return node().conversationCount(); }

private:
    ConversationStore& node() {
        thread_local int mine = -1;
        if (mine < 0) {
            mine = m_next++ % 2;
        }
        return *m_nodes[mine];
    }
    ConversationStore* m_nodes[2];
    std::atomic<int> m_next{0};
};

// A plain libpq connection for what the test does behind the stores' back.
class Admin final {
public:
    explicit Admin(const std::string& conninfo)
        : m_conn(PQconnectdb(conninfo.c_str())) {}
    ~Admin() { PQfinish(m_conn); }
    Admin(const Admin&) = delete;
    Admin& operator=(const Admin&) = delete;

    bool ok() const { return PQstatus(m_conn) == CONNECTION_OK; }
    std::string error() const { return PQerrorMessage(m_conn); }

    // "" on success, else the server's message.
    std::string exec(const std::string& sql) {
        PGresult* r = PQexec(m_conn, sql.c_str());
        const ExecStatusType status = PQresultStatus(r);
        std::string out;
        if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
            out = PQresultErrorMessage(r);
            out = out.empty() ? "failed" : out;
        }
        PQclear(r);
        return out;
    }
    int64_t scalar(const std::string& sql) {
        PGresult* r = PQexec(m_conn, sql.c_str());
        const int64_t value = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1
                                  ? std::strtoll(PQgetvalue(r, 0, 0), nullptr, 10)
                                  : -1;
        PQclear(r);
        return value;
    }
    PGconn* handle() { return m_conn; }

private:
    PGconn* m_conn;
};

} // namespace

class tst_PostgresStore : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    std::unique_ptr<flowdeck::cluster::LocalPostgres> m_server;
    std::unique_ptr<Admin> m_admin;

    // The test database's conninfo, with `extra` keywords (later ones win).
    std::string conninfo(const std::string& extra = {}) const {
        return m_server->conninfo() + (extra.empty() ? "" : " " + extra);
    }

    std::shared_ptr<PostgresDatabase> open(PostgresOptions options = {}) {
        if (options.conninfo.empty()) {
            options.conninfo = conninfo();
        }
        options.statementTimeout = 5s;
        std::string error;
        auto db = PostgresDatabase::open(options, &error);
        if (!db) {
            qWarning("open failed: %s", error.c_str());
        }
        return db;
    }

    std::shared_ptr<PostgresDatabase> openWithHistoryLimit(size_t limit) {
        PostgresOptions options;
        options.historyLimitPerConversation = limit;
        return open(options);
    }

    // Runs one contract check against a fresh store of a new database object.
    void onConversations(void (*check)(ConversationStore&), size_t historyLimit = 10000) {
        auto db = openWithHistoryLimit(historyLimit);
        QVERIFY(db);
        check(*db->conversations());
    }
    void onFlows(void (*check)(FlowVersionStore&)) {
        auto db = open();
        QVERIFY(db);
        check(*db->flowVersions());
    }
    void onReleases(void (*check)(release::ReleaseStore&)) {
        auto db = open();
        QVERIFY(db);
        check(*db->releases());
    }

    // A new, empty database on the server, for what must not touch the shared one.
    std::string freshDatabase(const std::string& name) {
        m_admin->exec("DROP DATABASE IF EXISTS " + name);
        const std::string error = m_admin->exec("CREATE DATABASE " + name);
        if (!error.empty()) {
            qWarning("CREATE DATABASE %s: %s", name.c_str(), error.c_str());
        }
        return conninfo("dbname=" + name);
    }

    // Terminates every backend of connections named `application`, and waits until they are
    // gone, so the next call meets dead connections rather than racing the kill.
    int killBackends(const std::string& application) {
        const std::string where =
            " FROM pg_stat_activity WHERE application_name = '" + application + "'";
        const int64_t killed = m_admin->scalar("SELECT count(pg_terminate_backend(pid))" + where);
        const auto until = std::chrono::steady_clock::now() + 5s;
        while (m_admin->scalar("SELECT count(*)" + where) > 0 &&
               std::chrono::steady_clock::now() < until) {
            std::this_thread::sleep_for(10ms);
        }
        return int(killed);
    }

    void reconnectAdmin() {
        if (!m_admin || !m_admin->ok()) {
            m_admin = std::make_unique<Admin>(conninfo());
        }
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_dir.isValid());
        flowdeck::cluster::LocalPostgresOptions options;
        options.dir = m_dir.path().toStdString(); // handed to the postgres user
        std::string error;
        m_server = flowdeck::cluster::LocalPostgres::start(options, &error);
        QVERIFY2(m_server, error.c_str());
        reconnectAdmin();
        QVERIFY2(m_admin->ok(), m_admin->error().c_str());
        QVERIFY(open()); // creates the schema
    }

    // Every test starts from empty tables (TRUNCATE fires no row triggers).
    void init() {
        reconnectAdmin();
        const std::string error = m_admin->exec(
            "TRUNCATE conversations, messages, flows, flow_versions, rollouts, release_history, "
            "audit, flowdeck_flow_last_used RESTART IDENTITY");
        QVERIFY2(error.empty(), error.c_str());
    }

    void cleanupTestCase() {
        m_admin.reset();
        if (m_server) {
            std::string error;
            QVERIFY2(m_server->stop(10s, &error), error.c_str());
        }
    }

    // ---- ConversationStore contract ------------------------------------------------------

    void roundTripsEveryField() { onConversations(storecontract::roundTripsEveryField); }
    void returnsHistoryOldestFirstUpToLimit() {
        onConversations(storecontract::historyIsOldestFirstAndLimited);
    }
    void keepsOnlyNewestMessagesPerConversation() {
        onConversations(storecontract::historyLimitKeepsNewestMessages, 10);
    }
    void prunesHistoryInChunksNeverBelowTheLimit() {
        auto db = openWithHistoryLimit(64); // pruned every 4 messages
        QVERIFY(db);
        auto store = db->conversations();
        storecontract::commitSeries(*store, "c", 150);
        const auto kept = store->history("acme", "c", 1000);
        QVERIFY(kept.size() >= 64 && kept.size() < 68);
        QCOMPARE(kept.back().seq, int64_t(150));
        QVERIFY(store->findMessage("acme", "c", "m87").has_value()); // 64th newest
        QVERIFY(!store->findMessage("acme", "c", "m80").has_value());
    }
    void removeDeletesConversationAndHistory() {
        onConversations(storecontract::removeDeletesConversationAndHistory);
    }
    void countsConversationsAcrossTenants() { onConversations(storecontract::countsConversations); }
    void staleVersionConflictsAndWritesNothing() {
        onConversations(storecontract::staleVersionConflictsAndWritesNothing);
    }
    void creatingExistingConversationConflicts() {
        onConversations(storecontract::creatingExistingConversationConflicts);
    }
    void duplicateKeyReturnsFirstStoredMessage() {
        onConversations(storecontract::duplicateKeyReturnsFirstMessage);
    }
    void rejectsCommitWithoutIds() { onConversations(storecontract::rejectsCommitWithoutIds); }

    // ---- FlowVersionStore and ReleaseStore contracts -------------------------------------

    void flowAppendAssignsRevisionsAndKeepsLabels() {
        onFlows(flowversioncontract::appendAssignsRevisionsAndKeepsLabels);
    }
    void flowTakenOrEmptyLabelGetsTheRevisionNumber() {
        onFlows(flowversioncontract::takenOrEmptyLabelGetsTheRevisionNumber);
    }
    void flowCreateRefusesAnExistingFlowAndStaleRevisionConflicts() {
        onFlows(flowversioncontract::createRefusesAnExistingFlowAndStaleRevisionConflicts);
    }
    void flowActivateAndArchiveMoveOnlyTheFlowsState() {
        onFlows(flowversioncontract::activateAndArchiveMoveOnlyTheFlowsState);
    }
    void flowVersionsArePagedNewestFirstWithoutDocuments() {
        onFlows(flowversioncontract::versionsArePagedNewestFirstWithoutDocuments);
    }
    void flowsAreSeparatedByTenantAndOrderedById() {
        onFlows(flowversioncontract::flowsAreSeparatedByTenantAndOrderedById);
    }
    void flowLastUsedOnlyMovesForward() { onFlows(flowversioncontract::lastUsedOnlyMovesForward); }
    void rolloutsAreSavedReplacedAndFoundById() {
        onReleases(releasecontract::rolloutsAreSavedReplacedAndFoundById);
    }
    void latestRolloutIsTheFlowsNewestByStart() {
        onReleases(releasecontract::latestRolloutIsTheFlowsNewestByStart);
    }
    void inProgressListsOnlyProgressingAndPaused() {
        onReleases(releasecontract::inProgressListsOnlyProgressingAndPaused);
    }
    void releaseHistoryIsNewestFirstFilteredAndPaged() {
        onReleases(releasecontract::historyIsNewestFirstFilteredAndPaged);
    }

    void databaseRefusesRewritingVersionsHistoryAndAudit() {
        auto db = open();
        QVERIFY(db);
        QVERIFY(db->flowVersions()->append(flowversioncontract::makeVersion("f", "a"), 0).status ==
                FlowStoreStatus::Ok);
        std::string error;
        QVERIFY(db->releases()->appendHistory(releasecontract::makeEntry("h", "f", 1), &error));
        QVERIFY(db->appendAudit({1, "node-1", "alice", "Deploy", "acme", "{}"}, &error));
        const std::string rewrite = m_admin->exec("UPDATE flow_versions SET flow_json = '{}'");
        QVERIFY2(rewrite.find("immutable") != std::string::npos, rewrite.c_str());
        const std::string history = m_admin->exec("DELETE FROM release_history");
        QVERIFY2(history.find("append-only") != std::string::npos, history.c_str());
        const std::string audit = m_admin->exec("UPDATE audit SET subject = 'mallory'");
        QVERIFY2(audit.find("append-only") != std::string::npos, audit.c_str());
        // Publishing is the one change a stored version allows.
        QVERIFY(db->flowVersions()->activate("acme", "f", "a") == FlowStoreStatus::Ok);
    }

    // ---- Several nodes on one database ---------------------------------------------------

    void twoNodesCommittingToOneConversationApplyEachMessageOnce() {
        PostgresOptions options;
        options.historyLimitPerConversation = 20000;
        auto nodeA = open(options);
        auto nodeB = open(options);
        QVERIFY(nodeA && nodeB);
        auto storeA = nodeA->conversations();
        auto storeB = nodeB->conversations();
        TwoNodes both(*storeA, *storeB);
        // 8 threads, 4 per node; seqs 1..N contiguous, in each thread's order, no lost update.
        storecontract::concurrentWritersApplyEachMessageOnce(both, 8, 100);
        QCOMPARE(storeB->load("acme", "shared")->version, int64_t(800));
        QCOMPARE(nodeA->lastReadError(), std::string());
        QCOMPARE(nodeB->lastReadError(), std::string());
    }

    void keyStoredByOneNodeIsADuplicateOnTheOther() {
        auto nodeA = open();
        auto nodeB = open();
        QVERIFY(nodeA && nodeB);
        auto storeA = nodeA->conversations();
        auto storeB = nodeB->conversations();
        const StoredMessage first = storecontract::makeMessage("k1", "first");
        QVERIFY(storeA->commit(storecontract::makeState("c"), 0, first).status ==
                CommitStatus::Committed);
        // The client's retry reaches the other node, with the version it first sent.
        const CommitResult retry = storeB->commit(storecontract::makeState("c"), 0,
                                                  storecontract::makeMessage("k1", "again"));
        QVERIFY(retry.status == CommitStatus::Duplicate);
        QVERIFY(retry.existing.has_value());
        storecontract::verifySameMessage(*retry.existing, first);
        QCOMPARE(retry.existing->seq, int64_t(1));
        QCOMPARE(storeB->load("acme", "c")->version, int64_t(1));
    }

    // The same key sent to both nodes at once: one applies it, the other never applies it
    // (Conflict, then Duplicate once it reloads).
    void sameKeyRacingOnTwoNodesIsAppliedOnce() {
        auto nodeA = open();
        auto nodeB = open();
        QVERIFY(nodeA && nodeB);
        std::unique_ptr<ConversationStore> stores[2] = {nodeA->conversations(),
                                                        nodeB->conversations()};
        storecontract::commitSeries(*stores[0], "c", 1);
        for (int round = 0; round < 20; ++round) {
            const std::string key = "race-" + std::to_string(round);
            CommitResult results[2];
            std::vector<std::thread> threads;
            for (int n = 0; n < 2; ++n) {
                threads.emplace_back([&, n] {
                    const ConversationState state = *stores[n]->load("acme", "c");
                    results[n] =
                        stores[n]->commit(state, state.version, storecontract::makeMessage(key));
                });
            }
            for (auto& t : threads) {
                t.join();
            }
            const int committed = int(results[0].status == CommitStatus::Committed) +
                                  int(results[1].status == CommitStatus::Committed);
            QVERIFY2(committed <= 1, key.c_str());
            QVERIFY(stores[1]->findMessage("acme", "c", key).has_value() || committed == 0);
            for (const CommitResult& r : results) {
                QVERIFY2(r.status != CommitStatus::Failed, r.error.c_str());
            }
        }
        const auto history = stores[0]->history("acme", "c", 100);
        QCOMPARE(int64_t(history.size()), stores[0]->load("acme", "c")->version);
    }

    // Another node stores the key after this commit looked for it (its transaction is still
    // open then): the commit waits on the key, then answers Duplicate with that node's message
    // and writes nothing.
    void keyStoredByAnotherNodeDuringTheCommitIsADuplicate() {
        auto db = open();
        QVERIFY(db);
        auto store = db->conversations();
        storecontract::commitSeries(*store, "c", 1);
        QCOMPARE(m_admin->exec("BEGIN"), std::string());
        QCOMPARE(m_admin->exec("INSERT INTO messages (tenant_id, conversation_id, seq, "
                               "idempotency_key, input, reply, state_before, state_after, "
                               "result_json, created_at) VALUES ('acme', 'c', 2, 'k2', 'other "
                               "node', 'its reply', 'a', 'b', '{}', 42)"),
                 std::string());
        CommitResult result;
        std::thread commit([&] {
            result = store->commit(storecontract::makeState("c"), 1,
                                   storecontract::makeMessage("k2", "this node"));
        });
        std::this_thread::sleep_for(300ms); // the commit is now waiting on the key
        QCOMPARE(m_admin->exec("COMMIT"), std::string());
        commit.join();
        QVERIFY2(result.status == CommitStatus::Duplicate, result.error.c_str());
        QVERIFY(result.existing.has_value());
        QCOMPARE(result.existing->input, std::string("other node"));
        QCOMPARE(result.existing->seq, int64_t(2));
        QCOMPARE(store->load("acme", "c")->version, int64_t(1));
    }

    void twoNodesAppendingToOneFlowTakeTurns() {
        auto nodeA = open();
        auto nodeB = open();
        QVERIFY(nodeA && nodeB);
        std::unique_ptr<FlowVersionStore> stores[2] = {nodeA->flowVersions(),
                                                       nodeB->flowVersions()};
        std::atomic<int> failures{0};
        std::vector<std::thread> threads;
        for (int t = 0; t < 6; ++t) {
            threads.emplace_back([&, t] {
                for (int i = 0; i < 8; ++i) { // -1: no check, so every append must land
                    const auto label = "v" + std::to_string(t) + "." + std::to_string(i);
                    if (stores[t % 2]
                            ->append(flowversioncontract::makeVersion("f", label), -1)
                            .status != FlowStoreStatus::Ok) {
                        ++failures;
                    }
                }
            });
        }
        for (auto& t : threads) {
            t.join();
        }
        QCOMPARE(failures.load(), 0);
        const auto page = stores[0]->versions("acme", "f", 100, 0);
        QCOMPARE(page.total, int64_t(48));
        for (size_t i = 0; i < page.versions.size(); ++i) {
            QCOMPARE(page.versions[i].revision, int64_t(48 - i)); // no gap, no repeat
        }
        // Both nodes expecting revision 48: exactly one wins.
        FlowStoreStatus results[2];
        std::thread a([&] {
            results[0] = stores[0]->append(flowversioncontract::makeVersion("f", "x"), 48).status;
        });
        results[1] = stores[1]->append(flowversioncontract::makeVersion("f", "y"), 48).status;
        a.join();
        QVERIFY((results[0] == FlowStoreStatus::Ok) != (results[1] == FlowStoreStatus::Ok));
        QVERIFY(results[0] == FlowStoreStatus::Conflict || results[1] == FlowStoreStatus::Conflict);
    }

    void schemaOpensConcurrentlyFromFourNodes() {
        const std::string fresh = freshDatabase("pgstores_concurrent");
        std::shared_ptr<PostgresDatabase> nodes[4];
        std::string errors[4];
        std::vector<std::thread> threads;
        for (int n = 0; n < 4; ++n) {
            threads.emplace_back([&, n] {
                PostgresOptions options;
                options.conninfo = fresh;
                nodes[n] = PostgresDatabase::open(options, &errors[n]);
            });
        }
        for (auto& t : threads) {
            t.join();
        }
        for (int n = 0; n < 4; ++n) {
            QVERIFY2(nodes[n], errors[n].c_str());
        }
        Admin admin(fresh);
        QCOMPARE(admin.scalar("SELECT count(*) FROM schema_version"), int64_t(1));
        storecontract::commitSeries(*nodes[0]->conversations(), "c", 2);
        QCOMPARE(nodes[3]->conversations()->load("acme", "c")->version, int64_t(2));
    }

    void refusesDatabaseWithNewerSchema() {
        const std::string fresh = freshDatabase("pgstores_newer");
        PostgresOptions options;
        options.conninfo = fresh;
        std::string error;
        QVERIFY2(PostgresDatabase::open(options, &error), error.c_str());
        {
            Admin admin(fresh);
            QCOMPARE(admin.exec("UPDATE schema_version SET version = 99"), std::string());
        }
        QVERIFY(!PostgresDatabase::open(options, &error));
        QVERIFY2(error.find("newer") != std::string::npos, error.c_str());
        QVERIFY2(error.find("99") != std::string::npos, error.c_str());
    }

    void unreachableServerFailsOpenNamingIt() {
        PostgresOptions options;
        options.conninfo = "host=127.0.0.1 port=1 dbname=flowdeck user=flowdeck";
        options.connectTimeout = 2s;
        std::string error;
        const auto started = std::chrono::steady_clock::now();
        QVERIFY(!PostgresDatabase::open(options, &error));
        QVERIFY(std::chrono::steady_clock::now() - started < 5s);
        QVERIFY2(error.find("port=1") != std::string::npos, error.c_str());
    }

    void connectionsKilledUnderThePoolAreReplacedByTheNextCall() {
        PostgresOptions options;
        options.conninfo = conninfo("application_name=pgstores_victim");
        options.connections = 3;
        auto db = open(options);
        QVERIFY(db);
        auto store = db->conversations();
        storecontract::commitSeries(*store, "c", 2);
        QVERIFY(killBackends("pgstores_victim") >= 1);
        QCOMPARE(store->load("acme", "c")->version, int64_t(2)); // a read
        QCOMPARE(db->lastReadError(), std::string());
        QVERIFY(killBackends("pgstores_victim") >= 1);
        ConversationState next = storecontract::makeState("c"); // a write
        const CommitResult result = store->commit(next, 2, storecontract::makeMessage("k3"));
        QVERIFY2(result.status == CommitStatus::Committed, result.error.c_str());
        QVERIFY(killBackends("pgstores_victim") >= 1);
        QCOMPARE(db->ping(), std::string("ok"));
    }

    void auditRoundTripsNewestFirst() {
        auto db = open();
        QVERIFY(db);
        std::string error;
        for (int i = 1; i <= 3; ++i) {
            const AuditRecord record{1000 + i, "node-" + std::to_string(i),
                                     "alice",  "Deploy",
                                     "acme",   "{\"n\":" + std::to_string(i) + ",\"who\":\"Zoë\"}"};
            QVERIFY2(db->appendAudit(record, &error), error.c_str());
        }
        const std::vector<AuditRecord> newest = db->audit(2);
        QCOMPARE(newest.size(), size_t(2));
        QCOMPARE(newest[0].atMs, int64_t(1003));
        QCOMPARE(newest[0].nodeId, std::string("node-3"));
        QCOMPARE(newest[0].subject, std::string("alice"));
        QCOMPARE(newest[0].method, std::string("Deploy"));
        QCOMPARE(newest[0].tenantId, std::string("acme"));
        QCOMPARE(newest[0].recordJson, std::string("{\"n\":3,\"who\":\"Zoë\"}"));
        QCOMPARE(newest[1].atMs, int64_t(1002));
        QCOMPARE(db->audit(10).size(), size_t(3));
        QVERIFY(db->audit(0).empty());
    }

    void notifyReachesAListenerAndRefusesOversizedPayloads() {
        auto db = open();
        QVERIFY(db);
        Admin listener(conninfo());
        QCOMPARE(listener.exec("LISTEN flowdeck_releases"), std::string());
        std::string error;
        QVERIFY2(db->notify("flowdeck_releases", "{\"flow\":\"orders\"}", &error), error.c_str());
        std::string received;
        const auto until = std::chrono::steady_clock::now() + 5s;
        while (received.empty() && std::chrono::steady_clock::now() < until) {
            PQconsumeInput(listener.handle());
            if (PGnotify* n = PQnotifies(listener.handle())) {
                received = std::string(n->relname) + " " + n->extra;
                PQfreemem(n);
            } else {
                std::this_thread::sleep_for(5ms);
            }
        }
        QCOMPARE(received, std::string("flowdeck_releases {\"flow\":\"orders\"}"));
        QVERIFY(!db->notify("flowdeck_releases", std::string(7001, 'x'), &error));
        QVERIFY2(error.find("7000") != std::string::npos, error.c_str());
        QVERIFY(!db->notify("", "x", &error));
    }

    // Last: restarts the server. Calls fail (bounded, with an error) while it is down, and the
    // same database object works again once it is back, without being reopened.
    void survivesPostgresRestartWithoutReopening() {
        auto db = open();
        QVERIFY(db);
        auto store = db->conversations();
        storecontract::commitSeries(*store, "c", 1);
        m_admin.reset();
        const std::string dir = m_server->dir();
        flowdeck::cluster::LocalPostgresOptions options;
        options.dir = dir;
        options.port = m_server->port();
        std::string error;
        QVERIFY2(m_server->stop(10s, &error), error.c_str());
        m_server.reset();

        const auto started = std::chrono::steady_clock::now();
        const CommitResult down =
            store->commit(storecontract::makeState("c"), 1, storecontract::makeMessage("k2"));
        QVERIFY(down.status == CommitStatus::Failed);
        QVERIFY(!down.error.empty());
        QVERIFY(!store->load("acme", "c").has_value());
        QVERIFY(!db->lastReadError().empty());
        QVERIFY(db->ping() != "ok");
        QVERIFY(std::chrono::steady_clock::now() - started < 10s);

        m_server = flowdeck::cluster::LocalPostgres::start(options, &error);
        QVERIFY2(m_server, error.c_str());
        QCOMPARE(db->ping(), std::string("ok"));
        const CommitResult up =
            store->commit(storecontract::makeState("c"), 1, storecontract::makeMessage("k2"));
        QVERIFY2(up.status == CommitStatus::Committed, up.error.c_str());
        QCOMPARE(store->load("acme", "c")->version, int64_t(2));
    }
};

QTEST_GUILESS_MAIN(tst_PostgresStore)
#include "tst_postgres_store.moc"
