// ClustersWorkspace: connection profiles (their bar, connecting one, discovering its peers).

#include "clusters/cluster_connection.h"
#include "clusters/clusters_workspace.h"
#include "clusters/connection_profiles_dialog.h"
#include "clusters/node_table_model.h"
#include "clusters/token_vault.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSettings>

namespace flowdeck::console {

namespace {

const QString kLastProfileKey = QStringLiteral("clusters/profile");

// A node listening on every interface reports 0.0.0.0:PORT (or [::]:PORT) as its address; reach
// it on the host we reached its peer on instead.
QString reachableAddress(const QString& peer, const QString& via) {
    const int colon = peer.lastIndexOf(QLatin1Char(':'));
    const QString host = peer.left(colon);
    if (host != QLatin1String("0.0.0.0") && host != QLatin1String("[::]")) {
        return peer;
    }
    return via.left(via.lastIndexOf(QLatin1Char(':'))) + peer.mid(colon);
}

} // namespace

QWidget* ClustersWorkspace::buildProfileBar() {
    auto* bar = new QWidget;
    auto* row = new QHBoxLayout(bar);
    row->setContentsMargins(0, 0, 0, 0);
    m_profileBox = new QComboBox;
    m_profileBox->setObjectName(QStringLiteral("ClusterProfile"));
    m_profileBox->setMinimumContentsLength(14);
    m_profileBox->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_profileBox->setToolTip(tr("Connection profiles: a cluster's nodes, TLS settings and token"));
    auto* connectButton = new QPushButton(tr("Connect"));
    connectButton->setObjectName(QStringLiteral("ClusterConnectProfile"));
    connectButton->setToolTip(tr("Watch this profile's nodes instead of the ones shown now"));
    connect(connectButton, &QPushButton::clicked, this,
            [this] { connectProfile(m_profileBox->currentText()); });
    auto* edit = new QPushButton(tr("Profiles…"));
    edit->setObjectName(QStringLiteral("ClusterEditProfiles"));
    connect(edit, &QPushButton::clicked, this, &ClustersWorkspace::editProfiles);
    row->addWidget(new QLabel(tr("Profile:")));
    row->addWidget(m_profileBox);
    row->addWidget(connectButton);
    row->addWidget(edit);
    return bar;
}

void ClustersWorkspace::reloadProfiles() {
    QString error;
    auto profiles = ProfileStore::load(&error);
    if (!profiles) {
        Q_EMIT statusMessage(tr("Connection profiles not loaded: %1").arg(error), 10000);
    }
    m_profiles = profiles.value_or(QList<ConnectionProfile>{});
    const QString wanted =
        m_activeProfile.isEmpty() ? QSettings().value(kLastProfileKey).toString() : m_activeProfile;
    m_profileBox->clear();
    for (const ConnectionProfile& profile : m_profiles) {
        m_profileBox->addItem(profile.name);
    }
    m_profileBox->setCurrentIndex(std::max(0, m_profileBox->findText(wanted)));
    m_profileBox->setEnabled(!m_profiles.isEmpty());
    m_profileBox->setPlaceholderText(tr("no profiles yet"));
}

void ClustersWorkspace::editProfiles() {
    ConnectionProfilesDialog dialog(m_profiles, m_vault, m_profileBox->currentText(), this);
    connect(&dialog, &ConnectionProfilesDialog::saved, this, &ClustersWorkspace::reloadProfiles);
    dialog.exec();
    if (!dialog.connectRequested().isEmpty()) {
        connectProfile(dialog.connectRequested());
    }
}

bool ClustersWorkspace::connectProfile(const QString& name) {
    const auto found = std::find_if(m_profiles.cbegin(), m_profiles.cend(),
                                    [&](const ConnectionProfile& p) { return p.name == name; });
    if (found == m_profiles.cend()) {
        Q_EMIT statusMessage(tr("There is no connection profile named '%1'").arg(name), 5000);
        return false;
    }
    const ConnectionProfile profile = *found;
    const quint64 generation = ++m_profileGeneration;
    Q_EMIT statusMessage(tr("Reading the token of %1…").arg(name), 3000);
    m_vault->read(name, [this, profile, generation](const TokenVault::Result& token) {
        if (generation != m_profileGeneration) {
            return; // another profile was asked for meanwhile
        }
        if (!token.ok) {
            Q_EMIT statusMessage(tr("Not connected to %1: its token cannot be read: %2")
                                     .arg(profile.name, token.error),
                                 15000);
            return;
        }
        startProfile(profile, token.token);
    });
    return true;
}

void ClustersWorkspace::startProfile(const ConnectionProfile& profile, const QString& token) {
    disconnectAll();
    m_activeProfile = profile.name;
    m_discover = profile.discover;
    m_credentials = profile.credentials(token);
    QSettings().setValue(kLastProfileKey, profile.name);
    m_profileBox->setCurrentIndex(std::max(0, m_profileBox->findText(profile.name)));
    for (const QString& address : profile.addresses) {
        connectTo(address);
    }
    Q_EMIT statusMessage(tr("Connecting to %1 (%2)…")
                             .arg(profile.name, profile.addresses.join(QStringLiteral(", "))),
                         5000);
    Q_EMIT profileConnected(profile.name, m_credentials, profile.addresses.value(0));
}

void ClustersWorkspace::disconnectAll() {
    const QList<ClusterConnection*> connections = std::exchange(m_connections, {});
    for (ClusterConnection* connection : connections) {
        m_nodeModel->removeConnection(connection);
        m_history.removeNode(connection->address());
        m_nodeStatus.remove(connection->address());
        delete connection; // joins its stream threads; nothing it queued is delivered after
    }
    m_activeProfile.clear();
    m_discover = false;
    m_credentials = client::withEnvironment({});
    refreshCharts();
    refreshAlerts();
}

void ClustersWorkspace::discoverPeers(const ClusterConnection* connection) {
    if (!m_discover || !connection->info()) {
        return;
    }
    for (const client::PeerNode& peer : connection->info()->peers) {
        const QString address =
            reachableAddress(QString::fromStdString(peer.address), connection->address());
        const QString nodeId = QString::fromStdString(peer.nodeId);
        const bool known = std::any_of(
            m_connections.cbegin(), m_connections.cend(), [&](const ClusterConnection* c) {
                return c->address() == address || (c->info() && c->nodeId() == nodeId);
            });
        if (!known && isNodeAddress(address) && m_connections.size() < kMaxProfileAddresses) {
            connectTo(address);
            Q_EMIT statusMessage(
                tr("Found %1 (%2) through %3").arg(nodeId, address, connection->address()), 5000);
        }
    }
}

} // namespace flowdeck::console
