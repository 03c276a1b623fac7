#include "dialogs/version_history_dialog.h"

#include "models/workspace_store.h"

#include <QDialogButtonBox>
#include <QHeaderView>
#include <QLabel>
#include <QMessageBox>
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
    m_restore = buttons->addButton(tr("Restore This Version"), QDialogButtonBox::ActionRole);
    m_restore->setObjectName(QStringLiteral("restore"));
    m_restore->setToolTip(tr("Replace the flow being edited with this version (one undo step; "
                             "nothing is saved until you save)"));
    m_restore->setEnabled(!versions.isEmpty());
    m_compare = buttons->addButton(tr("Compare with Current"), QDialogButtonBox::AcceptRole);
    m_compare->setObjectName(QStringLiteral("compare"));
    m_compare->setEnabled(!versions.isEmpty());
    m_compare->setDefault(true);
    connect(m_restore, &QPushButton::clicked, this, &VersionHistoryDialog::restore);
    connect(buttons, &QDialogButtonBox::accepted, this, [this] {
        m_choice = Choice::Compare;
        accept();
    });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_table, &QTableWidget::cellDoubleClicked, m_compare, &QPushButton::click);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(new QLabel(
        versions.isEmpty() ? tr("This flow has no saved versions yet: each Save records one.")
                           : tr("Each Save recorded a version. Pick one to see what changed since, "
                                "or to go back to it.")));
    layout->addWidget(m_table);
    layout->addWidget(buttons);
}

qint64 VersionHistoryDialog::selectedVersionId() const {
    const int row = m_table->currentRow();
    return row < 0 ? 0 : m_table->item(row, 0)->data(Qt::UserRole).toLongLong();
}

int VersionHistoryDialog::selectedVersionNumber() const {
    const int row = m_table->currentRow();
    return row < 0 ? 0 : m_table->item(row, 0)->text().toInt();
}

void VersionHistoryDialog::setUnsavedChanges(bool unsaved, const QString& flowName) {
    m_unsaved = unsaved;
    m_flowName = flowName;
}

void VersionHistoryDialog::restore() {
    if (selectedVersionId() == 0) {
        return;
    }
    if (m_unsaved) {
        QMessageBox question(QMessageBox::Question, tr("Unsaved changes"),
                             tr("Replace the unsaved changes to ‘%1’ with version %2?")
                                 .arg(m_flowName)
                                 .arg(selectedVersionNumber()),
                             QMessageBox::Cancel, this);
        question.setInformativeText(
            tr("The restore is one step of the edit history: Undo brings your changes back."));
        QPushButton* confirm = question.addButton(tr("Restore"), QMessageBox::AcceptRole);
        question.setDefaultButton(QMessageBox::Cancel);
        question.exec();
        if (question.clickedButton() != confirm) {
            return;
        }
    }
    m_choice = Choice::Restore;
    accept();
}

} // namespace flowdeck::console
