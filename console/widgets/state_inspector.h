#pragma once

#include "models/flow_document.h"

#include <QWidget>

#include <functional>

class QComboBox;
class QDoubleSpinBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QSpinBox;
class QTimer;

namespace flowdeck::console {

class IntegrationEditor;
class SlotsEditor;
class TemplateEdit;
class TransitionsEditor;

// Edits one state: name (references follow), type, description, the fields of its type and its
// full config as JSON, and its transitions. Every change is an undo command on the document;
// typing in one field merges into one undo step.
class StateInspector final : public QWidget {
    Q_OBJECT
public:
    explicit StateInspector(FlowDocument* document, QWidget* parent = nullptr);

    void setState(StateId id);
    StateId stateId() const { return m_id; }
    void focusName();
    void selectTransition(int index);

    // For tests and the command palette: the widgets by role.
    QLineEdit* nameEdit() const { return m_name; }
    TemplateEdit* templateEdit() const { return m_template; }
    QPlainTextEdit* configEdit() const { return m_config; }
    QPlainTextEdit* scriptEdit() const { return m_script; }
    TransitionsEditor* transitionsEditor() const { return m_transitions; }
    SlotsEditor* slotsEditor() const { return m_slots; }
    IntegrationEditor* integrationEditor() const { return m_integration; }

private:
    void buildForm();
    void refresh();
    void refreshTypeFields(const engine::State& state);
    void applyEdit(const std::function<void(engine::State&)>& change, const QString& text,
                   const QString& mergeKey);
    void commitName();
    void commitConfigJson();
    void commitIntents();
    void checkScript();
    QStringList templateCompletions() const;

    FlowDocument* m_document;
    StateId m_id = 0;
    bool m_refreshing = false;
    QFormLayout* m_form = nullptr;
    QLineEdit* m_name = nullptr;
    QLabel* m_nameError = nullptr;
    QComboBox* m_type = nullptr;
    QLineEdit* m_description = nullptr;
    TemplateEdit* m_template = nullptr;
    QPlainTextEdit* m_intents = nullptr;
    QDoubleSpinBox* m_threshold = nullptr;
    QComboBox* m_method = nullptr;
    QLineEdit* m_url = nullptr;
    QSpinBox* m_timeout = nullptr;
    QPlainTextEdit* m_script = nullptr;
    QLabel* m_scriptError = nullptr;
    QPlainTextEdit* m_config = nullptr;
    QLabel* m_configError = nullptr;
    QTimer* m_configTimer = nullptr;
    TransitionsEditor* m_transitions = nullptr;
    SlotsEditor* m_slots = nullptr;
    QLabel* m_slotsLabel = nullptr;
    IntegrationEditor* m_integration = nullptr; // headers, body, response mapping
};

} // namespace flowdeck::console
