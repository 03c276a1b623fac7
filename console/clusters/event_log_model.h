#pragma once

#include "flowdeck/client/telemetry_client.h"

#include <QAbstractTableModel>
#include <QDateTime>
#include <QList>
#include <QStringList>

namespace flowdeck::console {

// What an event is about, as the events tail names and filters it. Engine errors arrive as
// ALERT_FIRING "EngineError"; the executor's circuit breaker (max transitions per message) is
// the one whose code is CIRCULAR_TRANSITION; rollout steps are RELEASE events.
enum class EventCategory {
    Error,
    CircuitBreak,
    Rollout,
    NodeUp,
    NodeDown,
    Alert,
    AlertResolved,
    Fault,
    Capture,
    Other,
    Count
};

EventCategory categoryOf(const client::ClusterEvent& event);
QString categoryName(EventCategory category);  // "ERROR", "CIRCUIT_BREAK", "NODE_UP", …
QString categoryLabel(EventCategory category); // "Errors", "Circuit breaks", … (filter menu)

// The Clusters events tail: newest first, at most `capacity` rows (the oldest fall off), so a
// node that reports errors all day cannot grow the console's memory.
class EventLogModel final : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Time, Node, Kind, Severity, Summary, ColumnCount };
    enum Role {
        CategoryRole = Qt::UserRole + 1, // int(EventCategory)
        SeverityRole,                    // int(client::EventSeverity)
        NodeRole,                        // the reporting node's id
        SearchRole                       // every text of the row, for the text filter
    };
    static constexpr int kDefaultCapacity = 1000;
    // Distinct node ids remembered for the node filter.
    static constexpr int kMaxNodes = 256;
    // Reports of one node's change from several peers arrive this far apart at most (peers
    // notice a missing heartbeat after 3.5 s, each on its own clock tick).
    static constexpr int kSameChangeWindowMs = 10000;

    explicit EventLogModel(int capacity = kDefaultCapacity, QObject* parent = nullptr);

    void add(const client::ClusterEvent& event);
    void clear();
    int capacity() const { return m_capacity; }
    // Every node id seen so far, in the order first seen.
    const QStringList& nodes() const { return m_nodes; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

Q_SIGNALS:
    void nodeSeen(const QString& nodeId);

private:
    struct Row {
        QDateTime time;
        QString node;
        EventCategory category = EventCategory::Other;
        QString wireKind; // as sent: ALERT_FIRING, RELEASE, …
        QString summary;
        QString detail; // alert name and labels, the reason of a node change
        client::EventSeverity severity = client::EventSeverity::Unspecified;
        QString releaseEntryId; // RELEASE: every node reports the entry; the log shows it once
        // NODE_UP / NODE_DOWN: the node concerned, and the other nodes that reported the same
        // change (in a cluster every peer notices it; the log shows it once).
        QString subject;
        QStringList alsoReportedBy;
    };
    // A NODE_UP/NODE_DOWN of `subject` that another node already reported (a row of the same
    // kind within kSameChangeWindowMs, no change of the other kind between them in time):
    // folded into that row instead of a row of its own.
    bool foldIntoSameChange(const client::ClusterEvent& event, EventCategory category,
                            const QString& subject, const QDateTime& time);
    QVariant display(const Row& row, int column) const;
    static QString detailText(const Row& row); // the detail and who else reported it
    void noteNode(const QString& node);

    int m_capacity;
    QList<Row> m_rows; // newest first
    QStringList m_nodes;
};

} // namespace flowdeck::console
