#pragma once

#include <QDialog>

class QTableWidget;

namespace flowdeck::console {

class WorkspaceStore;

// The saved versions of one flow, newest first; pick one to compare the flow being edited with.
class VersionHistoryDialog final : public QDialog {
    Q_OBJECT
public:
    VersionHistoryDialog(WorkspaceStore* store, const QString& documentKey, QWidget* parent);
    qint64 selectedVersionId() const;

private:
    QTableWidget* m_table;
};

} // namespace flowdeck::console
