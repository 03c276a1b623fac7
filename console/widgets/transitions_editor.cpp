#include "widgets/transitions_editor.h"

#include "graph/flow_commands.h"

#include "flowdeck/engine/lua_sandbox.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLineEdit>
#include <QShortcut>
#include <QSpinBox>
#include <QStyle>
#include <QStyleOptionComboBox>
#include <QToolButton>
#include <QUndoStack>
#include <QVBoxLayout>

#include <algorithm>

namespace flowdeck::console {

using engine::ConditionType;

namespace {

constexpr ConditionType kConditions[] = {ConditionType::AnyInput,   ConditionType::IntentMatch,
                                         ConditionType::SlotFilled, ConditionType::Expression,
                                         ConditionType::Fallback,   ConditionType::Timeout,
                                         ConditionType::OnSuccess,  ConditionType::OnFailure};

enum Column { GripColumn, ConditionColumn, ValueColumn, TargetColumn, PriorityColumn };
static_assert(GripColumn == TransitionsTable::kGripColumn);

// Priority -1 in the spin box stands for "not written": the transition keeps document order.
constexpr int kNoPriority = -1;

QString valueOf(const engine::Transition& t) {
    return qstr(t.condition == ConditionType::Expression ? t.expression : t.conditionValue);
}

// "Go to" as wide as its longest state name plus the combo's frame and arrow, but at most 60 %
// of what the fixed columns leave (Value keeps the rest); a name that still does not fit gets
// its full text as a tooltip.
int fitTargetColumn(QTableWidget* table, int fixedWidth) {
    const int room = table->viewport()->width() - fixedWidth;
    const int cap = room > 160 ? room * 6 / 10 : 220;
    int widest = table->horizontalHeader()->fontMetrics().horizontalAdvance(
                     table->horizontalHeaderItem(TargetColumn)->text()) +
                 24;
    QVector<QComboBox*> combos;
    for (int row = 0; row < table->rowCount(); ++row) {
        auto* combo = qobject_cast<QComboBox*>(table->cellWidget(row, TargetColumn));
        if (!combo) {
            continue;
        }
        QStyleOptionComboBox option;
        option.initFrom(combo);
        option.editable = combo->isEditable();
        const QSize text(combo->fontMetrics().horizontalAdvance(combo->currentText()),
                         combo->fontMetrics().height());
        const int needed =
            combo->style()->sizeFromContents(QStyle::CT_ComboBox, &option, text, combo).width() + 4;
        combo->setToolTip(needed > cap ? combo->currentText() : QString());
        widest = std::max(widest, needed);
    }
    return std::min(widest, cap);
}

} // namespace

TransitionsEditor::TransitionsEditor(FlowDocument* document, QWidget* parent)
    : QWidget(parent)
    , m_document(document)
    , m_table(new TransitionsTable(0, 5))
    , m_add(new QToolButton)
    , m_remove(new QToolButton)
    , m_up(new QToolButton)
    , m_down(new QToolButton) {
    m_table->setHorizontalHeaderLabels(
        {QString(), tr("When"), tr("Value"), tr("Go to"), tr("Priority")});
    m_table->horizontalHeader()->setSectionResizeMode(ValueColumn, QHeaderView::Stretch);
    m_table->horizontalHeader()->setSectionResizeMode(TargetColumn, QHeaderView::Interactive);
    m_table->horizontalHeader()->setSectionResizeMode(GripColumn, QHeaderView::Fixed);
    m_table->verticalHeader()->hide();
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setMinimumHeight(120);
    m_table->setMaximumHeight(200);
    m_add->setText(tr("Add"));
    m_add->setToolTip(tr("Add a transition"));
    m_remove->setText(tr("Remove"));
    m_up->setArrowType(Qt::UpArrow);
    m_up->setToolTip(tr("Evaluate earlier (Alt+Up)"));
    m_down->setArrowType(Qt::DownArrow);
    m_down->setToolTip(tr("Evaluate later (Alt+Down)"));
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_add);
    buttons->addWidget(m_remove);
    buttons->addWidget(m_up);
    buttons->addWidget(m_down);
    buttons->addStretch();
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_table);
    layout->addLayout(buttons);
    connect(m_add, &QToolButton::clicked, this, &TransitionsEditor::addTransition);
    connect(m_remove, &QToolButton::clicked, this, &TransitionsEditor::removeSelected);
    connect(m_up, &QToolButton::clicked, this, [this] { moveSelected(-1); });
    connect(m_down, &QToolButton::clicked, this, [this] { moveSelected(1); });
    // Wherever the focus is in the table (a row's editors included), not only on the canvas.
    for (const auto& [key, delta] : {std::pair(Qt::Key_Up, -1), std::pair(Qt::Key_Down, 1)}) {
        auto* shortcut = new QShortcut(QKeySequence(Qt::ALT | key), this);
        shortcut->setContext(Qt::WidgetWithChildrenShortcut);
        connect(shortcut, &QShortcut::activated, this,
                [this, delta = delta] { moveSelected(delta); });
    }
    m_table->onRowMoved = [this](int from, int to) { moveRow(from, to); };
    connect(document, &FlowDocument::stateChanged, this, [this](StateId id) {
        if (id == m_id && !m_editingField) {
            rebuild();
        }
    });
    connect(document, &FlowDocument::stateInserted, this, &TransitionsEditor::rebuild);
    connect(document, &FlowDocument::stateRemoved, this, &TransitionsEditor::rebuild);
}

void TransitionsEditor::setState(StateId id) {
    m_id = id;
    rebuild();
}

void TransitionsEditor::selectRow(int row) {
    m_table->selectRow(row);
}

void TransitionsEditor::rebuild() {
    const engine::State* state = m_document->state(m_id);
    if (!state) {
        return;
    }
    m_rebuilding = true;
    const int selected = m_table->currentRow();
    m_table->setRowCount(int(state->transitions.size()));
    for (int row = 0; row < int(state->transitions.size()); ++row) {
        addRowWidgets(row, state->transitions[size_t(row)]);
    }
    if (selected >= 0 && selected < m_table->rowCount()) {
        m_table->selectRow(selected);
    }
    m_table->setColumnWidth(GripColumn, 22);
    m_table->setColumnWidth(ConditionColumn, 118);
    m_table->setColumnWidth(PriorityColumn, 64);
    m_table->setColumnWidth(TargetColumn, fitTargetColumn(m_table, 22 + 118 + 64));
    m_rebuilding = false;
}

void TransitionsEditor::addRowWidgets(int row, const engine::Transition& transition) {
    auto* grip = new QTableWidgetItem(QStringLiteral("\u2261"));
    grip->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemIsDragEnabled);
    grip->setTextAlignment(Qt::AlignCenter);
    grip->setToolTip(tr("Drag to change the evaluation order (or Alt+Up / Alt+Down)"));
    m_table->setItem(row, GripColumn, grip);
    auto* condition = new QComboBox;
    for (ConditionType type : kConditions) {
        condition->addItem(qstr(std::string(engine::toString(type))), int(type));
    }
    condition->setCurrentIndex(condition->findData(int(transition.condition)));
    auto* value = new QLineEdit(valueOf(transition));
    value->setPlaceholderText(
        transition.condition == ConditionType::IntentMatch  ? tr("intent")
        : transition.condition == ConditionType::SlotFilled ? tr("slot (empty: all)")
        : transition.condition == ConditionType::Expression ? tr("Lua, e.g. vars.total > 100")
                                                            : QString());
    // Lua expressions are compiled as they are typed; the field says what is wrong at once.
    const auto checkValue = [value](ConditionType type) {
        const std::string error = type == ConditionType::Expression
                                      ? engine::LuaSandbox::checkExpression(stdstr(value->text()))
                                      : std::string();
        value->setToolTip(qstr(error));
        value->setStyleSheet(error.empty() ? QString()
                                           : QStringLiteral("QLineEdit { border: 1px solid "
                                                            "#dc2626; color: #dc2626; }"));
    };
    checkValue(transition.condition);
    auto* target = new QComboBox;
    target->setEditable(true);
    for (StateId id : m_document->stateIds()) {
        target->addItem(qstr(m_document->state(id)->name));
    }
    target->setCurrentText(qstr(transition.target));
    auto* priority = new QSpinBox;
    priority->setButtonSymbols(QAbstractSpinBox::NoButtons);
    priority->setToolTip(tr("Higher priorities are evaluated first; — keeps document order"));
    priority->setRange(kNoPriority, 1000000);
    priority->setSpecialValueText(QStringLiteral("—"));
    priority->setValue(transition.hasPriority ? transition.priority : kNoPriority);
    m_table->setCellWidget(row, ConditionColumn, condition);
    m_table->setCellWidget(row, ValueColumn, value);
    m_table->setCellWidget(row, TargetColumn, target);
    m_table->setCellWidget(row, PriorityColumn, priority);

    connect(condition, &QComboBox::activated, this, [this, row, condition] {
        const auto type = ConditionType(condition->currentData().toInt());
        edit(
            row, [type](engine::Transition& t) { t.condition = type; },
            tr("Change condition to %1").arg(condition->currentText()));
    });
    connect(value, &QLineEdit::textEdited, this, [checkValue, condition] {
        checkValue(ConditionType(condition->currentData().toInt()));
    });
    connect(value, &QLineEdit::textEdited, this, [this, row](const QString& text) {
        edit(
            row,
            [&text](engine::Transition& t) {
                (t.condition == ConditionType::Expression ? t.expression : t.conditionValue) =
                    stdstr(text);
            },
            tr("Edit transition value"), QStringLiteral("transition-value-%1").arg(row));
    });
    connect(target, &QComboBox::currentTextChanged, this, [this, row](const QString& text) {
        edit(
            row, [&text](engine::Transition& t) { t.target = stdstr(text); },
            tr("Retarget transition to ‘%1’").arg(text),
            QStringLiteral("transition-target-%1").arg(row));
    });
    connect(priority, &QSpinBox::valueChanged, this, [this, row](int value) {
        edit(
            row,
            [value](engine::Transition& t) {
                t.hasPriority = value != kNoPriority;
                t.priority = t.hasPriority ? value : 0;
            },
            tr("Change priority"), QStringLiteral("transition-priority-%1").arg(row));
    });
}

void TransitionsEditor::edit(int row, const std::function<void(engine::Transition&)>& change,
                             const QString& text, const QString& mergeKey) {
    const engine::State* state = m_document->state(m_id);
    if (m_rebuilding || !state || row >= int(state->transitions.size())) {
        return;
    }
    engine::State after = *state;
    change(after.transitions[size_t(row)]);
    m_editingField = true;
    m_document->undoStack()->push(
        new EditStateCommand(m_document, m_id, std::move(after), text, mergeKey));
    m_editingField = false;
}

void TransitionsEditor::addTransition() {
    const engine::State* state = m_document->state(m_id);
    if (!state) {
        return;
    }
    engine::State after = *state;
    engine::Transition transition;
    transition.condition =
        engine::isWaiting(state->type) ? ConditionType::AnyInput : ConditionType::Fallback;
    transition.target = state->name;
    after.transitions.push_back(transition);
    m_document->undoStack()->push(
        new EditStateCommand(m_document, m_id, std::move(after), tr("Add transition")));
    m_table->selectRow(m_table->rowCount() - 1);
}

void TransitionsEditor::removeSelected() {
    const int row = m_table->currentRow();
    if (QUndoCommand* command = makeRemoveTransition(m_document, m_id, row)) {
        m_document->undoStack()->push(command);
    }
}

void TransitionsEditor::moveSelected(int delta) {
    const int row = m_table->currentRow();
    if (row >= 0) {
        moveRow(row, row + delta);
    }
}

// The one document change behind the buttons, the keys and a drop.
void TransitionsEditor::moveRow(int from, int to) {
    const engine::State* state = m_document->state(m_id);
    const int count = state ? int(state->transitions.size()) : 0;
    if (from < 0 || from >= count || to < 0 || to >= count || from == to) {
        return;
    }
    engine::State after = *state;
    const PriorityChange priorities = moveTransition(after.transitions, from, to);
    const auto targetOf = [&after](int index) {
        return qstr(after.transitions[size_t(index)].target);
    };
    QString text = to + 1 < count ? tr("Move transition to ‘%1’ above transition to ‘%2’")
                                        .arg(targetOf(to), targetOf(to + 1))
                                  : tr("Move transition to ‘%1’ below transition to ‘%2’")
                                        .arg(targetOf(to), targetOf(to - 1));
    if (priorities == PriorityChange::Moved) {
        text += tr(" (priority %1)").arg(after.transitions[size_t(to)].priority);
    } else if (priorities == PriorityChange::Renumbered) {
        text += tr(" (priorities renumbered)");
    }
    // The rows' editors are rebuilt: keep the keyboard in the table rather than nowhere.
    m_table->setFocus();
    m_document->undoStack()->push(new EditStateCommand(m_document, m_id, std::move(after), text));
    m_table->selectRow(to);
}

} // namespace flowdeck::console
