#include "flowdeck/engine/metrics.h"

#include <QProcess>
#include <QStandardPaths>
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <random>
#include <thread>
#include <vector>

using namespace flowdeck::engine;

namespace {

constexpr int kThreads = 8;

template <class Work> void runInThreads(int threads, Work work) {
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) {
        pool.emplace_back(work, t);
    }
    for (auto& thread : pool) {
        thread.join();
    }
}

const MetricFamilySnapshot* findFamily(const MetricsSnapshot& snapshot, std::string_view name) {
    const auto it = std::find_if(snapshot.begin(), snapshot.end(),
                                 [&](const auto& family) { return family.name == name; });
    return it == snapshot.end() ? nullptr : &*it;
}

double valueOf(const MetricsSnapshot& snapshot, std::string_view name) {
    const auto* family = findFamily(snapshot, name);
    return family && !family->samples.empty() ? family->samples.front().value : -1.0;
}

// Log-uniform between lo and hi: every decade gets the same share, as latencies spread.
std::vector<uint64_t> logUniformSamples(uint64_t lo, uint64_t hi, size_t n, uint64_t seed) {
    std::mt19937_64 random(seed);
    std::uniform_real_distribution<double> exponent(std::log(double(lo)), std::log(double(hi)));
    std::vector<uint64_t> out(n);
    for (auto& value : out) {
        value = static_cast<uint64_t>(std::llround(std::exp(exponent(random))));
    }
    return out;
}

double cpuSeconds() {
    timespec now{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
    return double(now.tv_sec) + double(now.tv_nsec) / 1e9;
}

} // namespace

class tst_Metrics : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void countersSumExactlyAcrossEightThreads() {
        MetricsRegistry registry;
        Counter* total = registry.counter("test_events_total", "Events.");
        auto* byKind = registry.counterFamily("test_kinds_total", "Events by kind.", {"kind"});
        QVERIFY(total && byKind);
        constexpr uint64_t kPerThread = 200000;
        runInThreads(kThreads, [&](int t) {
            Counter& mine = byKind->withLabels({t % 2 == 0 ? "even" : "odd"});
            for (uint64_t i = 0; i < kPerThread; ++i) {
                total->inc();
                mine.inc(2);
            }
        });
        QCOMPARE(total->value(), double(kThreads * kPerThread));
        QCOMPARE(byKind->withLabels({"even"}).value(), double(kThreads / 2 * kPerThread * 2));
        QCOMPARE(byKind->withLabels({"odd"}).value(), double(kThreads / 2 * kPerThread * 2));
    }

    void counterAddsFractionsAndNeverGoesDown() {
        Counter counter;
        counter.inc(3);
        counter.add(0.25);
        counter.add(2.0);
        counter.add(-10.0);
        counter.add(std::nan(""));
        counter.add(INFINITY);
        QCOMPARE(counter.value(), 5.25);
    }

    void gaugeArithmeticHoldsUnderConcurrentAdds() {
        Gauge gauge;
        gauge.set(5);
        gauge.inc();
        gauge.dec();
        gauge.dec();
        gauge.add(-2.5);
        QCOMPARE(gauge.value(), 1.5);
        constexpr int kPerThread = 100000;
        runInThreads(kThreads, [&](int) {
            for (int i = 0; i < kPerThread; ++i) {
                gauge.inc();
                gauge.add(0.5);
                gauge.dec();
            }
        });
        QCOMPARE(gauge.value(), 1.5 + 0.5 * kThreads * kPerThread);
    }

    void histogramBucketsTileEveryValueWithinOnePercent() {
        for (uint32_t i = 0; i < latency::kBucketCount; ++i) {
            const uint64_t lower = latency::bucketLower(i);
            const uint64_t upper = latency::bucketUpper(i);
            QCOMPARE(latency::bucketIndex(lower), i);
            QCOMPARE(latency::bucketIndex(upper), i);
            if (i + 1 < latency::kBucketCount) {
                QCOMPARE(latency::bucketLower(i + 1), upper + 1);
            }
            QVERIFY2(i < latency::kExactBelow ? lower == upper : (upper - lower + 1) * 128 <= lower,
                     qPrintable(QString("bucket %1 [%2, %3]").arg(i).arg(lower).arg(upper)));
        }
        QCOMPARE(latency::bucketIndex(~uint64_t{0}), latency::kBucketCount - 1);
    }

    void histogramQuantilesWithinOnePercentOfExact_data() {
        QTest::addColumn<quint64>("lo");
        QTest::addColumn<quint64>("hi");
        QTest::newRow("exact region 1us..255us") << quint64(1) << quint64(255);
        QTest::newRow("1us..1ms") << quint64(1) << quint64(1000);
        QTest::newRow("1ms..1s") << quint64(1000) << quint64(1000000);
        QTest::newRow("1us..60s") << quint64(1) << quint64(60000000);
        QTest::newRow("10s..60s") << quint64(10000000) << quint64(60000000);
    }
    void histogramQuantilesWithinOnePercentOfExact() {
        QFETCH(quint64, lo);
        QFETCH(quint64, hi);
        auto samples = logUniformSamples(lo, hi, 100000, lo * 31 + hi);
        Histogram histogram;
        uint64_t sum = 0;
        for (const uint64_t value : samples) {
            histogram.record(value);
            sum += value;
        }
        std::sort(samples.begin(), samples.end());
        QCOMPARE(histogram.count(), uint64_t(samples.size()));
        QCOMPARE(histogram.sum(), sum);
        for (const double q : {0.0, 0.01, 0.25, 0.5, 0.9, 0.95, 0.99, 0.999, 1.0}) {
            const auto rank = std::max<size_t>(1, size_t(std::ceil(q * double(samples.size()))));
            const double exact = double(samples[rank - 1]);
            const double estimate = histogram.quantile(q);
            QVERIFY2(
                std::fabs(estimate - exact) <= 0.01 * exact,
                qPrintable(QString("q=%1 exact=%2 estimate=%3").arg(q).arg(exact).arg(estimate)));
        }
        QCOMPARE(histogram.quantile(0.0), double(samples.front())); // min and max are exact
        QCOMPARE(histogram.quantile(1.0), double(samples.back()));
    }

    void histogramTakesDurationsAndEmptyQuantileIsZero() {
        Histogram histogram;
        QCOMPARE(histogram.quantile(0.5), 0.0);
        histogram.record(std::chrono::milliseconds(3));
        histogram.record(std::chrono::nanoseconds(-5));
        QCOMPARE(histogram.count(), uint64_t(2));
        QCOMPARE(histogram.sum(), uint64_t(3000));
        QCOMPARE(histogram.quantile(1.0), 3000.0);
        QCOMPARE(histogram.quantile(std::nan("")), 0.0);
    }

    void mergeEqualsRecordingEverythingInOne() {
        const auto samples = logUniformSamples(1, 60000000, 50000, 7);
        Histogram all;
        std::array<Histogram, 4> shards;
        for (size_t i = 0; i < samples.size(); ++i) {
            all.record(samples[i]);
            shards[i % shards.size()].record(samples[i]);
        }
        Histogram merged;
        HistogramSnapshot mergedSnapshots;
        for (const auto& shard : shards) {
            merged.merge(shard);
            mergedSnapshots.merge(shard.snapshot());
        }
        QVERIFY(merged.snapshot() == all.snapshot());
        QVERIFY(mergedSnapshots == all.snapshot());
        Histogram fromWire; // a snapshot received from a load agent
        fromWire.merge(mergedSnapshots);
        QVERIFY(fromWire.snapshot() == all.snapshot());
        QCOMPARE(merged.quantile(0.99), all.quantile(0.99));
    }

    void concurrentRecordsAreAllCounted() {
        Histogram histogram;
        constexpr uint64_t kPerThread = 100000;
        runInThreads(kThreads, [&](int t) {
            for (uint64_t i = 0; i < kPerThread; ++i) {
                histogram.record(uint64_t(t) * 1000 + i % 997);
            }
        });
        const HistogramSnapshot snapshot = histogram.snapshot();
        QCOMPARE(snapshot.count, kThreads * kPerThread);
        uint64_t expectedSum = 0;
        for (uint64_t t = 0; t < kThreads; ++t) {
            for (uint64_t i = 0; i < kPerThread; ++i) {
                expectedSum += t * 1000 + i % 997;
            }
        }
        QCOMPARE(snapshot.sum, expectedSum);
        QCOMPARE(snapshot.min, uint64_t(0));
        QCOMPARE(snapshot.max, uint64_t(7996));
    }

    void expositionMatchesGoldenText() {
        MetricsRegistry registry;
        auto* requests = registry.counterFamily("flowdeck_requests_total", "Requests handled.",
                                                {"method", "code"});
        requests->withLabels({"POST", "200"}).inc(3);
        requests->withLabels({"GET", "404"}).inc();
        registry
            .gauge("flowdeck_conversations_active", "Active conversations\nback\\slash \"quoted\"")
            ->set(42.5);
        registry.counterFamily("flowdeck_errors_total", "Errors.", {"code"})
            ->withLabels({"say \"hi\"\n\\o/"})
            .inc(2);
        registry.gaugeFamily("flowdeck_rollout_step", "Never set.", {"flow"}); // no child: absent
        Histogram* duration =
            registry.histogram("flowdeck_request_duration_seconds", "Request time.");
        for (const uint64_t micros : {50, 1000, 1001, 2000000, 100000000}) {
            duration->record(micros); // 1000 is at le="0.001", 1001 is not (the same bucket)
        }
        // Not a raw string: moc would read its lines that start with '#' as directives.
        const std::string expected =
            "# HELP flowdeck_conversations_active Active conversations\\nback\\\\slash \"quoted\"\n"
            "# TYPE flowdeck_conversations_active gauge\n"
            "flowdeck_conversations_active 42.5\n"
            "# HELP flowdeck_errors_total Errors.\n"
            "# TYPE flowdeck_errors_total counter\n"
            "flowdeck_errors_total{code=\"say \\\"hi\\\"\\n\\\\o/\"} 2\n"
            "# HELP flowdeck_request_duration_seconds Request time.\n"
            "# TYPE flowdeck_request_duration_seconds histogram\n"
            "flowdeck_request_duration_seconds_bucket{le=\"0.0001\"} 1\n"
            "flowdeck_request_duration_seconds_bucket{le=\"0.00025\"} 1\n"
            "flowdeck_request_duration_seconds_bucket{le=\"0.0005\"} 1\n"
            "flowdeck_request_duration_seconds_bucket{le=\"0.001\"} 2\n"
            "flowdeck_request_duration_seconds_bucket{le=\"0.0025\"} 3\n"
            "flowdeck_request_duration_seconds_bucket{le=\"0.005\"} 3\n"
            "flowdeck_request_duration_seconds_bucket{le=\"0.01\"} 3\n"
            "flowdeck_request_duration_seconds_bucket{le=\"0.025\"} 3\n"
            "flowdeck_request_duration_seconds_bucket{le=\"0.05\"} 3\n"
            "flowdeck_request_duration_seconds_bucket{le=\"0.1\"} 3\n"
            "flowdeck_request_duration_seconds_bucket{le=\"0.25\"} 3\n"
            "flowdeck_request_duration_seconds_bucket{le=\"0.5\"} 3\n"
            "flowdeck_request_duration_seconds_bucket{le=\"1\"} 3\n"
            "flowdeck_request_duration_seconds_bucket{le=\"2.5\"} 4\n"
            "flowdeck_request_duration_seconds_bucket{le=\"5\"} 4\n"
            "flowdeck_request_duration_seconds_bucket{le=\"10\"} 4\n"
            "flowdeck_request_duration_seconds_bucket{le=\"30\"} 4\n"
            "flowdeck_request_duration_seconds_bucket{le=\"60\"} 4\n"
            "flowdeck_request_duration_seconds_bucket{le=\"+Inf\"} 5\n"
            "flowdeck_request_duration_seconds_sum 102.002051\n"
            "flowdeck_request_duration_seconds_count 5\n"
            "# HELP flowdeck_requests_total Requests handled.\n"
            "# TYPE flowdeck_requests_total counter\n"
            "flowdeck_requests_total{method=\"GET\",code=\"404\"} 1\n"
            "flowdeck_requests_total{method=\"POST\",code=\"200\"} 3\n";
        QCOMPARE(registry.exposition(), expected);
    }

    void labelledHistogramsCarryTheirLabelsBeforeLe() {
        MetricsRegistry registry;
        auto* family = registry.histogramFamily("test_step_seconds", "Step time.", {"flow"});
        family->withLabels({"order"}).record(300);
        const std::string text = registry.exposition();
        QVERIFY(text.find("test_step_seconds_bucket{flow=\"order\",le=\"0.00025\"} 0\n") !=
                std::string::npos);
        QVERIFY(text.find("test_step_seconds_bucket{flow=\"order\",le=\"0.0005\"} 1\n") !=
                std::string::npos);
        QVERIFY(text.find("test_step_seconds_sum{flow=\"order\"} 0.0003\n") != std::string::npos);
    }

    void capsChildrenAndFoldsTheRestIntoOther() {
        MetricsOptions options;
        options.maxChildrenPerFamily = 3;
        MetricsRegistry registry(options);
        auto* messages =
            registry.counterFamily("test_messages_total", "Messages.", {"tenant", "outcome"});
        for (int i = 0; i < 1000; ++i) {
            messages->withLabels({"t" + std::to_string(i), "ok"}).inc();
        }
        messages->withLabels({"t1", "ok"}).inc();       // an existing child stays itself
        messages->withLabels({"only one value"}).inc(); // a wrong arity is folded too
        QCOMPARE(messages->childCount(), size_t(4));
        QCOMPARE(messages->withLabels({"t1", "ok"}).value(), 2.0);
        QCOMPARE(messages->overflowCount(), uint64_t(998));
        const std::string text = registry.exposition();
        QVERIFY2(text.find("test_messages_total{tenant=\"other\",outcome=\"other\"} 998\n") !=
                     std::string::npos,
                 text.c_str());
        QVERIFY(text.find("flowdeck_metric_label_overflow_total{metric=\"test_messages_total\"} "
                          "998\n") != std::string::npos);
    }

    void histogramFamiliesHaveTheirOwnSmallerCap() {
        MetricsOptions options;
        options.maxHistogramChildrenPerFamily = 2;
        MetricsRegistry registry(options);
        auto* family = registry.histogramFamily("test_latency_seconds", "Latency.", {"node"});
        for (const char* node : {"a", "b", "c", "d"}) {
            family->withLabels({node}).record(10);
        }
        QCOMPARE(family->childCount(), size_t(3));
        QCOMPARE(family->withLabels({"other"}).count(), uint64_t(2));
    }

    void labelValuesAreMadeValidUtf8AndCut() {
        MetricsOptions options;
        options.maxLabelValueBytes = 8;
        MetricsRegistry registry(options);
        auto* family = registry.counterFamily("test_inputs_total", "Inputs.", {"value"});
        family
            ->withLabels({"\xff\xfe"
                          "ab"})
            .inc();
        family->withLabels({"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"}).inc(); // 5 x é
        family->withLabels({"aaaaaaaaX"}).inc();
        family->withLabels({"aaaaaaaaY"}).inc(); // cut alike: the same child
        const MetricsSnapshot all = registry.snapshot();
        const auto* snapshot = findFamily(all, "test_inputs_total");
        QVERIFY(snapshot);
        std::vector<std::pair<std::string, double>> seen;
        for (const auto& sample : snapshot->samples) {
            seen.emplace_back(sample.labelValues.front(), sample.value);
        }
        const std::vector<std::pair<std::string, double>> expected = {
            {"aaaaaaaa", 2.0},
            {"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 1.0},
            {"\xef\xbf\xbd\xef\xbf\xbd"
             "ab",
             1.0}};
        QVERIFY(seen == expected);
    }

    void rejectsInvalidRegistrationsSayingWhy_data() {
        QTest::addColumn<int>("type");
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("help");
        QTest::addColumn<QStringList>("labels");
        const auto counter = int(MetricType::Counter);
        const auto gauge = int(MetricType::Gauge);
        const auto histogram = int(MetricType::Histogram);
        QTest::newRow("leading digit") << counter << "1bad_total"
                                       << "h" << QStringList{};
        QTest::newRow("dash") << gauge << "bad-name"
                              << "h" << QStringList{};
        QTest::newRow("counter without _total") << counter << "requests"
                                                << "h" << QStringList{};
        QTest::newRow("gauge with _total") << gauge << "queue_total"
                                           << "h" << QStringList{};
        QTest::newRow("_count suffix") << gauge << "queue_count"
                                       << "h" << QStringList{};
        QTest::newRow("empty help") << gauge << "queue_depth"
                                    << "" << QStringList{};
        QTest::newRow("reserved label") << gauge << "queue_depth"
                                        << "h" << QStringList{"__x"};
        QTest::newRow("label with dot") << gauge << "queue_depth"
                                        << "h" << QStringList{"a.b"};
        QTest::newRow("le on histogram") << histogram << "step_seconds"
                                         << "h" << QStringList{"le"};
        QTest::newRow("duplicate label") << gauge << "queue_depth"
                                         << "h" << QStringList{"a", "a"};
        QTest::newRow("nine labels")
            << gauge << "queue_depth"
            << "h" << QStringList{"a", "b", "c", "d", "e", "f", "g", "h", "i"};
        QTest::newRow("reserved name") << counter << "flowdeck_metric_label_overflow_total"
                                       << "h" << QStringList{};
    }
    void rejectsInvalidRegistrationsSayingWhy() {
        QFETCH(int, type);
        QFETCH(QString, name);
        QFETCH(QString, help);
        QFETCH(QStringList, labels);
        MetricsRegistry registry;
        std::vector<std::string> labelNames;
        for (const auto& label : labels) {
            labelNames.push_back(label.toStdString());
        }
        std::string error;
        FamilyBase* family = nullptr;
        switch (MetricType(type)) {
        case MetricType::Counter:
            family =
                registry.counterFamily(name.toStdString(), help.toStdString(), labelNames, &error);
            break;
        case MetricType::Gauge:
            family =
                registry.gaugeFamily(name.toStdString(), help.toStdString(), labelNames, &error);
            break;
        case MetricType::Histogram:
            family = registry.histogramFamily(name.toStdString(), help.toStdString(), labelNames,
                                              &error);
            break;
        }
        QVERIFY(family == nullptr);
        QVERIFY2(error.find("'" + name.toStdString() + "'") != std::string::npos, error.c_str());
        QVERIFY(registry.snapshot().empty());
    }

    void reregisteringReturnsTheSameFamilyAndClashesAreRefused() {
        MetricsOptions options;
        options.maxFamilies = 2;
        MetricsRegistry registry(options);
        auto* first = registry.counterFamily("test_a_total", "A.", {"x"});
        QVERIFY(first != nullptr);
        QCOMPARE(registry.counterFamily("test_a_total", "A.", {"x"}), first);
        std::string error;
        QVERIFY(registry.counterFamily("test_a_total", "A.", {"y"}, &error) == nullptr);
        QVERIFY2(error.find("already registered") != std::string::npos, error.c_str());
        QVERIFY(registry.gauge("test_b", "B.") != nullptr);
        QVERIFY(registry.gauge("test_c", "C.", &error) == nullptr);
        QVERIFY2(error.find("2 families") != std::string::npos, error.c_str());
    }

    void processMetricsDescribeThisProcessAtScrapeTime() {
        MetricsRegistry registry;
        std::string error;
        QVERIFY2(registerProcessMetrics(registry, &error), error.c_str());
        const auto before = registry.snapshot();
        QVERIFY(valueOf(before, "process_resident_memory_bytes") > 1 << 20);
        QVERIFY(valueOf(before, "process_virtual_memory_bytes") >=
                valueOf(before, "process_resident_memory_bytes"));
        const double start = valueOf(before, "process_start_time_seconds");
        const double now = double(std::time(nullptr));
        QVERIFY2(start <= now + 1 && start > now - 600, qPrintable(QString::number(start, 'f')));
        QVERIFY(valueOf(before, "process_max_fds") > 0);

        std::FILE* file = std::tmpfile();
        const double burnUntil = cpuSeconds() + 0.1;
        volatile double sink = 0;
        while (cpuSeconds() < burnUntil) {
            sink = sink + std::sqrt(sink + 1.0);
        }
        const auto after = registry.snapshot();
        std::fclose(file);
        QCOMPARE(valueOf(after, "process_open_fds"), valueOf(before, "process_open_fds") + 1);
        QVERIFY(valueOf(after, "process_cpu_seconds_total") >=
                valueOf(before, "process_cpu_seconds_total") + 0.05);
    }

    void promtoolAcceptsTheExposition() {
        const QString promtool = QStandardPaths::findExecutable("promtool");
        if (promtool.isEmpty()) {
            QSKIP("promtool is not installed (Debian package prometheus)");
        }
        MetricsOptions options;
        options.maxChildrenPerFamily = 4;
        MetricsRegistry registry(options);
        QVERIFY(registerProcessMetrics(registry));
        const FlowdeckMetrics m = registerFlowdeckMetrics(registry);
        QVERIFY(m.requests && m.requestDuration && m.errors && m.conversationsActive &&
                m.stateTransitions && m.integrationFailures && m.rolloutStep && m.messages);
        m.requests->withLabels({"ProcessMessage", "OK"}).inc(10);
        m.errors->withLabels({"TIMEOUT_ERROR"}).inc();
        m.conversationsActive->set(7);
        m.stateTransitions->withLabels({"order \"support\"\n\\ünïcode"}).inc(4);
        m.integrationFailures->withLabels({"crm\xff"}).inc();
        m.rolloutStep->withLabels({"order_support"}).set(2);
        for (int i = 0; i < 10; ++i) { // past the cap of 4: an "other" child and the overflow count
            m.messages->withLabels({"tenant" + std::to_string(i), "order_support", "ok"}).inc();
        }
        for (const uint64_t micros : logUniformSamples(1, 60000000, 1000, 3)) {
            m.requestDuration->record(micros);
        }
        const std::string text = registry.exposition();

        QProcess process;
        process.start(promtool, {"check", "metrics"});
        QVERIFY2(process.waitForStarted(10000), qPrintable(process.errorString()));
        process.write(text.data(), qint64(text.size()));
        process.closeWriteChannel();
        QVERIFY(process.waitForFinished(30000));
        const QString output = process.readAllStandardOutput() + process.readAllStandardError();
        QVERIFY2(process.exitStatus() == QProcess::NormalExit && process.exitCode() == 0,
                 qPrintable(QString("exit %1: %2\n%3")
                                .arg(process.exitCode())
                                .arg(output, QString::fromStdString(text))));
        QVERIFY2(output.trimmed().isEmpty(), qPrintable(output));
    }
};

QTEST_GUILESS_MAIN(tst_Metrics)
#include "tst_metrics.moc"
