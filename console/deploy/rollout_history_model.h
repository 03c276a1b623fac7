#pragma once

#include "flowdeck/engine/release.h"

#include <QAbstractTableModel>

#include <vector>

namespace flowdeck::console {

// A flow's release history as the node lists it (Releases.ListHistory), newest first: when,
// what, from which version to which, the canary's share afterwards, who and why. Entries the
// server decided on its own (a gate opened, a threshold breached) read "flowd (automatic)" and
// are drawn in italics; their tooltip carries the numbers that decided.
class RolloutHistoryModel final : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { When, Action, Versions, Percent, Who, Why, ColumnCount };
    // Rows kept at most: the workspace asks for one page of this size.
    static constexpr int kMaxRows = 200;

    explicit RolloutHistoryModel(QObject* parent = nullptr);

    // Replaces every row (at most kMaxRows, the first ones kept).
    void setEntries(std::vector<engine::release::HistoryEntry> entries);
    void clear();
    const engine::release::HistoryEntry& entry(int row) const { return m_entries.at(row); }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    QString text(const engine::release::HistoryEntry& entry, int column) const;
    QString tooltip(const engine::release::HistoryEntry& entry) const;

    std::vector<engine::release::HistoryEntry> m_entries;
};

} // namespace flowdeck::console
