#include "clusters/alerts_model.h"
#include "widgets/theme_colors.h"

#include <QBrush>
#include <QColor>
#include <QDateTime>

#include <algorithm>

namespace flowdeck::console {

namespace {

bool sameAlerts(const QList<FiringAlert>& a, const QList<FiringAlert>& b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                      [](const FiringAlert& x, const FiringAlert& y) {
                          return x.rule.name == y.rule.name && x.node == y.node;
                      });
}

} // namespace

AlertsModel::AlertsModel(QObject* parent)
    : QAbstractTableModel(parent) {}

void AlertsModel::setAlerts(QList<FiringAlert> alerts) {
    std::stable_sort(alerts.begin(), alerts.end(), [](const FiringAlert& a, const FiringAlert& b) {
        return a.rule.severity == AlertSeverity::Critical &&
               b.rule.severity != AlertSeverity::Critical;
    });
    if (sameAlerts(alerts, m_alerts)) {
        m_alerts = std::move(alerts);
        if (!m_alerts.isEmpty()) {
            Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
        }
        return;
    }
    beginResetModel();
    m_alerts = std::move(alerts);
    endResetModel();
}

int AlertsModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : int(m_alerts.size());
}

int AlertsModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QString AlertsModel::text(const FiringAlert& alert, int column) const {
    const AlertRule& rule = alert.rule;
    switch (column) {
    case Severity:
        return rule.severity == AlertSeverity::Critical ? tr("critical") : tr("warning");
    case Alert:
        return rule.name;
    case Node:
        return alert.node;
    case Value:
        if (rule.metric == AlertMetric::NodeDown) {
            return tr("down %1 s").arg(qint64(alert.value));
        }
        return rule.metric == AlertMetric::ErrorRate
                   ? tr("%1 %").arg(alert.value * 100.0, 0, 'f', 1)
                   : tr("%1 ms").arg(alert.value, 0, 'f', 0);
    case Threshold:
        if (rule.metric == AlertMetric::NodeDown) {
            return tr("down for %1 s").arg(rule.forSeconds);
        }
        return rule.metric == AlertMetric::ErrorRate
                   ? tr("> %1 % for %2 s").arg(rule.threshold * 100.0).arg(rule.forSeconds)
                   : tr("> %1 ms for %2 s").arg(rule.threshold).arg(rule.forSeconds);
    case Since:
        return QDateTime::fromMSecsSinceEpoch(alert.sinceMs).toString(QStringLiteral("HH:mm:ss"));
    case Runbook:
        return rule.runbook;
    }
    return {};
}

QVariant AlertsModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= m_alerts.size()) {
        return {};
    }
    const FiringAlert& alert = m_alerts.at(index.row());
    if (role == Qt::DisplayRole) {
        return text(alert, index.column());
    }
    if (role == Qt::ToolTipRole) {
        if (index.column() == Since) {
            return QDateTime::fromMSecsSinceEpoch(alert.sinceMs).toString(Qt::ISODate);
        }
        return alert.rule.summary;
    }
    if (role == Qt::ForegroundRole && index.column() == Severity) {
        return QBrush(alert.rule.severity == AlertSeverity::Critical
                          ? theme::text(theme::Tone::Error)
                          : theme::text(theme::Tone::Warning));
    }
    return {};
}

QVariant AlertsModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
        return {};
    }
    switch (section) {
    case Severity:
        return tr("Severity");
    case Alert:
        return tr("Alert");
    case Node:
        return tr("Node");
    case Value:
        return tr("Value");
    case Threshold:
        return tr("Threshold");
    case Since:
        return tr("Since");
    case Runbook:
        return tr("Runbook");
    }
    return {};
}

} // namespace flowdeck::console
