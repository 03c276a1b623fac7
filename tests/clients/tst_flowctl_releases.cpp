// flowctl's release commands, run as real processes against a real flowd on 127.0.0.1: push
// versions, deploy one straight and one through a manual canary step, promote, abort, roll back,
// and read every action back from the history with its reason. The slots run in order and build
// on each other, as an operator's session would.
#include "flowctl_runner.h"
#include "flowd_process.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

namespace {

using flowctl_test::Run;
using flowd_test::FlowdProcess;

// A one-state flow that answers `reply` to everything.
QByteArray echoFlow(const QString& version, const QString& reply) {
    return QStringLiteral(R"({"name":"echo","version":"%1","initial_state":"ask","states":{)"
                          R"("ask":{"type":"response","config":{"response_templates":)"
                          R"({"default":"%2"}},"transitions":[{"condition":"any_input",)"
                          R"("target_state":"ask"}]}}})")
        .arg(version, reply)
        .toUtf8();
}

QJsonDocument parseJson(const QString& text) {
    QJsonParseError error;
    const auto document = QJsonDocument::fromJson(text.toUtf8(), &error);
    if (error.error != QJsonParseError::NoError) {
        qWarning("not JSON (%s): %s", qPrintable(error.errorString()), qPrintable(text));
    }
    return document;
}

QString describe(const Run& run) {
    return QStringLiteral("exit %1\nstdout: %2\nstderr: %3")
        .arg(run.exitCode)
        .arg(run.out, run.err);
}

} // namespace

class tst_FlowctlReleases : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_data;
    QTemporaryDir m_flowsDir;
    QTemporaryDir m_files;
    FlowdProcess m_flowd;

    Run ctl(QStringList arguments) const {
        arguments << "--addr" << m_flowd.grpcAddress();
        return flowctl_test::flowctl(arguments);
    }

    QString writeFlow(const QString& version, const QString& reply) const {
        return flowctl_test::writeFile(m_files.path(), "echo-" + version + ".json",
                                       echoFlow(version, reply));
    }

    // flowctl flows --json's entry for the echo flow.
    QJsonObject echoSummary() const {
        const Run run = ctl({"flows", "--json"});
        if (run.exitCode != 0) {
            qWarning("%s", qPrintable(describe(run)));
            return {};
        }
        for (const auto& flow : parseJson(run.out).array()) {
            if (flow.toObject()["flow_id"].toString() == "echo") {
                return flow.toObject();
            }
        }
        return {};
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_data.isValid() && m_flowsDir.isValid() && m_files.isValid());
        QVERIFY2(QFile::exists(flowd_test::kFlowd), "flowd is not built");
        QVERIFY2(QFile::exists(flowctl_test::kFlowctl), "flowctl is not built");
        QVERIFY2(m_flowd.start(m_data.path(), m_flowsDir.path()), "flowd did not become ready");
    }

    void cleanupTestCase() { m_flowd.kill(); }

    void pushStoresVersionsAndPrintsEachId() {
        Run run = ctl({"push", writeFlow("1.0", "one"), "--note", "first cut"});
        QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
        QCOMPARE(run.out, QString("1.0\n"));
        run = ctl({"push", writeFlow("2.0", "two"), "--note", "friendlier"});
        QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
        QCOMPARE(run.out, QString("2.0\n"));
    }

    void pushRefusesAFlowWithLinterErrors() {
        const QString broken = flowctl_test::writeFile(
            m_files.path(), "broken.json",
            R"({"name":"echo","version":"9","initial_state":"nowhere","states":{"a":{"type":"end"}}})");
        const Run run = ctl({"push", broken});
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.startsWith("flowctl push: ") && run.err.count('\n') == 1,
                 qPrintable(run.err));
        QVERIFY2(run.err.contains("nowhere"), qPrintable(run.err));
    }

    void deployWithoutStepsServesTheVersionAtOnce() {
        const Run run = ctl({"deploy", "echo", "1.0", "--reason", "first release", "--wait",
                             "--interval", "200ms"});
        QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
        QVERIFY2(run.out.contains("SUCCEEDED"), qPrintable(run.out));
        QCOMPARE(echoSummary()["active_version"].toString(), QString("1.0"));
    }

    void listsFlowsAndVersions() {
        Run run = ctl({"flows"});
        QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
        QVERIFY2(run.out.startsWith("FLOW  ACTIVE  CANARY  LATEST  VERSIONS  UPDATED\n"),
                 qPrintable(run.out));
        QVERIFY2(run.out.contains(QRegularExpression("\\necho  1\\.0     -       2\\.0     2 ")),
                 qPrintable(run.out));

        run = ctl({"versions", "echo", "--json"});
        QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
        const QJsonArray versions = parseJson(run.out).array();
        QCOMPARE(versions.size(), 2);
        QCOMPARE(versions[0]["version"].toString(), QString("2.0")); // newest first
        QCOMPARE(versions[0]["state"].toString(), QString("DRAFT"));
        QCOMPARE(versions[0]["change_note"].toString(), QString("friendlier"));
        QCOMPARE(versions[1]["version"].toString(), QString("1.0"));
        QCOMPARE(versions[1]["state"].toString(), QString("ACTIVE"));

        run = ctl({"versions", "echo"});
        QVERIFY2(run.out.startsWith("VERSION  REV  STATE"), qPrintable(run.out));
    }

    void canaryWithAManualStepWaitsForPromote() {
        Run run = ctl({"deploy", "echo", "2.0", "--steps", "50%", "--max-error-rate", "0.5",
                       "--reason", "canary two", "--wait", "--interval", "200ms"});
        QVERIFY2(run.exitCode == 3, qPrintable(describe(run)));
        QVERIFY2(run.out.contains("PAUSED  step 1/1  50%"), qPrintable(run.out));
        QVERIFY2(run.out.contains("flowctl rollout promote echo"), qPrintable(run.out));
        const QJsonObject summary = echoSummary();
        QCOMPARE(summary["active_version"].toString(), QString("1.0"));
        QCOMPARE(summary["canary_version"].toString(), QString("2.0"));

        run = ctl({"rollout", "status", "echo"});
        QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
        QVERIFY2(run.out.contains(": PAUSED\n"), qPrintable(run.out));
        QVERIFY2(run.out.contains("2.0 at 50%, stable 1.0"), qPrintable(run.out));
        QVERIFY2(run.out.contains("canary two"), qPrintable(run.out));

        run = ctl({"rollout", "promote", "echo", "--reason", "looks good", "--json"});
        QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
        const QJsonObject rollout = parseJson(run.out).object();
        QCOMPARE(rollout["state"].toString(), QString("SUCCEEDED"));
        QCOMPARE(rollout["current_percent"].toInt(), 100);
        QCOMPARE(echoSummary()["active_version"].toString(), QString("2.0"));
    }

    void abortSendsEveryoneBackToTheStableVersion() {
        Run run = ctl({"push", writeFlow("3.0", "three")});
        QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
        run =
            ctl({"deploy", "echo", "3.0", "--steps", "10%:pause=1h,50%", "--reason", "try three"});
        QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
        QVERIFY2(run.out.contains(": PROGRESSING\n"), qPrintable(run.out));
        QVERIFY2(run.out.contains("step       1/2, pause 1h"), qPrintable(run.out));

        run = ctl({"rollout", "abort", "echo", "--reason", "bad idea"});
        QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
        QVERIFY2(run.out.contains(": ABORTED\n"), qPrintable(run.out));
        const QJsonObject summary = echoSummary();
        QCOMPARE(summary["active_version"].toString(), QString("2.0"));
        QCOMPARE(summary["canary_version"].toString(), QString());
    }

    void rollbackReturnsToTheVersionBefore() {
        const Run run = ctl({"rollback", "echo", "--reason", "back to one"});
        QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
        QCOMPARE(run.out, QString("flow echo: 1.0 now serves every new conversation (was 2.0)\n"));
        QCOMPARE(echoSummary()["active_version"].toString(), QString("1.0"));
    }

    void historyRecordsEveryActionWithItsReason() {
        Run run = ctl({"history", "echo", "--json"});
        QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
        QStringList seen; // "ACTION why", newest first
        for (const auto& entry : parseJson(run.out).object()["entries"].toArray()) {
            const QJsonObject e = entry.toObject();
            if (!e["automatic"].toBool()) {
                seen << e["action"].toString() + " " + e["why"].toString();
                // flowctl names its user (x-flowdeck-user) to a node without tokens.
                const QString user = qEnvironmentVariable("USER");
                QCOMPARE(e["who"].toString(), user.isEmpty() ? QString("anonymous") : user);
            }
        }
        const QStringList expected{"ROLLED_BACK back to one",   "ABORTED bad idea",
                                   "DEPLOY_STARTED try three",  "PROMOTED looks good",
                                   "DEPLOY_STARTED canary two", "DEPLOY_STARTED first release"};
        for (const auto& action : expected) {
            QVERIFY2(seen.contains(action), qPrintable(action + " not in: " + seen.join(" | ")));
        }
        QVERIFY2(seen.indexOf("ROLLED_BACK back to one") < seen.indexOf("ABORTED bad idea"),
                 qPrintable(seen.join(" | ")));

        run = ctl({"history", "--limit", "3"});
        QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
        QVERIFY2(run.out.startsWith("TIME "), qPrintable(run.out));
        QVERIFY2(run.out.contains("ROLLED_BACK") && run.out.contains("back to one"),
                 qPrintable(run.out));
        QVERIFY2(run.out.contains(" entries, newest first; --limit N shows more)"),
                 qPrintable(run.out));
    }

    void followsARolloutThroughAPauseUntilItSucceeds() {
        const Run run = ctl({"deploy", "echo", "2.0", "--steps", "50%:pause=1s", "--reason",
                             "two again", "--wait", "--interval", "200ms"});
        QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
        const QStringList lines = run.out.split('\n', Qt::SkipEmptyParts);
        QVERIFY2(lines.size() >= 2, qPrintable(run.out));
        QVERIFY2(lines.first().contains("PROGRESSING  step 1/1  50%  pause 1s until "),
                 qPrintable(run.out));
        QVERIFY2(lines.last().contains("SUCCEEDED  step 1/1  100%  2.0 serves 100% (was 1.0)"),
                 qPrintable(run.out));
    }

    void watchesARolloutUntilItEnds() {
        Run run = ctl({"deploy", "echo", "3.0", "--steps", "50%:pause=1s", "--reason", "three"});
        QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
        run = ctl({"rollout", "status", "echo", "--watch", "--interval", "200ms"});
        QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
        QVERIFY2(run.out.startsWith("flow echo, rollout "), qPrintable(run.out));
        QVERIFY2(run.out.trimmed().endsWith("SUCCEEDED  step 1/1  100%  3.0 serves 100% (was 2.0)"),
                 qPrintable(run.out));
    }

    void refusesToChangeReleasesWithoutAReason() {
        for (const QStringList& command :
             {QStringList{"deploy", "echo", "2.0"}, QStringList{"rollout", "promote", "echo"},
              QStringList{"rollout", "abort", "echo"}, QStringList{"rollback", "echo"},
              QStringList{"deploy", "echo", "2.0", "--reason", "  "}}) {
            const Run run = ctl(command);
            QVERIFY2(run.exitCode == 2, qPrintable(command.join(' ') + ": " + describe(run)));
            QVERIFY2(run.err.contains("--reason is required"), qPrintable(run.err));
        }
    }

    void rejectsAMalformedPlanAsAUsageError() {
        Run run = ctl({"deploy", "echo", "2.0", "--steps", "10%:soon", "--reason", "x"});
        QVERIFY2(run.exitCode == 2, qPrintable(describe(run)));
        QVERIFY2(run.err.startsWith("flowctl deploy: --steps: "), qPrintable(run.err));
        run = ctl({"deploy", "echo", "2.0", "--steps", "50%,20%", "--reason", "x"});
        QVERIFY2(run.exitCode == 2, qPrintable(describe(run)));
        QVERIFY2(run.err.contains("steps[1]"), qPrintable(run.err));
    }

    void namesTheFlowItCannotFind() {
        const Run run = ctl({"rollout", "status", "no_such_flow"});
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.startsWith("flowctl rollout status: ") && run.err.contains("no_such_flow"),
                 qPrintable(run.err));
    }

    void saysWhenTheNodeCannotBeReached() {
        const QString address = QString("127.0.0.1:%1").arg(flowd_test::freePort());
        const Run run = flowctl_test::flowctl({"flows", "--addr", address, "--timeout", "3s"});
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.startsWith("flowctl flows: cannot reach " + address), qPrintable(run.err));
        QCOMPARE(run.err.count('\n'), 1);
    }
};

QTEST_GUILESS_MAIN(tst_FlowctlReleases)
#include "tst_flowctl_releases.moc"
