#include "flowdeck/engine/sqlite_store.h"

#include <QProcess>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QtTest>

#include <map>
#include <string>
#include <vector>

using namespace flowdeck::engine;

// An acknowledged commit must survive a killed process: store_writer prints each commit once
// SqliteStore::commit() returned, and is killed with SIGKILL at a random moment.
class tst_SqliteCrash : public QObject {
    Q_OBJECT

    struct Ack {
        std::string conversationId;
        std::string key;
    };

    // Only complete lines count: the last one may have been cut by the kill.
    static std::vector<Ack> parseAcks(const QByteArray& output) {
        std::vector<Ack> acks;
        const QList<QByteArray> lines = output.split('\n');
        for (qsizetype i = 0; i + 1 < lines.size(); ++i) {
            const QList<QByteArray> fields = lines[i].split(' ');
            if (fields.size() == 2) {
                acks.push_back({fields[0].toStdString(), fields[1].toStdString()});
            }
        }
        return acks;
    }

private Q_SLOTS:
    void acknowledgedCommitsSurviveSigkill() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath("crash.sqlite");
        const quint32 seed = QRandomGenerator::global()->generate();
        qInfo("seed %u", seed);
        QRandomGenerator random(seed);
        std::map<std::string, int64_t> ackedPerConversation;
        size_t totalAcks = 0;
        for (int run = 0; run < 3; ++run) {
            QProcess writer;
            writer.setProcessChannelMode(QProcess::SeparateChannels);
            writer.start(TEST_BIN_DIR "/store_writer", {path, QString::number(run)});
            QVERIFY2(writer.waitForStarted(5000), qPrintable(writer.errorString()));
            const int delayMs = random.bounded(200, 1501);
            qInfo("run %d: killing after %d ms", run, delayMs);
            QTest::qWait(delayMs);
            QCOMPARE(writer.state(), QProcess::Running); // it must not have died on its own
            writer.kill();                               // SIGKILL
            QVERIFY(writer.waitForFinished(5000));
            const std::vector<Ack> acks = parseAcks(writer.readAllStandardOutput());
            qInfo("run %d: %zu acknowledged commits", run, acks.size());
            totalAcks += acks.size();

            std::string error;
            auto store = SqliteStore::open(path.toStdString(), {}, &error);
            QVERIFY2(store, error.c_str());
            for (const Ack& ack : acks) {
                QVERIFY2(store->findMessage("crash", ack.conversationId, ack.key).has_value(),
                         ack.key.c_str());
                ++ackedPerConversation[ack.conversationId];
            }
            verifyVersionsMatchHistory(*store, ackedPerConversation);
            QCOMPARE(store->checkIntegrity(), std::string("ok"));
        }
        QVERIFY(totalAcks > 0);
    }

private:
    // Every conversation the writer may use: its version counts its messages, and is at least
    // the number of acknowledged ones (commits done but not yet printed may add more).
    void verifyVersionsMatchHistory(SqliteStore& store,
                                    const std::map<std::string, int64_t>& acked) {
        for (int t = 0; t < 4; ++t) {
            for (int c = 0; c < 50; ++c) {
                const std::string id = "w" + std::to_string(t) + "-c" + std::to_string(c);
                const auto state = store.load("crash", id);
                const auto it = acked.find(id);
                const int64_t ackedCount = it == acked.end() ? 0 : it->second;
                if (!state) {
                    QCOMPARE(ackedCount, int64_t(0));
                    continue;
                }
                QCOMPARE(state->messageCount, state->version);
                QCOMPARE(int64_t(store.history("crash", id, 1000000).size()), state->version);
                QVERIFY(state->version >= ackedCount);
            }
        }
    }
};

QTEST_GUILESS_MAIN(tst_SqliteCrash)
#include "tst_sqlite_crash.moc"
