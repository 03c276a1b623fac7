#pragma once

#include "flowdeck/client/telemetry_client.h"

#include <QAbstractTableModel>
#include <QDateTime>
#include <QList>

namespace flowdeck::console {

// The Clusters events tail: newest first, at most `capacity` rows (the oldest fall off), so a
// node that reports errors all day cannot grow the console's memory.
class EventLogModel final : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Time, Node, Kind, Summary, ColumnCount };
    static constexpr int kDefaultCapacity = 1000;

    explicit EventLogModel(int capacity = kDefaultCapacity, QObject* parent = nullptr);

    void add(const client::ClusterEvent& event);
    void clear();
    int capacity() const { return m_capacity; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    struct Row {
        QDateTime time;
        QString node;
        QString kind;
        QString summary;
        client::EventSeverity severity = client::EventSeverity::Unspecified;
    };
    int m_capacity;
    QList<Row> m_rows; // newest first
};

} // namespace flowdeck::console
