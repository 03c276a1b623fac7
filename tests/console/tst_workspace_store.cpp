#include "models/workspace_store.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRandomGenerator>
#include <QSize>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QtTest>

using namespace flowdeck::console;

namespace {

const QString kCrashKey = QStringLiteral("untitled:crash-test");

QByteArray flowBytes(const QString& name, int revision) {
    return QJsonDocument(QJsonObject{{"name", name}, {"revision", revision}}).toJson();
}

// A plain Qt SQL connection to the same file, to look under the store or to hold a lock.
class RawConnection final {
public:
    explicit RawConnection(const QString& path) {
        static int s_count = 0;
        m_name = QStringLiteral("raw-%1").arg(++s_count);
        m_db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_name);
        m_db.setDatabaseName(path);
        m_db.open();
    }
    ~RawConnection() {
        m_db.close();
        m_db = QSqlDatabase();
        QSqlDatabase::removeDatabase(m_name);
    }
    QVariant scalar(const QString& sql) {
        QSqlQuery query(m_db);
        if (!query.exec(sql) || !query.next()) {
            qWarning("%s: %s", qPrintable(sql), qPrintable(query.lastError().text()));
            return {};
        }
        return query.value(0);
    }
    bool exec(const QString& sql) {
        QSqlQuery query(m_db);
        return query.exec(sql);
    }

private:
    QString m_name;
    QSqlDatabase m_db;
};

// Only complete lines count: the last one may have been cut by the kill.
QVector<qint64> parseCounters(const QByteArray& output) {
    QVector<qint64> counters;
    const QList<QByteArray> lines = output.split('\n');
    for (qsizetype i = 0; i + 1 < lines.size(); ++i) {
        counters.append(lines[i].toLongLong());
    }
    return counters;
}

} // namespace

class tst_WorkspaceStore : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    int m_files = 0;

    QString newPath() { return m_dir.filePath(QStringLiteral("ws%1.sqlite").arg(++m_files)); }

    // Starts workspace_writer, lets it commit at least `minimumWrites` autosaves and a little
    // more, kills it with SIGKILL and returns the counters it reported.
    QVector<qint64> runWriterAndKill(const QString& path, qint64 first, int minimumWrites,
                                     int extraMs) {
        QProcess writer;
        writer.start(TEST_BIN_DIR "/workspace_writer",
                     {path, QString::number(first), QStringLiteral("100000000")});
        if (!writer.waitForStarted(5000)) {
            qWarning("workspace_writer: %s", qPrintable(writer.errorString()));
            return {};
        }
        QByteArray output;
        QElapsedTimer waited;
        waited.start();
        while (output.count('\n') < minimumWrites && waited.elapsed() < 20000 &&
               writer.state() == QProcess::Running) {
            writer.waitForReadyRead(100);
            output += writer.readAllStandardOutput();
        }
        QTest::qWait(extraMs); // lands the kill at an arbitrary point of a write
        const bool wasRunning = writer.state() == QProcess::Running;
        writer.kill();
        writer.waitForFinished(5000);
        output += writer.readAllStandardOutput();
        if (!wasRunning) {
            qWarning("workspace_writer ended on its own: %s",
                     writer.readAllStandardError().constData());
            return {};
        }
        return parseCounters(output);
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void createsSchemaOnNewFileAndKeepsItOnReopen() {
        const QString path = newPath();
        {
            WorkspaceStore store;
            QString error;
            QVERIFY2(store.open(path, &error), qPrintable(error));
            QVERIFY(QFile::exists(path));
            QVERIFY(store.saveVersion("k", "order_support", flowBytes("a", 1), "{}", "first"));
            QVERIFY(store.setSetting("theme", "dark"));
        }
        for (int reopen = 0; reopen < 2; ++reopen) {
            WorkspaceStore store;
            QString error;
            QVERIFY2(store.open(path, &error), qPrintable(error));
            QCOMPARE(store.versions("k").size(), 1);
            QCOMPARE(store.setting("theme").toString(), QString("dark"));
            QCOMPARE(store.checkIntegrity(), QString("ok"));
        }
        RawConnection raw(path);
        QCOMPARE(raw.scalar("SELECT COUNT(*) FROM schema_version").toInt(), 1);
        QCOMPARE(raw.scalar("SELECT version FROM schema_version").toInt(), 1);
        QCOMPARE(raw.scalar("PRAGMA journal_mode").toString(), QString("wal"));
        for (const char* table : {"autosaves", "versions", "layouts", "recent_files", "settings",
                                  "cluster_profiles", "scenarios", "runs", "incidents"}) {
            QVERIFY2(raw.scalar(QStringLiteral("SELECT COUNT(*) FROM sqlite_master WHERE "
                                               "type = 'table' AND name = '%1'")
                                    .arg(table))
                             .toInt() == 1,
                     table);
        }
    }

    void refusesWorkspaceWrittenByNewerVersion() {
        const QString path = newPath();
        {
            WorkspaceStore store;
            QVERIFY(store.open(path));
        }
        {
            RawConnection raw(path);
            QVERIFY(raw.exec("UPDATE schema_version SET version = 99"));
        }
        WorkspaceStore store;
        QString error;
        QVERIFY(!store.open(path, &error));
        QVERIFY2(error.contains(path) && error.contains("newer"), qPrintable(error));
        QVERIFY(!store.isOpen());
    }

    void reportsUnwritablePathWithPathAndReason() {
        const QString blocker = m_dir.filePath("not-a-folder");
        QFile file(blocker);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.close();
        const QString path = blocker + "/workspace.sqlite"; // a file stands where a folder must
        WorkspaceStore store;
        QString error;
        QVERIFY(!store.open(path, &error));
        QVERIFY2(error.contains(path) && error.contains("cannot create the folder"),
                 qPrintable(error));
        QCOMPARE(store.lastError(), error);

        // A closed store reports every call instead of pretending.
        QVERIFY(!store.saveVersion("k", "order_support", "{}", "{}", {}, &error));
        QVERIFY2(error.contains("saving version of order_support") && error.contains("not open"),
                 qPrintable(error));
    }

    void reportsFileThatIsNotADatabase() {
        const QString path = newPath();
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(QByteArray(8192, 'x'));
        file.close();
        WorkspaceStore store;
        QString error;
        QVERIFY(!store.open(path, &error));
        QVERIFY2(error.contains(path) && error.contains("not a database"), qPrintable(error));
    }

    void numbersVersionsIncreasinglyPerDocument() {
        WorkspaceStore store;
        QVERIFY(store.open(newPath()));
        for (int i = 1; i <= 3; ++i) {
            const auto saved = store.saveVersion("a", "flow_a", flowBytes("a", i), {}, {});
            QVERIFY(saved);
            QCOMPARE(saved->number, i);
            QVERIFY(saved->id > 0);
        }
        const auto other = store.saveVersion("b", "flow_b", flowBytes("b", 1), {}, {});
        QVERIFY(other);
        QCOMPARE(other->number, 1);
        QCOMPARE(store.latestVersion("a")->number, 3);
        QCOMPARE(store.latestVersion("a")->flowJson, flowBytes("a", 3));
        QVERIFY(!store.latestVersion("never-saved"));
    }

    void identicalSaveReturnsLatestWithoutNewVersion() {
        WorkspaceStore store;
        QVERIFY(store.open(newPath()));
        const auto first = store.saveVersion("k", "f", flowBytes("f", 1), "{\"x\":1}", "one");
        const auto again = store.saveVersion("k", "f", flowBytes("f", 1), "{\"x\":1}", "two");
        QVERIFY(first && again);
        QCOMPARE(again->id, first->id);
        QCOMPARE(again->note, QString("one"));
        QCOMPARE(again->flowJson, flowBytes("f", 1));
        QCOMPARE(store.versions("k").size(), 1);

        // Moving a state is a change worth a version too.
        const auto moved = store.saveVersion("k", "f", flowBytes("f", 1), "{\"x\":2}", {});
        QVERIFY(moved);
        QCOMPARE(moved->number, 2);
    }

    void listsVersionsNewestFirstAndLoadsBlobsById() {
        WorkspaceStore store;
        QVERIFY(store.open(newPath()));
        for (int i = 1; i <= 4; ++i) {
            QVERIFY(
                store.saveVersion("k", "f", flowBytes("f", i), "{}", QString("note %1").arg(i)));
        }
        const QVector<FlowVersion> list = store.versions("k");
        QCOMPARE(list.size(), 4);
        for (int i = 0; i < 4; ++i) {
            QCOMPARE(list[i].number, 4 - i);
            QCOMPARE(list[i].note, QString("note %1").arg(4 - i));
            QVERIFY(list[i].flowJson.isEmpty()); // the list stays light
            QVERIFY(list[i].savedAt.isValid());
        }
        QVERIFY(list[0].savedAt >= list[3].savedAt);
        const auto second = store.version(list[2].id);
        QVERIFY(second);
        QCOMPARE(second->number, 2);
        QCOMPARE(second->flowJson, flowBytes("f", 2));
        QCOMPARE(second->layoutJson, QByteArray("{}"));
        QVERIFY(!store.version(123456));
    }

    void prunesOldestVersionsButKeepsTheFirst() {
        WorkspaceStore store;
        QVERIFY(store.open(newPath()));
        QCOMPARE(store.maxVersionsPerDocument(), 500);
        for (int i = 1; i <= 503; ++i) {
            QVERIFY(store.saveVersion("k", "f", flowBytes("f", i), {}, {}));
        }
        QVector<FlowVersion> list = store.versions("k");
        QCOMPARE(list.size(), 500);
        QCOMPARE(list.first().number, 503);
        QCOMPARE(list.last().number, 1);
        QCOMPARE(list[list.size() - 2].number, 5); // 2, 3 and 4 were pruned

        store.setMaxVersionsPerDocument(3);
        QVERIFY(store.saveVersion("k", "f", flowBytes("f", 504), {}, {}));
        list = store.versions("k");
        QCOMPARE(list.size(), 3);
        QCOMPARE(list[0].number, 504);
        QCOMPARE(list[1].number, 503);
        QCOMPARE(list[2].number, 1);
    }

    void refusesBlobsOver64MiB() {
        WorkspaceStore store;
        QVERIFY(store.open(newPath()));
        const QByteArray huge(WorkspaceStore::kMaxBlobBytes + 1, ' ');
        QString error;
        QVERIFY(!store.saveVersion("k", "order_support", huge, {}, {}, &error));
        QVERIFY2(error.contains("order_support") && error.contains("64 MiB"), qPrintable(error));
        QVERIFY(store.versions("k").isEmpty());
        QVERIFY(!store.writeAutosave({"k", "order_support", {}, "{}", huge}, &error));
        QVERIFY2(error.contains("layout") && error.contains("64 MiB"), qPrintable(error));
        QVERIFY(store.pendingAutosaves().isEmpty());
    }

    void autosaveIsReplacedAndCleared() {
        WorkspaceStore store;
        QVERIFY(store.open(newPath()));
        const QDateTime t0 = QDateTime::currentDateTimeUtc().addSecs(-60);
        QVERIFY(store.writeAutosave({"a", "flow_a", t0, flowBytes("a", 1), "{}"}));
        QVERIFY(store.writeAutosave({"a", "flow_a", t0.addSecs(1), flowBytes("a", 2), "{}"}));
        QVERIFY(store.writeAutosave({"b", "flow_b", t0.addSecs(2), flowBytes("b", 1), "{}"}));
        QVector<AutosaveEntry> pending = store.pendingAutosaves();
        QCOMPARE(pending.size(), 2);
        QCOMPARE(pending[0].documentKey, QString("b")); // newest first
        QCOMPARE(pending[1].flowJson, flowBytes("a", 2));
        QCOMPARE(pending[1].savedAt, t0.addSecs(1));
        QCOMPARE(store.autosave("a")->flowName, QString("flow_a"));

        QVERIFY(store.writeAutosave({"a", "flow_a", t0.addSecs(3), flowBytes("a", 3), "{}"}));
        QCOMPARE(store.pendingAutosaves().first().documentKey, QString("a"));
        QVERIFY(store.clearAutosave("a"));
        pending = store.pendingAutosaves();
        QCOMPARE(pending.size(), 1);
        QCOMPARE(pending[0].documentKey, QString("b"));
        QVERIFY(!store.autosave("a"));
        QVERIFY(store.clearAutosave("never-written")); // nothing to clear is not an error
    }

    void savedVersionAndSaveLayoutKeepTheLatestLayout() {
        WorkspaceStore store;
        QVERIFY(store.open(newPath()));
        QVERIFY(store.layout("k").isEmpty());
        QVERIFY(store.saveVersion("k", "f", flowBytes("f", 1), "{\"start\":[0,0]}", {}));
        QCOMPARE(store.layout("k"), QByteArray("{\"start\":[0,0]}"));
        QVERIFY(store.saveLayout("k", "{\"start\":[10,20]}"));
        QCOMPARE(store.layout("k"), QByteArray("{\"start\":[10,20]}"));
        QVERIFY(store.saveLayout("/flows/from_disk.json", "{\"a\":[1,2]}"));
        QCOMPARE(store.layout("/flows/from_disk.json"), QByteArray("{\"a\":[1,2]}"));
    }

    void twoStoresOnSameFileSeeEachOthersWrites() {
        const QString path = newPath();
        WorkspaceStore first;
        WorkspaceStore second;
        QVERIFY(first.open(path));
        QVERIFY(second.open(path));
        QVERIFY(first.writeAutosave({"k", "f", {}, flowBytes("f", 1), "{}"}));
        QCOMPARE(second.pendingAutosaves().size(), 1);
        QVERIFY(second.saveVersion("k", "f", flowBytes("f", 1), {}, {}));
        const auto next = first.saveVersion("k", "f", flowBytes("f", 2), {}, {});
        QVERIFY(next);
        QCOMPARE(next->number, 2); // numbered after the other store's version
        QVERIFY(second.clearAutosave("k"));
        QVERIFY(first.pendingAutosaves().isEmpty());
        QVERIFY(first.addRecentFile("/flows/a.json"));
        QCOMPARE(second.recentFiles(), QStringList{"/flows/a.json"});
    }

    void lockedDatabaseErrorNamesWhatWasBeingDone() {
        const QString path = newPath();
        WorkspaceStore store;
        QVERIFY(store.open(path));
        QVERIFY(store.setBusyTimeout(50));
        RawConnection locker(path);
        QVERIFY(locker.exec("BEGIN EXCLUSIVE"));
        QString error;
        QVERIFY(!store.saveVersion("k", "order_support", "{}", "{}", {}, &error));
        QVERIFY2(error.startsWith("saving version of order_support: ") && error.contains("locked"),
                 qPrintable(error));
        QCOMPARE(store.lastError(), error);
        QVERIFY(locker.exec("ROLLBACK"));
        QVERIFY2(store.saveVersion("k", "order_support", "{}", "{}", {}, &error),
                 qPrintable(error));
        QCOMPARE(store.versions("k").size(), 1); // the failed attempt left nothing behind
    }

    void recentFilesAreUniqueCappedAndMostRecentFirst() {
        const QString path = newPath();
        WorkspaceStore store;
        QVERIFY(store.open(path));
        for (int i = 0; i < 12; ++i) {
            QVERIFY(store.addRecentFile(QString("/flows/f%1.json").arg(i)));
        }
        QVERIFY(store.addRecentFile("/flows/./f3.json")); // the same file, spelled differently
        QStringList expected{"/flows/f3.json"};
        for (int i = 11; i >= 4; --i) {
            expected.append(QString("/flows/f%1.json").arg(i));
        }
        expected.append("/flows/f2.json");
        QCOMPARE(store.recentFiles(), expected);

        QVERIFY(store.removeRecentFile("/flows/f11.json"));
        expected.removeAll("/flows/f11.json");
        store.close();
        QVERIFY(store.open(path)); // restored on the next start
        QCOMPARE(store.recentFiles(), expected);
    }

    void settingsRoundTripWithTheirTypes() {
        const QString path = newPath();
        {
            WorkspaceStore store;
            QVERIFY(store.open(path));
            QVERIFY(store.setSetting("zoom", 1.25));
            QVERIFY(store.setSetting("autosaveMs", 1500));
            QVERIFY(store.setSetting("panels", QStringList{"problems", "inspector"}));
            QVERIFY(store.setSetting("geometry", QByteArray("\x00\x01\xff", 3)));
            QVERIFY(store.setSetting("size", QSize(1280, 800)));
            QVERIFY(store.setSetting("snap", true));
            QVERIFY(store.setSetting("snap", false)); // replaced
            QVERIFY(store.setSetting("gone", "x"));
            QVERIFY(store.setSetting("gone", QVariant())); // removed
        }
        WorkspaceStore store;
        QVERIFY(store.open(path));
        QCOMPARE(store.setting("zoom").toDouble(), 1.25);
        QCOMPARE(store.setting("autosaveMs").typeId(), int(QMetaType::Int));
        QCOMPARE(store.setting("autosaveMs").toInt(), 1500);
        QCOMPARE(store.setting("panels").toStringList(), (QStringList{"problems", "inspector"}));
        QCOMPARE(store.setting("geometry").toByteArray(), QByteArray("\x00\x01\xff", 3));
        QCOMPARE(store.setting("size").toSize(), QSize(1280, 800));
        QCOMPARE(store.setting("snap", true).toBool(), false);
        QCOMPARE(store.setting("gone", "fallback").toString(), QString("fallback"));
        QVERIFY(!store.setting("missing").isValid());
    }

    void documentKeysForFilesAndUntitledFlows() {
        QCOMPARE(WorkspaceStore::keyForFile("/flows/sub/../a.json"), QString("/flows/a.json"));
        const QString untitled = WorkspaceStore::untitledKey();
        QVERIFY(untitled.startsWith("untitled:"));
        QVERIFY(WorkspaceStore::isUntitledKey(untitled));
        QVERIFY(untitled != WorkspaceStore::untitledKey());
        QVERIFY(!WorkspaceStore::isUntitledKey("/flows/a.json"));
    }

    // What the user relies on after a crash: kill the writer mid-edit, reopen, and the last
    // autosave it reported is there, whole. Four times over the same file, each run writing over
    // the last one's.
    void lastReportedAutosaveSurvivesSigkill() {
        const QString path = newPath();
        const quint32 seed = QRandomGenerator::global()->generate();
        qInfo("seed %u", seed);
        QRandomGenerator random(seed);
        qint64 first = 1;
        for (int run = 0; run < 4; ++run) {
            const QVector<qint64> reported = runWriterAndKill(path, first, 30, random.bounded(200));
            QVERIFY2(reported.size() >= 30, "the writer reported too few autosaves");
            const qint64 last = reported.last();
            qInfo("run %d: %lld autosaves reported, the last %lld", run,
                  static_cast<long long>(reported.size()), static_cast<long long>(last));

            WorkspaceStore store;
            QString error;
            QVERIFY2(store.open(path, &error), qPrintable(error));
            QCOMPARE(store.checkIntegrity(), QString("ok"));
            const QVector<AutosaveEntry> pending = store.pendingAutosaves();
            QCOMPARE(pending.size(), 1);
            QCOMPARE(pending[0].documentKey, kCrashKey);
            const QJsonObject flow = QJsonDocument::fromJson(pending[0].flowJson).object();
            const qint64 counter = flow.value("counter").toInteger();
            // The write after the last report may have committed before the kill.
            QVERIFY2(counter == last || counter == last + 1,
                     qPrintable(QString("stored %1, last reported %2").arg(counter).arg(last)));
            const QJsonArray states = flow.value("states").toArray();
            QCOMPARE(states.size(), 200);
            QCOMPARE(states.last().toObject().value("name").toString(),
                     QString("s199_%1").arg(counter));
            QCOMPARE(QJsonDocument::fromJson(pending[0].layoutJson)["counter"].toInteger(),
                     counter);
            first = counter + 1;
        }
    }
};

QTEST_GUILESS_MAIN(tst_WorkspaceStore)
#include "tst_workspace_store.moc"
