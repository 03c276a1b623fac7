// bench-console-clusters: what watching a cluster costs the console. Starts N real flowd nodes on
// 127.0.0.1 (SQLite, one snapshot a second each), shows the Clusters workspace offscreen with a
// chart window of 1 h whose history is already full (prefilled), keeps light traffic on every
// node (from a child process), and measures the console process's CPU time (every thread: gRPC
// streams, charts, alerts) and its resident memory over the run. Issue 7's target: 10 nodes, 1 h of
// history, under 5% of one core, memory bounded. Results: docs/benchmarks.md ("Console: watching a
// cluster").
//
//   QT_QPA_PLATFORM=offscreen build/bin/bench-console-clusters --nodes 10 --seconds 120
#include "clusters/cluster_connection.h"
#include "clusters/clusters_workspace.h"
#include "clusters/metrics_history.h"

#include "flowdeck/v1/conversations.grpc.pb.h"

#include <grpcpp/grpcpp.h>

#include <QApplication>
#include <QCommandLineParser>
#include <QDateTime>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QProcess>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTimer>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <memory>
#include <sys/resource.h>
#include <thread>
#include <vector>

using flowdeck::console::ClusterConnection;
using flowdeck::console::ClustersWorkspace;
using flowdeck::console::MetricSample;
namespace v1 = flowdeck::v1;

namespace {

quint16 freePort() {
    QTcpServer server;
    server.listen(QHostAddress::LocalHost, 0);
    return server.serverPort();
}

double cpuSeconds() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    auto seconds = [](const timeval& t) { return double(t.tv_sec) + double(t.tv_usec) / 1e6; };
    return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

long rssKiB() {
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly)) {
        return -1;
    }
    for (const QByteArray& line : status.readAll().split('\n')) {
        if (line.startsWith("VmRSS:")) {
            return line.mid(6).trimmed().split(' ').front().toLong();
        }
    }
    return -1;
}

// One hour of plausible samples ending a second ago, so the 1 h window draws 3,600 points a node.
void prefill(ClustersWorkspace& workspace, const QString& address, int seconds, int seed) {
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    for (int i = seconds; i >= 1; --i) {
        MetricSample sample;
        sample.timeMs = now - qint64(i) * 1000;
        const double wave = std::sin((i + seed * 97) / 60.0);
        sample.requestsPerSecond = 40.0 + 10.0 * wave;
        sample.p50Ms = 3.0 + wave;
        sample.p95Ms = 9.0 + 2.0 * wave;
        sample.p99Ms = 15.0 + 3.0 * wave;
        sample.errorRate = 0.01;
        sample.activeConversations = 120.0;
        sample.transitionsTotal = 1000.0 * (seconds - i);
        sample.integrationFailuresTotal = 2.0 * (seconds - i);
        sample.messagesTotal = 40.0 * (seconds - i);
        workspace.history().append(address, sample);
    }
}

// A few messages a second to every node, so the live samples carry traffic.
class Traffic final {
public:
    explicit Traffic(const std::vector<std::string>& addresses) {
        for (const auto& address : addresses) {
            m_stubs.push_back(v1::Conversations::NewStub(
                grpc::CreateChannel(address, grpc::InsecureChannelCredentials())));
        }
        m_thread = std::thread([this] { run(); });
    }
    ~Traffic() {
        m_stop = true;
        m_thread.join();
    }

private:
    void run() {
        for (int i = 0; !m_stop; ++i) {
            for (auto& stub : m_stubs) {
                v1::ProcessMessageRequest request;
                request.set_tenant_id("acme");
                request.set_conversation_id("bench-" + std::to_string(i % 20));
                request.mutable_content()->set_text(i % 2 ? "where is my order" : "hello");
                v1::ProcessMessageResponse response;
                grpc::ClientContext context;
                context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
                stub->ProcessMessage(&context, request, &response);
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
        }
    }
    std::vector<std::unique_ptr<v1::Conversations::Stub>> m_stubs;
    std::atomic<bool> m_stop{false};
    std::thread m_thread;
};

// Runs the event loop (sleeping in it, as the console does) for `ms`.
void runFor(int ms) {
    QEventLoop loop;
    QTimer::singleShot(ms, &loop, &QEventLoop::quit);
    loop.exec();
}

void waitFor(const std::function<bool()>& done, int timeoutMs) {
    QElapsedTimer timer;
    timer.start();
    while (!done() && timer.elapsed() < timeoutMs) {
        runFor(100);
    }
}

} // namespace

int main(int argc, char* argv[]) {
    // The traffic runs in a child process of its own (this program again), so its gRPC calls are
    // not counted as the console's CPU time.
    if (argc == 3 && std::string(argv[1]) == "--traffic-only") {
        std::vector<std::string> addresses;
        for (const QString& address : QString::fromLocal8Bit(argv[2]).split(',')) {
            addresses.push_back(address.toStdString());
        }
        Traffic traffic(addresses);
        std::this_thread::sleep_for(std::chrono::hours(2)); // until killed
        return 0;
    }
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) {
        qputenv("QT_QPA_PLATFORM", "offscreen");
    }
    QApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    const QCommandLineOption nodesOption("nodes", "flowd nodes to start and watch.", "N", "10");
    const QCommandLineOption secondsOption("seconds", "Seconds to measure.", "S", "120");
    const QCommandLineOption prefillOption("prefill", "Seconds of history to prefill per node.",
                                           "S", "3600");
    const QCommandLineOption windowOption("window", "Chart window: 300, 3600 or 21600 s.", "S",
                                          "3600");
    parser.addOptions({nodesOption, secondsOption, prefillOption, windowOption});
    parser.process(app);
    const int nodes = std::clamp(parser.value(nodesOption).toInt(), 1, 32);
    const int seconds = std::clamp(parser.value(secondsOption).toInt(), 5, 7200);
    const int prefillSeconds = std::clamp(parser.value(prefillOption).toInt(), 0, 21600);

    QTemporaryDir dir;
    std::vector<std::unique_ptr<QProcess>> flowds;
    std::vector<std::string> addresses;
    for (int i = 0; i < nodes; ++i) {
        const QString data = dir.filePath(QStringLiteral("node-%1").arg(i + 1));
        const QString grpc = QStringLiteral("127.0.0.1:%1").arg(freePort());
        const QString http = QStringLiteral("127.0.0.1:%1").arg(freePort());
        auto process = std::make_unique<QProcess>();
        process->setProcessChannelMode(QProcess::ForwardedErrorChannel);
        process->setStandardOutputFile(QProcess::nullDevice());
        process->start(QStringLiteral(FLOWD_PATH),
                       {"--data", data, "--grpc", grpc, "--http", http, "--flows",
                        RESOURCES_DIR "/flows", "--node-id", QStringLiteral("node-%1").arg(i + 1)});
        flowds.push_back(std::move(process));
        addresses.push_back(grpc.toStdString());
    }

    ClustersWorkspace workspace;
    workspace.resize(1440, 860);
    workspace.show();
    workspace.setWindowSeconds(parser.value(windowOption).toInt());
    for (int i = 0; i < nodes; ++i) {
        const QString address = QString::fromStdString(addresses[size_t(i)]);
        prefill(workspace, address, prefillSeconds, i);
        workspace.connectTo(address);
    }
    waitFor(
        [&] {
            return std::all_of(workspace.connections().cbegin(), workspace.connections().cend(),
                               [](const ClusterConnection* c) {
                                   return c->state() == ClusterConnection::State::Up;
                               });
        },
        60000);
    int up = 0;
    for (const ClusterConnection* connection : workspace.connections()) {
        up += connection->state() == ClusterConnection::State::Up ? 1 : 0;
    }
    QStringList joined;
    for (const auto& address : addresses) {
        joined << QString::fromStdString(address);
    }
    QProcess traffic;
    traffic.start(QCoreApplication::applicationFilePath(),
                  {QStringLiteral("--traffic-only"), joined.join(',')});
    runFor(10000); // warm up: first charts, threads, caches

    const long rssStart = rssKiB();
    long rssMax = rssStart;
    const double cpuStart = cpuSeconds();
    QElapsedTimer wall;
    wall.start();
    std::printf("nodes %d (up %d), window %d s, prefilled %d s a node, measuring %d s\n", nodes, up,
                workspace.windowSeconds(), prefillSeconds, seconds);
    while (wall.elapsed() < qint64(seconds) * 1000) {
        runFor(10000);
        const long rss = rssKiB();
        rssMax = std::max(rssMax, rss);
        std::printf("  t=%3llds cpu %.2f%% of one core, rss %ld KiB\n", wall.elapsed() / 1000,
                    100.0 * (cpuSeconds() - cpuStart) / (double(wall.elapsed()) / 1000.0), rss);
        std::fflush(stdout);
    }
    const double cpu = cpuSeconds() - cpuStart;
    const double elapsed = double(wall.elapsed()) / 1000.0;
    const long rssEnd = rssKiB();

    // The timer's work on its own: a chart redraw, and the alert rules with the node table.
    constexpr int kTicks = 20;
    QElapsedTimer tick;
    tick.start();
    for (int i = 0; i < kTicks; ++i) {
        workspace.refreshCharts();
    }
    const double chartsMs = double(tick.nsecsElapsed()) / 1e6 / kTicks;
    tick.restart();
    for (int i = 0; i < kTicks; ++i) {
        workspace.refreshAlerts();
    }
    const double alertsMs = double(tick.nsecsElapsed()) / 1e6 / kTicks;
    std::printf("RESULT nodes=%d up=%d window_s=%d prefill_s=%d seconds=%.0f cpu_pct=%.2f "
                "charts_ms=%.2f every %d s alerts_ms=%.2f rss_start_kib=%ld rss_end_kib=%ld "
                "rss_max_kib=%ld "
                "samples_per_node=%zu\n",
                nodes, up, workspace.windowSeconds(), prefillSeconds, elapsed,
                100.0 * cpu / elapsed, chartsMs,
                ClustersWorkspace::chartRefreshSeconds(workspace.windowSeconds()), alertsMs,
                rssStart, rssEnd, rssMax,
                workspace.history().size(QString::fromStdString(addresses.front())));
    traffic.kill();
    traffic.waitForFinished(5000);
    for (auto& process : flowds) {
        process->terminate();
    }
    for (auto& process : flowds) {
        if (!process->waitForFinished(10000)) {
            process->kill();
            process->waitForFinished(2000);
        }
    }
    return up == nodes ? 0 : 1;
}
