#pragma once

#include "clusters/alert_rules.h"

#include <QAbstractTableModel>
#include <QList>

namespace flowdeck::console {

// The firing alerts of the Clusters workspace, critical first. setAlerts() is called on every
// refresh tick: when the same alerts are still firing only their values repaint, so the view
// keeps its selection and scroll position.
class AlertsModel final : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Severity, Alert, Node, Value, Threshold, Since, Runbook, ColumnCount };

    explicit AlertsModel(QObject* parent = nullptr);

    void setAlerts(QList<FiringAlert> alerts);
    const QList<FiringAlert>& alerts() const { return m_alerts; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    QString text(const FiringAlert& alert, int column) const;

    QList<FiringAlert> m_alerts;
};

} // namespace flowdeck::console
