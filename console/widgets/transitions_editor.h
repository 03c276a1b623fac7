#pragma once

#include "models/flow_document.h"
#include "widgets/transitions_table.h"

#include <QWidget>

#include <functional>

class QToolButton;

namespace flowdeck::console {

// The transitions of one state as an editable table: condition, its value (intent, slot or Lua
// expression), target and priority, in evaluation order. Add and remove with the buttons below;
// reorder by dragging a row's grip, with the arrow buttons or Alt+Up / Alt+Down. Every change is
// one undo command; a move also adjusts priorities that would contradict the new order.
class TransitionsEditor final : public QWidget {
    Q_OBJECT
public:
    explicit TransitionsEditor(FlowDocument* document, QWidget* parent = nullptr);

    void setState(StateId id);
    void selectRow(int row);
    QTableWidget* table() const { return m_table; }

private:
    void rebuild();
    void addRowWidgets(int row, const engine::Transition& transition);
    void edit(int row, const std::function<void(engine::Transition&)>& change, const QString& text,
              const QString& mergeKey = {});
    void addTransition();
    void removeSelected();
    void moveSelected(int delta);
    void moveRow(int from, int to);

    FlowDocument* m_document;
    StateId m_id = 0;
    TransitionsTable* m_table;
    QToolButton* m_add;
    QToolButton* m_remove;
    QToolButton* m_up;
    QToolButton* m_down;
    bool m_rebuilding = false;
    bool m_editingField = false; // a field's own edit: rebuilding would destroy the field
};

} // namespace flowdeck::console
