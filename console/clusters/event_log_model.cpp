#include "clusters/event_log_model.h"

#include <QBrush>
#include <QColor>

#include <algorithm>

namespace flowdeck::console {

EventLogModel::EventLogModel(int capacity, QObject* parent)
    : QAbstractTableModel(parent)
    , m_capacity(std::max(capacity, 1)) {}

void EventLogModel::add(const client::ClusterEvent& event) {
    Row row;
    row.time = QDateTime::fromMSecsSinceEpoch(
        std::chrono::duration_cast<std::chrono::milliseconds>(event.time.time_since_epoch())
            .count());
    row.node = QString::fromStdString(event.nodeId);
    row.kind = QString::fromUtf8(client::toString(event.kind).data(),
                                 static_cast<qsizetype>(client::toString(event.kind).size()));
    row.summary = QString::fromStdString(event.summary);
    row.severity = event.severity;
    if (m_rows.size() >= m_capacity) {
        const int last = static_cast<int>(m_rows.size()) - 1;
        beginRemoveRows({}, last, last);
        m_rows.removeLast();
        endRemoveRows();
    }
    beginInsertRows({}, 0, 0);
    m_rows.prepend(std::move(row));
    endInsertRows();
}

void EventLogModel::clear() {
    beginResetModel();
    m_rows.clear();
    endResetModel();
}

int EventLogModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int EventLogModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant EventLogModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= m_rows.size()) {
        return {};
    }
    const Row& row = m_rows.at(index.row());
    if (role == Qt::DisplayRole || role == Qt::ToolTipRole) {
        switch (index.column()) {
        case Time:
            return row.time.toLocalTime().toString(QStringLiteral("HH:mm:ss"));
        case Node:
            return row.node;
        case Kind:
            return row.kind;
        case Summary:
            return row.summary;
        default:
            return {};
        }
    }
    if (role == Qt::ForegroundRole && index.column() == Kind) {
        if (row.severity == client::EventSeverity::Critical) {
            return QBrush(QColor(0xdc, 0x26, 0x26));
        }
        if (row.severity == client::EventSeverity::Warning) {
            return QBrush(QColor(0xd9, 0x77, 0x06));
        }
    }
    return {};
}

QVariant EventLogModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
        return {};
    }
    switch (section) {
    case Time:
        return tr("Time");
    case Node:
        return tr("Node");
    case Kind:
        return tr("Kind");
    case Summary:
        return tr("Summary");
    default:
        return {};
    }
}

} // namespace flowdeck::console
