// Test suites: reading the file format (with pointers for every mistake), running cases against
// stubs, coverage, the readable failure report and the JUnit XML.
#include "executor_harness.h"
#include "flowdeck/engine/stub_file.h"
#include "flowdeck/engine/test_suite.h"

#include <QProcess>
#include <QXmlStreamReader>
#include <QtTest>

using namespace flowdeck::engine;
using test::compileFile;
using test::compileText;
using test::readTextFile;

namespace {

const std::string kFlows = RESOURCES_DIR "/flows/";

// Two waiting states and a condition between them: 3 states, 4 transitions.
const char* kSmallFlow = R"({
  "name": "small", "initial_state": "ask",
  "states": {
    "ask": { "type": "response", "config": { "response_templates": { "default": "Yes or no?" } },
             "transitions": [
               { "condition": "expression", "expression": "input == 'yes'", "target_state": "route", "priority": 5 },
               { "condition": "any_input", "target_state": "ask" } ] },
    "route": { "type": "condition",
               "transitions": [ { "condition": "fallback", "target_state": "done" } ] },
    "done": { "type": "end", "config": { "response_templates": { "default": "Done, {{user.name}}." } },
              "transitions": [ { "condition": "any_input", "target_state": "done" } ] }
  }
})";

// Names and texts that XML must escape: markup characters, quotes, a control character. Built
// as JSON values: moc's lexer stumbles over such raw string literals.
std::string junitSuiteText() {
    Json passes = {
        {"name", "passes <&> \"quoted\" 'single'"},
        {"turns", {Json::object(), {{"input", "yes"}, {"expect", {{"state", "done"}}}}}}};
    Json fails = {
        {"name", "fails \x01 control"},
        {"turns", {Json::object(), {{"input", "a < b & c"}, {"expect", {{"reply", "x]]>y"}}}}}}};
    return Json{{"cases", {passes, fails}}}.dump();
}

TestSuite parseOrFail(const std::string& text) {
    TestSuite suite;
    const auto diagnostics = parseTestSuite(text, suite);
    if (!diagnostics.empty()) {
        throw std::runtime_error("suite does not parse: " + formatDiagnostic(diagnostics[0]));
    }
    return suite;
}

// The single diagnostic of an invalid suite, for pointer and message checks.
Diagnostic onlyDiagnostic(const std::string& text) {
    TestSuite suite;
    const auto diagnostics = parseTestSuite(text, suite);
    if (diagnostics.size() != 1) {
        std::string all;
        for (const auto& d : diagnostics) {
            all += formatDiagnostic(d) + "\n";
        }
        throw std::runtime_error("expected one diagnostic, got " +
                                 std::to_string(diagnostics.size()) + ":\n" + all);
    }
    return diagnostics[0];
}

std::string oneCase(const std::string& turns) {
    return R"({"cases": [{"name": "c", "turns": )" + turns + "}]}";
}

} // namespace

class tst_TestSuite : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void readsEveryDocumentedField() {
        const TestSuite suite = parseOrFail(R"({
          "flow": "order_support",
          "stubs": { "orders_api": { "kind": "failure", "status": 503 } },
          "cases": [ { "name": "happy", "user": { "name": "Ana", "premium": true },
            "stubs": { "orders_api": { "kind": "success", "body": { "order": {} } } },
            "turns": [
              { "expect": { "state": "greeting", "reply_contains": "Hello" } },
              { "input": "where is my order 12345", "set": { "vars": { "x": 1 } },
                "expect": { "state": "order_status", "path": ["lookup_order", "order_status"],
                            "reply": "exact text", "reply_contains": "12345", "reply_matches": "[0-9]+",
                            "intent": "order_status", "slots": { "order_id": "12345" },
                            "vars": { "x": 1 }, "error": "TIMEOUT_ERROR" } },
              { "type": "timeout", "attributes": { "intent": "x" } } ] } ] })");
        QCOMPARE(suite.flowId, std::string("order_support"));
        QCOMPARE(suite.cases.size(), size_t(1));
        const TestCase& c = suite.cases[0];
        QCOMPARE(c.user["premium"], Json(true));
        QCOMPARE(c.turns.size(), size_t(3));
        QVERIFY(!c.turns[0].input.has_value());
        const TestExpectation& e = c.turns[1].expect;
        QCOMPARE(e.path,
                 (std::optional<std::vector<std::string>>{{"lookup_order", "order_status"}}));
        QCOMPARE(e.replyMatches, std::optional<std::string>("[0-9]+"));
        QCOMPARE((*e.slots)["order_id"], Json("12345"));
        QCOMPARE(e.error, std::optional<std::string>("TIMEOUT_ERROR"));
        QCOMPARE(c.turns[1].set["vars"]["x"], Json(1));
        QCOMPARE(c.turns[2].type, std::string("timeout"));
        QCOMPARE(c.turns[2].attributes.at("intent"), std::string("x"));
    }

    void serializingRoundTrips() {
        const TestSuite suite = parseOrFail(readTextFile(kFlows + "order_support.suite.json"));
        const std::string text = serializeTestSuite(suite);
        const TestSuite again = parseOrFail(text);
        QCOMPARE(serializeTestSuite(again), text);
        QCOMPARE(again.cases.size(), suite.cases.size());
        QCOMPARE(again.stubs, suite.stubs);
    }

    void unknownExpectationKeyIsReportedWithItsPointer() {
        const Diagnostic d =
            onlyDiagnostic(oneCase(R"([{}, {"input": "hi", "expect": {"stat": "greeting"}}])"));
        QCOMPARE(d.pointer, std::string("/cases/0/turns/1/expect/stat"));
        QVERIFY2(d.message.find("unknown expectation key 'stat'") != std::string::npos,
                 d.message.c_str());
        QVERIFY(d.severity == Severity::Error);
    }

    void mistakesAreReportedWithPointers_data() {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("pointer");
        QTest::addColumn<QString>("words");
        QTest::newRow("no cases") << R"({"flow": "x"})"
                                  << "/cases"
                                  << "needs \"cases\"";
        QTest::newRow("cases not array") << R"({"cases": {}})"
                                         << "/cases"
                                         << "must be an array";
        QTest::newRow("later turn without input")
            << QString::fromStdString(oneCase(R"([{}, {"expect": {}}])"))
            << "/cases/0/turns/1/input"
            << "only the first turn";
        QTest::newRow("path of numbers")
            << QString::fromStdString(oneCase(R"([{"expect": {"path": ["a", 3]}}])"))
            << "/cases/0/turns/0/expect/path/1"
            << "must be a string";
        QTest::newRow("bad regex")
            << QString::fromStdString(oneCase("[{\"expect\": {\"reply_matches\": \"[unclosed\"}}]"))
            << "/cases/0/turns/0/expect/reply_matches"
            << "not a valid regular expression";
        QTest::newRow("bad error code")
            << QString::fromStdString(oneCase(R"([{"expect": {"error": "OOPS"}}])"))
            << "/cases/0/turns/0/expect/error"
            << "not an engine error code";
        QTest::newRow("bad stub kind")
            << R"({"cases": [{"name": "c", "stubs": {"api": {"kind": "sometimes"}}, "turns": [{}]}]})"
            << "/cases/0/stubs/api/kind"
            << "kind must be one of";
        QTest::newRow("no turns") << QString::fromStdString(oneCase("[]")) << "/cases/0/turns"
                                  << "has 0 turns";
        QTest::newRow("set on the opening")
            << QString::fromStdString(oneCase(R"([{"set": {"slots": {}}}])"))
            << "/cases/0/turns/0/set"
            << "opening turn";
        QTest::newRow("unknown case key") << R"({"cases": [{"nmae": "c", "turns": [{}]}]})"
                                          << "/cases/0/nmae"
                                          << "unknown test case key 'nmae'";
    }
    void mistakesAreReportedWithPointers() {
        QFETCH(QString, text);
        QFETCH(QString, pointer);
        QFETCH(QString, words);
        const Diagnostic d = onlyDiagnostic(text.toStdString());
        QCOMPARE(QString::fromStdString(d.pointer), pointer);
        QVERIFY2(QString::fromStdString(d.message).contains(words), d.message.c_str());
    }

    void syntaxErrorsGiveALineAndLimitsAreEnforced() {
        TestSuite suite;
        auto diagnostics = parseTestSuite("{\n  \"cases\": [\n    {,\n  ]\n}", suite);
        QVERIFY(!diagnostics.empty());
        QCOMPARE(diagnostics[0].line, 3);

        TestSuiteLimits limits;
        limits.maxCases = 2;
        const std::string three =
            R"({"cases": [{"turns": [{}]}, {"turns": [{}]}, {"turns": [{}]}]})";
        diagnostics = parseTestSuite(three, suite, limits);
        QCOMPARE(diagnostics.size(), size_t(1));
        QCOMPARE(diagnostics[0].code, std::string("LIMIT_EXCEEDED"));
        limits = {};
        limits.maxBytes = 10;
        QCOMPARE(parseTestSuite(three, suite, limits).at(0).code, std::string("LIMIT_EXCEEDED"));
        QVERIFY(suite.cases.empty()); // nothing filled in from an invalid file
    }

    void sampleSuitesPassWithCoverage_data() {
        QTest::addColumn<QString>("flow");
        QTest::addColumn<QString>("suite");
        QTest::newRow("order_support") << "order_support.json"
                                       << "order_support.suite.json";
        QTest::newRow("booking") << "booking.json"
                                 << "booking.suite.json";
    }
    void sampleSuitesPassWithCoverage() {
        QFETCH(QString, flow);
        QFETCH(QString, suite);
        TestSuite loaded;
        const auto diagnostics = loadTestSuiteFile(kFlows + suite.toStdString(), loaded);
        QVERIFY2(diagnostics.empty(), diagnostics.empty() ? "" : diagnostics[0].message.c_str());
        const auto compiled = compileFile(kFlows + flow.toStdString());
        const SuiteResult result = runTestSuite(compiled, loaded);
        QVERIFY2(result.failed == 0, formatSuiteResult(result).c_str());
        QCOMPARE(result.passed, loaded.cases.size());
        QCOMPARE(result.coverage.totalStates, sourceFlow(*compiled).states.size());
        QVERIFY(result.coverage.states.size() >= result.coverage.totalStates - 1);
        QVERIFY(result.engineUs > 0);
    }

    // Editors validate suites with resources/schema/test_suite.schema.json: the sample suites and
    // what serializeTestSuite writes must pass it, and it must refuse an unknown key too.
    void schemaAcceptsTheSampleSuitesAndWhatIsSaved() {
        const QString script =
            QStringLiteral("import json, sys, jsonschema\n"
                           "v = jsonschema.Draft202012Validator(json.load(open(sys.argv[1])))\n"
                           "for path in sys.argv[2:]:\n"
                           "    print(path, len(list(v.iter_errors(json.load(open(path))))))\n");
        QTemporaryDir dir;
        const TestSuite suite = parseOrFail(readTextFile(kFlows + "order_support.suite.json"));
        const QString saved = dir.filePath("saved.json");
        const QString typo = dir.filePath("typo.json");
        for (const auto& [path, text] :
             {std::pair{saved, serializeTestSuite(suite)},
              std::pair{typo, oneCase(R"([{"expect": {"stat": "x"}}])")}}) {
            QFile file(path);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write(QByteArray::fromStdString(text));
        }
        QProcess python;
        python.start("/usr/bin/python3",
                     {"-c", script, QStringLiteral(RESOURCES_DIR "/schema/test_suite.schema.json"),
                      QString::fromStdString(kFlows + "order_support.suite.json"),
                      QString::fromStdString(kFlows + "booking.suite.json"), saved, typo});
        QVERIFY(python.waitForFinished(30000));
        const QString out = QString::fromUtf8(python.readAllStandardOutput());
        QVERIFY2(python.exitCode() == 0, qPrintable(python.readAllStandardError()));
        const QStringList lines = out.trimmed().split('\n');
        QCOMPARE(lines.size(), 4);
        for (int i = 0; i < 3; ++i) {
            QVERIFY2(lines[i].endsWith(" 0"), qPrintable(out));
        }
        QVERIFY2(lines[3].endsWith(" 1"), qPrintable(out));
    }

    void coverageCountsStatesEnteredAndTransitionsTaken() {
        const auto flow = compileText(kSmallFlow);
        const TestSuite suite =
            parseOrFail(oneCase(R"([{}, {"input": "maybe"}, {"input": "yes"}])"));
        const SuiteResult result = runTestSuite(flow, suite);
        QCOMPARE(result.coverage.totalStates, size_t(3));
        QCOMPARE(result.coverage.totalTransitions, size_t(4));
        QCOMPARE(result.coverage.states, (std::set<std::string>{"ask", "route", "done"}));
        const std::set<std::pair<std::string, int>> taken = {{"ask", 0}, {"ask", 1}, {"route", 0}};
        QVERIFY(result.coverage.transitions == taken); // done's own loop was never taken
        QCOMPARE(uncoveredStates(*flow, emptyCoverage(*flow)).size(), size_t(3));
        QVERIFY(uncoveredStates(*flow, result.coverage).empty());
    }

    void failuresSayWhatWasExpectedAndWhatHappened() {
        const auto flow = compileText(kSmallFlow);
        const TestSuite suite =
            parseOrFail(R"({"cases": [{"name": "says yes", "user": {"name": "Ana"},
          "turns": [{}, {"input": "no",
            "expect": {"state": "done", "path": ["route", "done"], "reply": "Done, Ana.",
                       "reply_contains": "Done", "reply_matches": "^Done", "slots": {"x": 1}}}]}]})");
        const SuiteResult result = runTestSuite(flow, suite);
        QCOMPARE(result.failed, size_t(1));
        const CaseResult& c = result.cases[0];
        QVERIFY(!c.passed);
        std::set<std::string> fields;
        for (const auto& f : c.failures) {
            QCOMPARE(f.turn, size_t(1));
            fields.insert(f.field);
        }
        QCOMPARE(fields, (std::set<std::string>{"state", "path", "reply", "reply_contains",
                                                "reply_matches", "slots.x"}));
        QCOMPARE(c.failures[0].expected, std::string("done"));
        QCOMPARE(c.failures[0].actual, std::string("ask"));
        QCOMPARE(c.actualPaths[1], std::vector<std::string>{"ask"});
        const std::string text = formatSuiteResult(result);
        QVERIFY2(text.find("FAIL  says yes") != std::string::npos, text.c_str());
        QVERIFY2(
            text.find("turn 1 (\"no\"): path differs at step 1: expected 'route', got 'ask'") !=
                std::string::npos,
            text.c_str());
        QVERIFY2(text.find("expected: route -> done") != std::string::npos, text.c_str());
        QVERIFY2(text.find("0 passed, 1 failed") != std::string::npos, text.c_str());
    }

    void slotExpectedNullMeansNotSet() {
        const auto flow = compileFile(kFlows + "order_support.json");
        const TestSuite suite = parseOrFail(R"({"stubs": {"orders_api": {"body": {"order": {}}}},
          "cases": [{"turns": [{}, {"input": "track my order", "expect": {"slots": {"order_id": null}}},
            {"input": "AB-12345", "expect": {"slots": {"order_id": null}}}]}]})");
        const SuiteResult result = runTestSuite(flow, suite);
        QCOMPARE(result.cases[0].failures.size(), size_t(1));
        QCOMPARE(result.cases[0].failures[0].turn, size_t(2));
        QCOMPARE(result.cases[0].failures[0].actual, std::string("\"AB-12345\""));
    }

    void anEngineErrorFailsTheCaseUnlessExpected() {
        const auto flow = compileText(R"({"name": "broken", "initial_state": "a", "states": {
          "a": {"type": "response", "transitions": [{"condition": "any_input", "target_state": "nowhere"}]}}})");
        TestSuite suite = parseOrFail(oneCase(R"([{}, {"input": "hi"}])"));
        SuiteResult result = runTestSuite(flow, suite);
        QCOMPARE(result.cases[0].failures.size(), size_t(1));
        QCOMPARE(result.cases[0].failures[0].field, std::string("error"));
        QVERIFY(result.cases[0].failures[0].actual.find("STATE_ERROR") == 0);
        suite =
            parseOrFail(oneCase(R"([{}, {"input": "hi", "expect": {"error": "STATE_ERROR"}}])"));
        QCOMPARE(runTestSuite(flow, suite).passed, size_t(1));
    }

    void eachCaseHasItsOwnStubsAndConversation() {
        const auto flow = compileFile(kFlows + "order_support.json");
        // A sequence: the first call fails (404: no retry), later ones succeed. Each case starts
        // the sequence over.
        const std::string turns = R"([{}, {"input": "track my order"},
            {"input": "AB-12345", "expect": {"state": "lookup_failed"}}])";
        const TestSuite suite = parseOrFail(
            R"({"stubs": {"orders_api": [{"kind": "failure", "status": 404},
                                         {"body": {"order": {"status": "shipped"}}}]},
                "cases": [{"name": "one", "turns": )" +
            turns + R"(}, {"name": "two", "turns": )" + turns + "}]}");
        const SuiteResult result = runTestSuite(flow, suite);
        QVERIFY2(result.failed == 0, formatSuiteResult(result).c_str());
    }

    void savedConversationPassesAndCatchesABreakingEdit() {
        const Json stubJson = Json::parse(readTextFile(kFlows + "order_support.stubs.json"));
        auto stubs = std::make_shared<StubGateway>();
        QVERIFY(loadStubs(stubJson.dump(), *stubs).empty());
        Simulation recorder(compileFile(kFlows + "order_support.json"), stubs);
        recorder.start({{"name", "Ana"}});
        recorder.send(test::textMessage("where is my order?"));
        recorder.conversation().user["premium"] = true; // an edit between messages
        recorder.send(test::textMessage("AB-12345"));
        TestSuite suite;
        suite.cases.push_back(testCaseFromTurns("recorded", recorder.turns(), stubJson));
        QCOMPARE(suite.cases[0].turns[2].set["user"]["premium"], Json(true));
        QCOMPARE(suite.cases[0].turns[2].expect.state,
                 std::optional<std::string>("report_shipped"));

        // Saved, loaded back, run: passes.
        const TestSuite loaded = parseOrFail(serializeTestSuite(suite));
        QVERIFY2(runTestSuite(recorder.flowPtr(), loaded).failed == 0, "recorded case fails");

        std::string text = readTextFile(kFlows + "order_support.json");
        const std::string from = "has shipped with";
        text.replace(text.find(from), from.size(), "went out with");
        const SuiteResult broken = runTestSuite(compileText(text), loaded);
        QCOMPARE(broken.failed, size_t(1));
        QCOMPARE(broken.cases[0].failures[0].field, std::string("reply"));
    }

    void progressIsReportedAndCancelStopsBetweenCases() {
        const auto flow = compileText(kSmallFlow);
        TestSuite suite = parseOrFail(oneCase(R"([{}, {"input": "yes"}])"));
        suite.cases.resize(5, suite.cases[0]);
        std::atomic<bool> cancel{false};
        std::vector<size_t> done;
        SuiteRunOptions options;
        options.cancel = &cancel;
        options.progress = [&](size_t n, size_t total) {
            QCOMPARE(total, size_t(5));
            done.push_back(n);
            if (n == 2) {
                cancel = true;
            }
        };
        const SuiteResult result = runTestSuite(flow, suite, options);
        QCOMPARE(done, (std::vector<size_t>{1, 2}));
        QVERIFY(result.cancelled);
        QCOMPARE(result.cases.size(), size_t(2));
    }

    void junitReportIsWellFormedWithTheRightCounts() {
        const auto flow = compileText(kSmallFlow);
        const TestSuite suite = parseOrFail(junitSuiteText());
        const SuiteResult result = runTestSuite(flow, suite);
        const std::string xml = junitXml(result, "small & <suite>");
        QXmlStreamReader reader(QByteArray::fromStdString(xml));
        int testcases = 0;
        int failures = 0;
        QStringList names;
        QString failureText;
        while (!reader.atEnd()) {
            reader.readNext();
            if (reader.isStartElement() && reader.name() == QLatin1String("testsuite")) {
                QCOMPARE(reader.attributes().value("tests").toString(), QString("2"));
                QCOMPARE(reader.attributes().value("failures").toString(), QString("1"));
                QCOMPARE(reader.attributes().value("name").toString(), QString("small & <suite>"));
            } else if (reader.isStartElement() && reader.name() == QLatin1String("testcase")) {
                ++testcases;
                names << reader.attributes().value("name").toString();
            } else if (reader.isStartElement() && reader.name() == QLatin1String("failure")) {
                ++failures;
                failureText = reader.readElementText();
            }
        }
        QVERIFY2(!reader.hasError(),
                 qPrintable(reader.errorString() + "\n" + QString::fromStdString(xml)));
        QCOMPARE(testcases, 2);
        QCOMPARE(failures, 1);
        QCOMPARE(names[0], QString("passes <&> \"quoted\" 'single'"));
        QVERIFY(failureText.contains("expected: x]]>y"));
    }
};

QTEST_GUILESS_MAIN(tst_TestSuite)
#include "tst_test_suite.moc"
