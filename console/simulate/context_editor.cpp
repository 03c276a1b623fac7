#include "simulate/context_editor.h"

#include "graph/graph_style.h"
#include "models/flow_document.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QToolButton>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace flowdeck::console {

using engine::Json;

namespace {

const char* const kGroupNames[] = {"slots", "vars", "user"};
constexpr int kGroupCount = 3;
// A context may hold up to 1 MiB; listing tens of thousands of keys would freeze the dock, and
// nobody edits them one by one. Keys past the limit are kept and written back untouched.
constexpr int kMaxRowsPerGroup = 2000;
constexpr int kMaxTooltipChars = 4000;
constexpr int KeyRole = Qt::UserRole;       // the committed key of a row (to detect renames)
constexpr int GroupRole = Qt::UserRole + 1; // the group index of every row

QString valueText(const Json& value) {
    return qstr(value.dump(-1, ' ', false, Json::error_handler_t::replace));
}

// Typed text is JSON when it parses, otherwise the text itself as a string.
Json parseTyped(const QString& text) {
    const std::string raw = stdstr(text);
    Json parsed = Json::parse(raw, nullptr, false);
    return parsed.is_discarded() ? Json(raw) : parsed;
}

QString keyCount(int n) {
    return n == 1 ? ContextEditor::tr("1 key") : ContextEditor::tr("%1 keys").arg(n);
}

bool isKeyRow(const QTreeWidgetItem* item) {
    return item && item->parent() && item->data(ContextEditor::KeyColumn, KeyRole).isValid();
}

} // namespace

ContextEditor::ContextEditor(QWidget* parent)
    : QWidget(parent)
    , m_tree(new QTreeWidget)
    , m_filter(new QLineEdit)
    , m_add(new QToolButton)
    , m_remove(new QToolButton)
    , m_message(new QLabel) {
    for (auto& group : m_groups) {
        group = Json::object();
    }
    m_tree->setColumnCount(2);
    m_tree->setHeaderLabels({tr("Key"), tr("Value (JSON)")});
    m_tree->header()->resizeSection(KeyColumn, 150);
    m_tree->setUniformRowHeights(true);
    m_tree->setAlternatingRowColors(true);
    m_tree->setTextElideMode(Qt::ElideRight);
    m_filter->setPlaceholderText(tr("Filter keys and values…"));
    m_filter->setClearButtonEnabled(true);
    m_add->setText(tr("Add key"));
    m_add->setToolTip(tr("Add a key to the selected group"));
    m_remove->setText(tr("Remove key"));
    m_message->setWordWrap(true);
    m_message->setStyleSheet(QStringLiteral("color: %1;").arg(graph_style::errorColor().name()));
    m_message->hide();

    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_add);
    buttons->addWidget(m_remove);
    buttons->addStretch();
    auto* hint = new QLabel(tr("<b>Bold</b>: changed by the last message · F2 edits"));
    hint->setForegroundRole(QPalette::PlaceholderText);
    hint->setWordWrap(true); // a narrow dock wraps the hint rather than growing
    buttons->addWidget(hint, 1);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(m_filter);
    layout->addWidget(m_tree, 1);
    layout->addWidget(m_message);
    layout->addLayout(buttons);

    connect(m_tree, &QTreeWidget::itemChanged, this, &ContextEditor::onItemChanged);
    connect(m_tree, &QTreeWidget::currentItemChanged, this, &ContextEditor::updateButtons);
    connect(m_filter, &QLineEdit::textChanged, this, &ContextEditor::applyFilter);
    connect(m_add, &QToolButton::clicked, this, &ContextEditor::addKey);
    connect(m_remove, &QToolButton::clicked, this, &ContextEditor::removeSelected);
    setEditable(true);
    rebuild();
}

// An editor still open when the dock closes commits on focus-out, from inside ~QWidget, after
// this class's members are gone: the tree must not reach us by then.
ContextEditor::~ContextEditor() {
    disconnect(m_tree, nullptr, this, nullptr);
}

void ContextEditor::setConversation(const engine::ConversationState& state,
                                    const std::map<std::string, std::string>& changedLastTurn) {
    const Json* sources[] = {&state.slots, &state.vars, &state.user};
    for (int g = 0; g < kGroupCount; ++g) {
        m_groups[size_t(g)] = sources[g]->is_object() ? *sources[g] : Json::object();
    }
    m_changed = changedLastTurn;
    showMessage({});
    rebuild();
}

void ContextEditor::applyTo(engine::ConversationState& state) const {
    state.slots = m_groups[0];
    state.vars = m_groups[1];
    state.user = m_groups[2];
}

void ContextEditor::setEditable(bool editable) {
    m_editable = editable;
    m_tree->setEditTriggers(editable ? QAbstractItemView::DoubleClicked |
                                           QAbstractItemView::EditKeyPressed
                                     : QAbstractItemView::NoEditTriggers);
    updateButtons();
}

QString ContextEditor::message() const {
    return m_message->text();
}

QTreeWidgetItem* ContextEditor::itemFor(const QString& group, const QString& key) const {
    for (int g = 0; g < m_tree->topLevelItemCount(); ++g) {
        QTreeWidgetItem* top = m_tree->topLevelItem(g);
        if (top->text(KeyColumn) != group) {
            continue;
        }
        for (int i = 0; i < top->childCount(); ++i) {
            if (top->child(i)->data(KeyColumn, KeyRole).toString() == key) {
                return top->child(i);
            }
        }
    }
    return nullptr;
}

void ContextEditor::rebuild() {
    m_rebuilding = true;
    m_tree->clear();
    QFont bold = m_tree->font();
    bold.setBold(true);
    for (int g = 0; g < kGroupCount; ++g) {
        const Json& group = m_groups[size_t(g)];
        auto* top = new QTreeWidgetItem(m_tree);
        top->setText(KeyColumn, QString::fromLatin1(kGroupNames[g]));
        top->setData(KeyColumn, GroupRole, g);
        top->setFont(KeyColumn, bold);
        top->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable);
        top->setText(ValueColumn, keyCount(int(group.size())));
        top->setForeground(ValueColumn, palette().placeholderText());
        int shown = 0;
        for (const auto& [key, value] : group.items()) {
            if (shown++ == kMaxRowsPerGroup) {
                auto* more = new QTreeWidgetItem(top);
                more->setText(
                    KeyColumn,
                    tr("… %1 more keys not listed").arg(int(group.size()) - kMaxRowsPerGroup));
                more->setFlags(Qt::ItemIsEnabled);
                break;
            }
            addRow(g, key, value);
        }
        top->setExpanded(true);
    }
    m_rebuilding = false;
    applyFilter();
    updateButtons();
}

QTreeWidgetItem* ContextEditor::addRow(int group, const std::string& key, const Json& value) {
    auto* item = new QTreeWidgetItem(m_tree->topLevelItem(group));
    const QString name = qstr(key);
    const QString text = valueText(value);
    item->setText(KeyColumn, name);
    item->setText(ValueColumn, text);
    item->setData(KeyColumn, KeyRole, name);
    item->setData(KeyColumn, GroupRole, group);
    item->setToolTip(ValueColumn, text.left(kMaxTooltipChars));
    item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemIsEditable);
    styleRow(item, group, name);
    return item;
}

void ContextEditor::styleRow(QTreeWidgetItem* item, int group, const QString& key) const {
    const std::string path = std::string(kGroupNames[group]) + "." + stdstr(key);
    if (m_changed.count(path) == 0) {
        return;
    }
    QFont bold = m_tree->font();
    bold.setBold(true);
    for (int column : {KeyColumn, ValueColumn}) {
        item->setFont(column, bold);
        item->setForeground(column, graph_style::accentColor());
    }
    item->setToolTip(KeyColumn, tr("Changed by the last message"));
}

int ContextEditor::groupOf(const QTreeWidgetItem* item) const {
    return item ? item->data(KeyColumn, GroupRole).toInt() : 0;
}

void ContextEditor::onItemChanged(QTreeWidgetItem* item, int column) {
    if (m_rebuilding || !isKeyRow(item)) {
        return;
    }
    const int group = groupOf(item);
    const QString key = item->data(KeyColumn, KeyRole).toString();
    if (!m_editable) {
        // Put the stored text back; rebuilding here would delete the item emitting the signal.
        m_rebuilding = true;
        item->setText(KeyColumn, key);
        item->setText(ValueColumn, valueText(m_groups[size_t(group)][stdstr(key)]));
        m_rebuilding = false;
        showMessage(tr("The context cannot be edited while a message is being processed."));
        return;
    }
    if (column == ValueColumn) {
        commitValue(item, group, key);
    } else {
        commitKey(item, group, key);
    }
}

void ContextEditor::commitValue(QTreeWidgetItem* item, int group, const QString& key) {
    Json& values = m_groups[size_t(group)];
    const Json value = parseTyped(item->text(ValueColumn));
    const std::string dumped = value.dump(-1, ' ', false, Json::error_handler_t::replace);
    m_rebuilding = true;
    if (dumped.size() > size_t(kMaxValueBytes)) {
        item->setText(ValueColumn, valueText(values[stdstr(key)]));
        m_rebuilding = false;
        showMessage(tr("%1.%2 was not changed: the value is %3 KiB, and a value may be at most "
                       "%4 KiB.")
                        .arg(QString::fromLatin1(kGroupNames[group]), key)
                        .arg((dumped.size() + 1023) / 1024)
                        .arg(kMaxValueBytes / 1024));
        return;
    }
    values[stdstr(key)] = value;
    // Show the value as stored, so a designer sees "premium" became a string and true a bool.
    item->setText(ValueColumn, qstr(dumped));
    item->setToolTip(ValueColumn, qstr(dumped).left(kMaxTooltipChars));
    m_rebuilding = false;
    showMessage({});
    Q_EMIT edited();
}

void ContextEditor::commitKey(QTreeWidgetItem* item, int group, const QString& oldKey) {
    const QString newKey = item->text(KeyColumn).trimmed();
    if (newKey == oldKey) {
        return;
    }
    Json& values = m_groups[size_t(group)];
    if (newKey.isEmpty() || values.contains(stdstr(newKey))) {
        m_rebuilding = true;
        item->setText(KeyColumn, oldKey);
        m_rebuilding = false;
        showMessage(newKey.isEmpty() ? tr("A key cannot be empty.")
                                     : tr("%1 already has a key ‘%2’.")
                                           .arg(QString::fromLatin1(kGroupNames[group]), newKey));
        return;
    }
    // Rebuilt in order, so a renamed key keeps its place.
    Json renamed = Json::object();
    for (auto& [key, value] : values.items()) {
        renamed[key == stdstr(oldKey) ? stdstr(newKey) : key] = value;
    }
    values = std::move(renamed);
    m_rebuilding = true;
    item->setText(KeyColumn, newKey);
    item->setData(KeyColumn, KeyRole, newKey);
    m_rebuilding = false;
    showMessage({});
    Q_EMIT edited();
}

void ContextEditor::addKey() {
    if (!m_editable) {
        return;
    }
    QTreeWidgetItem* current = m_tree->currentItem();
    const int group = groupOf(current);
    Json& values = m_groups[size_t(group)];
    std::string key = "new_key";
    for (int n = 2; values.contains(key); ++n) {
        key = "new_key_" + std::to_string(n);
    }
    values[key] = nullptr;
    m_rebuilding = true;
    QTreeWidgetItem* item = addRow(group, key, values[key]);
    m_tree->topLevelItem(group)->setText(ValueColumn, keyCount(int(values.size())));
    m_rebuilding = false;
    m_tree->setCurrentItem(item, KeyColumn);
    m_tree->editItem(item, KeyColumn);
    Q_EMIT edited();
}

void ContextEditor::removeSelected() {
    QTreeWidgetItem* item = m_tree->currentItem();
    if (!m_editable || !isKeyRow(item)) {
        return;
    }
    const int group = groupOf(item);
    m_groups[size_t(group)].erase(stdstr(item->data(KeyColumn, KeyRole).toString()));
    delete item;
    m_tree->topLevelItem(group)->setText(ValueColumn,
                                         keyCount(int(m_groups[size_t(group)].size())));
    Q_EMIT edited();
}

void ContextEditor::showMessage(const QString& text) {
    m_message->setText(text);
    m_message->setVisible(!text.isEmpty());
}

void ContextEditor::applyFilter() {
    const QString text = m_filter->text().trimmed();
    for (int g = 0; g < m_tree->topLevelItemCount(); ++g) {
        QTreeWidgetItem* top = m_tree->topLevelItem(g);
        for (int i = 0; i < top->childCount(); ++i) {
            QTreeWidgetItem* item = top->child(i);
            const bool match = text.isEmpty() ||
                               item->text(KeyColumn).contains(text, Qt::CaseInsensitive) ||
                               item->text(ValueColumn).contains(text, Qt::CaseInsensitive);
            item->setHidden(!match);
        }
    }
}

void ContextEditor::updateButtons() {
    m_add->setEnabled(m_editable);
    m_remove->setEnabled(m_editable && isKeyRow(m_tree->currentItem()));
}

} // namespace flowdeck::console
