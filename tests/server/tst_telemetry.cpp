// The Telemetry service of a real flowd on 127.0.0.1: WatchMetrics, GetNodeInfo, WatchEvents, and
// flowctl top/events on top of them.
#include "../clients/flowctl_runner.h"
#include "flowd_process.h"

#include "flowdeck/engine/metrics.h"
#include "flowdeck/v1/conversations.grpc.pb.h"
#include "flowdeck/v1/telemetry.grpc.pb.h"

#include <grpcpp/grpcpp.h>

#include <QFile>
#include <QRegularExpression>
#include <QtTest>

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

namespace {

namespace v1 = flowdeck::v1;
namespace latency = flowdeck::engine::latency;
using Clock = std::chrono::steady_clock;
using flowctl_test::flowctl;
using flowd_test::FlowdProcess;

constexpr char kNodeId[] = "telemetry-test";

// Every stream gets a deadline so that a server that stops sending fails the test, not hangs it.
void limit(grpc::ClientContext& context, int seconds = 20) {
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(seconds));
}

v1::WatchMetricsRequest metricsRequest(int intervalMs, std::vector<std::string> families = {},
                                       bool omitBuckets = false) {
    v1::WatchMetricsRequest request;
    request.mutable_interval()->set_seconds(intervalMs / 1000);
    request.mutable_interval()->set_nanos((intervalMs % 1000) * 1000000);
    for (auto& family : families) {
        request.add_families(family);
    }
    request.set_omit_buckets(omitBuckets);
    return request;
}

const v1::MetricFamily* findFamily(const v1::MetricsSnapshot& snapshot, const std::string& name) {
    for (const auto& family : snapshot.families()) {
        if (family.name() == name) {
            return &family;
        }
    }
    return nullptr;
}

// The exposition's name for one sample: name{label="value",...}.
std::string sampleKey(const v1::MetricFamily& family, const v1::MetricSample& sample,
                      const std::string& suffix = {}, const std::string& le = {}) {
    std::string key = family.name() + suffix;
    std::string labels;
    for (int i = 0; i < family.label_names_size(); ++i) {
        labels += (labels.empty() ? "" : ",") + family.label_names(i) + "=\"" +
                  sample.label_values(i) + "\"";
    }
    if (!le.empty()) {
        labels += (labels.empty() ? "" : ",") + std::string("le=\"") + le + "\"";
    }
    return labels.empty() ? key : key + "{" + labels + "}";
}

double millisBetween(const google::protobuf::Timestamp& a, const google::protobuf::Timestamp& b) {
    return (b.seconds() - a.seconds()) * 1000.0 + (b.nanos() - a.nanos()) / 1e6;
}

} // namespace

class tst_Telemetry : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_data;
    QTemporaryDir m_flows;
    FlowdProcess m_flowd;
    std::chrono::system_clock::time_point m_startedBefore;
    std::shared_ptr<grpc::Channel> m_channel;

    std::unique_ptr<v1::Telemetry::Stub> telemetry() const {
        return v1::Telemetry::NewStub(m_channel);
    }

    v1::ProcessMessageResponse process(const std::string& tenant, const std::string& conversation,
                                       const std::string& text, const std::string& flow = {}) {
        v1::ProcessMessageRequest request;
        request.set_tenant_id(tenant);
        request.set_conversation_id(conversation);
        request.mutable_content()->set_text(text);
        request.mutable_hints()->set_force_flow(flow);
        v1::ProcessMessageResponse response;
        grpc::ClientContext context;
        limit(context, 10);
        const grpc::Status status =
            v1::Conversations::NewStub(m_channel)->ProcessMessage(&context, request, &response);
        if (!status.ok()) {
            qWarning("ProcessMessage failed: %s", status.error_message().c_str());
        }
        return response;
    }

    // Waits up to `timeoutMs` for flowdeck_telemetry_streams{rpc} to read `expected`.
    bool streamGaugeReaches(const std::string& rpc, double expected, int timeoutMs) {
        QElapsedTimer timer;
        timer.start();
        const std::string key = "flowdeck_telemetry_streams{rpc=\"" + rpc + "\"}";
        do {
            const auto samples = m_flowd.scrape();
            if (const auto it = samples.find(key); it != samples.end() && it->second == expected) {
                return true;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        } while (timer.elapsed() < timeoutMs);
        return false;
    }

    // A copy of the circuit-breaker flow under another name: error events are throttled per
    // code and flow, so a test that needs a fresh event uses a flow of its own.
    void addCircuitFlow(const QString& name) {
        QFile source(TEST_DATA_DIR "/flows/circuit_breaker.json");
        QVERIFY(source.open(QIODevice::ReadOnly));
        QByteArray text = source.readAll();
        text.replace("\"circuit_breaker\"", "\"" + name.toUtf8() + "\"");
        QFile target(m_flows.filePath(name + ".json"));
        QVERIFY(target.open(QIODevice::WriteOnly));
        target.write(text);
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_data.isValid() && m_flows.isValid());
        QVERIFY2(QFile::exists(flowd_test::kFlowd), "flowd is not built");
        QVERIFY(QFile::copy(RESOURCES_DIR "/flows/order_support.json",
                            m_flows.filePath("order_support.json")));
        QVERIFY(QFile::copy(TEST_DATA_DIR "/flows/circuit_breaker.json",
                            m_flows.filePath("circuit_breaker.json")));
        addCircuitFlow("circuit_many");
        addCircuitFlow("circuit_throttle");
        m_startedBefore = std::chrono::system_clock::now() - std::chrono::seconds(1);
        QVERIFY2(m_flowd.start(m_data.path(), m_flows.path(), {"--node-id", kNodeId}),
                 "flowd did not become ready");
        m_channel = grpc::CreateChannel(m_flowd.grpcTarget(), grpc::InsecureChannelCredentials());
    }

    void cleanupTestCase() { m_flowd.kill(); }

    void firstSnapshotArrivesAtOnceWithTheHistogramLayout() {
        grpc::ClientContext context;
        limit(context);
        QElapsedTimer timer;
        timer.start();
        auto reader = telemetry()->WatchMetrics(&context, metricsRequest(10000));
        v1::MetricsSnapshot snapshot;
        QVERIFY(reader->Read(&snapshot));
        QVERIFY2(timer.elapsed() < 2000, qPrintable(QString("took %1 ms").arg(timer.elapsed())));
        QCOMPARE(snapshot.sequence(), uint64_t(1));
        QCOMPARE(snapshot.node_id(), std::string(kNodeId));
        QVERIFY(snapshot.has_histogram_layout());
        const auto& layout = snapshot.histogram_layout();
        QCOMPARE(layout.exact_below(), 256u);
        QCOMPARE(layout.sub_buckets(), 128u);
        QCOMPARE(layout.max_exponent(), 36u);
        QCOMPARE(layout.bucket_count(), latency::kBucketCount);
        QCOMPARE(layout.bounds_us_size(), int(latency::kBoundCount));
        QCOMPARE(layout.bounds_us(0), uint64_t(100));
        QCOMPARE(layout.bounds_us(17), uint64_t(60000000));
        QVERIFY(findFamily(snapshot, "flowdeck_requests_total") != nullptr);
        QVERIFY(findFamily(snapshot, "process_start_time_seconds") != nullptr);
        for (int i = 1; i < snapshot.families_size(); ++i) {
            QVERIFY(snapshot.families(i - 1).name() < snapshot.families(i).name());
        }
        context.TryCancel();
    }

    void snapshotsFollowEveryIntervalAndOnlyTheFirstHasTheLayout() {
        grpc::ClientContext context;
        limit(context);
        auto reader = telemetry()->WatchMetrics(&context, metricsRequest(250));
        std::vector<v1::MetricsSnapshot> snapshots(3);
        for (auto& snapshot : snapshots) {
            QVERIFY(reader->Read(&snapshot));
        }
        for (size_t i = 0; i < snapshots.size(); ++i) {
            QCOMPARE(snapshots[i].sequence(), uint64_t(i + 1));
            QCOMPARE(snapshots[i].has_histogram_layout(), i == 0);
        }
        // Snapshots are due at fixed times from the first one; each may be taken a little late.
        const double elapsed = millisBetween(snapshots[0].taken_at(), snapshots[2].taken_at());
        QVERIFY2(elapsed >= 495 && elapsed < 3000, qPrintable(QString("%1 ms").arg(elapsed)));
        for (size_t i = 1; i < snapshots.size(); ++i) {
            const double gap = millisBetween(snapshots[i - 1].taken_at(), snapshots[i].taken_at());
            QVERIFY2(gap >= 100, qPrintable(QString("gap %1 ms").arg(gap)));
        }
        context.TryCancel();
    }

    void intervalIsClampedTo100Milliseconds() {
        grpc::ClientContext context;
        limit(context);
        auto reader = telemetry()->WatchMetrics(&context, metricsRequest(1, {"flowdeck_"}));
        v1::MetricsSnapshot first;
        v1::MetricsSnapshot last;
        QVERIFY(reader->Read(&first));
        for (int i = 0; i < 3; ++i) {
            QVERIFY(reader->Read(&last));
        }
        const double elapsed = millisBetween(first.taken_at(), last.taken_at());
        QVERIFY2(elapsed >= 290, qPrintable(QString("3 intervals in %1 ms").arg(elapsed)));
        context.TryCancel();
    }

    void snapshotCountsMatchPrometheusAfterProcessedMessages() {
        const int kMessages = 12;
        for (int i = 0; i < kMessages; ++i) {
            const auto response =
                process("tenant_counts", "counts-" + std::to_string(i % 4), "where is my order?");
            QVERIFY(!response.current_state().empty());
        }
        grpc::ClientContext context;
        limit(context);
        auto reader = telemetry()->WatchMetrics(
            &context,
            metricsRequest(10000, {"flowdeck_messages", "flowdeck_state_transitions",
                                   "flowdeck_requests_total", "flowdeck_request_duration"}));
        v1::MetricsSnapshot snapshot;
        QVERIFY(reader->Read(&snapshot));
        context.TryCancel();
        const auto exposition = m_flowd.scrape();
        QVERIFY(!exposition.empty());

        const auto* messages = findFamily(snapshot, "flowdeck_messages_total");
        QVERIFY(messages != nullptr);
        double counted = 0;
        for (const auto& sample : messages->samples()) {
            const std::string key = sampleKey(*messages, sample);
            QVERIFY2(exposition.count(key) == 1, key.c_str());
            QCOMPARE(exposition.at(key), sample.number());
            counted += sample.label_values(0) == "tenant_counts" ? sample.number() : 0;
        }
        QCOMPARE(counted, double(kMessages));
        const auto* transitions = findFamily(snapshot, "flowdeck_state_transitions_total");
        QVERIFY(transitions != nullptr);
        for (const auto& sample : transitions->samples()) {
            QCOMPARE(exposition.at(sampleKey(*transitions, sample)), sample.number());
        }
        const auto* requests = findFamily(snapshot, "flowdeck_requests_total");
        QVERIFY(requests != nullptr);
        const std::string processKey = "flowdeck_requests_total{method=\"flowdeck.v1."
                                       "Conversations/ProcessMessage\",code=\"OK\"}";
        bool sawProcess = false;
        for (const auto& sample : requests->samples()) {
            if (sampleKey(*requests, sample) == processKey) {
                sawProcess = true;
                QCOMPARE(exposition.at(processKey), sample.number());
                QVERIFY(sample.number() >= kMessages);
            }
        }
        QVERIFY(sawProcess);
        const auto* duration = findFamily(snapshot, "flowdeck_request_duration_seconds");
        QVERIFY(duration != nullptr && duration->samples_size() == 1);
        const auto& histogram = duration->samples(0).histogram();
        QCOMPARE(exposition.at("flowdeck_request_duration_seconds_count"),
                 double(histogram.count()));
        QCOMPARE(histogram.cumulative_size(), int(latency::kBoundCount));
        for (size_t b = 0; b < latency::kBoundCount; ++b) {
            const std::string key = "flowdeck_request_duration_seconds_bucket{le=\"" +
                                    std::string(latency::kBoundLabels[b]) + "\"}";
            QCOMPARE(exposition.at(key), double(histogram.cumulative(int(b))));
        }
    }

    void familiesFilterByNamePrefix() {
        grpc::ClientContext context;
        limit(context);
        auto reader =
            telemetry()->WatchMetrics(&context, metricsRequest(10000, {"flowdeck_request"}));
        v1::MetricsSnapshot snapshot;
        QVERIFY(reader->Read(&snapshot));
        context.TryCancel();
        QCOMPARE(snapshot.families_size(), 2);
        QCOMPARE(snapshot.families(0).name(), std::string("flowdeck_request_duration_seconds"));
        QCOMPARE(snapshot.families(1).name(), std::string("flowdeck_requests_total"));
        QVERIFY(snapshot.families(0).type() == v1::METRIC_TYPE_HISTOGRAM);
        QVERIFY(snapshot.families(1).type() == v1::METRIC_TYPE_COUNTER);
    }

    void omitBucketsLeavesOutBucketsButKeepsTheCounts() {
        for (const bool omit : {false, true}) {
            grpc::ClientContext context;
            limit(context);
            auto reader = telemetry()->WatchMetrics(
                &context, metricsRequest(10000, {"flowdeck_request_duration"}, omit));
            v1::MetricsSnapshot snapshot;
            QVERIFY(reader->Read(&snapshot));
            context.TryCancel();
            QCOMPARE(snapshot.families_size(), 1);
            const auto& histogram = snapshot.families(0).samples(0).histogram();
            QVERIFY(histogram.count() > 0);
            QVERIFY(histogram.max() >= histogram.min());
            QCOMPARE(histogram.cumulative_size(), int(latency::kBoundCount));
            uint64_t inBuckets = 0;
            for (const auto& bucket : histogram.buckets()) {
                inBuckets += bucket.count();
            }
            QCOMPARE(inBuckets, omit ? uint64_t(0) : histogram.count());
            QCOMPARE(histogram.buckets_size() == 0, omit);
        }
    }

    void nodeInfoDescribesTheNode() {
        v1::NodeInfo info;
        grpc::ClientContext context;
        limit(context, 10);
        const grpc::Status status =
            telemetry()->GetNodeInfo(&context, v1::GetNodeInfoRequest(), &info);
        QVERIFY2(status.ok(), status.error_message().c_str());
        auto client = m_flowd.http();
        const auto health = client.Get("/health");
        QVERIFY(health);
        const QString version = QJsonDocument::fromJson(QByteArray::fromStdString(health->body))
                                    .object()["version"]
                                    .toString();
        QCOMPARE(QString::fromStdString(info.version()), version);
        QCOMPARE(info.node_id(), std::string(kNodeId));
        QCOMPARE(info.address(), m_flowd.grpcTarget());
        const auto started = std::chrono::system_clock::time_point(
            std::chrono::seconds(info.started_at().seconds()));
        QVERIFY(started >= std::chrono::floor<std::chrono::seconds>(m_startedBefore));
        QVERIFY(started <= std::chrono::system_clock::now());
        QVERIFY(info.store_kind() == v1::STORE_KIND_SQLITE);
        QVERIFY(QString::fromStdString(info.store_detail()).endsWith("conversations.sqlite"));
        QStringList flows;
        for (const auto& flow : info.flows()) {
            flows << QString::fromStdString(flow.flow_id());
            QCOMPARE(flow.stable_version(), std::string("1.0"));
            QVERIFY(flow.canary_version().empty());
        }
        flows.sort();
        QCOMPARE(flows, QStringList({"circuit_breaker", "circuit_many", "circuit_throttle",
                                     "order_support"}));
        QCOMPARE(info.histogram_layout().bucket_count(), latency::kBucketCount);
        QCOMPARE(info.api_version(), std::string("flowdeck.v1"));
        QVERIFY(info.ready());
        QCOMPARE(info.peers_size(), 0);
    }

    void replaySendsTheNodeUpEventFirst() {
        grpc::ClientContext context;
        limit(context);
        v1::WatchEventsRequest request;
        request.add_kinds(v1::EVENT_KIND_NODE_UP);
        request.set_replay(10);
        auto reader = telemetry()->WatchEvents(&context, request);
        v1::Event event;
        QVERIFY(reader->Read(&event));
        context.TryCancel();
        QVERIFY(event.kind() == v1::EVENT_KIND_NODE_UP);
        QVERIFY(event.severity() == v1::EVENT_SEVERITY_INFO);
        QCOMPARE(event.node_id(), std::string(kNodeId));
        QVERIFY(!event.event_id().empty());
        QVERIFY(event.has_node());
        QVERIFY(event.node().node().up());
        QCOMPARE(event.node().node().address(), m_flowd.grpcTarget());
    }

    void circuitBreakerErrorArrivesAsAnEvent() {
        grpc::ClientContext context;
        limit(context);
        v1::WatchEventsRequest request;
        request.add_kinds(v1::EVENT_KIND_ALERT_FIRING);
        auto reader = telemetry()->WatchEvents(&context, request);
        reader->WaitForInitialMetadata(); // subscribed: no event can slip past from here on
        const auto response = process("tenant_events", "loop-1", "go", "circuit_breaker");
        QCOMPARE(response.errors_size(), 1);
        QCOMPARE(response.errors(0).code(), std::string("CIRCULAR_TRANSITION"));

        v1::Event event;
        QVERIFY(reader->Read(&event));
        QVERIFY(event.kind() == v1::EVENT_KIND_ALERT_FIRING);
        QVERIFY(event.severity() == v1::EVENT_SEVERITY_WARNING);
        QCOMPARE(event.node_id(), std::string(kNodeId));
        QVERIFY(event.summary().find("CIRCULAR_TRANSITION") != std::string::npos);
        const auto& labels = event.alert().labels();
        QCOMPARE(labels.at("code"), std::string("CIRCULAR_TRANSITION"));
        QCOMPARE(labels.at("flow"), std::string("circuit_breaker"));
        QCOMPARE(labels.at("conversation_id"), std::string("loop-1"));
        QCOMPARE(labels.at("trace_id"), response.errors(0).trace_id());
        context.TryCancel();
    }

    void repeatedErrorsAreHeldBackAndCountedIntoTheNextEvent() {
        grpc::ClientContext context;
        limit(context);
        v1::WatchEventsRequest request;
        request.add_kinds(v1::EVENT_KIND_ALERT_FIRING);
        auto reader = telemetry()->WatchEvents(&context, request);
        reader->WaitForInitialMetadata();
        for (int i = 0; i < 4; ++i) { // one event, three held back
            process("tenant_events", "burst-" + std::to_string(i), "go", "circuit_throttle");
        }
        v1::Event first;
        QVERIFY(reader->Read(&first));
        QCOMPARE(first.alert().labels().at("conversation_id"), std::string("burst-0"));
        QCOMPARE(first.alert().value(), 1.0);
        std::this_thread::sleep_for(std::chrono::milliseconds(1100));
        process("tenant_events", "burst-last", "go", "circuit_throttle");
        v1::Event next;
        QVERIFY(reader->Read(&next));
        QCOMPARE(next.alert().labels().at("conversation_id"), std::string("burst-last"));
        QCOMPARE(next.alert().value(), 4.0); // itself and the three held back
        QVERIFY(next.summary().find("3 more") != std::string::npos);
        context.TryCancel();
    }

    void cancelledStreamsEndPromptly() {
        grpc::ClientContext metricsContext;
        limit(metricsContext);
        auto metrics = telemetry()->WatchMetrics(&metricsContext, metricsRequest(60000));
        v1::MetricsSnapshot snapshot;
        QVERIFY(metrics->Read(&snapshot));
        grpc::ClientContext eventsContext;
        limit(eventsContext);
        auto events = telemetry()->WatchEvents(&eventsContext, v1::WatchEventsRequest());
        events->WaitForInitialMetadata();
        QVERIFY(streamGaugeReaches("WatchMetrics", 1, 3000));
        QVERIFY(streamGaugeReaches("WatchEvents", 1, 3000));

        QElapsedTimer timer;
        timer.start();
        metricsContext.TryCancel();
        eventsContext.TryCancel();
        QVERIFY(!metrics->Read(&snapshot));
        QVERIFY(streamGaugeReaches("WatchMetrics", 0, 3000));
        QVERIFY(streamGaugeReaches("WatchEvents", 0, 3000));
        QVERIFY2(timer.elapsed() < 1500,
                 qPrintable(QString("the server held the streams %1 ms").arg(timer.elapsed())));
    }

    void manyWatchersAllGetDataWhileMessagesFlow() {
        constexpr int kWatchers = 16;
        QElapsedTimer alone;
        alone.start();
        for (int i = 0; i < 200; ++i) {
            process("tenant_many", "alone-" + std::to_string(i % 20), "where is my order?");
        }
        const qint64 aloneMs = alone.elapsed();
        std::vector<std::unique_ptr<grpc::ClientContext>> contexts;
        std::vector<std::thread> threads;
        std::vector<std::atomic<int>> snapshots(kWatchers);
        std::vector<std::atomic<int>> events(kWatchers);
        for (int i = 0; i < kWatchers; ++i) {
            auto& metricsContext = *contexts.emplace_back(std::make_unique<grpc::ClientContext>());
            auto& eventsContext = *contexts.emplace_back(std::make_unique<grpc::ClientContext>());
            limit(metricsContext, 60);
            limit(eventsContext, 60);
            auto stub = telemetry();
            auto metricsReader = stub->WatchMetrics(&metricsContext, metricsRequest(100));
            v1::WatchEventsRequest request;
            request.add_kinds(v1::EVENT_KIND_ALERT_FIRING);
            std::shared_ptr eventsReader = stub->WatchEvents(&eventsContext, request);
            eventsReader->WaitForInitialMetadata();
            threads.emplace_back([reader = std::move(metricsReader), &count = snapshots[i]] {
                v1::MetricsSnapshot snapshot;
                while (reader->Read(&snapshot)) {
                    ++count;
                }
            });
            threads.emplace_back([reader = eventsReader, &count = events[i]] {
                v1::Event event;
                while (reader->Read(&event)) {
                    ++count;
                }
            });
        }
        QElapsedTimer timer;
        timer.start();
        for (int i = 0; i < 200; ++i) {
            QVERIFY(!process("tenant_many", "many-" + std::to_string(i % 20), "where is my order?")
                         .current_state()
                         .empty());
        }
        process("tenant_many", "many-loop", "go", "circuit_many");
        qInfo("200 messages: %lld ms without watchers, %lld ms with %d", aloneMs, timer.elapsed(),
              2 * kWatchers);
        const auto allGotData = [&] {
            for (int i = 0; i < kWatchers; ++i) {
                if (snapshots[i] < 3 || events[i] < 1) {
                    return false;
                }
            }
            return true;
        };
        QTRY_VERIFY_WITH_TIMEOUT(allGotData(), 10000);
        for (auto& context : contexts) {
            context->TryCancel();
        }
        for (auto& thread : threads) {
            thread.join();
        }
    }

    void flowctlTopPrintsLiveLines() {
        const auto run =
            flowctl({"top", m_flowd.grpcAddress(), "--interval", "200ms", "--count", "2"});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        const QStringList lines = run.out.split('\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 4); // node line, column header, two readings
        QVERIFY(lines[0].contains(kNodeId));
        QVERIFY(lines[1].contains("REQ/S") && lines[1].contains("P99 ms"));
        const QRegularExpression reading(R"(^\d\d:\d\d:\d\d\s+\d+\.\d\s+\d+\.\d\s+)");
        QVERIFY2(reading.match(lines[2]).hasMatch(), qPrintable(lines[2]));
        QVERIFY2(reading.match(lines[3]).hasMatch(), qPrintable(lines[3]));
        // Since start: messages were processed, so the first reading has latencies and errors.
        QVERIFY2(lines[2].contains('%'), qPrintable(lines[2]));
    }

    void flowctlTopSaysSoWhenTheNodeCannotBeReached() {
        const QString nobody = QString("127.0.0.1:%1").arg(flowd_test::freePort());
        const auto run = flowctl({"top", nobody, "--count", "1", "--connect-timeout", "500ms"});
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains("cannot connect to " + nobody), qPrintable(run.err));
    }

    void flowctlEventsPrintsEvents() {
        const auto run = flowctl({"events", m_flowd.grpcAddress(), "--replay", "10", "--kind",
                                  "node_up", "--count", "1"});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        QVERIFY2(run.out.contains("NODE_UP") && run.out.contains(kNodeId), qPrintable(run.out));
    }

    // Last: stops the node.
    void sigtermSendsADrainEventAndEndsEveryStream() {
        grpc::ClientContext eventsContext;
        limit(eventsContext);
        v1::WatchEventsRequest request;
        request.add_kinds(v1::EVENT_KIND_NODE_DOWN);
        auto events = telemetry()->WatchEvents(&eventsContext, request);
        events->WaitForInitialMetadata();
        grpc::ClientContext metricsContext;
        limit(metricsContext);
        auto metrics = telemetry()->WatchMetrics(&metricsContext, metricsRequest(60000));
        v1::MetricsSnapshot snapshot;
        QVERIFY(metrics->Read(&snapshot));

        QElapsedTimer timer;
        timer.start();
        m_flowd.terminate();
        v1::Event event;
        QVERIFY(events->Read(&event));
        QVERIFY(event.kind() == v1::EVENT_KIND_NODE_DOWN);
        QVERIFY(!event.node().node().up());
        QVERIFY2(event.node().reason().find("SIGTERM") != std::string::npos,
                 event.node().reason().c_str());
        QVERIFY(!events->Read(&event));
        const grpc::Status eventsEnd = events->Finish();
        QVERIFY2(eventsEnd.error_code() == grpc::StatusCode::UNAVAILABLE,
                 eventsEnd.error_message().c_str());
        QVERIFY(!metrics->Read(&snapshot));
        metrics->Finish();
        // Well within the 10 s shutdown grace: streams are ended, not waited out.
        QVERIFY2(timer.elapsed() < 3000, qPrintable(QString("%1 ms").arg(timer.elapsed())));
        QVERIFY(m_flowd.waitForFinished(10000));
        QVERIFY(m_flowd.log().contains("shutdown complete"));
    }
};

QTEST_GUILESS_MAIN(tst_Telemetry)
#include "tst_telemetry.moc"
