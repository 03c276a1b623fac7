#include "flow_version_store_contract.h"

#include "flowdeck/engine/flow_version_store.h"

#include <sqlite3.h>

#include <QTemporaryDir>
#include <QtTest>

#include <functional>
#include <memory>

using namespace flowdeck::engine;

namespace {

using flowversioncontract::makeVersion;

using Factory = std::function<std::unique_ptr<FlowVersionStore>()>;

} // namespace

class tst_FlowVersionStore : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    int m_files = 0;

    std::unique_ptr<FlowVersionStore> openSqlite(const QString& name) {
        std::string error;
        auto store = openSqliteFlowVersionStore(m_dir.filePath(name).toStdString(), &error);
        if (!store) {
            qWarning("%s", error.c_str());
        }
        return store;
    }

    // Each contract check runs against both implementations.
    void forEachStore(const std::function<void(FlowVersionStore&)>& check) {
        const std::vector<std::pair<const char*, Factory>> factories = {
            {"memory", [] { return makeMemoryFlowVersionStore(); }},
            {"sqlite",
             [this] { return openSqlite(QString("contract-%1.sqlite").arg(++m_files)); }}};
        for (const auto& [name, factory] : factories) {
            auto store = factory();
            QVERIFY2(store != nullptr, name);
            check(*store);
            if (QTest::currentTestFailed()) {
                qWarning("failed with the %s store", name);
                return;
            }
        }
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void digestIsSha256OfTheDocument() {
        QCOMPARE(
            flowDigest(""),
            std::string("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
        QCOMPARE(
            flowDigest("abc"),
            std::string("sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
        const std::string million(1000000, 'a'); // crosses many blocks
        QCOMPARE(
            flowDigest(million),
            std::string("sha256:cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"));
    }

    void appendAssignsRevisionsAndKeepsLabels() {
        forEachStore(flowversioncontract::appendAssignsRevisionsAndKeepsLabels);
    }

    void lastUsedOnlyMovesForward() { forEachStore(flowversioncontract::lastUsedOnlyMovesForward); }

    void lastUsedSurvivesReopeningTheFile() {
        {
            auto store = openSqlite("last-used.sqlite");
            QVERIFY(store);
            std::string error;
            QVERIFY2(store->recordLastUsed({{"orders", 1234}}, &error), error.c_str());
        }
        auto reopened = openSqlite("last-used.sqlite");
        QVERIFY(reopened);
        QCOMPARE(reopened->lastUsed(), (std::map<std::string, int64_t>{{"orders", 1234}}));
    }

    void takenOrEmptyLabelGetsTheRevisionNumber() {
        forEachStore(flowversioncontract::takenOrEmptyLabelGetsTheRevisionNumber);
    }

    void createRefusesAnExistingFlowAndStaleRevisionConflicts() {
        forEachStore(flowversioncontract::createRefusesAnExistingFlowAndStaleRevisionConflicts);
    }

    void activateAndArchiveMoveOnlyTheFlowsState() {
        forEachStore(flowversioncontract::activateAndArchiveMoveOnlyTheFlowsState);
    }

    void versionsArePagedNewestFirstWithoutDocuments() {
        forEachStore(flowversioncontract::versionsArePagedNewestFirstWithoutDocuments);
    }

    void flowsAreSeparatedByTenantAndOrderedById() {
        forEachStore(flowversioncontract::flowsAreSeparatedByTenantAndOrderedById);
    }

    void sqliteKeepsEverythingAcrossReopen() {
        {
            auto store = openSqlite("reopen.sqlite");
            QVERIFY(store);
            store->append(makeVersion("f", "a"), 0);
            store->append(makeVersion("f", "b", R"({"b":1})"), 1);
            store->activate("acme", "f", "b");
        }
        auto store = openSqlite("reopen.sqlite");
        QVERIFY(store);
        const auto flow = store->flow("acme", "f");
        QVERIFY(flow.has_value());
        QCOMPARE(flow->activeVersion, std::string("b"));
        QCOMPARE(flow->versionCount, int64_t(2));
        QCOMPARE(store->version("acme", "f", "b")->flowJson, std::string(R"({"b":1})"));
        QVERIFY(store->append(makeVersion("f", "c"), 2).status == FlowStoreStatus::Ok);
    }

    void sqliteRefusesRewritingAStoredDocument() {
        const QString path = m_dir.filePath("immutable.sqlite");
        {
            std::string error;
            auto store = openSqliteFlowVersionStore(path.toStdString(), &error);
            QVERIFY2(store, error.c_str());
            store->append(makeVersion("f", "a"), 0);
        }
        sqlite3* db = nullptr;
        QCOMPARE(sqlite3_open(path.toUtf8().constData(), &db), SQLITE_OK);
        char* message = nullptr;
        const int rc = sqlite3_exec(db, "UPDATE flow_versions SET flow_json = '{}'", nullptr,
                                    nullptr, &message);
        const std::string text = message ? message : "";
        sqlite3_free(message);
        sqlite3_close(db);
        QVERIFY(rc != SQLITE_OK);
        QVERIFY2(text.find("immutable") != std::string::npos, text.c_str());
    }

    void sqliteOpenFailsWithAClearError() {
        std::string error;
        auto store = openSqliteFlowVersionStore("/nonexistent-dir/flows.sqlite", &error);
        QVERIFY(!store);
        QVERIFY2(error.find("/nonexistent-dir/flows.sqlite") != std::string::npos, error.c_str());
    }
};

QTEST_GUILESS_MAIN(tst_FlowVersionStore)
#include "tst_flow_version_store.moc"
