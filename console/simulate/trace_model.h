#pragma once

#include "flowdeck/engine/flow.h"
#include "flowdeck/engine/trace.h"

#include <QAbstractItemModel>
#include <QColor>
#include <QString>

#include <vector>

namespace flowdeck::console {

// The trace of one message as a tree: one top row per TraceEvent (time, step, state, detail,
// duration) and, under it, its structured `data` as "key: value" rows. Nested objects and
// arrays expand, and a string that holds a JSON object or array (an integration's request or
// response body) expands too, so a call's request and response read without a JSON viewer.
// Child rows carry their text in the first column; the panel spans it across the row.
class TraceModel final : public QAbstractItemModel {
    Q_OBJECT
public:
    enum Column { TimeColumn, StepColumn, StateColumn, DetailColumn, DurationColumn, ColumnCount };
    enum Role {
        StateRole = Qt::UserRole + 1, // QString: the event's state (children: their event's)
        TransitionRole,               // int: the event's transition index, or -1
        KindRole,                     // int: engine::TraceKind of the event
        EventRole,                    // int: index of the event in the trace
        IsEventRole,                  // bool: a top row (an event) rather than a data row
    };

    explicit TraceModel(QObject* parent = nullptr);

    void setTrace(const engine::Trace& trace);
    void clear();
    const engine::Trace& trace() const { return m_trace; }
    // From the first event's start to the end of the last one.
    int64_t totalUs() const;
    // Whether the event's row or any of its data rows contains `text` (case-insensitive).
    bool eventMatches(int event, const QString& text) const;

    static QString kindLabel(engine::TraceKind kind);
    // "0.42 ms", or "1.25 s" from a second on.
    static QString formatDuration(int64_t us);
    static QColor mutedColor();

    QModelIndex index(int row, int column, const QModelIndex& parent = {}) const override;
    QModelIndex parent(const QModelIndex& child) const override;
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    // Every row of the tree, events first (node i is event i), then their data rows.
    struct Node {
        int parent = -1; // node index, -1 for an event row
        int row = 0;     // row within the parent
        int event = 0;   // the event this row belongs to
        QString text;    // data rows: "key: value", elided; events: unused
        QString full;    // data rows: the full value, for the tooltip
        std::vector<int> children;
    };
    enum class Tone { Normal, Muted, Warning, Error };

    void buildEvent(int event);
    int addNode(int parent, int event, QString text, QString full);
    void addValue(int parent, int event, const QString& key, const engine::Json& value, int depth);
    QVariant eventData(int event, int column, int role) const;
    QString eventText(int event, int column) const;

    engine::Trace m_trace;
    std::vector<Node> m_nodes;
    std::vector<Tone> m_tones;       // per event
    std::vector<QString> m_haystack; // per event: every text, lower case, for the filter
    int m_budget = 0;                // data rows still allowed while building
};

} // namespace flowdeck::console
