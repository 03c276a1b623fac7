// flowctl test, run as a real process the way CI runs it: the sample suites pass, a breaking
// edit fails with a readable diff, the JUnit report is well-formed, bad input exits 2.
#include "flowctl_runner.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QXmlStreamReader>
#include <QtTest>

namespace {

using flowctl_test::flowctl;
using flowctl_test::Run;

const QString kFlows = QStringLiteral(RESOURCES_DIR "/flows/");
const QString kOrderFlow = kFlows + "order_support.json";
const QString kOrderSuite = kFlows + "order_support.suite.json";

QByteArray readFile(const QString& path) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        qFatal("cannot read %s", qPrintable(path));
    }
    return file.readAll();
}

struct JunitCounts {
    int tests = -1;
    int failures = -1;
    int testcases = 0;
    int failureElements = 0;
    QString error;
};

JunitCounts readJunit(const QString& path) {
    QXmlStreamReader reader(readFile(path));
    JunitCounts counts;
    while (!reader.atEnd()) {
        reader.readNext();
        if (!reader.isStartElement()) {
            continue;
        }
        if (reader.name() == QLatin1String("testsuite")) {
            counts.tests = reader.attributes().value("tests").toInt();
            counts.failures = reader.attributes().value("failures").toInt();
        } else if (reader.name() == QLatin1String("testcase")) {
            ++counts.testcases;
        } else if (reader.name() == QLatin1String("failure")) {
            ++counts.failureElements;
        }
    }
    if (reader.hasError()) {
        counts.error = reader.errorString();
    }
    return counts;
}

} // namespace

class tst_FlowctlTest : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;

    QString write(const QString& name, const QByteArray& content) {
        return flowctl_test::writeFile(m_dir.path(), name, content);
    }

    // order_support with the delayed-order reply routed elsewhere and a reply reworded: still a
    // valid flow, but two recorded conversations no longer hold.
    QString brokenOrderFlow() {
        QByteArray flow = readFile(kOrderFlow);
        flow.replace(R"("target_state": "report_delayed_reply")",
                     R"("target_state": "report_other")");
        flow.replace("has shipped with", "was shipped with");
        return write("order_support.json", flow);
    }

private Q_SLOTS:
    void sampleSuitesPass_data() {
        QTest::addColumn<QString>("flow");
        QTest::addColumn<QString>("suite");
        QTest::newRow("order_support") << kOrderFlow << kOrderSuite;
        QTest::newRow("booking") << kFlows + "booking.json" << kFlows + "booking.suite.json";
    }
    void sampleSuitesPass() {
        QFETCH(QString, flow);
        QFETCH(QString, suite);
        const Run run = flowctl({"test", flow, "--suite", suite});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err + run.out));
        QVERIFY2(!run.out.contains("FAIL"), qPrintable(run.out));
        QVERIFY2(run.out.contains(QRegularExpression(R"(\d+ passed, 0 failed)")),
                 qPrintable(run.out));
        QVERIFY2(run.out.contains(
                     QRegularExpression(R"(coverage: states \d+/\d+, transitions \d+/\d+)")),
                 qPrintable(run.out));
        QVERIFY2(run.out.contains("engine time:"), qPrintable(run.out));
        QVERIFY2(run.err.isEmpty(), qPrintable(run.err));
    }

    void breakingEditFailsWithAReadableDiff() {
        const Run run = flowctl({"test", brokenOrderFlow(), "--suite", kOrderSuite});
        QVERIFY2(run.exitCode == 1, qPrintable(run.err + run.out));
        QVERIFY2(run.out.contains("FAIL  delayed order, standard customer gets the new estimate"),
                 qPrintable(run.out));
        QVERIFY2(run.out.contains("turn 2 (\"CD-4242\"): path differs at step 4: expected "
                                  "'report_delayed_reply', got 'report_other'"),
                 qPrintable(run.out));
        QVERIFY2(run.out.contains("expected: lookup_order -> check_status -> report_delayed -> "
                                  "report_delayed_reply"),
                 qPrintable(run.out));
        QVERIFY2(run.out.contains("actual:   Order AB-12345 was shipped with DHL"),
                 qPrintable(run.out));
        QVERIFY2(run.out.contains("PASS  asking for a person at the order prompt"),
                 qPrintable(run.out));
        QVERIFY2(run.out.contains(QRegularExpression(R"(\d+ passed, 2 failed)")),
                 qPrintable(run.out));
    }

    void junitReportHasTheRightCounts() {
        const QString passing = m_dir.filePath("passing.xml");
        Run run = flowctl({"test", kOrderFlow, "--suite", kOrderSuite, "--junit", passing});
        QCOMPARE(run.exitCode, 0);
        JunitCounts counts = readJunit(passing);
        QVERIFY2(counts.error.isEmpty(), qPrintable(counts.error));
        QVERIFY(counts.tests >= 8);
        QCOMPARE(counts.testcases, counts.tests);
        QCOMPARE(counts.failures, 0);
        QCOMPARE(counts.failureElements, 0);

        const QString failing = m_dir.filePath("failing.xml");
        run = flowctl({"test", brokenOrderFlow(), "--suite", kOrderSuite, "--junit", failing});
        QCOMPARE(run.exitCode, 1);
        counts = readJunit(failing);
        QVERIFY2(counts.error.isEmpty(), qPrintable(counts.error));
        QCOMPARE(counts.failures, 2);
        QCOMPARE(counts.failureElements, 2);
    }

    void jsonOutputCarriesResultsAndCoverage() {
        const Run run = flowctl({"test", brokenOrderFlow(), "--suite", kOrderSuite, "--json"});
        QCOMPARE(run.exitCode, 1);
        QJsonParseError error;
        const QJsonObject report = QJsonDocument::fromJson(run.out.toUtf8(), &error).object();
        QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(run.out));
        QCOMPARE(report["failed"].toInt(), 2);
        QCOMPARE(report["flow"].toString(), QString("order_support"));
        const QJsonObject states = report["coverage"].toObject()["states"].toObject();
        QCOMPARE(states["total"].toInt(), 17);
        QVERIFY(states["covered"].toInt() > 10);
        int failedCases = 0;
        for (const auto value : report["cases"].toArray()) {
            const QJsonObject c = value.toObject();
            if (!c["passed"].toBool()) {
                ++failedCases;
                QVERIFY(!c["failures"].toArray().isEmpty());
            }
        }
        QCOMPARE(failedCases, 2);
    }

    void invalidSuiteExitsTwoWithAPointer() {
        const QString suite = write(
            "typo.suite.json",
            R"({"cases": [{"name": "c", "turns": [{}, {"input": "hi", "expect": {"stat": "x"}}]}]})");
        const Run run = flowctl({"test", kOrderFlow, "--suite", suite});
        QVERIFY2(run.exitCode == 2, qPrintable(run.err + run.out));
        QVERIFY2(run.err.contains("/cases/0/turns/1/expect/stat"), qPrintable(run.err));
        QVERIFY2(run.err.contains("unknown expectation key 'stat'"), qPrintable(run.err));
    }

    void unusableInputExitsTwo() {
        Run run = flowctl({"test", kOrderFlow, "--suite", m_dir.filePath("missing.json")});
        QVERIFY2(run.exitCode == 2, qPrintable(run.err));
        QVERIFY2(run.err.contains("cannot read test suite"), qPrintable(run.err));

        const QString badFlow = write("bad.json", R"({"name": "x", "initial_state": "a",
          "states": {"a": {"type": "response", "transitions": [{"condition": "any_input",
                                                                "target_state": "nowhere"}]}}})");
        run = flowctl({"test", badFlow, "--suite", kOrderSuite});
        QVERIFY2(run.exitCode == 2, qPrintable(run.err));
        QVERIFY2(run.err.contains("/states/a/transitions/0/target_state"), qPrintable(run.err));

        run = flowctl({"test", kOrderFlow}); // --suite is required
        QVERIFY2(run.exitCode == 2, qPrintable(run.err));
    }

    void suiteForAnotherFlowWarns() {
        const Run run = flowctl({"test", kFlows + "booking.json", "--suite", kOrderSuite});
        QCOMPARE(run.exitCode, 1); // its conversations do not hold for another flow
        QVERIFY2(run.err.contains("is a suite for flow 'order_support'"), qPrintable(run.err));
    }
};

QTEST_GUILESS_MAIN(tst_FlowctlTest)
#include "tst_flowctl_test.moc"
