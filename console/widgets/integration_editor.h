#pragma once

#include "models/flow_document.h"
#include "widgets/template_edit.h"

#include <QLineEdit>
#include <QStringList>
#include <QWidget>

#include <optional>
#include <vector>

class QComboBox;
class QCompleter;
class QGridLayout;
class QLabel;
class QPlainTextEdit;
class QToolButton;

namespace flowdeck::console {

class TemplateEdit;

// Replaces (or, with no value, removes) one config key of a state as one undo step. Pushes nothing
// when the key already holds that value, so a refresh or a no-op keystroke adds no empty step.
// Returns whether a command was pushed.
bool pushConfigEdit(FlowDocument* document, StateId id, const std::string& key,
                    const std::optional<engine::Json>& value, const QString& text,
                    const QString& mergeKey = {});

// A string map of a state's config ("headers", "response_mapping") as rows of name and value.
// The document only ever receives what the engine accepts: a row whose name is empty or repeats an
// earlier one, or whose value is invalid, keeps its last saved content in the document while the
// row shows why, right under it. Subclasses say what is invalid.
class KeyValueRows : public QWidget {
    Q_OBJECT
public:
    struct Texts {
        QString keyTitle;
        QString valueTitle;
        QString keyPlaceholder;
        QString valuePlaceholder;
        QString noun;                // "header", "mapping": used in undo texts
        QString addTooltip;          // on the Add button
        bool templateValues = false; // values offer {{ completion
    };
    KeyValueRows(FlowDocument* document, std::string configKey, Texts texts,
                 QWidget* parent = nullptr);

    void setState(StateId id);
    void setCompletions(const QStringList& words);
    int rowCount() const { return int(m_rows.size()); }
    QLineEdit* keyEdit(int row) const { return m_rows.at(size_t(row)).key; }
    QLineEdit* valueEdit(int row) const { return m_rows.at(size_t(row)).value; }
    QToolButton* removeButton(int row) const { return m_rows.at(size_t(row)).remove; }
    QToolButton* addButton() const { return m_add; }
    // What is shown under a row: empty when the row is fine.
    QString message(int row) const;
    void addRow(); // as the Add button: one undo step, then the new name is selected for typing

protected:
    // Why a value cannot be written (blocks saving the row), or an empty string.
    virtual QString valueError(const QString& value) const = 0;
    // Something about a name worth knowing that does not block saving, or an empty string.
    virtual QString keyWarning(int row, const QString& key) const = 0;
    virtual std::pair<std::string, std::string> newEntry(const engine::Json& current) const = 0;
    QString keyAt(int row) const;

private:
    struct Row {
        QLineEdit* key = nullptr;
        QLineEdit* value = nullptr;
        QToolButton* remove = nullptr;
        QLabel* message = nullptr;
        std::string savedKey; // the key this row holds in the document
    };

    engine::Json currentMap() const;
    engine::Json tableMap(std::vector<std::string>* savedKeys) const;
    QString blockingProblem(int row) const;
    void refresh();
    void resizeRows(size_t count);
    void appendRow();
    void updateMessages();
    void commit(int row, bool renamed);
    void removeRow(int row);
    QString stateName() const;

    FlowDocument* m_document;
    std::string m_configKey;
    Texts m_texts;
    StateId m_id = 0;
    QGridLayout* m_grid;
    QToolButton* m_add;
    std::vector<Row> m_rows;
    QStringList m_completions;
    int m_gesture = 0; // bumped when a field loses focus: typing in one visit is one undo step
    bool m_refreshing = false;
};

// "headers": name -> template text. Names must be non-empty and unique; HTTP ignores their case.
class HeadersEditor final : public KeyValueRows {
    Q_OBJECT
public:
    explicit HeadersEditor(FlowDocument* document, QWidget* parent = nullptr);

protected:
    QString valueError(const QString& value) const override;
    QString keyWarning(int row, const QString& key) const override;
    std::pair<std::string, std::string> newEntry(const engine::Json& current) const override;
};

// "response_mapping": context key (vars.x or slots.x) -> JSONPath into the response body, checked
// by the engine's own JSONPath parser as you type.
class MappingEditor final : public KeyValueRows {
    Q_OBJECT
public:
    explicit MappingEditor(FlowDocument* document, QWidget* parent = nullptr);

protected:
    QString valueError(const QString& value) const override;
    QString keyWarning(int row, const QString& key) const override;
    std::pair<std::string, std::string> newEntry(const engine::Json& current) const override;
};

// "body": none, template text, or a JSON object. The JSON is written only while it parses, and the
// parse error (line and column) is shown as you type.
class BodyEditor final : public QWidget {
    Q_OBJECT
public:
    enum class Mode { None, Template, Json };
    explicit BodyEditor(FlowDocument* document, QWidget* parent = nullptr);

    void setState(StateId id);
    void setCompletions(const QStringList& words);
    Mode mode() const;
    void setMode(Mode mode); // as choosing it in the combo box: one undo step
    QComboBox* modeBox() const { return m_mode; }
    TemplateEdit* templateEdit() const { return m_template; }
    QPlainTextEdit* jsonEdit() const { return m_json; }
    QLabel* errorLabel() const { return m_error; }

private:
    void refresh();
    void showMode(Mode mode);
    void commitTemplate();
    void commitJson();
    std::optional<engine::Json> currentBody() const;
    QString stateName() const;

    FlowDocument* m_document;
    StateId m_id = 0;
    QComboBox* m_mode;
    TemplateEdit* m_template;
    QPlainTextEdit* m_json;
    QLabel* m_error;
    std::optional<engine::Json> m_shownJson; // the body the JSON text stands for
    int m_gesture = 0;
    bool m_refreshing = false;
};

// The request and response of an integration state beyond method, URL and timeout: headers, body
// and response mapping. Follows the document (undo, redo, edits from elsewhere) without moving the
// cursor of the field being typed in.
class IntegrationEditor final : public QWidget {
    Q_OBJECT
public:
    explicit IntegrationEditor(FlowDocument* document, QWidget* parent = nullptr);

    void setState(StateId id);
    void setCompletions(const QStringList& words);
    HeadersEditor* headers() const { return m_headers; }
    BodyEditor* body() const { return m_body; }
    MappingEditor* mapping() const { return m_mapping; }

private:
    HeadersEditor* m_headers;
    BodyEditor* m_body;
    MappingEditor* m_mapping;
};

} // namespace flowdeck::console
