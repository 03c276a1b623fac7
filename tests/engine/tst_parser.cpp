#include "flowdeck/engine/flow_generator.h"
#include "flowdeck/engine/flow_json.h"

#include <QtTest>

#include <fstream>
#include <sstream>

using namespace flowdeck::engine;

class tst_Parser : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void rejectsTheSeedsMalformedFlows_data();
    void rejectsTheSeedsMalformedFlows();
    void reportsCodeAndPointerForEachMalformedShape_data();
    void reportsCodeAndPointerForEachMalformedShape();
    void syntaxErrorGivesLineAndColumn();
    void reportsEveryErrorNotOnlyTheFirst();
    void capsReportedErrors();
    void rejectsTwoStatesWithTheSameName();
    void parsesAndRoundTripsTheSeedsUnicodeFlow();
    void roundTripsEveryValidDocumentExactly_data();
    void roundTripsEveryValidDocumentExactly();
    void leavesSemanticProblemsToTheLinter();
    void keepsUnknownKeysAndConfigKeys();
    void parsesTheSeedsThousandStateFlow();
    void refusesDeepNestingWithoutCrashing();
    void refusesDeepNestingInBuiltDocuments();
    void refusesOversizedDocuments();
    void refusesTooManyStatesAndTransitions();
    void refusesOverlongStrings();
    void refusesNumbersTooLargeForJson();
    void reportsMissingAndUnreadableFiles();
    void parsesFilesAndBuiltDocumentsAlike();
    void writesOptionalFieldsOnlyWhenPresent();
};

// moc misreads the raw string literals below; it only needs the class above.
#ifndef Q_MOC_RUN

namespace {

const QString kFlows = QStringLiteral(TEST_DATA_DIR "/flows");

std::string readText(const QString& path) {
    std::ifstream in(path.toStdString(), std::ios::binary);
    std::stringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
}

const Diagnostic* findDiagnostic(const ParseResult& result, const std::string& code,
                                 const std::string& pointer) {
    for (const auto& d : result.diagnostics) {
        if (d.code == code && d.pointer == pointer) {
            return &d;
        }
    }
    return nullptr;
}

QString describe(const ParseResult& result) {
    QStringList lines;
    for (const auto& d : result.diagnostics) {
        lines << QString::fromStdString(formatDiagnostic(d));
    }
    return lines.join('\n');
}

// The seed's test_maximum_complexity_flows document: states in a ring, two transitions each.
Json seedComplexFlow(int states) {
    return generateSeedRingFlow(static_cast<size_t>(states));
}

std::string manyStates(int count) {
    std::string text = R"({"name": "many", "states": {)";
    for (int i = 0; i < count; ++i) {
        text += (i ? "," : "") + std::string("\"s") + std::to_string(i) + R"(": {"type": "end"})";
    }
    return text + "}}";
}

} // namespace

void tst_Parser::rejectsTheSeedsMalformedFlows_data() {
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("code");
    QTest::addColumn<QString>("pointer");
    QTest::newRow("truncated JSON") << R"({"name": "test", "states": {)"
                                    << "JSON_SYNTAX"
                                    << "/states";
    QTest::newRow("missing states") << R"({"name": "test_flow"})"
                                    << "MISSING_FIELD"
                                    << "/states";
    QTest::newRow("states not an object")
        << R"({"name": "test_flow", "initial_state": "start", "states": "not_an_object"})"
        << "WRONG_TYPE"
        << "/states";
    QTest::newRow("invalid state type")
        << R"({"name": "test_flow", "initial_state": "start", "states": {"start": {"type": "invalid_type", "config": {}, "transitions": []}}})"
        << "UNKNOWN_STATE_TYPE"
        << "/states/start/type";
}

void tst_Parser::rejectsTheSeedsMalformedFlows() {
    QFETCH(QString, text);
    QFETCH(QString, code);
    QFETCH(QString, pointer);
    const auto result = parseFlow(text.toStdString());
    QVERIFY(!result.ok());
    QVERIFY2(findDiagnostic(result, code.toStdString(), pointer.toStdString()) != nullptr,
             qPrintable(describe(result)));
    QCOMPARE(result.diagnostics.size(), size_t(1)); // one problem, one finding
    QVERIFY(!result.diagnostics.front().message.empty());
}

void tst_Parser::reportsCodeAndPointerForEachMalformedShape_data() {
    QTest::addColumn<QString>("file");
    QTest::addColumn<QStringList>("expected"); // "CODE pointer", all of them
    QTest::addColumn<QString>("state");
    QTest::addColumn<int>("transition");
    auto row = [](const char* file, QStringList expected, QString state = {}, int t = -1) {
        QTest::newRow(file) << QString(file) << expected << state << t;
    };
    row("invalid_missing_name.json", {"MISSING_FIELD /name"});
    row("invalid_name_not_string.json", {"WRONG_TYPE /name"});
    row("invalid_version_number.json", {"WRONG_TYPE /version"});
    row("invalid_not_object.json", {"WRONG_TYPE "});
    row("invalid_missing_state_type.json", {"MISSING_FIELD /states/start/type"}, "start");
    row("invalid_state_not_object.json", {"WRONG_TYPE /states/start"}, "start");
    row("invalid_transitions_not_array.json", {"WRONG_TYPE /states/start/transitions"}, "start");
    row("invalid_transition_not_object.json", {"WRONG_TYPE /states/start/transitions/1"}, "start",
        1);
    row("invalid_priority.json", {"WRONG_TYPE /states/detect/transitions/1/priority"}, "detect", 1);
    row("invalid_priority_fraction.json", {"WRONG_TYPE /states/detect/transitions/0/priority"},
        "detect", 0);
    row("invalid_unknown_condition.json", {"UNKNOWN_CONDITION /states/s/transitions/0/condition"},
        "s", 0);
    row("invalid_missing_condition.json", {"MISSING_FIELD /states/s/transitions/0/condition"}, "s",
        0);
    row("invalid_target_not_string.json", {"WRONG_TYPE /states/s/transitions/0/target_state"}, "s",
        0);
    row("invalid_config_not_object.json", {"WRONG_TYPE /states/s/config"}, "s");
    row("invalid_config_kind.json",
        {"WRONG_TYPE /states/s/config/timeout_ms",
         "WRONG_TYPE /states/s/config/response_templates/default"},
        "s");
    row("invalid_intents_shape.json",
        {"WRONG_TYPE /states/s/config/intents/book",
         "WRONG_TYPE /states/s/config/confidence_threshold"},
        "s");
    row("invalid_slot_type.json", {"UNKNOWN_SLOT_TYPE /states/s/config/slots/0/type"}, "s");
    row("invalid_slot_missing_name.json",
        {"MISSING_FIELD /states/s/config/slots/0/name",
         "WRONG_TYPE /states/s/config/slots/0/required"},
        "s");
    row("invalid_body_kind.json",
        {"WRONG_TYPE /states/s/config/body", "WRONG_TYPE /states/s/config/retries"}, "s");
    row("invalid_global_handlers.json", {"WRONG_TYPE /global_handlers/cancel"});
    row("invalid_settings.json", {"WRONG_TYPE /settings/max_transitions_per_message"});
    row("invalid_duplicate_state.json", {"DUPLICATE_KEY /states/a"}, "a");
    row("invalid_duplicate_key.json", {"DUPLICATE_KEY /states/a/type"});
}

void tst_Parser::reportsCodeAndPointerForEachMalformedShape() {
    QFETCH(QString, file);
    QFETCH(QStringList, expected);
    QFETCH(QString, state);
    QFETCH(int, transition);
    const auto result = parseFlowFile((kFlows + '/' + file).toStdString());
    QVERIFY(!result.ok());
    QCOMPARE(result.diagnostics.size(), size_t(expected.size()));
    for (const auto& entry : expected) {
        const auto code = entry.section(' ', 0, 0).toStdString();
        const auto pointer = entry.section(' ', 1).toStdString();
        const Diagnostic* d = findDiagnostic(result, code, pointer);
        QVERIFY2(d != nullptr, qPrintable(entry + " not in:\n" + describe(result)));
        QVERIFY(d->severity == Severity::Error);
        QCOMPARE(d->state, state.toStdString());
        QCOMPARE(d->transition, transition < 0 ? std::optional<int>() : transition);
        QVERIFY2(d->message.size() > 20, d->message.c_str());
        if (!d->state.empty()) { // a designer sees which state to open
            QVERIFY2(d->message.find(d->state) != std::string::npos, d->message.c_str());
        }
    }
}

void tst_Parser::syntaxErrorGivesLineAndColumn() {
    const auto truncated = parseFlow(R"({"name": "test", "states": {)");
    QCOMPARE(truncated.diagnostics.size(), size_t(1));
    QCOMPARE(truncated.diagnostics[0].line, 1);
    QCOMPARE(truncated.diagnostics[0].column, 29); // just past the last byte

    // Line 3, column 26 is the stray "x" (the é before it is one column, two bytes).
    const auto result = parseFlow("{\n\n  \"name\": \"é\", \"states\": x\n}");
    QCOMPARE(result.diagnostics.size(), size_t(1));
    const auto& d = result.diagnostics[0];
    QCOMPARE(d.code, std::string("JSON_SYNTAX"));
    QCOMPARE(d.line, 3);
    QCOMPARE(d.column, 26);
    QCOMPARE(d.pointer, std::string("/states"));
    QVERIFY2(d.message.find("line 3, column 26") != std::string::npos, d.message.c_str());
    QVERIFY(d.message.find("json.exception") == std::string::npos);

    for (const char* text : {"", "   ", "{\"name\": \"a\",}", "{'name': 'a'}", "[1, 2",
                             "{\"name\": \"\xff\"}", "{\"a\": tru}", "{} {}"}) {
        const auto bad = parseFlow(text);
        QVERIFY2(!bad.ok() && bad.diagnostics.size() == 1 &&
                     bad.diagnostics[0].code == "JSON_SYNTAX" && bad.diagnostics[0].line >= 1,
                 text);
    }
}

void tst_Parser::reportsEveryErrorNotOnlyTheFirst() {
    const auto result = parseFlow(R"({
      "name": 5,
      "states": {
        "a": {"type": "teleport"},
        "b": {"type": "response", "transitions": [{"condition": "whenever"}, 3,
              {"condition": "any_input", "priority": true}]},
        "c": "end"
      },
      "global_handlers": []
    })");
    QVERIFY(!result.ok());
    QVERIFY2(result.diagnostics.size() == 7, qPrintable(describe(result)));
    QVERIFY(findDiagnostic(result, "WRONG_TYPE", "/name"));
    QVERIFY(findDiagnostic(result, "UNKNOWN_STATE_TYPE", "/states/a/type"));
    QVERIFY(findDiagnostic(result, "UNKNOWN_CONDITION", "/states/b/transitions/0/condition"));
    QVERIFY(findDiagnostic(result, "WRONG_TYPE", "/states/b/transitions/1"));
    QVERIFY(findDiagnostic(result, "WRONG_TYPE", "/states/b/transitions/2/priority"));
    QVERIFY(findDiagnostic(result, "WRONG_TYPE", "/states/c"));
    QVERIFY(findDiagnostic(result, "WRONG_TYPE", "/global_handlers"));
}

void tst_Parser::capsReportedErrors() {
    // A huge broken document must not produce a huge list.
    std::string text = R"({"name": "x", "states": {)";
    for (int i = 0; i < 5000; ++i) {
        text += (i ? "," : "") + std::string("\"s") + std::to_string(i) + R"(": {"type": 1})";
    }
    const auto result = parseFlow(text + "}}");
    QVERIFY(!result.ok());
    QVERIFY(result.diagnostics.size() <= 201);
    QCOMPARE(result.diagnostics.back().code, std::string("TOO_MANY_ERRORS"));
}

void tst_Parser::rejectsTwoStatesWithTheSameName() {
    const auto result = parseFlowFile((kFlows + "/invalid_duplicate_state.json").toStdString());
    QVERIFY(!result.ok());
    const auto* d = findDiagnostic(result, "DUPLICATE_KEY", "/states/a");
    QVERIFY(d != nullptr);
    QCOMPARE(d->state, std::string("a"));
    QVERIFY(d->message.find("\"a\"") != std::string::npos);

    // The same in a large object (hashed detection) and with names needing pointer escapes.
    std::string text = manyStates(100);
    text.insert(text.size() - 2, R"(, "a/b": {"type": "end"}, "s42": {"type": "end"}, "a/b": {})");
    const auto big = parseFlow(text);
    QVERIFY(findDiagnostic(big, "DUPLICATE_KEY", "/states/s42"));
    QVERIFY(findDiagnostic(big, "DUPLICATE_KEY", "/states/a~1b"));
    QCOMPARE(big.diagnostics.size(), size_t(2));
}

void tst_Parser::parsesAndRoundTripsTheSeedsUnicodeFlow() {
    const std::string text = readText(kFlows + "/seed_unicode.json");
    const auto result = parseFlow(text);
    QVERIFY2(result.ok(), qPrintable(describe(result)));
    const Flow& flow = *result.flow;
    QCOMPARE(flow.name, std::string("unicode_flow_测试"));
    QCOMPARE(flow.initialState, std::string("开始状态"));
    QCOMPARE(flow.states.size(), size_t(2));
    QCOMPARE(flow.states[0].name, std::string("开始状态"));
    QCOMPARE(flow.states[1].name, std::string("处理状态"));
    const auto templates = responseTemplates(flow.states[0]);
    QCOMPARE(templates.size(), size_t(3));
    QVERIFY(templates[0].second.find("🎉") != std::string::npos);
    QVERIFY(templates[0].second.find("😊") != std::string::npos);
    QCOMPARE(templates[2].second, std::string(R"(Special chars: @#$%^&*()_+{}|:<>?[]\;'",./)"));
    QCOMPARE(flow.states[0].transitions[0].target, std::string("处理状态"));

    const std::string written = serializeFlow(flow);
    QVERIFY(written.find("开始状态") != std::string::npos); // UTF-8, not \u escapes
    QCOMPARE(Json::parse(written), Json::parse(text));
}

void tst_Parser::roundTripsEveryValidDocumentExactly_data() {
    QTest::addColumn<QString>("path");
    const QStringList patterns{"valid_*.json", "seed_*.json"};
    for (const auto& name : QDir(kFlows).entryList(patterns, QDir::Files, QDir::Name)) {
        QTest::newRow(qPrintable(name)) << kFlows + '/' + name;
    }
    for (const char* name : {"booking.json", "order_support.json"}) {
        QTest::newRow(name) << QStringLiteral(RESOURCES_DIR "/flows/") + name;
    }
    QVERIFY(QDir(kFlows).entryList({"valid_*.json"}).size() >= 5);
}

void tst_Parser::roundTripsEveryValidDocumentExactly() {
    QFETCH(QString, path);
    const std::string text = readText(path);
    const auto result = parseFlow(text);
    QVERIFY2(result.ok(), qPrintable(describe(result)));
    QVERIFY(result.diagnostics.empty());
    const Json original = Json::parse(text);
    const Json written = toJson(*result.flow);
    QVERIFY2(written == original, qPrintable(QString::fromStdString(written.dump(2))));
    // Key order is part of the round trip, not only content.
    QCOMPARE(written.dump(), original.dump());
    const auto again = parseFlow(serializeFlow(*result.flow));
    QVERIFY(again.ok());
    QCOMPARE(serializeFlow(*again.flow), serializeFlow(*result.flow));
}

void tst_Parser::leavesSemanticProblemsToTheLinter() {
    const auto result = parseFlowFile((kFlows + "/valid_lint_only.json").toStdString());
    QVERIFY2(result.ok(), qPrintable(describe(result)));
    const Flow& flow = *result.flow;
    QVERIFY(flow.initialState.empty());
    QCOMPARE(flow.states[0].transitions[0].target, std::string("nowhere"));
    QVERIFY(flow.states[0].transitions[1].target.empty()); // missing target_state
    QVERIFY(flow.states[0].transitions[1].condition == ConditionType::IntentMatch);
    QVERIFY(!flow.states[0].transitions[0].hasPriority);
    QVERIFY(flow.states[0].transitions[2].hasPriority);
    QCOMPARE(flow.states[0].transitions[2].priority, 3); // written 3.0
    QCOMPARE(flow.states[0].config.at("not_a_known_key"), Json(42));
    QCOMPARE(flow.states[1].transitions[0].expression, std::string("(("));
}

void tst_Parser::keepsUnknownKeysAndConfigKeys() {
    const auto result = parseFlowFile((kFlows + "/valid_unknown_keys.json").toStdString());
    QVERIFY2(result.ok(), qPrintable(describe(result)));
    const Flow& flow = *result.flow;
    QCOMPARE(flow.extra.at("author").at("name"), Json("Ada"));
    QCOMPARE(flow.extra.size(), size_t(2));
    QCOMPARE(flow.states[0].extra.at("position").at("x"), Json(10));
    QCOMPARE(flow.states[0].config.at("color"), Json("#ff0000"));
    QCOMPARE(flow.states[0].transitions[0].extra.at("weight"), Json(0.25));
    QCOMPARE(flow.states[1].extra.at("ui").at("collapsed"), Json(true));
    QVERIFY(!flow.states[0].extra.contains("type"));
    QVERIFY(!flow.states[0].transitions[0].extra.contains("target_state"));
}

void tst_Parser::parsesTheSeedsThousandStateFlow() {
    const std::string text = seedComplexFlow(1000).dump();
    const auto result = parseFlow(text);
    QVERIFY2(result.ok(), qPrintable(describe(result)));
    const Flow& flow = *result.flow;
    QCOMPARE(flow.states.size(), size_t(1000));
    QCOMPARE(flow.states[999].name, std::string("state_999"));
    QCOMPARE(flow.states[999].transitions[0].target, std::string("state_0"));
    QCOMPARE(flow.states[999].transitions[1].expression, std::string("slots.value > 999"));
    QCOMPARE(flow.states[7].transitions[1].priority, 57);
    QCOMPARE(Json::parse(serializeFlow(flow)), Json::parse(text));
}

void tst_Parser::refusesDeepNestingWithoutCrashing() {
    const std::string brackets(100000, '[');
    for (const auto& text : {brackets, brackets + std::string(100000, ']'),
                             R"({"name": "x", "states": {}, "deep": )" + brackets}) {
        const auto result = parseFlow(text);
        QVERIFY(!result.ok());
        QCOMPARE(result.diagnostics.size(), size_t(1));
        QCOMPARE(result.diagnostics[0].code, std::string("LIMIT_EXCEEDED"));
    }
    // Exactly at the limit is fine; one more level is not.
    ParseLimits limits;
    limits.maxDepth = 4;
    const std::string atLimit = R"({"name": "x", "states": {"a": {"type": "end", "k": [1]}}})";
    QVERIFY(parseFlow(atLimit, limits).ok());
    const auto over =
        parseFlow(R"({"name": "x", "states": {"a": {"type": "end", "k": [[1]]}}})", limits);
    QVERIFY(!over.ok());
    QCOMPARE(over.diagnostics[0].pointer, std::string("/states/a/k/0"));
    QVERIFY(over.diagnostics[0].message.find("4 levels") != std::string::npos);
}

void tst_Parser::refusesDeepNestingInBuiltDocuments() {
    Json deep = Json::array();
    for (int i = 0; i < 100000; ++i) {
        Json outer = Json::array();
        outer.push_back(std::move(deep));
        deep = std::move(outer);
    }
    Json document = {{"name", "x"}, {"states", Json::object()}};
    document["extra"] = std::move(deep);
    const auto result = parseFlowJson(document);
    QVERIFY(!result.ok());
    QCOMPARE(result.diagnostics[0].code, std::string("LIMIT_EXCEEDED"));
}

void tst_Parser::refusesOversizedDocuments() {
    ParseLimits limits;
    limits.maxBytes = 1000;
    const std::string text = manyStates(100);
    QVERIFY(text.size() > 1000);
    const auto result = parseFlow(text, limits);
    QVERIFY(!result.ok());
    QCOMPARE(result.diagnostics[0].code, std::string("LIMIT_EXCEEDED"));
    QVERIFY(parseFlow(text).ok());

    QTemporaryDir dir;
    const auto path = (dir.path() + "/big.json").toStdString();
    std::ofstream(path) << text;
    QCOMPARE(parseFlowFile(path, limits).diagnostics[0].code, std::string("LIMIT_EXCEEDED"));
}

void tst_Parser::refusesTooManyStatesAndTransitions() {
    ParseLimits limits;
    limits.maxStates = 10;
    QVERIFY(parseFlow(manyStates(10), limits).ok());
    const auto states = parseFlow(manyStates(11), limits);
    QVERIFY(!states.ok());
    QVERIFY(findDiagnostic(states, "LIMIT_EXCEEDED", "/states"));

    limits = {};
    limits.maxTransitionsPerState = 2;
    const std::string two = R"({"condition": "any_input"}, {"condition": "fallback"})";
    const auto ok = parseFlow(R"({"name": "x", "states": {"s": {"type": "response",
        "transitions": [)" + two + "]}}}",
                              limits);
    QVERIFY(ok.ok());
    const auto tooMany = parseFlow(R"({"name": "x", "states": {"s": {"type": "response",
        "transitions": [)" + two + R"(, {"condition": "timeout"}]}}})",
                                   limits);
    QVERIFY(!tooMany.ok());
    QVERIFY(findDiagnostic(tooMany, "LIMIT_EXCEEDED", "/states/s/transitions"));
}

void tst_Parser::refusesOverlongStrings() {
    ParseLimits limits;
    limits.maxStringBytes = 100;
    const std::string longText(101, 'x');
    const auto value = parseFlow(R"({"name": "x", "states": {"s": {"type": "response",
        "config": {"response_templates": {"default": ")" +
                                     longText + R"("}}}}})",
                                 limits);
    QVERIFY(!value.ok());
    QVERIFY2(findDiagnostic(value, "LIMIT_EXCEEDED", "/states/s/config/response_templates/default"),
             qPrintable(describe(value)));
    const auto key = parseFlow(R"({"name": "x", "states": {")" + longText + R"(": {}}})", limits);
    QVERIFY(!key.ok());
    QCOMPARE(key.diagnostics[0].code, std::string("LIMIT_EXCEEDED"));
}

void tst_Parser::refusesNumbersTooLargeForJson() {
    // 1e999 would become infinity and be written back as null.
    const auto result = parseFlow(R"({"name": "x", "states": {}, "n": 1e999})");
    QVERIFY(!result.ok());
    QCOMPARE(result.diagnostics[0].code, std::string("JSON_SYNTAX"));
}

void tst_Parser::reportsMissingAndUnreadableFiles() {
    const auto missing = parseFlowFile("/nonexistent/flow.json");
    QVERIFY(!missing.ok());
    QCOMPARE(missing.diagnostics[0].code, std::string("FILE_ERROR"));
    QVERIFY(missing.diagnostics[0].message.find("/nonexistent/flow.json") != std::string::npos);
    const auto directory = parseFlowFile(TEST_DATA_DIR);
    QVERIFY(!directory.ok());
    QVERIFY(!directory.diagnostics.empty());
}

void tst_Parser::parsesFilesAndBuiltDocumentsAlike() {
    const QString path = kFlows + "/valid_all_types.json";
    const auto fromFile = parseFlowFile(path.toStdString());
    QVERIFY2(fromFile.ok(), qPrintable(describe(fromFile)));
    const Json document = Json::parse(readText(path));
    const auto fromJson = parseFlowJson(document);
    QVERIFY(fromJson.ok());
    QCOMPARE(toJson(*fromJson.flow), toJson(*fromFile.flow));
    QCOMPARE(fromFile.flow->globalHandlers.size(), size_t(2));
    QCOMPARE(fromFile.flow->errorState, std::string("oops"));
    QCOMPARE(slotSpecs(*fromFile.flow->findState("collect")).size(), size_t(8));

    const auto broken = parseFlowJson(Json{{"name", "x"}, {"states", {{"s", {{"type", 3}}}}}});
    QVERIFY(findDiagnostic(broken, "WRONG_TYPE", "/states/s/type"));
}

void tst_Parser::writesOptionalFieldsOnlyWhenPresent() {
    Flow flow;
    flow.name = "built";
    State end;
    end.name = "done";
    end.type = StateType::End;
    State ask;
    ask.name = "ask";
    Transition t;
    t.target = "done";
    ask.transitions.push_back(t);
    t.hasPriority = true;
    t.priority = 0;
    ask.transitions.push_back(t);
    flow.states = {ask, end, ask}; // the repeated name is written once
    const Json written = toJson(flow);
    QCOMPARE(written.dump(), Json::parse(R"({"name": "built", "states": {
                "ask": {"type": "response", "transitions": [
                    {"condition": "any_input", "target_state": "done"},
                    {"condition": "any_input", "target_state": "done", "priority": 0}]},
                "done": {"type": "end"}}})")
                                 .dump());
    QVERIFY(parseFlow(serializeFlow(flow)).ok());
}

#endif // Q_MOC_RUN

QTEST_GUILESS_MAIN(tst_Parser)
#include "tst_parser.moc"
