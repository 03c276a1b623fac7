// The Clusters workspace against two real flowd nodes on 127.0.0.1: it lists both with their
// ids and versions, fills the charts from their metric streams, shows a SIGKILLed node down
// within 5 s while the other stays up, and shows it up again once restarted on the same port.
#include "../server/flowd_process.h"

#include "clusters/chart_adapter.h"
#include "clusters/cluster_connection.h"
#include "clusters/clusters_workspace.h"
#include "clusters/event_log_model.h"
#include "clusters/metrics_history.h"
#include "clusters/node_table_model.h"

#include "flowdeck/v1/conversations.grpc.pb.h"

#include <grpcpp/grpcpp.h>

#include <QFile>
#include <QTableView>
#include <QtTest>

#include <atomic>
#include <cmath>
#include <thread>

using flowdeck::console::ClusterConnection;
using flowdeck::console::ClustersWorkspace;
using flowdeck::console::EventLogModel;
using flowdeck::console::Metric;
using flowdeck::console::NodeTableModel;
using State = ClusterConnection::State;
namespace v1 = flowdeck::v1;

namespace {

// A flowd on fixed ports, so that a restart comes back where the console looks for it.
class Node final {
public:
    Node(QString id, const QString& flowsDir)
        : m_id(std::move(id))
        , m_flows(flowsDir) {
        m_grpcPort = flowd_test::freePort();
        m_httpPort = flowd_test::freePort();
    }
    ~Node() { kill(); }

    bool start() {
        m_process = std::make_unique<QProcess>();
        m_process->setProcessChannelMode(QProcess::ForwardedErrorChannel);
        m_process->start(flowd_test::kFlowd, {"--data", m_data.path(), "--grpc", address(),
                                              "--http", QString("127.0.0.1:%1").arg(m_httpPort),
                                              "--flows", m_flows, "--node-id", m_id});
        if (!m_process->waitForStarted(10000)) {
            return false;
        }
        QElapsedTimer timer;
        timer.start();
        while (timer.elapsed() < 20000 && m_process->state() == QProcess::Running) {
            httplib::Client client("127.0.0.1", m_httpPort);
            client.set_connection_timeout(1);
            if (auto result = client.Get("/ready"); result && result->status == 200) {
                return true;
            }
            QTest::qWait(100);
        }
        return false;
    }
    void kill() {
        if (m_process && m_process->state() != QProcess::NotRunning) {
            m_process->kill(); // SIGKILL: no goodbye on the stream
            m_process->waitForFinished();
        }
    }
    QString address() const { return QString("127.0.0.1:%1").arg(m_grpcPort); }
    const QString& id() const { return m_id; }

private:
    QString m_id;
    QString m_flows;
    QTemporaryDir m_data;
    std::unique_ptr<QProcess> m_process;
    int m_grpcPort = 0;
    int m_httpPort = 0;
};

// Sends order_support messages to every address until stopped, from a thread of its own so the
// test's event loop keeps running.
class Traffic final {
public:
    explicit Traffic(const QStringList& addresses) {
        for (const QString& address : addresses) {
            m_stubs.push_back(v1::Conversations::NewStub(
                grpc::CreateChannel(address.toStdString(), grpc::InsecureChannelCredentials())));
        }
        m_thread = std::thread([this] { run(); });
    }
    ~Traffic() {
        m_stop = true;
        m_thread.join();
    }
    int sent() const { return m_sent; }

private:
    void run() {
        for (int i = 0; !m_stop; ++i) {
            for (auto& stub : m_stubs) {
                v1::ProcessMessageRequest request;
                request.set_tenant_id("acme");
                request.set_conversation_id("clusters-" + std::to_string(i % 5));
                request.mutable_content()->set_text(i % 2 ? "where is my order" : "hello");
                v1::ProcessMessageResponse response;
                grpc::ClientContext context;
                context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
                const grpc::Status status = stub->ProcessMessage(&context, request, &response);
                if (status.ok()) {
                    ++m_sent;
                } else if (m_failed++ == 0) {
                    qWarning("ProcessMessage: %s", status.error_message().c_str());
                }
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
    }
    std::vector<std::unique_ptr<v1::Conversations::Stub>> m_stubs;
    std::atomic<bool> m_stop{false};
    std::atomic<int> m_sent{0};
    std::atomic<int> m_failed{0};
    std::thread m_thread;
};

double highest(const ClustersWorkspace& workspace, const QString& address, Metric metric) {
    double best = 0.0;
    for (const QPointF& point : workspace.history().points(address, metric, 0)) {
        best = std::max(best, point.y());
    }
    return best;
}

QString cell(const ClustersWorkspace& workspace, int row, int column) {
    return workspace.nodeModel()->index(row, column).data().toString();
}

} // namespace

class tst_ClustersWorkspace : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_flows;
    std::unique_ptr<Node> m_alpha;
    std::unique_ptr<Node> m_beta;

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_flows.isValid());
        QVERIFY(QFile::copy(RESOURCES_DIR "/flows/order_support.json",
                            m_flows.filePath("order_support.json")));
        m_alpha = std::make_unique<Node>("alpha", m_flows.path());
        m_beta = std::make_unique<Node>("beta", m_flows.path());
        QVERIFY2(m_alpha->start(), "flowd alpha did not become ready");
        QVERIFY2(m_beta->start(), "flowd beta did not become ready");
    }

    void historyKeepsTheNewestSamplesWithinItsCapacity() {
        flowdeck::console::MetricsHistory history(3);
        for (int i = 1; i <= 5; ++i) {
            flowdeck::console::MetricSample sample;
            sample.timeMs = i * 1000;
            sample.requestsPerSecond = i;
            sample.p95Ms = i == 5 ? std::nan("") : i; // no requests: no latency point
            history.append("n", sample);
        }
        QCOMPARE(history.size("n"), std::size_t(3));
        const QList<QPointF> all = history.points("n", Metric::RequestsPerSecond, 0);
        QCOMPARE(all, QList<QPointF>({{3000, 3}, {4000, 4}, {5000, 5}}));
        QCOMPARE(history.points("n", Metric::RequestsPerSecond, 4000).size(), 2);
        QCOMPARE(history.points("n", Metric::P95Ms, 0).size(), 2);
        QCOMPARE(history.latest("n")->requestsPerSecond, 5.0);
        QVERIFY(history.latest("other") == nullptr);
    }

    void rejectsMalformedAndDuplicateAddresses() {
        ClustersWorkspace workspace;
        QString error;
        QVERIFY(!workspace.connectTo("no-port", &error));
        QVERIFY(error.contains("HOST:PORT"));
        QVERIFY(!workspace.connectTo("127.0.0.1:99999", &error));
        QVERIFY(workspace.connectTo(m_alpha->address(), &error));
        QVERIFY(!workspace.connectTo(m_alpha->address(), &error));
        QVERIFY(error.contains("already"));
        QCOMPARE(workspace.nodeModel()->rowCount(), 1);
    }

    void showsLiveNodesThenADeadOneAndItsReturn() {
        ClustersWorkspace workspace;
        workspace.resize(1200, 800);
        workspace.show();
        QVERIFY(workspace.connectTo(m_alpha->address()));
        QVERIFY(workspace.connectTo(m_beta->address()));
        ClusterConnection* alpha = workspace.connectionFor(m_alpha->address());
        ClusterConnection* beta = workspace.connectionFor(m_beta->address());

        // Both nodes come up with the ids and versions they report.
        QTRY_VERIFY_WITH_TIMEOUT(alpha->state() == State::Up && beta->state() == State::Up, 8000);
        QTRY_VERIFY_WITH_TIMEOUT(alpha->info() && beta->info(), 8000);
        QCOMPARE(cell(workspace, 0, NodeTableModel::NodeId), QString("alpha"));
        QCOMPARE(cell(workspace, 1, NodeTableModel::NodeId), QString("beta"));
        QVERIFY(!cell(workspace, 0, NodeTableModel::Version).isEmpty());
        QCOMPARE(cell(workspace, 1, NodeTableModel::Version),
                 QString::fromStdString(beta->info()->version));
        QCOMPARE(cell(workspace, 0, NodeTableModel::Flows), QString("1"));
        QCOMPARE(cell(workspace, 0, NodeTableModel::State), QString("up"));

        // Traffic shows as requests/s in the history and as points on the charts.
        {
            // Idle, a node only counts the console's own few calls: well under 5 a second.
            Traffic traffic({m_alpha->address(), m_beta->address()});
            QTRY_VERIFY_WITH_TIMEOUT(
                highest(workspace, m_alpha->address(), Metric::RequestsPerSecond) > 5.0 &&
                    highest(workspace, m_beta->address(), Metric::RequestsPerSecond) > 5.0,
                8000);
            QVERIFY(traffic.sent() > 10);
        }
        QTRY_VERIFY_WITH_TIMEOUT(workspace.requestsChart()->pointCount() >= 4, 3000);
        QCOMPARE(workspace.requestsChart()->seriesCount(), 3); // both nodes and the cluster
        QVERIFY(workspace.requestsChart()->maxValue() > 0.0);
        QVERIFY(workspace.latencyChart()->pointCount() > 0);
        QVERIFY(cell(workspace, 0, NodeTableModel::RequestsPerSecond) != QString("–"));
        // Selecting a node draws its three percentiles.
        workspace.nodeTable()->selectRow(0);
        workspace.refreshCharts();
        QCOMPARE(workspace.latencyChart()->seriesCount(), 3);
        QCOMPARE(workspace.requestsChart()->seriesCount(), 1);
        // The events tail has each node's start, replayed on connect.
        QTRY_VERIFY_WITH_TIMEOUT(workspace.eventModel()->rowCount() >= 2, 3000);
        QCOMPARE(workspace.eventModel()->index(0, EventLogModel::Kind).data().toString(),
                 QString("NODE_UP"));

        // A SIGKILLed node is down within 5 s; the other stays up and the UI keeps running.
        m_alpha->kill();
        QElapsedTimer lost;
        lost.start();
        QTRY_VERIFY_WITH_TIMEOUT(alpha->state() == State::Down, 5000);
        qInfo("alpha shown down after %lld ms: %s", lost.elapsed(), qPrintable(alpha->error()));
        QVERIFY(cell(workspace, 0, NodeTableModel::State).startsWith("down"));
        QVERIFY(beta->state() == State::Up);

        // Restarted on the same port it comes back by itself (retries 1 s, 2 s, 4 s …).
        QVERIFY2(m_alpha->start(), "flowd alpha did not restart");
        QTRY_VERIFY_WITH_TIMEOUT(alpha->state() == State::Up, 10000);
        QVERIFY(beta->state() == State::Up);
        QCOMPARE(cell(workspace, 0, NodeTableModel::State), QString("up"));
    }

    void stopsRetryingWhenDisconnected() {
        // A node nobody runs: down after the connect deadline, with backoff growing each time.
        ClusterConnection connection(QString("127.0.0.1:%1").arg(flowd_test::freePort()));
        connection.start();
        QTRY_VERIFY_WITH_TIMEOUT(connection.state() == State::Down, 6000);
        QVERIFY(!connection.error().isEmpty());
        QCOMPARE(connection.retryDelayMs(), 2000);
        connection.stop();
        QVERIFY(connection.state() == State::Down);
    }

    void cleanupTestCase() {
        m_alpha.reset();
        m_beta.reset();
    }
};

QTEST_MAIN(tst_ClustersWorkspace)
#include "tst_clusters_workspace.moc"
