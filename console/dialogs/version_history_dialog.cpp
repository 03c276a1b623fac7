#include "dialogs/version_history_dialog.h"

#include "models/workspace_store.h"

#include <QDialogButtonBox>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

namespace flowdeck::console {

VersionHistoryDialog::VersionHistoryDialog(WorkspaceStore* store, const QString& documentKey,
                                           QWidget* parent)
    : QDialog(parent)
    , m_table(new QTableWidget(0, 3)) {
    setWindowTitle(tr("Saved versions"));
    resize(560, 380);
    m_table->setHorizontalHeaderLabels({tr("Version"), tr("Saved"), tr("Flow name")});
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->verticalHeader()->hide();
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    const QVector<FlowVersion> versions =
        store ? store->versions(documentKey) : QVector<FlowVersion>();
    m_table->setRowCount(int(versions.size()));
    for (int row = 0; row < versions.size(); ++row) {
        const FlowVersion& v = versions[row];
        auto* number = new QTableWidgetItem(QString::number(v.number));
        number->setData(Qt::UserRole, v.id);
        m_table->setItem(row, 0, number);
        m_table->setItem(row, 1,
                         new QTableWidgetItem(v.savedAt.toLocalTime().toString(
                             QStringLiteral("yyyy-MM-dd HH:mm:ss"))));
        m_table->setItem(row, 2, new QTableWidgetItem(v.flowName));
    }
    m_table->resizeColumnsToContents();
    if (!versions.isEmpty()) {
        m_table->selectRow(0);
    }
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Cancel);
    QPushButton* compare =
        buttons->addButton(tr("Compare with Current"), QDialogButtonBox::AcceptRole);
    compare->setEnabled(!versions.isEmpty());
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_table, &QTableWidget::cellDoubleClicked, this, &QDialog::accept);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(
        new QLabel(versions.isEmpty()
                       ? tr("This flow has no saved versions yet: each Save records one.")
                       : tr("Each Save recorded a version. Pick one to see what changed since.")));
    layout->addWidget(m_table);
    layout->addWidget(buttons);
}

qint64 VersionHistoryDialog::selectedVersionId() const {
    const int row = m_table->currentRow();
    return row < 0 ? 0 : m_table->item(row, 0)->data(Qt::UserRole).toLongLong();
}

} // namespace flowdeck::console
