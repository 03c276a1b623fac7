#include "widgets/slots_editor.h"

#include "graph/flow_commands.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLineEdit>
#include <QTableWidget>
#include <QToolButton>
#include <QUndoStack>
#include <QVBoxLayout>

namespace flowdeck::console {

namespace {

enum Column { NameColumn, TypeColumn, PromptColumn, RequiredColumn, DetailColumn };

const QStringList kSlotTypes{QStringLiteral("text"),   QStringLiteral("number"),
                             QStringLiteral("email"),  QStringLiteral("date"),
                             QStringLiteral("regex"),  QStringLiteral("enum"),
                             QStringLiteral("boolean")};

engine::Json slotsOf(const engine::State& state) {
    const auto it = state.config.find("slots");
    return it != state.config.end() && it->is_array() ? *it : engine::Json::array();
}

QString detailOf(const engine::Json& slot) {
    if (slot.value("type", std::string()) == "enum") {
        QStringList values;
        for (const auto& v : slot.value("values", engine::Json::array())) {
            values << (v.is_string() ? qstr(v.get<std::string>()) : QString());
        }
        return values.join(QStringLiteral(", "));
    }
    return qstr(slot.value("pattern", std::string()));
}

} // namespace

SlotsEditor::SlotsEditor(FlowDocument* document, QWidget* parent)
    : QWidget(parent)
    , m_document(document)
    , m_table(new QTableWidget(0, 5)) {
    m_table->setHorizontalHeaderLabels(
        {tr("Slot"), tr("Type"), tr("Prompt"), tr("Req."), tr("Pattern / values")});
    m_table->horizontalHeader()->setSectionResizeMode(PromptColumn, QHeaderView::Stretch);
    m_table->verticalHeader()->hide();
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setMinimumHeight(140);
    m_table->setMaximumHeight(180);
    m_table->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    auto* add = new QToolButton;
    add->setText(tr("Add slot"));
    auto* remove = new QToolButton;
    remove->setText(tr("Remove"));
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(add);
    buttons->addWidget(remove);
    buttons->addStretch();
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_table);
    layout->addLayout(buttons);
    connect(add, &QToolButton::clicked, this, &SlotsEditor::addSlot);
    connect(remove, &QToolButton::clicked, this, &SlotsEditor::removeSelected);
    connect(document, &FlowDocument::stateChanged, this, [this](StateId id) {
        if (id == m_id && !m_table->isAncestorOf(QApplication::focusWidget())) {
            rebuild();
        }
    });
}

void SlotsEditor::setState(StateId id) {
    m_id = id;
    rebuild();
}

void SlotsEditor::rebuild() {
    const engine::State* state = m_document->state(m_id);
    if (!state) {
        return;
    }
    m_rebuilding = true;
    const engine::Json slots = slotsOf(*state);
    m_table->setRowCount(int(slots.size()));
    for (int row = 0; row < int(slots.size()); ++row) {
        addRowWidgets(row, slots[size_t(row)]);
    }
    m_table->setColumnWidth(NameColumn, 84);
    m_table->setColumnWidth(TypeColumn, 80);
    m_table->setColumnWidth(RequiredColumn, 34);
    m_table->setColumnWidth(DetailColumn, 84);
    m_rebuilding = false;
}

void SlotsEditor::addRowWidgets(int row, const engine::Json& slot) {
    auto* name = new QLineEdit(qstr(slot.value("name", std::string())));
    auto* type = new QComboBox;
    type->addItems(kSlotTypes);
    type->setCurrentText(qstr(slot.value("type", std::string("text"))));
    auto* prompt = new QLineEdit(qstr(slot.value("prompt", std::string())));
    prompt->setPlaceholderText(tr("What the bot asks"));
    auto* required = new QCheckBox;
    required->setChecked(slot.value("required", true));
    auto* detail = new QLineEdit(detailOf(slot));
    detail->setPlaceholderText(tr("regex, or enum values a, b, c"));
    m_table->setCellWidget(row, NameColumn, name);
    m_table->setCellWidget(row, TypeColumn, type);
    m_table->setCellWidget(row, PromptColumn, prompt);
    m_table->setCellWidget(row, RequiredColumn, required);
    m_table->setCellWidget(row, DetailColumn, detail);
    const QString key = QStringLiteral("slot-%1-").arg(row);
    connect(name, &QLineEdit::textEdited, this,
            [this, key] { commit(key + QLatin1String("name")); });
    connect(type, &QComboBox::activated, this, [this] { commit({}); });
    connect(prompt, &QLineEdit::textEdited, this,
            [this, key] { commit(key + QLatin1String("prompt")); });
    connect(required, &QCheckBox::toggled, this, [this] { commit({}); });
    connect(detail, &QLineEdit::textEdited, this,
            [this, key] { commit(key + QLatin1String("detail")); });
}

// Reads every row back into the slots array, starting from each slot's current object so keys the
// table does not show survive.
void SlotsEditor::commit(const QString& mergeKey) {
    const engine::State* state = m_document->state(m_id);
    if (m_rebuilding || !state) {
        return;
    }
    const engine::Json current = slotsOf(*state);
    engine::Json slots = engine::Json::array();
    for (int row = 0; row < m_table->rowCount(); ++row) {
        engine::Json slot = row < int(current.size()) && current[size_t(row)].is_object()
                                ? current[size_t(row)]
                                : engine::Json::object();
        const auto text = [this, row](int column) {
            return stdstr(static_cast<QLineEdit*>(m_table->cellWidget(row, column))->text());
        };
        const std::string type =
            stdstr(static_cast<QComboBox*>(m_table->cellWidget(row, TypeColumn))->currentText());
        slot["name"] = text(NameColumn);
        slot["type"] = type;
        slot["prompt"] = text(PromptColumn);
        slot["required"] =
            static_cast<QCheckBox*>(m_table->cellWidget(row, RequiredColumn))->isChecked();
        slot.erase("pattern");
        slot.erase("values");
        const QString detail = qstr(text(DetailColumn)).trimmed();
        if (type == "regex") {
            slot["pattern"] = stdstr(detail);
        } else if (type == "enum") {
            engine::Json values = engine::Json::array();
            for (const QString& value : detail.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
                values.push_back(stdstr(value.trimmed()));
            }
            slot["values"] = values;
        }
        slots.push_back(std::move(slot));
    }
    engine::State after = *state;
    after.config["slots"] = slots;
    m_document->undoStack()->push(
        new EditStateCommand(m_document, m_id, std::move(after), tr("Edit slots"), mergeKey));
}

void SlotsEditor::addSlot() {
    const engine::State* state = m_document->state(m_id);
    if (!state) {
        return;
    }
    engine::State after = *state;
    engine::Json slots = slotsOf(after);
    slots.push_back(
        {{"name", "slot_" + std::to_string(slots.size() + 1)}, {"type", "text"}, {"prompt", ""}});
    after.config["slots"] = slots;
    m_document->undoStack()->push(
        new EditStateCommand(m_document, m_id, std::move(after), tr("Add slot")));
}

void SlotsEditor::removeSelected() {
    const engine::State* state = m_document->state(m_id);
    const int row = m_table->currentRow();
    engine::Json slots = state ? slotsOf(*state) : engine::Json::array();
    if (row < 0 || row >= int(slots.size())) {
        return;
    }
    const std::string name = slots[size_t(row)].value("name", std::string());
    slots.erase(slots.begin() + row);
    engine::State after = *state;
    after.config["slots"] = slots;
    m_document->undoStack()->push(new EditStateCommand(m_document, m_id, std::move(after),
                                                       tr("Remove slot ‘%1’").arg(qstr(name))));
}

} // namespace flowdeck::console
