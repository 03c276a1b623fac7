#pragma once

#include "models/flow_document.h"

#include <QWidget>

class QTableWidget;
class QToolButton;

namespace flowdeck::console {

// The slots of a slot_filling state as a table: name, type, the prompt that asks for it, whether
// it is required, and the regex pattern or the enum values. Keys the table does not show are kept.
class SlotsEditor final : public QWidget {
    Q_OBJECT
public:
    explicit SlotsEditor(FlowDocument* document, QWidget* parent = nullptr);
    void setState(StateId id);
    QTableWidget* table() const { return m_table; }

private:
    void rebuild();
    void addRowWidgets(int row, const engine::Json& slot);
    void commit(const QString& mergeKey);
    void addSlot();
    void removeSelected();

    FlowDocument* m_document;
    StateId m_id = 0;
    QTableWidget* m_table;
    bool m_rebuilding = false;
};

} // namespace flowdeck::console
