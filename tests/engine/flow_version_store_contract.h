#pragma once

// The FlowVersionStore contract, checked the same way against every implementation (memory,
// SQLite, PostgreSQL): each function takes a fresh, empty store and records failures through
// QTest.

#include "flowdeck/engine/flow_version_store.h"

#include <QtTest>

#include <string>

namespace flowversioncontract {

using namespace flowdeck::engine;

inline StoredFlowVersion makeVersion(const std::string& flowId, const std::string& label,
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

inline void appendAssignsRevisionsAndKeepsLabels(FlowVersionStore& store) {
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
}

inline void takenOrEmptyLabelGetsTheRevisionNumber(FlowVersionStore& store) {
    QVERIFY(store.append(makeVersion("f", "1.0"), 0).status == FlowStoreStatus::Ok);
    QCOMPARE(store.append(makeVersion("f", "1.0"), 1).version.version, std::string("2"));
    QCOMPARE(store.append(makeVersion("f", ""), 2).version.version, std::string("3"));
    QCOMPARE(store.append(makeVersion("f", "5"), 3).version.version, std::string("5"));
    // Revision 5's number is taken by the label "5".
    QCOMPARE(store.append(makeVersion("f", ""), 4).version.version, std::string("5-2"));
}

inline void createRefusesAnExistingFlowAndStaleRevisionConflicts(FlowVersionStore& store) {
    QVERIFY(store.append(makeVersion("f", "a"), 0).status == FlowStoreStatus::Ok);
    QVERIFY(store.append(makeVersion("f", "b"), 0).status == FlowStoreStatus::AlreadyExists);
    QVERIFY(store.append(makeVersion("f", "b"), 1).status == FlowStoreStatus::Ok);
    QVERIFY(store.append(makeVersion("f", "c"), 1).status == FlowStoreStatus::Conflict);
    QVERIFY(store.append(makeVersion("nope", "c"), 3).status == FlowStoreStatus::NotFound);
    QCOMPARE(store.flow("acme", "f")->versionCount, int64_t(2));
}

inline void activateAndArchiveMoveOnlyTheFlowsState(FlowVersionStore& store) {
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
}

inline void versionsArePagedNewestFirstWithoutDocuments(FlowVersionStore& store) {
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
}

inline void flowsAreSeparatedByTenantAndOrderedById(FlowVersionStore& store) {
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
}

// Times only move forward, whichever node reports last; ids are kept exactly, whatever they hold.
inline void lastUsedOnlyMovesForward(FlowVersionStore& store) {
    QVERIFY(store.lastUsed().empty());
    const std::string odd = "we\"ird,{id} \\ 'x'";
    std::string error;
    QVERIFY2(store.recordLastUsed({{"orders", 1000}, {odd, 2000}}, &error), error.c_str());
    QVERIFY2(store.recordLastUsed({}, &error), error.c_str());
    // A node that reports late (or whose clock is behind) does not move a time back.
    QVERIFY2(store.recordLastUsed({{"orders", 500}, {"returns", 3000}}, &error), error.c_str());
    std::map<std::string, int64_t> expected = {{"orders", 1000}, {odd, 2000}, {"returns", 3000}};
    QCOMPARE(store.lastUsed(), expected);
    QVERIFY2(store.recordLastUsed({{"orders", 1500}}, &error), error.c_str());
    expected["orders"] = 1500;
    QCOMPARE(store.lastUsed(), expected);
}

} // namespace flowversioncontract
