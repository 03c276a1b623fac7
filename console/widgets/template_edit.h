#pragma once

#include <QLineEdit>
#include <QPlainTextEdit>
#include <QStringList>

class QCompleter;

namespace flowdeck::console {

// A multi-line text field for response templates: typing "{{" offers the slots, variables and
// user fields the flow knows (completion list given by the owner).
class TemplateEdit final : public QPlainTextEdit {
    Q_OBJECT
public:
    explicit TemplateEdit(QWidget* parent = nullptr);
    void setCompletions(const QStringList& words);
    QCompleter* completer() const { return m_completer; }

protected:
    void keyPressEvent(QKeyEvent* event) override;

private:
    void insertCompletion(const QString& word);
    QString wordBeforeCursor() const;

    QCompleter* m_completer;
};

// A one-line template field: typing "{{" offers the same slots and variables as TemplateEdit.
class TemplateLineEdit final : public QLineEdit {
    Q_OBJECT
public:
    explicit TemplateLineEdit(QWidget* parent = nullptr);
    void setCompletions(const QStringList& words);
    QCompleter* completer() const { return m_completer; }

protected:
    void keyPressEvent(QKeyEvent* event) override;

private:
    void insertCompletion(const QString& word);
    QString wordBeforeCursor() const;

    QCompleter* m_completer;
};

} // namespace flowdeck::console
