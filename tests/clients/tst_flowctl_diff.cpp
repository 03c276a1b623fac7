#include "flowctl_runner.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

namespace {

using flowctl_test::flowctl;
using flowctl_test::Run;

const QByteArray kBefore = R"({
  "name": "support", "initial_state": "greet",
  "states": {
    "greet": { "type": "response", "config": { "response_templates": { "default": "Hi" } },
               "transitions": [ { "condition": "any_input", "target_state": "bye" } ] },
    "bye": { "type": "end", "config": { "response_templates": { "default": "Bye" } } }
  }
})";

} // namespace

class tst_FlowctlDiff : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;

    QString write(const QString& name, const QByteArray& content) {
        return flowctl_test::writeFile(m_dir.path(), name, content);
    }

    QString changedGreeting() {
        QByteArray after = kBefore;
        after.replace(R"("default": "Hi")", R"("default": "Hello")");
        return write("after.json", after);
    }

private Q_SLOTS:
    void equalFlowsExitZero() {
        // Same content, other formatting: still equal.
        QByteArray compact = QJsonDocument::fromJson(kBefore).toJson(QJsonDocument::Compact);
        const Run run =
            flowctl({"diff", write("before.json", kBefore), write("same.json", compact)});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err + run.out));
        QVERIFY2(run.out.contains("no differences"), qPrintable(run.out));
    }

    void changedFlowsExitOneNamingTheChangedState() {
        const Run run = flowctl({"diff", write("before.json", kBefore), changedGreeting()});
        QVERIFY2(run.exitCode == 1, qPrintable(run.err + run.out));
        QVERIFY2(run.out.contains(QString::fromUtf8(
                     "~ state greet: /config/response_templates/default \"Hi\" → \"Hello\"")),
                 qPrintable(run.out));
    }

    void jsonOutputListsTheChangedState() {
        const Run run =
            flowctl({"diff", "--json", write("before.json", kBefore), changedGreeting()});
        QCOMPARE(run.exitCode, 1);
        const QJsonObject report = QJsonDocument::fromJson(run.out.toUtf8()).object();
        QCOMPARE(report["equal"].toBool(true), false);
        const QJsonArray states = report["states"].toArray();
        QCOMPARE(states.size(), 1);
        QCOMPARE(states[0].toObject()["name"].toString(), QString("greet"));
        QCOMPARE(states[0].toObject()["kind"].toString(), QString("changed"));
        QCOMPARE(states[0].toObject()["fields"].toArray()[0].toObject()["after"].toString(),
                 QString("Hello"));
    }

    void unparsableFileExitsTwoNamingFileAndPointer() {
        QByteArray broken = kBefore;
        broken.replace(R"("type": "end")", R"("type": "farewell")");
        const QString brokenPath = write("broken.json", broken);
        const Run run = flowctl({"diff", write("before.json", kBefore), brokenPath});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains(brokenPath + ": error UNKNOWN_STATE_TYPE at /states/bye/type"),
                 qPrintable(run.err));
        QVERIFY(run.out.isEmpty());
    }

    void missingFileExitsTwo() {
        const Run run = flowctl({"diff", m_dir.filePath("nowhere.json"), changedGreeting()});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains("nowhere.json"), qPrintable(run.err));
    }
};

QTEST_GUILESS_MAIN(tst_FlowctlDiff)
#include "tst_flowctl_diff.moc"
