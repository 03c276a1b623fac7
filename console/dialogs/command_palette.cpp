#include "dialogs/command_palette.h"

#include <QAction>
#include <QKeyEvent>
#include <QLineEdit>
#include <QListWidget>
#include <QVBoxLayout>

namespace flowdeck::console {

namespace {

QString plainText(const QAction* action) {
    return action->text().remove(QLatin1Char('&')).remove(QStringLiteral("…"));
}

} // namespace

CommandPalette::CommandPalette(const QList<QAction*>& actions, QWidget* parent)
    : QDialog(parent, Qt::Popup)
    , m_query(new QLineEdit)
    , m_list(new QListWidget) {
    for (QAction* action : actions) {
        if (action && action->isVisible() && !plainText(action).isEmpty()) {
            m_actions.push_back(action);
        }
    }
    setMinimumWidth(480);
    m_query->setPlaceholderText(tr("Type a command…"));
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_query);
    layout->addWidget(m_list);
    m_query->installEventFilter(this);
    connect(m_query, &QLineEdit::textChanged, this, &CommandPalette::filter);
    connect(m_query, &QLineEdit::returnPressed, this, &CommandPalette::runCurrent);
    connect(m_list, &QListWidget::itemActivated, this, &CommandPalette::runCurrent);
    filter({});
}

void CommandPalette::filter(const QString& text) {
    m_list->clear();
    for (QAction* action : std::as_const(m_actions)) {
        const QString name = plainText(action);
        if (!name.contains(text, Qt::CaseInsensitive)) {
            continue;
        }
        const QString shortcut = action->shortcut().toString(QKeySequence::NativeText);
        auto* item = new QListWidgetItem(
            shortcut.isEmpty() ? name : QStringLiteral("%1\t%2").arg(name, shortcut));
        item->setData(Qt::UserRole, QVariant::fromValue(static_cast<QObject*>(action)));
        item->setFlags(action->isEnabled() ? item->flags() : Qt::NoItemFlags);
        m_list->addItem(item);
    }
    m_list->setCurrentRow(0);
}

void CommandPalette::runCurrent() {
    QListWidgetItem* item = m_list->currentItem();
    auto* action =
        item ? qobject_cast<QAction*>(item->data(Qt::UserRole).value<QObject*>()) : nullptr;
    accept();
    if (action && action->isEnabled()) {
        action->trigger();
    }
}

bool CommandPalette::eventFilter(QObject* watched, QEvent* event) {
    if (watched == m_query && event->type() == QEvent::KeyPress) {
        const int key = static_cast<QKeyEvent*>(event)->key();
        if (key == Qt::Key_Down || key == Qt::Key_Up) {
            const int row = m_list->currentRow() + (key == Qt::Key_Down ? 1 : -1);
            m_list->setCurrentRow(qBound(0, row, m_list->count() - 1));
            return true;
        }
    }
    return QDialog::eventFilter(watched, event);
}

} // namespace flowdeck::console
