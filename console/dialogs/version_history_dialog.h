#pragma once

#include <QDialog>

class QPushButton;
class QTableWidget;

namespace flowdeck::console {

class WorkspaceStore;

// The saved versions of one flow, newest first; pick one to compare the flow being edited with, or
// to restore it (the caller restores; see graph/restore_command.h).
class VersionHistoryDialog final : public QDialog {
    Q_OBJECT
public:
    enum class Choice { Compare, Restore };

    VersionHistoryDialog(WorkspaceStore* store, const QString& documentKey, QWidget* parent);
    qint64 selectedVersionId() const;
    int selectedVersionNumber() const;
    // What the user accepted the dialog with.
    Choice choice() const { return m_choice; }
    // With unsaved edits, Restore first asks before replacing them (Undo would bring them back).
    void setUnsavedChanges(bool unsaved, const QString& flowName);
    QPushButton* compareButton() const { return m_compare; }
    QPushButton* restoreButton() const { return m_restore; }

private:
    void restore();

    QTableWidget* m_table;
    QPushButton* m_compare = nullptr;
    QPushButton* m_restore = nullptr;
    Choice m_choice = Choice::Compare;
    bool m_unsaved = false;
    QString m_flowName;
};

} // namespace flowdeck::console
