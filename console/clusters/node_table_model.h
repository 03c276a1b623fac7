#pragma once

#include <QAbstractTableModel>
#include <QList>

namespace flowdeck::console {

class ClusterConnection;

// The Clusters workspace's node table: one row per connection, read straight from it (the
// connections own the data; this only presents it). Columns are fixed; see Column.
class NodeTableModel final : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column {
        NodeId,
        Address,
        Version,
        Uptime,
        Store,
        Flows,
        State,
        RequestsPerSecond,
        P95,
        ErrorRate,
        ColumnCount
    };

    explicit NodeTableModel(QObject* parent = nullptr);

    void addConnection(ClusterConnection* connection);
    // Call before deleting a connection: the view must not read a row whose object is dying.
    void removeConnection(ClusterConnection* connection);
    ClusterConnection* connectionAt(int row) const;
    const QList<ClusterConnection*>& connections() const { return m_connections; }
    // Repaints the columns that change with time alone (uptime).
    void refreshClock();

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    void rowChanged(ClusterConnection* connection);
    QVariant display(const ClusterConnection& connection, int column) const;

    QList<ClusterConnection*> m_connections; // not owned
};

// "3 d 4 h", "2 h 5 min", "42 s".
QString formatUptime(qint64 seconds);

} // namespace flowdeck::console
