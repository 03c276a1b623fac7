#include "clusters/node_table_model.h"
#include "widgets/theme_colors.h"

#include "clusters/cluster_connection.h"

#include <QBrush>
#include <QColor>
#include <QDateTime>

#include <cmath>

namespace flowdeck::console {

namespace {

QString stateText(const ClusterConnection& connection) {
    switch (connection.state()) {
    case ClusterConnection::State::Connecting:
        return NodeTableModel::tr("connecting");
    case ClusterConnection::State::Up:
        return NodeTableModel::tr("up");
    case ClusterConnection::State::Down:
        return NodeTableModel::tr("down: %1").arg(connection.error());
    }
    return {};
}

QString number(double value, int decimals) {
    return std::isfinite(value) ? QString::number(value, 'f', decimals) : QStringLiteral("–");
}

} // namespace

QString formatUptime(qint64 seconds) {
    if (seconds < 0) {
        return QStringLiteral("–");
    }
    if (seconds >= 86400) {
        return NodeTableModel::tr("%1 d %2 h").arg(seconds / 86400).arg(seconds % 86400 / 3600);
    }
    if (seconds >= 3600) {
        return NodeTableModel::tr("%1 h %2 min").arg(seconds / 3600).arg(seconds % 3600 / 60);
    }
    if (seconds >= 60) {
        return NodeTableModel::tr("%1 min %2 s").arg(seconds / 60).arg(seconds % 60);
    }
    return NodeTableModel::tr("%1 s").arg(seconds);
}

NodeTableModel::NodeTableModel(QObject* parent)
    : QAbstractTableModel(parent) {}

void NodeTableModel::addConnection(ClusterConnection* connection) {
    const int row = static_cast<int>(m_connections.size());
    beginInsertRows({}, row, row);
    m_connections.append(connection);
    endInsertRows();
    const auto changed = [this, connection] { rowChanged(connection); };
    connect(connection, &ClusterConnection::stateChanged, this, changed);
    connect(connection, &ClusterConnection::infoChanged, this, changed);
    connect(connection, &ClusterConnection::sampleArrived, this, changed);
    connect(connection, &QObject::destroyed, this,
            [this, connection] { removeConnection(connection); });
}

void NodeTableModel::removeConnection(ClusterConnection* connection) {
    const auto row = m_connections.indexOf(connection);
    if (row >= 0) {
        disconnect(connection, nullptr, this, nullptr);
        beginRemoveRows({}, static_cast<int>(row), static_cast<int>(row));
        m_connections.removeAt(row);
        endRemoveRows();
    }
}

ClusterConnection* NodeTableModel::connectionAt(int row) const {
    return row >= 0 && row < m_connections.size() ? m_connections.at(row) : nullptr;
}

void NodeTableModel::rowChanged(ClusterConnection* connection) {
    const auto row = static_cast<int>(m_connections.indexOf(connection));
    if (row >= 0) {
        Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
    }
}

void NodeTableModel::refreshClock() {
    if (!m_connections.isEmpty()) {
        Q_EMIT dataChanged(index(0, Uptime), index(rowCount() - 1, Uptime));
    }
}

int NodeTableModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(m_connections.size());
}

int NodeTableModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant NodeTableModel::display(const ClusterConnection& connection, int column) const {
    const auto& info = connection.info();
    const auto& latest = connection.latest();
    switch (column) {
    case NodeId:
        return connection.nodeId();
    case Address:
        return connection.address();
    case Version:
        return info ? QString::fromStdString(info->version) : QString();
    case Uptime: {
        if (!info || connection.state() != ClusterConnection::State::Up) {
            return QStringLiteral("–");
        }
        const auto started =
            std::chrono::duration_cast<std::chrono::seconds>(info->startedAt.time_since_epoch())
                .count();
        return formatUptime(QDateTime::currentSecsSinceEpoch() - started);
    }
    case Store:
        return info ? QString::fromStdString(info->storeKind) : QString();
    case Flows:
        return info ? QVariant(static_cast<int>(info->flows.size())) : QVariant();
    case State:
        return stateText(connection);
    case RequestsPerSecond:
        return latest ? number(latest->requestsPerSecond, 1) : QStringLiteral("–");
    case P95:
        return latest ? number(latest->p95Ms, 1) : QStringLiteral("–");
    case ErrorRate:
        return latest ? number(latest->errorRate * 100.0, 2) + QLatin1Char('%')
                      : QStringLiteral("–");
    default:
        return {};
    }
}

QVariant NodeTableModel::data(const QModelIndex& index, int role) const {
    const ClusterConnection* connection = connectionAt(index.row());
    if (!connection) {
        return {};
    }
    if (role == Qt::DisplayRole) {
        return display(*connection, index.column());
    }
    if (role == Qt::ToolTipRole && index.column() == State) {
        return stateText(*connection);
    }
    if (role == Qt::ForegroundRole && index.column() == State) {
        switch (connection->state()) {
        case ClusterConnection::State::Up:
            return QBrush(theme::text(theme::Tone::Success));
        case ClusterConnection::State::Down:
            return QBrush(theme::text(theme::Tone::Error));
        case ClusterConnection::State::Connecting:
            return QBrush(theme::text(theme::Tone::Warning));
        }
    }
    if (role == Qt::TextAlignmentRole && index.column() >= Flows && index.column() != State) {
        return QVariant(Qt::AlignRight | Qt::AlignVCenter);
    }
    return {};
}

QVariant NodeTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
        return {};
    }
    static const char* const names[] = {
        QT_TR_NOOP("Node"),   QT_TR_NOOP("Address"), QT_TR_NOOP("Version"), QT_TR_NOOP("Uptime"),
        QT_TR_NOOP("Store"),  QT_TR_NOOP("Flows"),   QT_TR_NOOP("State"),   QT_TR_NOOP("Req/s"),
        QT_TR_NOOP("p95 ms"), QT_TR_NOOP("Errors")};
    return section >= 0 && section < ColumnCount ? tr(names[section]) : QVariant();
}

} // namespace flowdeck::console
