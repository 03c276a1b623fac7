// libflowdeck_client's arithmetic over telemetry: the histogram layout, quantiles and deltas must
// agree with the engine that produced the numbers, and the traffic summary behind `flowctl top`.
#include "flowdeck/client/telemetry_client.h"
#include "flowdeck/engine/metrics.h"

#include <QtTest>

namespace client = flowdeck::client;
namespace engine = flowdeck::engine;
namespace latency = flowdeck::engine::latency;

namespace {

client::HistogramLayout engineLayout() {
    client::HistogramLayout layout;
    layout.exactBelow = latency::kExactBelow;
    layout.subBuckets = latency::kSubBuckets;
    layout.maxExponent = latency::kMaxExponent;
    layout.bucketCount = latency::kBucketCount;
    layout.boundsUs.assign(latency::kBoundsMicros.begin(), latency::kBoundsMicros.end());
    return layout;
}

client::HistogramData fromEngine(const engine::HistogramSnapshot& snapshot) {
    client::HistogramData out;
    out.count = snapshot.count;
    out.sum = snapshot.sum;
    out.min = snapshot.min;
    out.max = snapshot.max;
    out.buckets = snapshot.buckets;
    out.cumulative.assign(snapshot.cumulative.begin(), snapshot.cumulative.end());
    return out;
}

client::MetricFamily counter(const std::string& name, std::vector<std::string> labels,
                             std::vector<std::pair<std::vector<std::string>, double>> points) {
    client::MetricFamily family;
    family.name = name;
    family.labelNames = std::move(labels);
    for (auto& [values, value] : points) {
        family.points.push_back({values, value, std::nullopt});
    }
    return family;
}

client::MetricsSnapshot snapshotAt(std::chrono::system_clock::time_point time, double requests,
                                   double ok, double errors, double active) {
    client::MetricsSnapshot snapshot;
    snapshot.takenAt = time;
    snapshot.families = {
        counter("flowdeck_conversations_active", {}, {{{}, active}}),
        counter("flowdeck_messages_total", {"tenant", "flow", "outcome"},
                {{{"t", "f", "error"}, errors}, {{"t", "f", "ok"}, ok}}),
        counter("flowdeck_requests_total", {"method", "code"}, {{{"m", "OK"}, requests}}),
        counter("process_start_time_seconds", {},
                {{{}, std::chrono::duration<double>(time.time_since_epoch()).count() - 10.0}})};
    return snapshot;
}

} // namespace

class tst_TelemetryMetrics : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void layoutGivesTheEnginesBucketBounds() {
        const auto layout = engineLayout();
        QVERIFY(layout.valid());
        for (uint32_t index : {0u, 1u, 255u, 256u, 257u, 383u, 384u, 1000u, 3000u, 3839u}) {
            QCOMPARE(layout.lower(index), latency::bucketLower(index));
            QCOMPARE(layout.upper(index), latency::bucketUpper(index));
        }
        auto broken = layout;
        broken.bucketCount += 1;
        QVERIFY(!broken.valid());
    }

    void quantilesAgreeWithTheEngine() {
        engine::Histogram histogram;
        for (uint64_t micros = 50; micros < 200000; micros = micros * 11 / 10 + 3) {
            histogram.record(micros);
        }
        const auto snapshot = histogram.snapshot();
        const auto data = fromEngine(snapshot);
        for (const double q : {0.0, 0.5, 0.9, 0.95, 0.99, 1.0}) {
            const auto value = data.quantile(q, engineLayout());
            QVERIFY(value.has_value());
            QCOMPARE(*value, snapshot.quantile(q));
        }
        QVERIFY(!client::HistogramData{}.quantile(0.5, engineLayout()));
    }

    void sinceKeepsOnlyWhatWasRecordedAfterAnEarlierReading() {
        engine::Histogram histogram;
        for (int i = 0; i < 100; ++i) {
            histogram.record(uint64_t{1000});
        }
        const auto before = fromEngine(histogram.snapshot());
        for (int i = 0; i < 100; ++i) {
            histogram.record(uint64_t{50000});
        }
        const auto window = fromEngine(histogram.snapshot()).since(before, engineLayout());
        QCOMPARE(window.count, uint64_t(100));
        QCOMPARE(window.sum, uint64_t(100 * 50000));
        const double p50 = *window.quantile(0.5, engineLayout());
        QVERIFY2(std::abs(p50 - 50000) < 500, qPrintable(QString::number(p50)));
        QVERIFY(window.min >= 49000 && window.max <= 51000);
        QCOMPARE(window.cumulative.back(), uint64_t(100)); // all within 60 s
        QCOMPARE(window.cumulative[3], uint64_t(0));       // none at or below 1 ms
    }

    void summaryGivesRatesOverTheWindowBetweenSnapshots() {
        const auto t0 = std::chrono::system_clock::now();
        const auto earlier = snapshotAt(t0, 100, 50, 0, 3);
        const auto now = snapshotAt(t0 + std::chrono::seconds(2), 300, 150, 10, 7);
        const auto summary = client::summarize(&earlier, now);
        QCOMPARE(summary.windowSeconds, 2.0);
        QCOMPARE(summary.requestsPerSecond, 100.0);
        QCOMPARE(summary.messagesPerSecond, 55.0);
        QVERIFY(summary.errorRate.has_value());
        QCOMPARE(*summary.errorRate, 10.0 / 110.0);
        QCOMPARE(summary.activeConversations, 7.0);
        QVERIFY(!summary.p50Ms); // no latency histogram in these snapshots
    }

    void summaryWithoutAnEarlierSnapshotCountsSinceTheNodeStarted() {
        const auto now = snapshotAt(std::chrono::system_clock::now(), 50, 20, 0, 0);
        const auto summary = client::summarize(nullptr, now);
        QVERIFY(std::abs(summary.windowSeconds - 10.0) < 0.01);
        QVERIFY(std::abs(summary.requestsPerSecond - 5.0) < 0.01);
        QCOMPARE(*summary.errorRate, 0.0);
    }

    void summaryTreatsACounterThatWentDownAsARestart() {
        const auto t0 = std::chrono::system_clock::now();
        const auto earlier = snapshotAt(t0, 1000, 500, 5, 0);
        const auto restarted = snapshotAt(t0 + std::chrono::seconds(1), 40, 20, 0, 0);
        const auto summary = client::summarize(&earlier, restarted);
        QCOMPARE(summary.requestsPerSecond, 40.0);
        QCOMPARE(*summary.errorRate, 0.0);
    }

    void eventKindsReadTheProtoNamesInAnyCase() {
        QVERIFY(client::eventKindFromString("node_up") == client::EventKind::NodeUp);
        QVERIFY(client::eventKindFromString("EVENT_KIND_ALERT_FIRING") ==
                client::EventKind::AlertFiring);
        QVERIFY(client::eventKindFromString("node-down") == client::EventKind::NodeDown);
        QVERIFY(!client::eventKindFromString("UNSPECIFIED"));
        QVERIFY(!client::eventKindFromString("reboot"));
        QCOMPARE(client::toString(client::EventKind::Release), std::string_view("RELEASE"));
    }
};

QTEST_GUILESS_MAIN(tst_TelemetryMetrics)
#include "tst_telemetry_metrics.moc"
