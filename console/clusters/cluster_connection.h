#pragma once

#include "clusters/metrics_history.h"

#include "flowdeck/client/telemetry_client.h"

#include <QDateTime>
#include <QObject>
#include <QString>
#include <QTimer>

#include <memory>
#include <optional>

namespace flowdeck::console {

// Whether `address` looks like a node's gRPC address, HOST:PORT with a port in 1-65535 (hosts
// are left to the resolver). Both live workspaces check what is typed with it.
bool isNodeAddress(const QString& address);

// One flowd node as the Clusters workspace sees it: a WatchMetrics and a WatchEvents stream on
// the client library's threads, node facts fetched on a pool thread, and everything handed back
// to the UI thread through queued calls. A stream that ends (node killed, network gone) or goes
// quiet marks the node down and retries after 1 s, 2 s, 4 s … at most 30 s. Node facts are
// fetched again every 15 s while it is up (flows deployed, peers joining).
class ClusterConnection final : public QObject {
    Q_OBJECT
public:
    enum class State { Connecting, Up, Down };

    // `credentials`: a profile's TLS settings and token; by default plaintext with
    // $FLOWDECK_TOKEN and $USER, as flowctl sends them.
    explicit ClusterConnection(QString address, QObject* parent = nullptr);
    ClusterConnection(QString address, client::Credentials credentials, QObject* parent = nullptr);
    ~ClusterConnection() override; // stops both streams; no handler runs after it

    void start();
    // Fetches the node facts again now (a peer joined); infoChanged follows if it answers.
    void refreshInfo();
    // Stops the streams and any pending retry (the node stays listed as down).
    void stop();

    const QString& address() const { return m_address; }
    State state() const { return m_state; }
    // Why the node is down, for a person; empty otherwise.
    const QString& error() const { return m_error; }
    const std::optional<client::NodeInfo>& info() const { return m_info; }
    // The node id once known, else the address (the key of its metric history).
    QString nodeId() const;
    const std::optional<MetricSample>& latest() const { return m_latest; }
    int retryDelayMs() const { return m_retryDelayMs; }

Q_SIGNALS:
    void stateChanged();
    void infoChanged();
    void sampleArrived(const flowdeck::console::MetricSample& sample);
    void eventArrived(const flowdeck::client::ClusterEvent& event);

private:
    void openStreams();
    void closeStreams();
    void fetchInfo();
    void onSample(quint64 generation, const MetricSample& sample, const QString& nodeId);
    void onEvent(quint64 generation, const client::ClusterEvent& event);
    void onStreamEnded(quint64 generation, const QString& why);
    void markDown(const QString& why);
    void setState(State state, const QString& error = {});
    void checkQuiet();

    QString m_address;
    client::Credentials m_credentials;
    State m_state = State::Connecting;
    QString m_error;
    std::optional<client::NodeInfo> m_info;
    std::optional<MetricSample> m_latest;
    QString m_reportedNodeId;
    std::optional<std::chrono::system_clock::time_point> m_lastEventTime;
    std::unique_ptr<client::TelemetryWatch> m_metrics;
    std::unique_ptr<client::EventWatch> m_events;
    // Bumped whenever the streams are reopened: a result queued by an older session is dropped.
    quint64 m_generation = 0;
    int m_retryDelayMs = 1000;
    QTimer m_retry;
    QTimer m_watchdog;
    QTimer m_infoRefresh; // node facts (flows, peers) change while the node is up
    bool m_infoInFlight = false;
    bool m_infoAgain = false; // refreshInfo() was asked while a fetch was in flight
    qint64 m_lastSampleMs = 0;
    bool m_stopped = false;
};

} // namespace flowdeck::console
