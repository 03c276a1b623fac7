#pragma once

#include "clusters/alert_rules.h"

#include <QDialog>
#include <QList>

class QLabel;
class QPlainTextEdit;

namespace flowdeck::console {

// Edits the alert rules as their JSON. OK validates: an invalid document keeps the dialog open
// and says which field is wrong; a valid one is available from rules() once accepted.
class AlertRulesDialog final : public QDialog {
    Q_OBJECT
public:
    explicit AlertRulesDialog(const QList<AlertRule>& rules, QWidget* parent = nullptr);

    QPlainTextEdit* editor() const { return m_editor; }
    QString errorText() const;
    const QList<AlertRule>& rules() const { return m_rules; }

    void accept() override;

private:
    QPlainTextEdit* m_editor;
    QLabel* m_error;
    QList<AlertRule> m_rules;
};

} // namespace flowdeck::console
