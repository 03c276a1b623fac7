#include "deploy/reason_dialog.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace flowdeck::console {

ReasonDialog::ReasonDialog(const QString& title, const QString& question,
                           const QString& confirmText, QWidget* parent)
    : QDialog(parent)
    , m_reason(new QLineEdit) {
    setObjectName(QStringLiteral("ReasonDialog"));
    setWindowTitle(title);
    auto* label = new QLabel(question);
    label->setWordWrap(true);
    m_reason->setObjectName(QStringLiteral("Reason"));
    m_reason->setPlaceholderText(tr("Why? (kept in the release history)"));
    m_reason->setMinimumWidth(420);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Cancel);
    m_confirm = buttons->addButton(confirmText, QDialogButtonBox::AcceptRole);
    m_confirm->setEnabled(false);
    m_confirm->setDefault(true);
    connect(m_reason, &QLineEdit::textChanged, this,
            [this](const QString& text) { m_confirm->setEnabled(!text.trimmed().isEmpty()); });
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(label);
    layout->addWidget(m_reason);
    layout->addWidget(buttons);
}

void ReasonDialog::addOption(const QString& text) {
    if (m_option) {
        m_option->setText(text);
        return;
    }
    m_option = new QCheckBox(text);
    auto* box = static_cast<QVBoxLayout*>(layout());
    box->insertWidget(box->count() - 1, m_option);
}

bool ReasonDialog::optionChecked() const {
    return m_option && m_option->isChecked();
}

QString ReasonDialog::reason() const {
    return m_reason->text().trimmed();
}

} // namespace flowdeck::console
