#include "clusters/alert_rules_dialog.h"
#include "widgets/theme_colors.h"

#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace flowdeck::console {

AlertRulesDialog::AlertRulesDialog(const QList<AlertRule>& rules, QWidget* parent)
    : QDialog(parent)
    , m_editor(new QPlainTextEdit)
    , m_error(new QLabel)
    , m_rules(rules) {
    setObjectName(QStringLiteral("AlertRulesDialog"));
    setWindowTitle(tr("Alert rules"));
    m_editor->setObjectName(QStringLiteral("AlertRulesJson"));
    m_editor->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_editor->setPlainText(QString::fromUtf8(alertRulesToJson(rules)));
    m_error->setObjectName(QStringLiteral("AlertRulesError"));
    m_error->setWordWrap(true);
    theme::setTextTone(m_error, theme::Tone::Error);
    auto* hint = new QLabel(tr("metric: p95_ms (threshold in ms), error_rate (threshold 0..1) or "
                               "node_down; severity: warning or critical."));
    hint->setWordWrap(true);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel |
                                         QDialogButtonBox::RestoreDefaults);
    connect(buttons, &QDialogButtonBox::accepted, this, &AlertRulesDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &AlertRulesDialog::reject);
    connect(buttons->button(QDialogButtonBox::RestoreDefaults), &QPushButton::clicked, this,
            [this] {
                m_editor->setPlainText(QString::fromUtf8(alertRulesToJson(defaultAlertRules())));
            });
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(hint);
    layout->addWidget(m_editor, 1);
    layout->addWidget(m_error);
    layout->addWidget(buttons);
    resize(640, 520);
}

QString AlertRulesDialog::errorText() const {
    return m_error->text();
}

void AlertRulesDialog::accept() {
    QString error;
    auto rules = alertRulesFromJson(m_editor->toPlainText().toUtf8(), &error);
    if (!rules) {
        m_error->setText(error);
        return;
    }
    m_error->clear();
    m_rules = std::move(*rules);
    QDialog::accept();
}

} // namespace flowdeck::console
