// The console against a real 3-node cluster: three flowd nodes on one throw-away PostgreSQL (the
// harness of `flowctl cluster up`), started with a tokens file. A connection profile that names
// one node and discovers the rest, with its token in the 0600 file vault, brings up all three;
// their metrics match each node's own /metrics; the charts draw three nodes and the cluster; a
// node killed with SIGKILL shows down within 5 s and comes back when restarted; Deploy follows
// the profile. A profile without the token is refused by the nodes and says so.
#include "app/main_window.h"
#include "clusters/chart_adapter.h"
#include "clusters/cluster_connection.h"
#include "clusters/clusters_workspace.h"
#include "clusters/connection_profile.h"
#include "clusters/metrics_history.h"
#include "clusters/node_table_model.h"
#include "clusters/token_vault.h"
#include "deploy/deploy_workspace.h"
#include "deploy/remote_flow_models.h"

#include "cluster/local_cluster.h"

#include "flowdeck/v1/conversations.grpc.pb.h"

#include <grpcpp/grpcpp.h>
#include <httplib.h>

#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>

using flowdeck::console::ClusterConnection;
using flowdeck::console::ClustersWorkspace;
using flowdeck::console::ConnectionProfile;
using flowdeck::console::MainWindow;
using flowdeck::console::NodeTableModel;
using flowdeck::console::ProfileStore;
using flowdeck::console::TokenVault;
using State = ClusterConnection::State;
namespace v1 = flowdeck::v1;

namespace {

const char* const kToken = "console-cluster-token-7f3a";

// Sends `count` messages to each address, with the token; returns how many were answered.
int sendTraffic(const std::vector<std::string>& addresses, int count, const std::string& tag) {
    int answered = 0;
    for (const std::string& address : addresses) {
        auto stub = v1::Conversations::NewStub(
            grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
        for (int i = 0; i < count; ++i) {
            v1::ProcessMessageRequest request;
            request.set_tenant_id("acme");
            request.set_conversation_id(tag + "-" + address + "-" + std::to_string(i % 4));
            request.mutable_content()->set_text(i % 2 ? "where is my order" : "hello");
            v1::ProcessMessageResponse response;
            grpc::ClientContext context;
            context.AddMetadata("authorization", std::string("Bearer ") + kToken);
            context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
            answered += stub->ProcessMessage(&context, request, &response).ok() ? 1 : 0;
        }
    }
    return answered;
}

// flowdeck_messages_total over every label set, as the node's HTTP /metrics says now.
double scrapedMessages(uint16_t httpPort) {
    httplib::Client client("127.0.0.1", httpPort);
    client.set_connection_timeout(2);
    client.set_read_timeout(2);
    const auto result = client.Get("/metrics");
    if (!result || result->status != 200) {
        return -1.0;
    }
    double total = 0.0;
    QTextStream lines(QByteArray::fromStdString(result->body));
    for (QString line = lines.readLine(); !line.isNull(); line = lines.readLine()) {
        if (line.startsWith(QLatin1String("flowdeck_messages_total{")) ||
            line.startsWith(QLatin1String("flowdeck_messages_total "))) {
            total += line.section(QLatin1Char(' '), -1).toDouble();
        }
    }
    return total;
}

} // namespace

class tst_ClustersCluster : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    std::unique_ptr<flowdeck::cluster::LocalCluster> m_cluster;
    std::unique_ptr<MainWindow> m_window;

    ClustersWorkspace* clusters() const { return m_window->clusters(); }
    const flowdeck::cluster::LocalNode& node(size_t i) const { return m_cluster->nodes().at(i); }
    QString address(size_t i) const { return QString::fromStdString(node(i).grpcAddress()); }

    void saveProfiles() {
        ConnectionProfile local;
        local.name = QStringLiteral("local cluster");
        local.addresses = {address(0)};
        local.discover = true;
        ConnectionProfile bare = local;
        bare.name = QStringLiteral("no token");
        bare.discover = false;
        QString error;
        QVERIFY2(ProfileStore::save({local, bare}, &error), qPrintable(error));
        const auto kept = TokenVault::writeFile(local.name, QString::fromLatin1(kToken));
        QVERIFY2(kept.ok, qPrintable(kept.error));
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_dir.isValid());
        // PostgreSQL runs as the postgres user when the tests run as root: it must reach the dir.
        QFile::setPermissions(m_dir.path(), QFileDevice::ReadOwner | QFileDevice::WriteOwner |
                                                QFileDevice::ExeOwner | QFileDevice::ReadOther |
                                                QFileDevice::ExeOther | QFileDevice::ReadGroup |
                                                QFileDevice::ExeGroup);
        qputenv("XDG_CONFIG_HOME", m_dir.filePath("config").toUtf8());
        qputenv("FLOWDECK_TOKEN_STORE", "file"); // no keychain on a test machine
        qunsetenv("FLOWDECK_TOKEN");

        const QString tokens = m_dir.filePath("tokens.json");
        QFile file(tokens);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(QByteArray("{\"tokens\": [{\"subject\": \"oncall\", \"role\": \"admin\", "
                              "\"tenants\": [\"*\"], \"token\": \"") +
                   kToken + "\"}]}");
        file.close();
        QVERIFY(file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner));

        flowdeck::cluster::LocalClusterOptions options;
        options.dir = m_dir.filePath("cluster").toStdString();
        options.nodes = 3;
        options.flowdPath = TEST_BIN_DIR "/flowd";
        options.flowsDir = RESOURCES_DIR "/flows";
        options.extraArgs = {"--tokens", tokens.toStdString()};
        std::string error;
        m_cluster = flowdeck::cluster::LocalCluster::start(options, &error);
        QVERIFY2(m_cluster, error.c_str());
        saveProfiles();

        m_window = std::make_unique<MainWindow>(nullptr);
        m_window->resize(1400, 900);
        m_window->show();
        m_window->showWorkspace("clusters");
    }

    void cleanupTestCase() {
        m_window.reset(); // its streams stop before the nodes do
        if (m_cluster) {
            std::string error;
            QVERIFY2(m_cluster->stop(std::chrono::seconds(15), &error), error.c_str());
        }
    }

    void aProfileWithoutItsTokenIsRefusedByTheNodes() {
        QCOMPARE(clusters()->profiles().size(), 2);
        QVERIFY(clusters()->connectProfile("no token"));
        QTRY_COMPARE_WITH_TIMEOUT(clusters()->connections().size(), 1, 5000);
        ClusterConnection* only = clusters()->connections().front();
        QTRY_VERIFY_WITH_TIMEOUT(only->state() == State::Down, 8000);
        qInfo("without a token: %s", qPrintable(only->error()));
        QVERIFY2(only->error().contains("token", Qt::CaseInsensitive) ||
                     only->error().contains("authenticat", Qt::CaseInsensitive),
                 qPrintable(only->error()));
        QVERIFY(!clusters()->connectProfile("nobody by that name"));
    }

    void oneAddressDiscoversTheWholeCluster() {
        QSignalSpy connected(clusters(), &ClustersWorkspace::profileConnected);
        QVERIFY(clusters()->connectProfile("local cluster"));
        QTRY_COMPARE_WITH_TIMEOUT(connected.size(), 1, 5000);
        QCOMPARE(clusters()->activeProfile(), QString("local cluster"));
        // The node without a token is gone; node-1 lists its two peers, which join.
        QTRY_COMPARE_WITH_TIMEOUT(clusters()->connections().size(), 3, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(std::all_of(clusters()->connections().cbegin(),
                                             clusters()->connections().cend(),
                                             [](const ClusterConnection* c) {
                                                 return c->state() == State::Up && c->info();
                                             }),
                                 15000);
        QStringList ids;
        for (const ClusterConnection* connection : clusters()->connections()) {
            ids << connection->nodeId();
            QCOMPARE(QString::fromStdString(connection->info()->storeKind), QString("postgres"));
        }
        ids.sort();
        QCOMPARE(ids, QStringList({"node-1", "node-2", "node-3"}));
        for (size_t i = 0; i < 3; ++i) {
            QVERIFY2(clusters()->connectionFor(address(i)), qPrintable(address(i)));
        }
        // Deploy talks to the same cluster, with the profile's token.
        QCOMPARE(m_window->deploy()->address(), address(0));
        m_window->showWorkspace("deploy");
        QTRY_VERIFY_WITH_TIMEOUT(m_window->deploy()->flowModel()->rowOf("order_support") >= 0,
                                 8000);
        m_window->showWorkspace("clusters");
    }

    void metricsMatchEachNodesOwnEndpoint() {
        std::vector<std::string> addresses;
        for (const auto& n : m_cluster->nodes()) {
            addresses.push_back(n.grpcAddress());
        }
        QCOMPARE(sendTraffic(addresses, 12, "match"), 36);
        // Once traffic stops, each node's newest snapshot and its /metrics say the same total.
        for (size_t i = 0; i < 3; ++i) {
            ClusterConnection* connection = clusters()->connectionFor(address(i));
            QVERIFY(connection);
            QTRY_VERIFY_WITH_TIMEOUT(connection->latest() && connection->latest()->messagesTotal ==
                                                                 scrapedMessages(node(i).httpPort),
                                     5000);
            QVERIFY(connection->latest()->messagesTotal >= 12.0);
        }
    }

    void chartsDrawEveryNodeAndTheCluster() {
        sendTraffic({node(0).grpcAddress(), node(2).grpcAddress()}, 10, "charts");
        clusters()->refreshCharts();
        QTRY_VERIFY_WITH_TIMEOUT(clusters()->requestsChart()->pointCount() >= 6, 5000);
        QCOMPARE(clusters()->requestsChart()->seriesCount(), 4); // three nodes and the cluster
        QVERIFY(clusters()->requestsChart()->maxValue() > 0.0);
        QVERIFY(clusters()->latencyChart()->pointCount() > 0);
    }

    void aKilledNodeShowsDownWithinFiveSecondsAndReturns() {
        ClusterConnection* second = clusters()->connectionFor(address(1));
        QVERIFY(second && second->state() == State::Up);
        std::string error;
        QVERIFY2(m_cluster->kill(1, SIGKILL, &error), error.c_str());
        QElapsedTimer lost;
        lost.start();
        QTRY_VERIFY_WITH_TIMEOUT(second->state() == State::Down, 5000);
        qInfo("node-2 shown down after %lld ms: %s", lost.elapsed(), qPrintable(second->error()));
        const int row = clusters()->connections().indexOf(second);
        QVERIFY(clusters()
                    ->nodeModel()
                    ->index(row, NodeTableModel::State)
                    .data()
                    .toString()
                    .startsWith("down"));
        for (size_t other : {size_t(0), size_t(2)}) {
            QVERIFY(clusters()->connectionFor(address(other))->state() == State::Up);
        }

        QVERIFY2(m_cluster->restart(1, &error), error.c_str());
        QElapsedTimer back;
        back.start();
        QTRY_VERIFY_WITH_TIMEOUT(second->state() == State::Up, 20000);
        qInfo("node-2 shown up %lld ms after it was ready again", back.elapsed());
        QCOMPARE(clusters()->connections().size(), 3); // discovery added no duplicate
    }
};

QTEST_MAIN(tst_ClustersCluster)
#include "tst_clusters_cluster.moc"
