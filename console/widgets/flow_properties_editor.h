#pragma once

#include "models/flow_document.h"

#include <QWidget>

#include <functional>

class QComboBox;
class QLineEdit;
class QPlainTextEdit;

namespace flowdeck::console {

// Edits what belongs to the flow rather than to a state: name, description, version, the initial
// state and the error state. Shown in the inspector when nothing is selected.
class FlowPropertiesEditor final : public QWidget {
    Q_OBJECT
public:
    explicit FlowPropertiesEditor(FlowDocument* document, QWidget* parent = nullptr);
    QComboBox* initialStateBox() const { return m_initial; }

private:
    void refresh();
    void fillStateBox(QComboBox* box, const std::string& current, bool allowNone);
    void apply(const std::function<void(FlowHeader&)>& change, const QString& text,
               const QString& mergeKey = {});

    FlowDocument* m_document;
    QLineEdit* m_name;
    QPlainTextEdit* m_description;
    QLineEdit* m_version;
    QComboBox* m_initial;
    QComboBox* m_error;
    bool m_refreshing = false;
};

} // namespace flowdeck::console
