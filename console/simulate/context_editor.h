#pragma once

#include "flowdeck/engine/conversation.h"

#include <QWidget>

#include <array>
#include <map>
#include <string>

class QLabel;
class QLineEdit;
class QToolButton;
class QTreeWidget;
class QTreeWidgetItem;

namespace flowdeck::console {

// The simulated conversation's context (slots, vars, user) as three groups of key -> JSON
// value, editable between messages ("what if the user were premium?"). Text typed as a value is
// parsed as JSON; anything that does not parse is taken as a string, so `premium` stores
// "premium" and `true` stores true. Values the last message changed are bold in the accent
// colour.
class ContextEditor final : public QWidget {
    Q_OBJECT
public:
    enum Column { KeyColumn, ValueColumn };
    static constexpr int kMaxValueBytes = 64 * 1024;

    explicit ContextEditor(QWidget* parent = nullptr);
    ~ContextEditor() override;

    // `changedLastTurn` is ExecutionResult::contextUpdates: "slots.x" / "vars.y" -> new value.
    void setConversation(const engine::ConversationState& state,
                         const std::map<std::string, std::string>& changedLastTurn = {});
    void applyTo(engine::ConversationState& state) const;
    void setEditable(bool editable);
    bool isEditable() const { return m_editable; }

    QTreeWidget* tree() const { return m_tree; }
    QLineEdit* filterEdit() const { return m_filter; }
    QString message() const;
    // The row of `group` ("slots", "vars", "user") and `key`, or null.
    QTreeWidgetItem* itemFor(const QString& group, const QString& key) const;
    void addKey();
    void removeSelected();

Q_SIGNALS:
    void edited();

private:
    void rebuild();
    QTreeWidgetItem* addRow(int group, const std::string& key, const engine::Json& value);
    void styleRow(QTreeWidgetItem* item, int group, const QString& key) const;
    void onItemChanged(QTreeWidgetItem* item, int column);
    void commitValue(QTreeWidgetItem* item, int group, const QString& key);
    void commitKey(QTreeWidgetItem* item, int group, const QString& oldKey);
    void showMessage(const QString& text);
    void applyFilter();
    int groupOf(const QTreeWidgetItem* item) const;
    void updateButtons();

    std::array<engine::Json, 3> m_groups;
    std::map<std::string, std::string> m_changed;
    QTreeWidget* m_tree;
    QLineEdit* m_filter;
    QToolButton* m_add;
    QToolButton* m_remove;
    QLabel* m_message;
    bool m_editable = true;
    bool m_rebuilding = false;
};

} // namespace flowdeck::console
