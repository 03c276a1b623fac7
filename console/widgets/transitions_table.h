#pragma once

#include "flowdeck/engine/flow.h"

#include <QTableWidget>

#include <functional>
#include <optional>
#include <vector>

class QFrame;

namespace flowdeck::console {

enum class PriorityChange { None, Moved, Renumbered };

// Moves transitions[from] to index `to` so that the table order stays the evaluation order
// (priority first, then document order; docs/user-guide.md "Reordering transitions"): when the
// written priorities would contradict the new place, the moved transition takes the nearest
// priority that keeps it there (equal priorities run top to bottom: Moved); when the other
// transitions already contradict their order too, the state's transitions are renumbered 10, 20,
// 30 ... from the bottom (Renumbered).
PriorityChange moveTransition(std::vector<engine::Transition>& transitions, int from, int to);

// The transitions table: every cell but the grip column holds an editor, so rows are dragged by
// their grip and dropped between rows, where a line shows the place. A drop changes nothing by
// itself: it reports the move, and the editor turns it into one undo command and rebuilds.
class TransitionsTable final : public QTableWidget {
    Q_OBJECT
public:
    static constexpr int kGripColumn = 0;
    static inline const QString kRowMimeType =
        QStringLiteral("application/x-flowdeck-transition-row");

    TransitionsTable(int rows, int columns, QWidget* parent = nullptr);

    // Called with the dragged row and its final index once it is dropped elsewhere.
    std::function<void(int from, int to)> onRowMoved;

protected:
    QStringList mimeTypes() const override;
    QMimeData* mimeData(const QList<QTableWidgetItem*>& items) const override;
    void startDrag(Qt::DropActions supportedActions) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dragMoveEvent(QDragMoveEvent* event) override;
    void dragLeaveEvent(QDragLeaveEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    // The row a drag of this very table carries; nothing for any other drag.
    std::optional<int> draggedRow(const QMimeData* data) const;
    // Where a drop at `pos` (viewport coordinates) inserts: 0 .. rowCount().
    int insertionRow(QPoint pos) const;
    void showIndicator(int insertion);
    void hideIndicator();

    QFrame* m_indicator; // above the cell editors, which would hide a line painted on the viewport
};

} // namespace flowdeck::console
