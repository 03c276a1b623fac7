#include "widgets/template_edit.h"

#include <QAbstractItemView>
#include <QCompleter>
#include <QKeyEvent>
#include <QScrollBar>
#include <QStringListModel>
#include <QTextBlock>

namespace flowdeck::console {

TemplateEdit::TemplateEdit(QWidget* parent)
    : QPlainTextEdit(parent)
    , m_completer(new QCompleter(this)) {
    m_completer->setWidget(this);
    m_completer->setCompletionMode(QCompleter::PopupCompletion);
    m_completer->setCaseSensitivity(Qt::CaseInsensitive);
    m_completer->setModel(new QStringListModel(m_completer));
    connect(m_completer, qOverload<const QString&>(&QCompleter::activated), this,
            &TemplateEdit::insertCompletion);
    setTabChangesFocus(true);
}

void TemplateEdit::setCompletions(const QStringList& words) {
    static_cast<QStringListModel*>(m_completer->model())->setStringList(words);
}

// The text typed since the last unclosed "{{", or a null string when the cursor is not inside one.
QString TemplateEdit::wordBeforeCursor() const {
    const QTextCursor cursor = textCursor();
    const QString line = cursor.block().text().left(cursor.positionInBlock());
    const qsizetype open = line.lastIndexOf(QStringLiteral("{{"));
    if (open < 0 || line.indexOf(QStringLiteral("}}"), open) >= 0) {
        return {};
    }
    return line.mid(open + 2).trimmed();
}

void TemplateEdit::insertCompletion(const QString& word) {
    QTextCursor cursor = textCursor();
    const QString typed = wordBeforeCursor();
    cursor.movePosition(QTextCursor::Left, QTextCursor::KeepAnchor, int(typed.size()));
    cursor.insertText(word + QStringLiteral("}}"));
    setTextCursor(cursor);
}

void TemplateEdit::keyPressEvent(QKeyEvent* event) {
    if (m_completer->popup()->isVisible()) {
        switch (event->key()) {
        case Qt::Key_Enter:
        case Qt::Key_Return:
        case Qt::Key_Escape:
        case Qt::Key_Tab:
            event->ignore(); // the popup handles these
            return;
        default:
            break;
        }
    }
    QPlainTextEdit::keyPressEvent(event);
    const QString typed = wordBeforeCursor();
    if (typed.isNull() || event->text().isEmpty()) {
        m_completer->popup()->hide();
        return;
    }
    m_completer->setCompletionPrefix(typed);
    QRect rect = cursorRect();
    rect.setWidth(m_completer->popup()->sizeHintForColumn(0) +
                  m_completer->popup()->verticalScrollBar()->sizeHint().width());
    m_completer->complete(rect);
}

} // namespace flowdeck::console
