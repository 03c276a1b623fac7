#include "clusters/clusters_workspace.h"

#include "clusters/alert_rules_dialog.h"
#include "clusters/alerts_model.h"
#include "clusters/cluster_connection.h"
#include "clusters/event_filter_panel.h"
#include "clusters/event_log_model.h"
#include "clusters/node_table_model.h"
#include "clusters/token_vault.h"
#include "widgets/dock.h"

#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSaveFile>
#include <QSplitter>
#include <QStandardPaths>
#include <QTableView>
#include <QVBoxLayout>

#include <utility>

namespace flowdeck::console {

int ClustersWorkspace::chartRefreshSeconds(int windowSeconds) {
    // About one pixel of a chart's width: a 1 h window redrawn every second would change nothing
    // one can see, and redrawing is most of what watching costs (docs/benchmarks.md).
    return windowSeconds <= 300 ? 1 : windowSeconds <= 3600 ? 5 : 15;
}

ClustersWorkspace::ClustersWorkspace(QWidget* parent)
    : QMainWindow(parent)
    , m_nodeModel(new NodeTableModel(this))
    , m_eventModel(new EventLogModel(EventLogModel::kDefaultCapacity, this))
    , m_alertModel(new AlertsModel(this))
    , m_alertRules(defaultAlertRules())
    , m_vault(new TokenVault(this))
    , m_credentials(client::withEnvironment({})) {
    setObjectName(QStringLiteral("ClustersWorkspace"));
    setDockOptions(QMainWindow::AnimatedDocks | QMainWindow::AllowTabbedDocks);

    m_nodeTable = new QTableView;
    m_nodeTable->setObjectName(QStringLiteral("ClusterNodes"));
    m_nodeTable->setModel(m_nodeModel);
    m_nodeTable->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_nodeTable->setSelectionMode(QAbstractItemView::SingleSelection);
    m_nodeTable->verticalHeader()->hide();
    m_nodeTable->horizontalHeader()->setStretchLastSection(false);
    m_nodeTable->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_nodeTable->horizontalHeader()->setSectionResizeMode(NodeTableModel::State,
                                                          QHeaderView::Stretch);
    connect(m_nodeTable->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            [this] { refreshCharts(); });

    auto* split = new QSplitter(Qt::Vertical);
    split->addWidget(m_nodeTable);
    split->addWidget(buildCharts());
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 3);
    split->setSizes({120, 560});

    auto* central = new QWidget;
    auto* layout = new QVBoxLayout(central);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->addWidget(buildAddressBar());
    layout->addWidget(split, 1);
    setCentralWidget(central);
    buildEventsDock();
    buildAlertsDock();
    reloadProfiles();
    QFile saved(alertRulesPath());
    if (saved.open(QIODevice::ReadOnly)) {
        QString error;
        if (auto rules = alertRulesFromJson(saved.read(1 << 20), &error)) {
            m_alertRules = std::move(*rules);
        }
    }

    m_tick.setInterval(1000);
    connect(&m_tick, &QTimer::timeout, this, [this] {
        if (++m_ticks % chartRefreshSeconds(windowSeconds()) == 0) {
            refreshCharts();
        }
        m_nodeModel->refreshClock();
        refreshAlerts();
    });
    m_tick.start();
}

ClustersWorkspace::~ClustersWorkspace() {
    // The connections join their stream threads; do it before the models they feed go away, and
    // take each out of the table first so that nothing (view, selection, charts) reads a
    // connection while it is being destroyed.
    m_tick.stop();
    disconnect(m_nodeTable->selectionModel(), nullptr, this, nullptr);
    const QList<ClusterConnection*> connections = std::exchange(m_connections, {});
    for (ClusterConnection* connection : connections) {
        m_nodeModel->removeConnection(connection);
        delete connection;
    }
}

QWidget* ClustersWorkspace::buildAddressBar() {
    auto* bar = new QWidget;
    auto* row = new QHBoxLayout(bar);
    row->setContentsMargins(0, 0, 0, 0);
    m_address = new QLineEdit;
    m_address->setObjectName(QStringLiteral("ClusterAddress"));
    m_address->setPlaceholderText(tr("HOST:PORT (gRPC), e.g. 127.0.0.1:7443"));
    m_address->setClearButtonEnabled(true);
    connect(m_address, &QLineEdit::returnPressed, this, &ClustersWorkspace::connectFromBar);
    auto* button = new QPushButton(tr("Connect"));
    button->setObjectName(QStringLiteral("ClusterConnect"));
    connect(button, &QPushButton::clicked, this, &ClustersWorkspace::connectFromBar);
    m_window = new QComboBox;
    m_window->setObjectName(QStringLiteral("ClusterWindow"));
    m_window->addItem(tr("Last 5 min"), 300);
    m_window->addItem(tr("Last 1 h"), 3600);
    m_window->addItem(tr("Last 6 h"), 21600);
    connect(m_window, &QComboBox::currentIndexChanged, this,
            [this](int index) { setWindowSeconds(m_window->itemData(index).toInt()); });
    row->addWidget(buildProfileBar());
    row->addSpacing(16);
    row->addWidget(new QLabel(tr("Node:")));
    row->addWidget(m_address, 1);
    row->addWidget(button);
    row->addSpacing(16);
    row->addWidget(new QLabel(tr("Charts:")));
    row->addWidget(m_window);
    row->addWidget(m_charts->controls());
    return bar;
}

QWidget* ClustersWorkspace::buildCharts() {
    m_charts = new ChartsPanel(m_history);
    connect(m_charts, &ChartsPanel::statusMessage, this, &ClustersWorkspace::statusMessage);
    return m_charts;
}

void ClustersWorkspace::buildEventsDock() {
    m_eventsPanel = new EventsPanel(m_eventModel);
    addDock(this, m_eventsPanel, tr("Events"), QStringLiteral("ClusterEventsDock"),
            Qt::BottomDockWidgetArea);
}

// Dock sizes only take once the window has its size, so the defaults wait for the first show
// (and give way to a saved layout).
void ClustersWorkspace::showEvent(QShowEvent* event) {
    QMainWindow::showEvent(event);
    if (m_layoutSettled) {
        return;
    }
    m_layoutSettled = true;
    auto* events = findChild<QDockWidget*>(QStringLiteral("ClusterEventsDock"));
    auto* alerts = findChild<QDockWidget*>(QStringLiteral("ClusterAlertsDock"));
    resizeDocks({events}, {190}, Qt::Vertical);
    // Side by side, the alerts table needs a good share of the width to show its columns.
    resizeDocks({events, alerts}, {width() * 3 / 5, width() * 2 / 5}, Qt::Horizontal);
}

void ClustersWorkspace::connectFromBar() {
    QString error;
    if (connectTo(m_address->text().trimmed(), &error)) {
        m_address->clear();
    } else {
        Q_EMIT statusMessage(error, 5000);
    }
}

bool ClustersWorkspace::connectTo(const QString& address, QString* error) {
    QString problem;
    if (!isNodeAddress(address)) {
        problem = tr("'%1' is not a node address: use HOST:PORT").arg(address);
    } else if (connectionFor(address)) {
        problem = tr("%1 is already connected").arg(address);
    }
    if (!problem.isEmpty()) {
        if (error) {
            *error = problem;
        }
        return false;
    }
    auto* connection = new ClusterConnection(address, m_credentials, this);
    m_connections.append(connection);
    m_nodeModel->addConnection(connection);
    // The history is keyed by address: a node restarted with a new id keeps its line.
    connect(connection, &ClusterConnection::sampleArrived, this,
            [this, address](const MetricSample& sample) { m_history.append(address, sample); });
    connect(connection, &ClusterConnection::eventArrived, this,
            [this, connection](const client::ClusterEvent& event) {
                m_eventModel->add(event);
                // A node saw a peer come up: it may be one this profile has not found yet.
                if (m_discover && event.kind == client::EventKind::NodeUp) {
                    connection->refreshInfo();
                }
            });
    connect(connection, &ClusterConnection::infoChanged, this,
            [this, connection] { discoverPeers(connection); });
    trackState(connection);
    connection->start();
    Q_EMIT statusMessage(tr("Connecting to %1…").arg(address), 3000);
    return true;
}

ClusterConnection* ClustersWorkspace::connectionFor(const QString& address) const {
    for (ClusterConnection* connection : m_connections) {
        if (connection->address() == address) {
            return connection;
        }
    }
    return nullptr;
}

void ClustersWorkspace::setWindowSeconds(int seconds) {
    const int index = m_window->findData(seconds);
    if (index >= 0 && index != m_window->currentIndex()) {
        m_window->setCurrentIndex(index); // comes back here through currentIndexChanged
        return;
    }
    m_charts->setWindowSeconds(seconds);
    refreshCharts();
}

ClusterConnection* ClustersWorkspace::selectedConnection() const {
    const QModelIndexList rows = m_nodeTable->selectionModel()->selectedRows();
    return rows.isEmpty() ? nullptr : m_nodeModel->connectionAt(rows.front().row());
}

void ClustersWorkspace::refreshCharts() {
    QList<ChartNode> nodes;
    for (ClusterConnection* connection : m_connections) {
        nodes.append({connection->address(), connection->nodeId()});
    }
    ClusterConnection* selected = selectedConnection();
    m_charts->refresh(nodes, selected ? std::optional(selected->address()) : std::nullopt,
                      QDateTime::currentMSecsSinceEpoch());
}

void ClustersWorkspace::restoreLayout(const QByteArray& state) {
    m_layoutSettled = !state.isEmpty() && restoreState(state);
}

} // namespace flowdeck::console

namespace flowdeck::console {

void ClustersWorkspace::buildAlertsDock() {
    auto* table = new QTableView;
    table->setObjectName(QStringLiteral("ClusterAlerts"));
    table->setModel(m_alertModel);
    table->verticalHeader()->hide();
    table->setSelectionBehavior(QAbstractItemView::SelectRows);
    table->setWordWrap(false);
    table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    table->horizontalHeader()->setStretchLastSection(true);
    m_alertSummary = new QLabel(tr("No alerts firing"));
    m_alertSummary->setObjectName(QStringLiteral("ClusterAlertSummary"));
    auto* edit = new QPushButton(tr("Alert rules…"));
    edit->setObjectName(QStringLiteral("ClusterAlertRules"));
    connect(edit, &QPushButton::clicked, this, &ClustersWorkspace::editAlertRules);
    auto* panel = new QWidget;
    auto* layout = new QVBoxLayout(panel);
    layout->setContentsMargins(0, 0, 0, 0);
    auto* row = new QHBoxLayout;
    row->addWidget(m_alertSummary, 1);
    row->addWidget(edit);
    layout->addLayout(row);
    layout->addWidget(table, 1);
    addDock(this, panel, tr("Alerts"), QStringLiteral("ClusterAlertsDock"),
            Qt::BottomDockWidgetArea);
}

// The rules need to know since when a node has been down; the connection only knows its state.
void ClustersWorkspace::trackState(ClusterConnection* connection) {
    const QString address = connection->address();
    m_nodeStatus.insert(address, {address, true, QDateTime::currentMSecsSinceEpoch()});
    connect(connection, &ClusterConnection::stateChanged, this, [this, connection, address] {
        const bool up = connection->state() != ClusterConnection::State::Down;
        NodeStatus& status = m_nodeStatus[address];
        if (status.up != up) {
            status = {address, up, QDateTime::currentMSecsSinceEpoch()};
        }
    });
}

void ClustersWorkspace::setAlertRules(QList<AlertRule> rules) {
    m_alertRules = std::move(rules);
    refreshAlerts();
}

void ClustersWorkspace::refreshAlerts() {
    QList<NodeStatus> nodes;
    for (ClusterConnection* connection : m_connections) {
        nodes.append(m_nodeStatus.value(connection->address()));
    }
    m_alertModel->setAlerts(AlertEvaluator::evaluate(m_alertRules, m_history, nodes,
                                                     QDateTime::currentMSecsSinceEpoch()));
    const int count = m_alertModel->rowCount();
    m_alertSummary->setText(count == 0 ? tr("No alerts firing")
                                       : tr("%n alert(s) firing", nullptr, count));
}

QString ClustersWorkspace::alertRulesPath() {
    return QStandardPaths::writableLocation(QStandardPaths::AppConfigLocation) +
           QStringLiteral("/alert-rules.json");
}

void ClustersWorkspace::editAlertRules() {
    AlertRulesDialog dialog(m_alertRules, this);
    if (dialog.exec() != QDialog::Accepted) {
        return;
    }
    setAlertRules(dialog.rules());
    QDir().mkpath(QFileInfo(alertRulesPath()).absolutePath());
    QSaveFile file(alertRulesPath());
    if (!file.open(QIODevice::WriteOnly) || file.write(alertRulesToJson(m_alertRules)) < 0 ||
        !file.commit()) {
        Q_EMIT statusMessage(tr("Could not save the alert rules to %1").arg(alertRulesPath()),
                             5000);
    }
}

} // namespace flowdeck::console
