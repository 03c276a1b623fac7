#pragma once

#include "flowdeck/client/releases_client.h"

#include <QAbstractTableModel>

#include <vector>

namespace flowdeck::console {

// The flows a node runs (Flows.ListFlows): id, active version, canary in progress, latest
// version and how many are stored. Rows keep the node's order.
class RemoteFlowModel final : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Flow, Active, Canary, Latest, Versions, ColumnCount };

    explicit RemoteFlowModel(QObject* parent = nullptr);

    // Keeps the rows (and so the view's selection) when only the values changed.
    void setFlows(std::vector<client::RemoteFlow> flows);
    const std::vector<client::RemoteFlow>& flows() const { return m_flows; }
    const client::RemoteFlow* flow(const QString& flowId) const;
    int rowOf(const QString& flowId) const; // -1 when absent

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    std::vector<client::RemoteFlow> m_flows;
};

// One flow's stored versions (Flows.ListVersions), newest first; the active one in bold.
class RemoteVersionModel final : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Version, State, Created, Problems, By, Note, ColumnCount }; // Note stretches

    explicit RemoteVersionModel(QObject* parent = nullptr);

    void setVersions(std::vector<client::RemoteFlowVersion> versions);
    const std::vector<client::RemoteFlowVersion>& versions() const { return m_versions; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    std::vector<client::RemoteFlowVersion> m_versions;
};

} // namespace flowdeck::console
