// bench-flowd-grpc against a real flowd on 127.0.0.1: the messages it reports as answered are
// exactly the ones flowd counted, its conversations run in order to their end, a fixed rate
// sends what it promised, and an address nobody listens on is reported within the deadline.
#include "flowd_process.h"

#include <nlohmann/json.hpp>

#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QtTest>

namespace {

using flowd_test::FlowdProcess;
using Json = nlohmann::json;

const QString kDriver = QStringLiteral(TEST_BIN_DIR "/bench-flowd-grpc");

struct DriverRun {
    int exitCode = -1;
    QString out;
    QString err;
    Json report;
};

// Runs the driver to its end (at most 60 s) and parses its --json report when there is one.
DriverRun runDriver(const QStringList& arguments) {
    DriverRun run;
    QProcess process;
    process.start(kDriver, arguments);
    if (!process.waitForFinished(60000)) {
        process.kill();
        process.waitForFinished();
        run.err = "bench-flowd-grpc did not finish within 60 s";
        return run;
    }
    run.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    run.out = QString::fromUtf8(process.readAllStandardOutput());
    run.err = QString::fromUtf8(process.readAllStandardError());
    run.report = Json::parse(run.out.toStdString(), nullptr, false);
    return run;
}

uint64_t number(const Json& report, const char* key) {
    const auto it = report.find(key);
    return it != report.end() && it->is_number() ? it->get<uint64_t>() : 0;
}

} // namespace

class tst_LoadDriver : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_data;
    QTemporaryDir m_flows;
    FlowdProcess m_flowd;

    // flowdeck_messages_total summed over the tenant's flows and outcomes.
    double messagesCounted(const std::string& tenant) const {
        double total = 0;
        const std::string label = "tenant=\"" + tenant + "\"";
        for (const auto& [key, value] : m_flowd.scrape()) {
            if (key.starts_with("flowdeck_messages_total{") && key.find(label) != key.npos) {
                total += value;
            }
        }
        return total;
    }

    // The counter may trail the last answer by a moment: wait (bounded) for it to settle.
    double messagesCountedSettled(const std::string& tenant, double expected) const {
        QElapsedTimer timer;
        timer.start();
        double counted = messagesCounted(tenant);
        while (counted != expected && timer.elapsed() < 5000) {
            QTest::qWait(50);
            counted = messagesCounted(tenant);
        }
        return counted;
    }

    QStringList baseArguments(const QString& tenant) const {
        return {"--target", m_flowd.grpcAddress(), "--tenant", tenant,
                "--flow",   "table_booking",       "--warmup", "0s",
                "--json"};
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_data.isValid() && m_flows.isValid());
        QVERIFY2(QFile::exists(flowd_test::kFlowd), "flowd is not built");
        QVERIFY2(QFile::exists(kDriver), "bench-flowd-grpc is not built");
        QVERIFY(QFile::copy(RESOURCES_DIR "/flows/booking.json", m_flows.filePath("booking.json")));
        QVERIFY2(m_flowd.start(m_data.path(), m_flows.path()), "flowd did not become ready");
    }

    void cleanupTestCase() { m_flowd.kill(); }

    void answeredMessagesAreExactlyTheOnesFlowdCounted() {
        const auto run = runDriver(baseArguments("load-exact") +
                                   QStringList{"--duration", "2s", "--concurrency", "8",
                                               "--conversations", "32", "--id-prefix", "exact"});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        QVERIFY2(run.report.is_object(), qPrintable(run.out));
        const uint64_t ok = number(run.report, "ok");
        QVERIFY(ok > 0);
        QCOMPARE(number(run.report, "errors"), uint64_t{0});
        QCOMPARE(number(run.report, "sent"), ok);
        QVERIFY2(run.report["flow_errors"].empty(), run.report["flow_errors"].dump().c_str());
        QCOMPARE(messagesCountedSettled("load-exact", static_cast<double>(ok)),
                 static_cast<double>(ok));
        const auto& latency = run.report["latency_ms"];
        QVERIFY(latency["p50"].get<double>() > 0);
        QVERIFY(latency["p99"].get<double>() >= latency["p50"].get<double>());
        QVERIFY(latency["max"].get<double>() >= latency["p99"].get<double>());
    }

    // The built-in booking lines, sent one at a time in order, book a table: the first
    // conversation of the first slot waits in "booked" after its 7 messages.
    void aConversationRunsItsLinesInOrderToTheEnd() {
        auto client = m_flowd.http();
        const auto result =
            client.Get("/api/v2/conversations/exact-0-0-0/state?tenant_id=load-exact");
        QVERIFY(result);
        QCOMPARE(result->status, 200);
        const auto state = Json::parse(result->body, nullptr, false);
        QCOMPARE(state.value("current_state", std::string()), std::string("booked"));
        QCOMPARE(state.value("conversation_version", std::string()), std::string("7"));
    }

    void aFixedRateSendsTheScheduledMessages() {
        const auto run = runDriver(baseArguments("load-rate") +
                                   QStringList{"--rate", "200", "--duration", "2s"});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        QVERIFY2(run.report.is_object(), qPrintable(run.out));
        const uint64_t sent = number(run.report, "sent");
        QVERIFY2(sent >= 340 && sent <= 460, qPrintable(QString("sent %1").arg(sent)));
        QCOMPARE(number(run.report, "errors"), uint64_t{0});
        QCOMPARE(messagesCountedSettled("load-rate", static_cast<double>(sent)),
                 static_cast<double>(sent));
    }

    // Sent in 50 ms ticks: the same number of messages, and each one's latency counts the wait
    // for its tick (about half a tick on average), so the median cannot be below a few ms.
    void aSendTickSendsTheSameScheduleAndCountsTheWait() {
        const auto run =
            runDriver(baseArguments("load-tick") +
                      QStringList{"--rate", "200", "--duration", "2s", "--send-tick", "50ms"});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        QVERIFY2(run.report.is_object(), qPrintable(run.out));
        QCOMPARE(number(run.report, "send_tick_ms"), uint64_t{50});
        const uint64_t sent = number(run.report, "sent");
        QVERIFY2(sent >= 340 && sent <= 460, qPrintable(QString("sent %1").arg(sent)));
        QCOMPARE(number(run.report, "errors"), uint64_t{0});
        const double p50 = run.report["latency_ms"]["p50"].get<double>();
        QVERIFY2(p50 >= 10, qPrintable(QString("p50 %1 ms").arg(p50)));
    }

    void anAddressNobodyListensOnIsReportedWithinTheDeadline() {
        const QString target = QString("127.0.0.1:%1").arg(flowd_test::freePort());
        QElapsedTimer timer;
        timer.start();
        const auto run = runDriver({"--target", target, "--connect-timeout", "1s", "--json"});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains("cannot connect to " + target + " within 1 s"),
                 qPrintable(run.err));
        QVERIFY2(timer.elapsed() < 10000, qPrintable(QString("took %1 ms").arg(timer.elapsed())));
    }
};

QTEST_GUILESS_MAIN(tst_LoadDriver)
#include "tst_load_driver.moc"
