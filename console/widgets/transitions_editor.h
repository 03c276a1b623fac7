#pragma once

#include "models/flow_document.h"

#include <QWidget>

#include <functional>

class QTableWidget;
class QToolButton;

namespace flowdeck::console {

// The transitions of one state as an editable table: condition, its value (intent, slot or Lua
// expression), target and priority, in evaluation order. Add, remove and reorder with the buttons
// below; every change is one undo command.
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

    FlowDocument* m_document;
    StateId m_id = 0;
    QTableWidget* m_table;
    QToolButton* m_add;
    QToolButton* m_remove;
    QToolButton* m_up;
    QToolButton* m_down;
    bool m_rebuilding = false;
};

} // namespace flowdeck::console
