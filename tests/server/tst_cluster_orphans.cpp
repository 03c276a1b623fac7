// A local cluster must not outlive the process that started it when that process dies without
// stopping it (a test binary that crashes or is killed by its runner), and must outlive it when
// it was detached on purpose (`flowctl cluster up`). Real PostgreSQL and flowd, started by
// cluster_crash_probe, which then kills itself with SIGKILL.
#include "cluster/child_process.h"
#include "cluster/local_cluster.h"
#include "cluster_support.h"

#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <arpa/inet.h>
#include <csignal>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace {

bool portAccepts(int port) {
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const bool ok = connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    close(fd);
    return ok;
}

struct Started {
    pid_t postmaster = 0;
    pid_t node = 0;
    QList<int> ports; // PostgreSQL, the node's gRPC, the node's HTTP

    // A failed check must not leave the servers behind for the next test run.
    ~Started() {
        if (node > 0 && flowdeck::cluster::isProcessAlive(node)) {
            kill(node, SIGKILL);
        }
        if (postmaster > 0 && flowdeck::cluster::isProcessAlive(postmaster)) {
            kill(postmaster, SIGQUIT);
        }
    }
};

// Reads the probe's "pids P N" and "ports A B C" lines, bounded in time.
bool readStarted(QProcess& probe, Started* started) {
    QElapsedTimer timer;
    timer.start();
    while (started->ports.isEmpty() && timer.elapsed() < 90000) {
        if (!probe.canReadLine() && !probe.waitForReadyRead(1000)) {
            if (probe.state() == QProcess::NotRunning) {
                return false;
            }
            continue;
        }
        const QStringList words = QString::fromUtf8(probe.readLine()).simplified().split(' ');
        if (words.size() == 3 && words[0] == "pids") {
            started->postmaster = words[1].toInt();
            started->node = words[2].toInt();
        } else if (words.size() == 4 && words[0] == "ports") {
            started->ports = {words[1].toInt(), words[2].toInt(), words[3].toInt()};
        }
    }
    return started->postmaster > 0 && started->node > 0 && started->ports.size() == 3;
}

} // namespace

class tst_ClusterOrphans final : public QObject {
    Q_OBJECT

private:
    void startProbe(QProcess& probe, const QTemporaryDir& dir, const QStringList& extra) {
        flowd_test::letPostgresIn(dir.path());
        probe.setProgram(TEST_BIN_DIR "/cluster_crash_probe");
        probe.setArguments(
            QStringList{TEST_BIN_DIR "/flowd", dir.filePath("cluster"), RESOURCES_DIR "/flows"} +
            extra);
        probe.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        probe.start();
        QVERIFY2(probe.waitForStarted(10000), qPrintable(probe.errorString()));
    }

private Q_SLOTS:
    void aClusterDiesWithTheProcessThatStartedIt() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QProcess probe;
        startProbe(probe, dir, {});
        Started started;
        QVERIFY2(readStarted(probe, &started), "the probe did not start its cluster");
        QVERIFY(flowdeck::cluster::isProcessAlive(started.postmaster));
        QVERIFY(flowdeck::cluster::isProcessAlive(started.node));
        for (const int port : started.ports) {
            QVERIFY2(portAccepts(port), qPrintable(QString("port %1 is closed").arg(port)));
        }

        probe.write("go\n");
        QVERIFY(probe.waitForFinished(10000));
        QCOMPARE(probe.exitStatus(), QProcess::CrashExit); // SIGKILL: nothing of its own ran

        QTRY_VERIFY_WITH_TIMEOUT(!flowdeck::cluster::isProcessAlive(started.node), 10000);
        QTRY_VERIFY_WITH_TIMEOUT(!flowdeck::cluster::isProcessAlive(started.postmaster), 15000);
        // PostgreSQL's backends go with their postmaster: nothing listens any more.
        for (const int port : started.ports) {
            QTRY_VERIFY_WITH_TIMEOUT(!portAccepts(port), 10000);
        }
    }

    void aDetachedClusterOutlivesItAndStopsWhenAsked() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QProcess probe;
        startProbe(probe, dir, {"--detach"});
        Started started;
        QVERIFY2(readStarted(probe, &started), "the probe did not start its cluster");
        probe.write("go\n");
        QVERIFY(probe.waitForFinished(10000));
        QCOMPARE(probe.exitStatus(), QProcess::NormalExit);
        QCOMPARE(probe.exitCode(), 0);

        // The guard acts as soon as its owner's end of the socket closes; give it ample time to
        // do the wrong thing before checking that it did not.
        QTest::qWait(1500);
        QVERIFY(flowdeck::cluster::isProcessAlive(started.postmaster));
        QVERIFY(flowdeck::cluster::isProcessAlive(started.node));
        for (const int port : started.ports) {
            QVERIFY2(portAccepts(port), qPrintable(QString("port %1 is closed").arg(port)));
        }

        std::string error;
        auto cluster =
            flowdeck::cluster::LocalCluster::attach(dir.filePath("cluster").toStdString(), &error);
        QVERIFY2(cluster, error.c_str());
        QVERIFY2(cluster->stop(std::chrono::seconds(15), &error), error.c_str());
        QTRY_VERIFY_WITH_TIMEOUT(!flowdeck::cluster::isProcessAlive(started.node), 10000);
        QTRY_VERIFY_WITH_TIMEOUT(!flowdeck::cluster::isProcessAlive(started.postmaster), 10000);
    }
};

QTEST_GUILESS_MAIN(tst_ClusterOrphans)
#include "tst_cluster_orphans.moc"
