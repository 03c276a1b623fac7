#pragma once

#include "clusters/alert_rules.h"
#include "clusters/chart_adapter.h"
#include "clusters/chart_panel.h"
#include "clusters/metrics_history.h"

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

    // Starts watching HOST:PORT; false with *error for a malformed or already listed address.
    bool connectTo(const QString& address, QString* error = nullptr);
    const QList<ClusterConnection*>& connections() const { return m_connections; }
    ClusterConnection* connectionFor(const QString& address) const;

    NodeTableModel* nodeModel() const { return m_nodeModel; }
    EventLogModel* eventModel() const { return m_eventModel; }
    const MetricsHistory& history() const { return m_history; }
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
    // Redraws the charts from the history now (the timer does it every second).
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

protected:
    void showEvent(QShowEvent* event) override;

private:
    QWidget* buildAddressBar();
    QWidget* buildCharts();
    void buildEventsDock();
    void buildAlertsDock();
    void trackState(ClusterConnection* connection);
    void connectFromBar();
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
    QComboBox* m_window = nullptr;
    QTableView* m_nodeTable = nullptr;
    ChartsPanel* m_charts = nullptr;
    EventsPanel* m_eventsPanel = nullptr;
    QTimer m_tick;
    bool m_layoutSettled = false; // dock sizes given (by a saved layout or the first show)
};

} // namespace flowdeck::console
