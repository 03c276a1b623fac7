#include "clusters/cluster_connection.h"

#include <QDateTime>
#include <QFutureWatcher>
#include <QRegularExpression>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

namespace flowdeck::console {

bool isNodeAddress(const QString& address) {
    static const QRegularExpression pattern(
        QStringLiteral("^\\[?[A-Za-z0-9._:-]+\\]?:(\\d{1,5})$"));
    const auto match = pattern.match(address);
    const int port = match.hasMatch() ? match.captured(1).toInt() : 0;
    return port > 0 && port < 65536;
}

namespace {

constexpr int kFirstRetryMs = 1000;
constexpr int kMaxRetryMs = 30000;
// A node that stops sending without closing the stream (hung, network black hole) counts as
// down after this long; snapshots come every second.
constexpr qint64 kQuietLimitMs = 4000;
constexpr std::chrono::milliseconds kConnectTimeout{3000};
constexpr uint32_t kEventReplay = 100;
constexpr int kInfoRefreshMs = 15000;

double orNan(const std::optional<double>& value) {
    return value ? *value : std::numeric_limits<double>::quiet_NaN();
}

MetricSample toSample(const client::MetricsSnapshot& snapshot,
                      const client::TrafficSummary& summary) {
    MetricSample sample;
    sample.timeMs =
        std::chrono::duration_cast<std::chrono::milliseconds>(snapshot.takenAt.time_since_epoch())
            .count();
    sample.requestsPerSecond = summary.requestsPerSecond;
    sample.p50Ms = orNan(summary.p50Ms);
    sample.p95Ms = orNan(summary.p95Ms);
    sample.p99Ms = orNan(summary.p99Ms);
    sample.errorRate = summary.errorRate ? *summary.errorRate : 0.0;
    sample.activeConversations = summary.activeConversations;
    readCounters(snapshot, sample); // transitions, integration failures: MetricsHistory rates them
    return sample;
}

struct InfoResult {
    std::optional<client::NodeInfo> info;
    QString error;
};

} // namespace

ClusterConnection::ClusterConnection(QString address, QObject* parent)
    : ClusterConnection(std::move(address), client::withEnvironment({}), parent) {}

ClusterConnection::ClusterConnection(QString address, client::Credentials credentials,
                                     QObject* parent)
    : QObject(parent)
    , m_address(std::move(address))
    , m_credentials(std::move(credentials)) {
    m_retry.setSingleShot(true);
    connect(&m_retry, &QTimer::timeout, this, &ClusterConnection::openStreams);
    m_watchdog.setInterval(1000);
    connect(&m_watchdog, &QTimer::timeout, this, &ClusterConnection::checkQuiet);
    m_infoRefresh.setInterval(kInfoRefreshMs);
    connect(&m_infoRefresh, &QTimer::timeout, this, &ClusterConnection::refreshInfo);
}

ClusterConnection::~ClusterConnection() {
    closeStreams();
}

QString ClusterConnection::nodeId() const {
    if (m_info && !m_info->nodeId.empty()) {
        return QString::fromStdString(m_info->nodeId);
    }
    return m_reportedNodeId.isEmpty() ? m_address : m_reportedNodeId;
}

void ClusterConnection::start() {
    m_stopped = false;
    m_retryDelayMs = kFirstRetryMs;
    setState(State::Connecting);
    openStreams();
    m_watchdog.start();
    m_infoRefresh.start();
}

void ClusterConnection::stop() {
    m_stopped = true;
    m_retry.stop();
    m_watchdog.stop();
    m_infoRefresh.stop();
    closeStreams();
    setState(State::Down, tr("disconnected"));
}

void ClusterConnection::openStreams() {
    closeStreams();
    const quint64 generation = ++m_generation;
    m_lastSampleMs = QDateTime::currentMSecsSinceEpoch();
    m_metrics = std::make_unique<client::TelemetryWatch>();
    m_events = std::make_unique<client::EventWatch>();

    client::MetricsWatchOptions metrics;
    metrics.address = m_address.toStdString();
    metrics.families = {"flowdeck_", "process_start_time_seconds"};
    metrics.connectTimeout = kConnectTimeout;
    metrics.credentials = m_credentials;
    // The previous snapshot lives with the stream's thread: rates are differences between two.
    auto previous = std::make_shared<std::optional<client::MetricsSnapshot>>();
    m_metrics->start(
        metrics,
        [this, generation, previous](const client::MetricsSnapshot& snapshot) {
            const MetricSample sample =
                toSample(snapshot, client::summarize(previous->has_value() ? &**previous : nullptr,
                                                     snapshot));
            *previous = snapshot;
            const QString nodeId = QString::fromStdString(snapshot.nodeId);
            QMetaObject::invokeMethod(
                this, [this, generation, sample, nodeId] { onSample(generation, sample, nodeId); },
                Qt::QueuedConnection);
        },
        [this, generation](const client::WatchEnd& end) {
            if (end.stopped) {
                return;
            }
            const QString why = end.message.empty() ? tr("the node closed the metrics stream")
                                                    : QString::fromStdString(end.message);
            QMetaObject::invokeMethod(
                this, [this, generation, why] { onStreamEnded(generation, why); },
                Qt::QueuedConnection);
        });

    client::EventsWatchOptions events;
    events.address = m_address.toStdString();
    events.connectTimeout = kConnectTimeout;
    events.credentials = m_credentials;
    // Recent events are replayed on every (re)connect, so that a restarted node's own start
    // shows; what was seen before is skipped by time in onEvent.
    events.replay = kEventReplay;
    m_events->start(events, [this, generation](const client::ClusterEvent& event) {
        QMetaObject::invokeMethod(
            this, [this, generation, event] { onEvent(generation, event); }, Qt::QueuedConnection);
    });
    fetchInfo();
}

void ClusterConnection::closeStreams() {
    // stop() cancels the stream and joins its thread; a thread still connecting notices within
    // 100 ms, so this never waits on the network.
    if (m_metrics) {
        m_metrics->stop();
        m_metrics.reset();
    }
    if (m_events) {
        m_events->stop();
        m_events.reset();
    }
}

void ClusterConnection::refreshInfo() {
    // A burst of NODE_UP events (a replay on reconnect lists every peer) asks at most twice: once
    // now, and once more after the answer in flight, which may predate the last event.
    if (m_state != State::Up) {
        return;
    }
    if (m_infoInFlight) {
        m_infoAgain = true;
    } else {
        fetchInfo();
    }
}

void ClusterConnection::fetchInfo() {
    // The watcher is our child: deleting the connection drops the result instead of delivering
    // it to a dead object.
    auto* watcher = new QFutureWatcher<InfoResult>(this);
    const quint64 generation = m_generation;
    m_infoInFlight = true;
    connect(watcher, &QFutureWatcher<InfoResult>::finished, this, [this, watcher, generation] {
        const InfoResult result = watcher->result();
        watcher->deleteLater();
        m_infoInFlight = false;
        if (std::exchange(m_infoAgain, false)) {
            refreshInfo();
        }
        if (generation != m_generation || !result.info) {
            return; // a failed fetch shows through the streams' own errors
        }
        m_info = result.info;
        Q_EMIT infoChanged();
    });
    watcher->setFuture(
        QtConcurrent::run([address = m_address.toStdString(), credentials = m_credentials] {
            InfoResult result;
            std::string error;
            result.info = client::fetchNodeInfo(address, kConnectTimeout, &error, credentials);
            result.error = QString::fromStdString(error);
            return result;
        }));
}

void ClusterConnection::onSample(quint64 generation, const MetricSample& sample,
                                 const QString& nodeId) {
    if (generation != m_generation || m_stopped) {
        return;
    }
    m_lastSampleMs = QDateTime::currentMSecsSinceEpoch();
    m_reportedNodeId = nodeId;
    m_latest = sample;
    if (m_state != State::Up) {
        m_retryDelayMs = kFirstRetryMs;
        setState(State::Up);
        if (!m_info) {
            fetchInfo();
        }
    }
    Q_EMIT sampleArrived(sample);
}

void ClusterConnection::onEvent(quint64 generation, const client::ClusterEvent& event) {
    if (generation != m_generation || m_stopped ||
        (m_lastEventTime && event.time <= *m_lastEventTime)) {
        return;
    }
    m_lastEventTime = event.time;
    Q_EMIT eventArrived(event);
}

void ClusterConnection::onStreamEnded(quint64 generation, const QString& why) {
    if (generation == m_generation && !m_stopped) {
        markDown(why);
    }
}

void ClusterConnection::markDown(const QString& why) {
    closeStreams();
    ++m_generation; // whatever the closed streams had queued no longer counts
    m_latest.reset();
    setState(State::Down, tr("%1 (retrying in %2 s)").arg(why).arg(m_retryDelayMs / 1000));
    m_retry.start(m_retryDelayMs);
    m_retryDelayMs = std::min(m_retryDelayMs * 2, kMaxRetryMs);
}

void ClusterConnection::checkQuiet() {
    if (m_state == State::Up && !m_retry.isActive() &&
        QDateTime::currentMSecsSinceEpoch() - m_lastSampleMs > kQuietLimitMs) {
        markDown(tr("no metrics for %1 s").arg(kQuietLimitMs / 1000));
    }
}

void ClusterConnection::setState(State state, const QString& error) {
    if (state == m_state && error == m_error) {
        return;
    }
    m_state = state;
    m_error = error;
    Q_EMIT stateChanged();
}

} // namespace flowdeck::console
