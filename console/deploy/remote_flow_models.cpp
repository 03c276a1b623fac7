#include "deploy/remote_flow_models.h"
#include "widgets/theme_colors.h"

#include "deploy/rollout_format.h"

#include <QBrush>
#include <QColor>
#include <QFont>
#include <QStringList>

#include <algorithm>

namespace flowdeck::console {

namespace {

QString orDash(const std::string& text) {
    return text.empty() ? QStringLiteral("–") : QString::fromStdString(text);
}

bool sameRows(const std::vector<client::RemoteFlow>& a, const std::vector<client::RemoteFlow>& b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                      [](const auto& x, const auto& y) { return x.flowId == y.flowId; });
}

QString problems(const client::RemoteFlowVersion& version) {
    QStringList parts;
    if (version.errorCount > 0) {
        parts << rollout_text::counted(version.errorCount, RemoteVersionModel::tr("1 error"),
                                       RemoteVersionModel::tr("%1 errors"));
    }
    if (version.warningCount > 0) {
        parts << rollout_text::counted(version.warningCount, RemoteVersionModel::tr("1 warning"),
                                       RemoteVersionModel::tr("%1 warnings"));
    }
    return parts.join(QStringLiteral(", "));
}

} // namespace

RemoteFlowModel::RemoteFlowModel(QObject* parent)
    : QAbstractTableModel(parent) {}

void RemoteFlowModel::setFlows(std::vector<client::RemoteFlow> flows) {
    if (sameRows(flows, m_flows)) {
        m_flows = std::move(flows);
        if (!m_flows.empty()) {
            Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
        }
        return;
    }
    beginResetModel();
    m_flows = std::move(flows);
    endResetModel();
}

const client::RemoteFlow* RemoteFlowModel::flow(const QString& flowId) const {
    const int row = rowOf(flowId);
    return row < 0 ? nullptr : &m_flows[row];
}

int RemoteFlowModel::rowOf(const QString& flowId) const {
    const std::string id = flowId.toStdString();
    for (std::size_t i = 0; i < m_flows.size(); ++i) {
        if (m_flows[i].flowId == id) {
            return static_cast<int>(i);
        }
    }
    return -1;
}

int RemoteFlowModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(m_flows.size());
}

int RemoteFlowModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant RemoteFlowModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= rowCount()) {
        return {};
    }
    const client::RemoteFlow& flow = m_flows[index.row()];
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
        case Flow:
            return QString::fromStdString(flow.flowId);
        case Active:
            return orDash(flow.activeVersion);
        case Canary:
            return flow.canaryVersion.empty() ? QString()
                                              : QString::fromStdString(flow.canaryVersion);
        case Latest:
            return orDash(flow.latestVersion);
        case Versions:
            return flow.versionCount;
        default:
            return {};
        }
    }
    if (role == Qt::ForegroundRole && index.column() == Canary) {
        return QBrush(theme::text(theme::Tone::Warning));
    }
    if (role == Qt::ToolTipRole) {
        return flow.description.empty() ? QString::fromStdString(flow.name)
                                        : QString::fromStdString(flow.description);
    }
    return {};
}

QVariant RemoteFlowModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
        return {};
    }
    switch (section) {
    case Flow:
        return tr("Flow");
    case Active:
        return tr("Active");
    case Canary:
        return tr("Canary");
    case Latest:
        return tr("Latest");
    case Versions:
        return tr("Versions");
    default:
        return {};
    }
}

RemoteVersionModel::RemoteVersionModel(QObject* parent)
    : QAbstractTableModel(parent) {}

void RemoteVersionModel::setVersions(std::vector<client::RemoteFlowVersion> versions) {
    beginResetModel();
    m_versions = std::move(versions);
    endResetModel();
}

int RemoteVersionModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(m_versions.size());
}

int RemoteVersionModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant RemoteVersionModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= rowCount()) {
        return {};
    }
    const client::RemoteFlowVersion& version = m_versions[index.row()];
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
        case Version:
            return QString::fromStdString(version.version);
        case State:
            return QString::fromStdString(version.state).toLower();
        case Created:
            return rollout_text::dateTime(version.createdAtMs).left(16); // minutes are enough
        case By:
            return QString::fromStdString(version.createdBy);
        case Problems:
            return problems(version);
        case Note:
            return QString::fromStdString(version.changeNote);
        default:
            return {};
        }
    }
    if (role == Qt::ToolTipRole && index.column() == Note) {
        return QString::fromStdString(version.changeNote);
    }
    if (role == Qt::FontRole && version.state == "ACTIVE") {
        QFont font;
        font.setBold(true);
        return font;
    }
    if (role == Qt::ForegroundRole && index.column() == Problems && version.errorCount > 0) {
        return QBrush(theme::text(theme::Tone::Error));
    }
    return {};
}

QVariant RemoteVersionModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
        return {};
    }
    switch (section) {
    case Version:
        return tr("Version");
    case State:
        return tr("State");
    case Created:
        return tr("Created");
    case By:
        return tr("By");
    case Problems:
        return tr("Linter");
    case Note:
        return tr("Note");
    default:
        return {};
    }
}

} // namespace flowdeck::console
