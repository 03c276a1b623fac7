#include "flowdeck/engine/flow_version_store.h"

#include <sqlite3.h>

#include <QTemporaryDir>
#include <QtTest>

#include <functional>
#include <memory>

using namespace flowdeck::engine;

namespace {

StoredFlowVersion makeVersion(const std::string& flowId, const std::string& label,
                              const std::string& json = R"({"name":"x"})") {
    StoredFlowVersion v;
    v.tenantId = "acme";
    v.flowId = flowId;
    v.version = label;
    v.flowJson = json;
    v.changeNote = "note " + label;
    v.errorCount = 0;
    v.warningCount = 2;
    v.name = "name of " + label;
    v.description = "about " + label;
    return v;
}

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
        forEachStore([](FlowVersionStore& store) {
            const auto first = store.append(makeVersion("orders", "1.0"), 0);
            QVERIFY(first.status == FlowStoreStatus::Ok);
            QCOMPARE(first.version.revision, int64_t(1));
            QCOMPARE(first.version.version, std::string("1.0"));
            QCOMPARE(first.version.digest, flowDigest(R"({"name":"x"})"));
            QVERIFY(first.version.createdAtMs > 0);
            const auto second = store.append(makeVersion("orders", "1.1", R"({"name":"y"})"), 1);
            QVERIFY(second.status == FlowStoreStatus::Ok);
            QCOMPARE(second.version.revision, int64_t(2));
            const auto got = store.version("acme", "orders", "1.0");
            QVERIFY(got.has_value());
            QCOMPARE(got->flowJson, std::string(R"({"name":"x"})"));
            QCOMPARE(got->changeNote, std::string("note 1.0"));
            QCOMPARE(got->warningCount, 2u);
        });
    }

    void takenOrEmptyLabelGetsTheRevisionNumber() {
        forEachStore([](FlowVersionStore& store) {
            QVERIFY(store.append(makeVersion("f", "1.0"), 0).status == FlowStoreStatus::Ok);
            QCOMPARE(store.append(makeVersion("f", "1.0"), 1).version.version, std::string("2"));
            QCOMPARE(store.append(makeVersion("f", ""), 2).version.version, std::string("3"));
            QCOMPARE(store.append(makeVersion("f", "5"), 3).version.version, std::string("5"));
            // Revision 5's number is taken by the label "5".
            QCOMPARE(store.append(makeVersion("f", ""), 4).version.version, std::string("5-2"));
        });
    }

    void createRefusesAnExistingFlowAndStaleRevisionConflicts() {
        forEachStore([](FlowVersionStore& store) {
            QVERIFY(store.append(makeVersion("f", "a"), 0).status == FlowStoreStatus::Ok);
            QVERIFY(store.append(makeVersion("f", "b"), 0).status ==
                    FlowStoreStatus::AlreadyExists);
            QVERIFY(store.append(makeVersion("f", "b"), 1).status == FlowStoreStatus::Ok);
            QVERIFY(store.append(makeVersion("f", "c"), 1).status == FlowStoreStatus::Conflict);
            QVERIFY(store.append(makeVersion("nope", "c"), 3).status == FlowStoreStatus::NotFound);
            QCOMPARE(store.flow("acme", "f")->versionCount, int64_t(2));
        });
    }

    void activateAndArchiveMoveOnlyTheFlowsState() {
        forEachStore([](FlowVersionStore& store) {
            store.append(makeVersion("f", "a"), 0);
            store.append(makeVersion("f", "b"), 1);
            QCOMPARE(store.flow("acme", "f")->activeVersion, std::string());
            QVERIFY(store.activate("acme", "f", "a") == FlowStoreStatus::Ok);
            QVERIFY(store.activate("acme", "f", "zz") == FlowStoreStatus::NotFound);
            auto flow = store.flow("acme", "f");
            QCOMPARE(flow->activeVersion, std::string("a"));
            QCOMPARE(flow->latestVersion, std::string("b"));
            QCOMPARE(flow->latestRevision, int64_t(2));
            QCOMPARE(flow->name, std::string("name of b")); // the latest version's
            QCOMPARE(flow->description, std::string("about b"));
            QVERIFY(store.version("acme", "f", "a")->published);
            QVERIFY(!store.version("acme", "f", "b")->published);
            QVERIFY(store.archive("acme", "f") == FlowStoreStatus::Ok);
            QVERIFY(store.archive("acme", "none") == FlowStoreStatus::NotFound);
            flow = store.flow("acme", "f");
            QVERIFY(flow->archived);
            QCOMPARE(flow->activeVersion, std::string());
            QCOMPARE(flow->versionCount, int64_t(2)); // versions are kept
            QVERIFY(store.activate("acme", "f", "b") == FlowStoreStatus::Ok);
            QVERIFY(!store.flow("acme", "f")->archived);
        });
    }

    void versionsArePagedNewestFirstWithoutDocuments() {
        forEachStore([](FlowVersionStore& store) {
            for (int i = 0; i < 5; ++i) {
                QVERIFY(store.append(makeVersion("f", "v" + std::to_string(i)), i).status ==
                        FlowStoreStatus::Ok);
            }
            const auto page = store.versions("acme", "f", 2, 1);
            QCOMPARE(page.total, int64_t(5));
            QCOMPARE(page.versions.size(), size_t(2));
            QCOMPARE(page.versions[0].version, std::string("v3"));
            QCOMPARE(page.versions[1].version, std::string("v2"));
            QVERIFY(page.versions[0].flowJson.empty());
            QCOMPARE(store.versions("acme", "f", 10, 5).versions.size(), size_t(0));
            QCOMPARE(store.versions("acme", "missing", 10, 0).total, int64_t(0));
        });
    }

    void flowsAreSeparatedByTenantAndOrderedById() {
        forEachStore([](FlowVersionStore& store) {
            store.append(makeVersion("zeta", "1"), 0);
            store.append(makeVersion("alpha", "1"), 0);
            auto other = makeVersion("alpha", "1");
            other.tenantId = "globex";
            QVERIFY(store.append(other, 0).status == FlowStoreStatus::Ok);
            const auto acme = store.flows("acme");
            QCOMPARE(acme.size(), size_t(2));
            QCOMPARE(acme[0].flowId, std::string("alpha"));
            QCOMPARE(acme[1].flowId, std::string("zeta"));
            QCOMPARE(store.flows("globex").size(), size_t(1));
            QCOMPARE(store.flows("").size(), size_t(3));
            QVERIFY(!store.flow("globex", "zeta").has_value());
        });
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
