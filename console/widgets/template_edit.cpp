#include "widgets/template_edit.h"

#include <QAbstractItemView>
#include <QCompleter>
#include <QKeyEvent>
#include <QScrollBar>
#include <QStringListModel>
#include <QTextBlock>

namespace flowdeck::console {

namespace {

// The completer both fields share the behaviour of: a popup of the owner's words, case ignored.
QCompleter* makeCompleter(QWidget* field) {
    auto* completer = new QCompleter(field);
    // Not the field's setCompleter(): that completes the whole line, a template only after "{{".
    completer->setWidget(field);
    completer->setCompletionMode(QCompleter::PopupCompletion);
    completer->setCaseSensitivity(Qt::CaseInsensitive);
    completer->setModel(new QStringListModel(completer));
    return completer;
}

void setWords(QCompleter* completer, const QStringList& words) {
    static_cast<QStringListModel*>(completer->model())->setStringList(words);
}

// The text typed since the last unclosed "{{" in `line` (what precedes the cursor), or a null
// string when the cursor is not inside one.
QString openTemplateWord(const QString& line) {
    const qsizetype open = line.lastIndexOf(QStringLiteral("{{"));
    if (open < 0 || line.indexOf(QStringLiteral("}}"), open) >= 0) {
        return {};
    }
    return line.mid(open + 2).trimmed();
}

// Whether the open popup handles this key, so the field must leave it alone.
bool popupTakes(const QCompleter* completer, const QKeyEvent* event) {
    if (!completer->popup()->isVisible()) {
        return false;
    }
    const int key = event->key();
    return key == Qt::Key_Enter || key == Qt::Key_Return || key == Qt::Key_Escape ||
           key == Qt::Key_Tab;
}

// After the field took a key: offers the words that complete `typed` at `cursor`, or hides the
// popup when the cursor left the "{{" or the key typed nothing.
void followTyping(QCompleter* completer, const QString& typed, const QKeyEvent* event,
                  QRect cursor) {
    if (typed.isNull() || event->text().isEmpty()) {
        completer->popup()->hide();
        return;
    }
    completer->setCompletionPrefix(typed);
    cursor.setWidth(completer->popup()->sizeHintForColumn(0) +
                    completer->popup()->verticalScrollBar()->sizeHint().width());
    completer->complete(cursor);
}

} // namespace

// --- TemplateEdit ------------------------------------------------------------------------------

TemplateEdit::TemplateEdit(QWidget* parent)
    : QPlainTextEdit(parent)
    , m_completer(makeCompleter(this)) {
    connect(m_completer, qOverload<const QString&>(&QCompleter::activated), this,
            &TemplateEdit::insertCompletion);
    setTabChangesFocus(true);
}

void TemplateEdit::setCompletions(const QStringList& words) {
    setWords(m_completer, words);
}

QString TemplateEdit::wordBeforeCursor() const {
    const QTextCursor cursor = textCursor();
    return openTemplateWord(cursor.block().text().left(cursor.positionInBlock()));
}

void TemplateEdit::insertCompletion(const QString& word) {
    QTextCursor cursor = textCursor();
    const QString typed = wordBeforeCursor();
    cursor.movePosition(QTextCursor::Left, QTextCursor::KeepAnchor, int(typed.size()));
    cursor.insertText(word + QStringLiteral("}}"));
    setTextCursor(cursor);
}

void TemplateEdit::keyPressEvent(QKeyEvent* event) {
    if (popupTakes(m_completer, event)) {
        event->ignore();
        return;
    }
    QPlainTextEdit::keyPressEvent(event);
    followTyping(m_completer, wordBeforeCursor(), event, cursorRect());
}

// --- TemplateLineEdit --------------------------------------------------------------------------

TemplateLineEdit::TemplateLineEdit(QWidget* parent)
    : QLineEdit(parent)
    , m_completer(makeCompleter(this)) {
    connect(m_completer, qOverload<const QString&>(&QCompleter::activated), this,
            &TemplateLineEdit::insertCompletion);
}

void TemplateLineEdit::setCompletions(const QStringList& words) {
    setWords(m_completer, words);
}

QString TemplateLineEdit::wordBeforeCursor() const {
    return openTemplateWord(text().left(cursorPosition()));
}

void TemplateLineEdit::insertCompletion(const QString& word) {
    const QString typed = wordBeforeCursor();
    // One edit, so the field's own undo and textEdited see a single change.
    setSelection(cursorPosition() - int(typed.size()), int(typed.size()));
    insert(word + QStringLiteral("}}"));
}

void TemplateLineEdit::keyPressEvent(QKeyEvent* event) {
    if (popupTakes(m_completer, event)) {
        event->ignore();
        return;
    }
    QLineEdit::keyPressEvent(event);
    followTyping(m_completer, wordBeforeCursor(), event, cursorRect());
}

} // namespace flowdeck::console
