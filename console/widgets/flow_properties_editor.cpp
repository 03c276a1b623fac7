#include "widgets/flow_properties_editor.h"

#include "graph/flow_commands.h"

#include <QAbstractItemView>
#include <QComboBox>
#include <QFormLayout>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QUndoStack>
#include <QVBoxLayout>

namespace flowdeck::console {

FlowPropertiesEditor::FlowPropertiesEditor(FlowDocument* document, QWidget* parent)
    : QWidget(parent)
    , m_document(document)
    , m_name(new QLineEdit)
    , m_description(new QPlainTextEdit)
    , m_version(new QLineEdit)
    , m_initial(new QComboBox)
    , m_error(new QComboBox) {
    m_description->setMaximumHeight(100);
    auto* outer = new QVBoxLayout(this);
    auto* form = new QFormLayout;
    outer->addLayout(form);
    outer->addStretch(1);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->addRow(tr("Flow name"), m_name);
    form->addRow(tr("Description"), m_description);
    form->addRow(tr("Version"), m_version);
    form->addRow(tr("Starts at"), m_initial);
    form->addRow(tr("On error go to"), m_error);

    connect(m_name, &QLineEdit::textEdited, this, [this](const QString& text) {
        apply([&text](FlowHeader& h) { h.name = stdstr(text); }, tr("Rename flow"),
              QStringLiteral("flow-name"));
    });
    connect(m_description, &QPlainTextEdit::textChanged, this, [this] {
        const std::string text = stdstr(m_description->toPlainText());
        apply([&text](FlowHeader& h) { h.description = text; }, tr("Edit flow description"),
              QStringLiteral("flow-description"));
    });
    connect(m_version, &QLineEdit::textEdited, this, [this](const QString& text) {
        apply([&text](FlowHeader& h) { h.version = stdstr(text); }, tr("Edit flow version"),
              QStringLiteral("flow-version"));
    });
    connect(m_initial, &QComboBox::activated, this, [this] {
        const std::string name = stdstr(m_initial->currentText());
        apply([&name](FlowHeader& h) { h.initialState = name; },
              tr("Start at ‘%1’").arg(m_initial->currentText()));
    });
    connect(m_error, &QComboBox::activated, this, [this] {
        const std::string name =
            m_error->currentIndex() == 0 ? std::string() : stdstr(m_error->currentText());
        apply([&name](FlowHeader& h) { h.errorState = name; }, tr("Change error state"));
    });
    connect(document, &FlowDocument::contentChanged, this, &FlowPropertiesEditor::refresh);
    refresh();
}

void FlowPropertiesEditor::refresh() {
    m_refreshing = true;
    const FlowHeader& header = m_document->header();
    if (!m_name->hasFocus()) {
        m_name->setText(qstr(header.name));
    }
    if (!m_description->hasFocus() && m_description->toPlainText() != qstr(header.description)) {
        m_description->setPlainText(qstr(header.description));
    }
    if (!m_version->hasFocus()) {
        m_version->setText(qstr(header.version));
    }
    fillStateBox(m_initial, header.initialState, false);
    fillStateBox(m_error, header.errorState, true);
    m_refreshing = false;
}

void FlowPropertiesEditor::fillStateBox(QComboBox* box, const std::string& current,
                                        bool allowNone) {
    // Large flows have thousands of states; rebuild the list only when it is not open.
    if (box->view()->isVisible()) {
        return;
    }
    box->clear();
    if (allowNone) {
        box->addItem(tr("(none)"));
    }
    for (StateId id : m_document->stateIds()) {
        box->addItem(qstr(m_document->state(id)->name));
    }
    const int index = current.empty() && allowNone ? 0 : box->findText(qstr(current));
    box->setCurrentIndex(index);
}

void FlowPropertiesEditor::apply(const std::function<void(FlowHeader&)>& change,
                                 const QString& text, const QString& mergeKey) {
    if (m_refreshing) {
        return;
    }
    FlowHeader after = m_document->header();
    change(after);
    if (after == m_document->header()) {
        return;
    }
    m_document->undoStack()->push(new EditHeaderCommand(m_document, after, text, mergeKey));
}

} // namespace flowdeck::console
