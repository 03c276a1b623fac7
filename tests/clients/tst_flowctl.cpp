#include "flowctl_runner.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

namespace {

using flowctl_test::flowctl;
using flowctl_test::Run;
const QString kFlows = QStringLiteral(RESOURCES_DIR "/flows");
const QString kData = QStringLiteral(TEST_DATA_DIR "/flows");

} // namespace

class tst_Flowctl : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void validateAcceptsEverySampleFlow_data() {
        QTest::addColumn<QString>("file");
        for (const char* name : {"order_support.json", "booking.json", "generated_1000.json"}) {
            QTest::newRow(name) << kFlows + '/' + name;
        }
        QTest::newRow("seed_unicode") << kData + "/seed_unicode.json";
        QTest::newRow("seed_waiting_loop") << kData + "/seed_waiting_loop.json";
    }
    void validateAcceptsEverySampleFlow() {
        QFETCH(QString, file);
        const Run run = flowctl({"validate", file});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        QVERIFY(run.out.contains(": valid ("));
    }

    void validateRejectsAnInvalidFlowNamingWhereItIsWrong() {
        const Run run = flowctl({"validate", kData + "/invalid_state_type.json"});
        QCOMPARE(run.exitCode, 1);
        QVERIFY(run.out.contains("invalid (1 error"));
        QVERIFY2(run.err.contains("UNKNOWN_STATE_TYPE at /states/start/type"), qPrintable(run.err));
    }

    void validateJsonListsEveryFindingWithItsPointer() {
        const Run run = flowctl({"validate", "--json", kData + "/valid_lint_only.json"});
        QCOMPARE(run.exitCode, 1);
        const QJsonObject report = QJsonDocument::fromJson(run.out.toUtf8()).object();
        QCOMPARE(report["valid"].toBool(true), false);
        const QJsonArray diagnostics = report["diagnostics"].toArray();
        QCOMPARE(diagnostics.size(), report["errors"].toInt() + report["warnings"].toInt());
        bool unknownTarget = false;
        for (const auto& d : diagnostics) {
            const auto o = d.toObject();
            unknownTarget |=
                o["code"].toString() == "UNKNOWN_TARGET" &&
                o["pointer"].toString() == "/states/start/transitions/0/target_state" &&
                o["transition"].toInt(-1) == 0;
        }
        QVERIFY(unknownTarget);
    }

    void validateReportsAMissingFile() {
        const Run run = flowctl({"validate", "/nonexistent/flow.json"});
        QCOMPARE(run.exitCode, 1);
        QVERIFY(run.err.contains("/nonexistent/flow.json"));
    }

    void usageErrorsExitWithTwo() {
        QCOMPARE(flowctl({}).exitCode, 2);
        QCOMPARE(flowctl({"validate"}).exitCode, 2);
        QCOMPARE(flowctl({"frobnicate"}).exitCode, 2);
        const Run help = flowctl({"--help"});
        QCOMPARE(help.exitCode, 0);
        QVERIFY(help.out.contains("simulate"));
    }

    void simulateRunsTheOrderScriptWithRecordedStubs() {
        const Run run =
            flowctl({"simulate", kFlows + "/order_support.json", "--script",
                     kFlows + "/order_support.script.txt", "--user", R"({"name":"Ada"})"});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err + run.out));
        const QStringList lines = run.out.split('\n');
        QVERIFY(lines[0].startsWith("bot> Hi Ada!"));
        QVERIFY(run.out.contains("you> it's AB-12345\nbot> Order AB-12345 has shipped with DHL"));
        QVERIFY(run.out.contains("(integration:orders_api)"));
        QVERIFY(run.out.trimmed().endsWith("(conversation ended in state goodbye)"));
    }

    void simulateReadsStdinAndPrintsTheTrace() {
        const Run run =
            flowctl({"simulate", kFlows + "/order_support.json", "--trace"}, "where is my order\n");
        QCOMPARE(run.exitCode, 0);
        QVERIFY(run.out.contains("· intent_classified [detect] intent order_status"));
        QVERIFY(run.out.contains("· transition_taken [detect #0] detect -> new_order"));
        QVERIFY(run.out.contains("bot> What is your order number?"));
    }

    void simulateFillsTheBookingSlotsAndRendersPrompts() {
        const Run run = flowctl({"simulate", kFlows + "/booking.json"},
                                "yes\n9 people\nfriday\n20:00\ninside\nada@example.com\nyes\n");
        QVERIFY2(run.exitCode == 0, qPrintable(run.err + run.out));
        QVERIFY(run.out.contains("Parties of 8 or more pay a deposit of 90 EUR. Shall I book 9 "
                                 "people on "));
        QVERIFY(!run.out.contains("{{"));
        QVERIFY(run.out.contains("(conversation ended in state booked)"));
    }

    void simulateTakesTheFailurePathWhenAnIntegrationHasNoStub() {
        QTemporaryDir dir;
        const QString stubs = dir.path() + "/empty.stubs.json";
        QFile file(stubs);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("{}");
        file.close();
        const Run run = flowctl({"simulate", kFlows + "/order_support.json", "--stubs", stubs},
                                "where is my order\nAB-12345\n");
        // The flow handles the failure (on_failure), so this is not an error; it is reported.
        QCOMPARE(run.exitCode, 0);
        QVERIFY2(run.out.contains("bot> I couldn't reach the order system just now."),
                 qPrintable(run.out));
        QVERIFY(run.out.contains("(integration orders_api failed; --trace shows why)"));
    }

    void simulateRejectsABrokenStubFileWithAPointer() {
        QTemporaryDir dir;
        const QString stubs = dir.path() + "/bad.stubs.json";
        QFile file(stubs);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(R"({"orders_api": {"kind": "sometimes"}})");
        file.close();
        const Run run = flowctl({"simulate", kFlows + "/order_support.json", "--stubs", stubs});
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains("STUB_KIND at /orders_api/kind"), qPrintable(run.err));
    }

    void simulateRefusesAFlowWithErrors() {
        const Run run = flowctl({"simulate", kData + "/valid_lint_only.json"});
        QCOMPARE(run.exitCode, 1);
        QVERIFY(run.err.contains("UNKNOWN_TARGET"));
        QVERIFY(run.out.isEmpty());
    }

    void generateWritesAValidFlowOfTheRequestedSize() {
        QTemporaryDir dir;
        const QString path = dir.path() + "/big.json";
        QCOMPARE(flowctl({"generate", "--states", "200", "-o", path}).exitCode, 0);
        const Run run = flowctl({"validate", "--json", path});
        QCOMPARE(run.exitCode, 0);
        QCOMPARE(QJsonDocument::fromJson(run.out.toUtf8()).object()["states"].toInt(), 200);
        QCOMPARE(flowctl({"generate", "--states", "5"}).exitCode, 2);
    }
};

QTEST_GUILESS_MAIN(tst_Flowctl)
#include "tst_flowctl.moc"
