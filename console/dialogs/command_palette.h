#pragma once

#include <QDialog>

class QLineEdit;
class QListWidget;

namespace flowdeck::console {

// Ctrl+K: type a few letters of any command, Enter runs it. Lists the window's actions with their
// shortcuts, so it also teaches the keyboard.
class CommandPalette final : public QDialog {
    Q_OBJECT
public:
    CommandPalette(const QList<QAction*>& actions, QWidget* parent);

private:
    void filter(const QString& text);
    void runCurrent();
    bool eventFilter(QObject* watched, QEvent* event) override;

    QList<QAction*> m_actions;
    QLineEdit* m_query;
    QListWidget* m_list;
};

} // namespace flowdeck::console
