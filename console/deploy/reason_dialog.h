#pragma once

#include <QDialog>

class QCheckBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QPushButton;

namespace flowdeck::console {

// Asks why before Promote, Abort or Roll back: the reason goes to the node's audit history, so
// the confirm button stays disabled until one is typed. An optional check box carries the one
// choice an action has (promote straight to 100%).
class ReasonDialog final : public QDialog {
    Q_OBJECT
public:
    ReasonDialog(const QString& title, const QString& question, const QString& confirmText,
                 QWidget* parent = nullptr);

    // Adds the check box (unchecked) with this text.
    void addOption(const QString& text);
    bool optionChecked() const;
    QString reason() const;

    QLineEdit* reasonEdit() const { return m_reason; }
    QCheckBox* option() const { return m_option; }
    QPushButton* confirmButton() const { return m_confirm; }

private:
    QLineEdit* m_reason;
    QCheckBox* m_option = nullptr;
    QPushButton* m_confirm;
};

} // namespace flowdeck::console
