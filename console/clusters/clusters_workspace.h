#pragma once

#include "clusters/alert_rules.h"
#include "clusters/chart_adapter.h"
#include "clusters/chart_panel.h"
#include "clusters/connection_profile.h"
#include "clusters/metrics_history.h"

#include "flowdeck/client/credentials.h"

#include <QHash>
#include <QList>
#include <QMainWindow>
#include <QTimer>

#include <vector>

class QComboBox;
class QLabel;
class QLineEdit;
class QTableView;

namespace flowdeck::console {

class AlertsModel;
class ClusterConnection;
class EventLogModel;
class EventsPanel;
class NodeTableModel;
class TokenVault;

// The Clusters workspace: live flowd nodes. An address bar connects to a node (any number of
// them); the node table shows each one's facts and state; charts (ChartsPanel) draw requests/s,
// latency, error rate, active conversations, transitions/s and integration failures/s from
// per-node ring buffers, refreshed once a second, for the selected node or every node and the
// cluster; a dock tails the nodes' events with filters. Nothing here waits on the network:
// ClusterConnection does that on the client library's threads.
class ClustersWorkspace final : public QMainWindow {
    Q_OBJECT
public:
    explicit ClustersWorkspace(QWidget* parent = nullptr);
    ~ClustersWorkspace() override;

    // Starts watching HOST:PORT (with the connected profile's credentials, if any); false with
    // *error for a malformed or already listed address.
    bool connectTo(const QString& address, QString* error = nullptr);
    // Stops watching every node and forgets them (their charts and table rows go too).
    void disconnectAll();

    // Connection profiles (ProfileStore): replaces the nodes watched with `name`'s, spoken to
    // with its TLS settings and its token from the TokenVault. The token is read asynchronously;
    // profileConnected (or a statusMessage saying why not) follows. False for an unknown name.
    bool connectProfile(const QString& name);
    const QString& activeProfile() const { return m_activeProfile; }
    const QList<ConnectionProfile>& profiles() const { return m_profiles; }
    // Rereads the profiles file (a damaged one is reported and leaves the list empty).
    void reloadProfiles();
    // Opens the profiles editor; "Save and connect" connects the chosen one.
    void editProfiles();
    TokenVault* tokenVault() const { return m_vault; }
    const QList<ClusterConnection*>& connections() const { return m_connections; }
    ClusterConnection* connectionFor(const QString& address) const;

    NodeTableModel* nodeModel() const { return m_nodeModel; }
    EventLogModel* eventModel() const { return m_eventModel; }
    const MetricsHistory& history() const { return m_history; }
    // Writable, for benchmarks that start from hours of history (bench-console-clusters).
    MetricsHistory& history() { return m_history; }
    QTableView* nodeTable() const { return m_nodeTable; }
    ChartsPanel* charts() const { return m_charts; }
    ChartAdapter* requestsChart() const { return m_charts->requests(); }
    ChartAdapter* latencyChart() const { return m_charts->latency(); }
    ChartAdapter* errorChart() const { return m_charts->errors(); }
    ChartAdapter* activeChart() const { return m_charts->active(); }
    ChartAdapter* transitionsChart() const { return m_charts->transitions(); }
    ChartAdapter* integrationFailuresChart() const { return m_charts->integrationFailures(); }
    EventsPanel* eventsPanel() const { return m_eventsPanel; }

    // The charts' time window: 300, 3600 or 21600 seconds.
    void setWindowSeconds(int seconds);
    int windowSeconds() const { return m_charts->windowSeconds(); }
    // How often the timer redraws the charts for a window: every 1 s for 5 min, 5 s for 1 h and
    // 15 s for 6 h. The node table and the alerts follow every second whatever the window.
    static int chartRefreshSeconds(int windowSeconds);
    // Redraws the charts from the history now (the timer does it every chartRefreshSeconds).
    void refreshCharts();
    void restoreLayout(const QByteArray& state);

    // Alert rules (issue 7's defaults until edited), judged on the live history every tick.
    AlertsModel* alertModel() const { return m_alertModel; }
    const QList<AlertRule>& alertRules() const { return m_alertRules; }
    void setAlertRules(QList<AlertRule> rules);
    // Re-evaluates the rules now (the timer does it every second).
    void refreshAlerts();
    // Opens the JSON rules editor; valid edits apply and are saved to alertRulesPath().
    void editAlertRules();
    static QString alertRulesPath();

Q_SIGNALS:
    void statusMessage(const QString& message, int timeoutMs);
    // A profile's nodes are being connected with these credentials (Deploy follows).
    void profileConnected(const QString& name, const flowdeck::client::Credentials& credentials,
                          const QString& firstAddress);

protected:
    void showEvent(QShowEvent* event) override;

private:
    QWidget* buildAddressBar();
    QWidget* buildCharts();
    void buildEventsDock();
    void buildAlertsDock();
    void trackState(ClusterConnection* connection);
    void connectFromBar();
    QWidget* buildProfileBar();
    void startProfile(const ConnectionProfile& profile, const QString& token);
    // With a discovering profile: connects the peers `connection`'s node lists.
    void discoverPeers(const ClusterConnection* connection);
    // The connection whose row is selected, or none: then the charts show every node.
    ClusterConnection* selectedConnection() const;

    MetricsHistory m_history;
    QList<ClusterConnection*> m_connections; // children of this
    NodeTableModel* m_nodeModel;
    EventLogModel* m_eventModel;
    AlertsModel* m_alertModel;
    QList<AlertRule> m_alertRules;
    QHash<QString, NodeStatus> m_nodeStatus; // by address: up or down, and since when
    QLabel* m_alertSummary = nullptr;
    QLineEdit* m_address = nullptr;
    QComboBox* m_profileBox = nullptr;
    TokenVault* m_vault = nullptr;
    QList<ConnectionProfile> m_profiles;
    QString m_activeProfile;
    bool m_discover = false;
    client::Credentials m_credentials; // of every connection made from now on
    quint64 m_profileGeneration = 0;   // a token read for an older request is dropped
    QComboBox* m_window = nullptr;
    QTableView* m_nodeTable = nullptr;
    ChartsPanel* m_charts = nullptr;
    EventsPanel* m_eventsPanel = nullptr;
    QTimer m_tick;
    quint64 m_ticks = 0;
    bool m_layoutSettled = false; // dock sizes given (by a saved layout or the first show)
};

} // namespace flowdeck::console
