#include "flowdeck/engine/integration_gateway.h"

#include <QtTest>

using namespace flowdeck::engine;

namespace {

const std::string kOrder = R"({
  "id": "o-42",
  "status": "shipped",
  "customer": {"name": "Zoë", "address": {"city": "Lyon", "zip": "69001"}},
  "items": [
    {"sku": "A-1", "qty": 1, "tags": ["new"]},
    {"sku": "B-2", "qty": 2},
    {"sku": "C-3", "qty": 5}
  ],
  "odd keys": {"a.b": 1, "sp ace": 2, "日本": "はい"},
  "empty": null
})";

std::string eval(const std::string& path, const std::string& json = kOrder) {
    std::string error = "not cleared";
    const std::string result = evaluateJsonPath(json, path, &error);
    if (!error.empty()) {
        return "error: " + error;
    }
    return result;
}

std::string errorOf(const std::string& path, const std::string& json = kOrder) {
    std::string error;
    evaluateJsonPath(json, path, &error);
    return error;
}

std::string nested(int depth) {
    return std::string(static_cast<size_t>(depth), '[') + "1" +
           std::string(static_cast<size_t>(depth), ']');
}

} // namespace

class tst_JsonPath : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void rootReturnsTheWholeDocument() {
        QCOMPARE(eval("$", R"({"a":[1,2]})"), std::string(R"({"a":[1,2]})"));
    }
    void dottedKeysWalkObjects() {
        QCOMPARE(eval("$.id"), std::string(R"("o-42")"));
        QCOMPARE(eval("$.customer.address.city"), std::string(R"("Lyon")"));
        QCOMPARE(eval("$.customer.name"), std::string(R"("Zoë")"));
    }
    void definitePathToAContainerReturnsItAsIs() {
        QCOMPARE(eval("$.customer.address"), std::string(R"({"city":"Lyon","zip":"69001"})"));
        QCOMPARE(eval("$.items[0].tags"), std::string(R"(["new"])"));
    }
    void bracketKeysAllowAnyCharacters() {
        // Plain literals here: moc misreads apostrophes and \" inside raw strings.
        QCOMPARE(eval("$['odd keys']['a.b']"), std::string("1"));
        QCOMPARE(eval("$[\"odd keys\"][\"sp ace\"]"), std::string("2"));
        QCOMPARE(eval("$['quote\"d']", "{\"quote\\\"d\": 3}"), std::string("3"));
        QCOMPARE(eval("$['odd keys'].日本"), std::string("\"はい\""));
        QCOMPARE(eval("$['it\\'s']", "{\"it's\": 4}"), std::string("4"));
        QCOMPARE(eval("$[\"it's\"]", "{\"it's\": 4}"), std::string("4"));
    }
    void indexesCountFromEitherEnd() {
        QCOMPARE(eval("$.items[1].sku"), std::string(R"("B-2")"));
        QCOMPARE(eval("$.items[-1].sku"), std::string(R"("C-3")"));
        QCOMPARE(eval("$.items[-3].qty"), std::string("1"));
        QCOMPARE(eval("$.items[3]"), std::string("null"));
        QCOMPARE(eval("$.items[-4]"), std::string("null"));
    }
    void wildcardReturnsEveryMatchAsAnArray() {
        QCOMPARE(eval("$.items[*].sku"), std::string(R"(["A-1","B-2","C-3"])"));
        QCOMPARE(eval("$.customer.address.*"), std::string(R"(["Lyon","69001"])"));
        QCOMPARE(eval("$.customer.address[*]"), std::string(R"(["Lyon","69001"])"));
        // One match still comes back as an array: the shape of a mapping must not depend on data.
        QCOMPARE(eval("$.items[*].tags[0]"), std::string(R"(["new"])"));
    }
    void recursiveDescentCollectsMatchesInDocumentOrder() {
        QCOMPARE(eval("$..sku"), std::string(R"(["A-1","B-2","C-3"])"));
        QCOMPARE(eval("$..city"), std::string(R"(["Lyon"])"));
        QCOMPARE(eval("$..['zip']"), std::string(R"(["69001"])"));
        QCOMPARE(eval("$.items..qty"), std::string("[1,2,5]"));
        QCOMPARE(eval("$..a", R"({"a":1,"b":{"a":2,"c":[{"a":3}]}})"), std::string("[1,2,3]"));
    }
    void noMatchIsNullWithoutError() {
        QCOMPARE(eval("$.missing"), std::string("null"));
        QCOMPARE(eval("$.id.deeper"), std::string("null"));
        QCOMPARE(eval("$.items.sku"), std::string("null"));
        QCOMPARE(eval("$..nowhere"), std::string("null"));
        QCOMPARE(eval("$.items[*].nowhere"), std::string("null"));
        QCOMPARE(eval("$.customer[0]"), std::string("null"));
        QCOMPARE(eval("$.empty"), std::string("null"));
    }
    void malformedPathsReportWhereTheyBreak() {
        QVERIFY(errorOf("id").find("position 0") != std::string::npos);
        QVERIFY(errorOf("id").find("must start with '$'") != std::string::npos);
        QVERIFY(errorOf("$.items[").find("position 7") != std::string::npos);
        QVERIFY(errorOf("$.items[1").find("position 9: expected ']'") != std::string::npos);
        QVERIFY(errorOf("$['id").find("unterminated quoted key") != std::string::npos);
        QVERIFY(errorOf("$.items[x]").find("position 8") != std::string::npos);
        QVERIFY(errorOf("$.").find("position 2: expected a key name") != std::string::npos);
        QVERIFY(errorOf("$id").find("position 1") != std::string::npos);
        QVERIFY(errorOf("$.a]").find("position 3") != std::string::npos);
        QVERIFY(errorOf("$.items[99999999999999999999]").find("position 8") != std::string::npos);
    }
    void malformedPathNamesThePath() {
        QCOMPARE(errorOf("$.a["),
                 std::string("malformed JSONPath '$.a[' at position 3: unclosed '['"));
    }
    void invalidDocumentIsAnErrorNotAnException() {
        const std::string error = errorOf("$.a", R"({"a": )");
        QVERIFY(error.find("not valid JSON") != std::string::npos);
        QVERIFY(errorOf("$", "").find("not valid JSON") != std::string::npos);
        QVERIFY(errorOf("$", "<html>502 Bad Gateway</html>").find("not valid JSON") !=
                std::string::npos);
    }
    void nestingDeeperThan128IsRefused() {
        QCOMPARE(eval("$", nested(128)), nested(128));
        QCOMPARE(errorOf("$", nested(129)),
                 std::string("JSON document nests deeper than 128 levels"));
        QVERIFY(!errorOf("$", std::string(100000, '[')).empty());
        QVERIFY(!errorOf("$", std::string(100000, '{')).empty());
    }
    void bracketsInsideStringsDoNotCountAsNesting() {
        const std::string text = std::string(300, '[') + "\\\"{";
        const std::string json = "{\"s\":\"" + text + "\"}";
        QCOMPARE(eval("$.s", json), R"(")" + text + R"(")");
    }
    void errorIsClearedOnSuccessAndOptional() {
        std::string error = "stale";
        QCOMPARE(evaluateJsonPath(kOrder, "$.status", &error), std::string(R"("shipped")"));
        QVERIFY(error.empty());
        QCOMPARE(evaluateJsonPath(kOrder, "$.[", nullptr), std::string("null"));
    }
};

QTEST_GUILESS_MAIN(tst_JsonPath)
#include "tst_json_path.moc"
