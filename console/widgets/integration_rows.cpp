// KeyValueRows: a string map of a state's config as rows of line edits, with the reason a row is
// not saved (or is suspicious) shown right under it.
#include "widgets/integration_editor.h"
#include "widgets/theme_colors.h"

#include <QApplication>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>

namespace flowdeck::console {

using engine::Json;

namespace {

// setText() puts the cursor at the end; the field being typed in keeps its place instead.
void setTextKeepingCursor(QLineEdit* edit, const QString& text) {
    if (edit->text() == text) {
        return;
    }
    const int position = edit->cursorPosition();
    edit->setText(text);
    if (edit->hasFocus()) {
        edit->setCursorPosition(std::min(position, int(text.size())));
    }
}

QString textOf(const Json& value) {
    return qstr(value.is_string() ? value.get<std::string>() : value.dump());
}

} // namespace

KeyValueRows::KeyValueRows(FlowDocument* document, std::string configKey, Texts texts,
                           QWidget* parent)
    : QWidget(parent)
    , m_document(document)
    , m_configKey(std::move(configKey))
    , m_texts(std::move(texts))
    , m_grid(new QGridLayout)
    , m_add(new QToolButton) {
    m_grid->setContentsMargins(0, 0, 0, 0);
    m_grid->setHorizontalSpacing(4);
    m_grid->setVerticalSpacing(2);
    m_grid->addWidget(new QLabel(m_texts.keyTitle), 0, 0);
    m_grid->addWidget(new QLabel(m_texts.valueTitle), 0, 1);
    m_grid->setColumnStretch(0, 2);
    m_grid->setColumnStretch(1, 3);
    m_add->setText(tr("Add %1").arg(m_texts.noun));
    m_add->setToolTip(m_texts.addTooltip);
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_add);
    buttons->addStretch();
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(m_grid);
    layout->addLayout(buttons);
    connect(m_add, &QToolButton::clicked, this, &KeyValueRows::addRow);
    connect(document, &FlowDocument::stateChanged, this, [this](StateId id) {
        if (id == m_id) {
            refresh();
        }
    });
    // Typing during one visit to a field is one undo step; the next visit starts another.
    connect(qApp, &QApplication::focusChanged, this, [this](QWidget* old, QWidget*) {
        if (old && isAncestorOf(old)) {
            ++m_gesture;
        }
    });
}

void KeyValueRows::setState(StateId id) {
    if (id != m_id) {
        resizeRows(0); // nothing half-typed for one state may show under another
    }
    m_id = id;
    refresh();
}

void KeyValueRows::setCompletions(const QStringList& words) {
    m_completions = words;
    for (const Row& row : m_rows) {
        if (auto* edit = qobject_cast<TemplateLineEdit*>(row.value)) {
            edit->setCompletions(words);
        }
    }
}

QString KeyValueRows::keyAt(int row) const {
    return m_rows.at(size_t(row)).key->text();
}

QString KeyValueRows::message(int row) const {
    const QLabel* label = m_rows.at(size_t(row)).message;
    return label->isVisibleTo(this) ? label->text() : QString();
}

Json KeyValueRows::currentMap() const {
    const engine::State* state = m_document->state(m_id);
    if (!state) {
        return Json::object();
    }
    const auto it = state->config.find(m_configKey);
    return it != state->config.end() && it->is_object() ? *it : Json::object();
}

// Why the row cannot be written as shown, or an empty string.
QString KeyValueRows::blockingProblem(int row) const {
    const QString key = keyAt(row);
    if (key.isEmpty()) {
        return tr("Needs a name; not saved until it has one.");
    }
    for (int earlier = 0; earlier < row; ++earlier) {
        if (keyAt(earlier) == key) {
            return tr("Same name as row %1; not saved until renamed.").arg(earlier + 1);
        }
    }
    const QString error = valueError(m_rows.at(size_t(row)).value->text());
    return error.isEmpty() ? QString() : tr("Not saved: %1").arg(error);
}

// The map the rows stand for: valid rows as shown, the others as last saved in the document.
Json KeyValueRows::tableMap(std::vector<std::string>* savedKeys) const {
    const Json saved = currentMap();
    Json map = Json::object();
    for (int row = 0; row < rowCount(); ++row) {
        const Row& r = m_rows[size_t(row)];
        std::string key = r.savedKey;
        if (blockingProblem(row).isEmpty()) {
            key = stdstr(r.key->text());
            map[key] = stdstr(r.value->text());
        } else if (saved.contains(key) && !map.contains(key)) {
            map[key] = saved[key];
        }
        if (savedKeys) {
            savedKeys->push_back(std::move(key));
        }
    }
    return map;
}

void KeyValueRows::refresh() {
    if (!m_document->state(m_id)) {
        return;
    }
    const Json map = currentMap();
    if (map != tableMap(nullptr)) {
        // Undo, redo or an edit made elsewhere: show the document. Rows are reused, so the field
        // being typed in keeps focus and cursor.
        m_refreshing = true;
        resizeRows(map.size());
        size_t index = 0;
        for (auto it = map.begin(); it != map.end(); ++it, ++index) {
            Row& row = m_rows[index];
            row.savedKey = it.key();
            setTextKeepingCursor(row.key, qstr(it.key()));
            setTextKeepingCursor(row.value, textOf(*it));
        }
        m_refreshing = false;
    }
    updateMessages();
}

void KeyValueRows::resizeRows(size_t count) {
    while (m_rows.size() < count) {
        appendRow();
    }
    while (m_rows.size() > count) {
        const Row row = m_rows.back();
        m_rows.pop_back();
        // deleteLater: the row's own remove button may be what is being clicked.
        for (QWidget* widget :
             {static_cast<QWidget*>(row.key), static_cast<QWidget*>(row.value),
              static_cast<QWidget*>(row.remove), static_cast<QWidget*>(row.message)}) {
            m_grid->removeWidget(widget);
            widget->hide();
            widget->deleteLater();
        }
    }
}

void KeyValueRows::appendRow() {
    const int index = rowCount();
    Row row;
    row.key = new QLineEdit;
    row.key->setPlaceholderText(m_texts.keyPlaceholder);
    if (m_texts.templateValues) {
        auto* edit = new TemplateLineEdit;
        edit->setCompletions(m_completions);
        row.value = edit;
    } else {
        row.value = new QLineEdit;
    }
    row.value->setPlaceholderText(m_texts.valuePlaceholder);
    row.remove = new QToolButton;
    row.remove->setText(QStringLiteral("×"));
    row.remove->setAutoRaise(true);
    row.message = new QLabel;
    row.message->setWordWrap(true);
    row.message->hide();
    m_grid->addWidget(row.key, 1 + 2 * index, 0);
    m_grid->addWidget(row.value, 1 + 2 * index, 1);
    m_grid->addWidget(row.remove, 1 + 2 * index, 2);
    m_grid->addWidget(row.message, 2 + 2 * index, 0, 1, 2);
    connect(row.key, &QLineEdit::textEdited, this, [this, index] { commit(index, true); });
    connect(row.value, &QLineEdit::textEdited, this, [this, index] { commit(index, false); });
    connect(row.remove, &QToolButton::clicked, this, [this, index] { removeRow(index); });
    m_rows.push_back(row);
}

void KeyValueRows::updateMessages() {
    for (int row = 0; row < rowCount(); ++row) {
        const Row& r = m_rows[size_t(row)];
        const QString problem = blockingProblem(row);
        const QString text = problem.isEmpty() ? keyWarning(row, r.key->text()) : problem;
        r.message->setText(text);
        r.message->setStyleSheet(
            theme::textStyle(problem.isEmpty() ? theme::Tone::Warning : theme::Tone::Error));
        r.message->setVisible(!text.isEmpty());
        r.remove->setToolTip(tr("Remove %1 %2").arg(m_texts.noun, qstr(r.savedKey)));
    }
    for (int column = 0; column < 2; ++column) {
        m_grid->itemAtPosition(0, column)->widget()->setVisible(!m_rows.empty());
    }
}

QString KeyValueRows::stateName() const {
    const engine::State* state = m_document->state(m_id);
    return state ? qstr(state->name) : QString();
}

void KeyValueRows::commit(int row, bool renamed) {
    if (m_refreshing || row >= rowCount()) {
        return;
    }
    updateMessages();
    if (!blockingProblem(row).isEmpty()) {
        return; // the document keeps the row's last valid content; the row says why
    }
    const QString before = qstr(m_rows[size_t(row)].savedKey);
    const QString text = renamed
                             ? tr("Rename %1 %2 of %3").arg(m_texts.noun, before, stateName())
                             : tr("Edit %1 %2 of %3").arg(m_texts.noun, keyAt(row), stateName());
    const QString mergeKey =
        QStringLiteral("%1-%2-%3-%4")
            .arg(qstr(m_configKey), renamed ? QStringLiteral("key") : QStringLiteral("value"))
            .arg(row)
            .arg(m_gesture);
    std::vector<std::string> savedKeys;
    const Json map = tableMap(&savedKeys);
    // The rows learn their new keys before the push: the push refreshes this widget, which must
    // then find the table and the document in agreement.
    for (size_t i = 0; i < savedKeys.size(); ++i) {
        m_rows[i].savedKey = savedKeys[i];
    }
    pushConfigEdit(m_document, m_id, m_configKey,
                   map.empty() ? std::nullopt : std::optional<Json>(map), text, mergeKey);
    updateMessages();
}

void KeyValueRows::addRow() {
    if (!m_document->state(m_id)) {
        return;
    }
    Json map = currentMap();
    const auto [key, value] = newEntry(map);
    map[key] = value;
    ++m_gesture;
    pushConfigEdit(m_document, m_id, m_configKey, map,
                   tr("Add %1 %2 to %3").arg(m_texts.noun, qstr(key), stateName()));
    if (!m_rows.empty()) {
        QLineEdit* name = m_rows.back().key;
        // A widget added to a shown layout is shown by a queued call; focus needs it visible now.
        if (isVisible()) {
            name->show();
        }
        name->setFocus();
        name->selectAll(); // typing replaces the placeholder name
    }
}

void KeyValueRows::removeRow(int row) {
    if (row >= rowCount()) {
        return;
    }
    Json map = currentMap();
    const std::string key = m_rows[size_t(row)].savedKey;
    if (!map.contains(key)) {
        return;
    }
    map.erase(key);
    ++m_gesture;
    pushConfigEdit(m_document, m_id, m_configKey,
                   map.empty() ? std::nullopt : std::optional<Json>(map),
                   tr("Remove %1 %2 from %3").arg(m_texts.noun, qstr(key), stateName()));
}

} // namespace flowdeck::console
