#pragma once

#include <QVector>
#include <QWidget>

class QLabel;
class QLineEdit;
class QPushButton;
class QTextBrowser;

namespace flowdeck::console {

// One exchange as the chat shows it: what the user typed (empty for the opening turn) and what
// the flow answered, with where it ended and what it understood.
struct ChatEntry {
    QString input;
    QString reply;
    QString stateAfter;
    QString intent;
    double confidence = 0.0;
    int steps = 0;
    bool ok = true;
    QString error;
    bool opening = false;
};

// The conversation with the flow: bubbles for the user and the flow, a line under each reply
// with the state reached and the intent detected, and links to show a turn's trace or rewind to
// it. The panel only displays; the workspace owns the simulation and feeds entries in.
class ChatPanel final : public QWidget {
    Q_OBJECT
public:
    explicit ChatPanel(QWidget* parent = nullptr);

    void setEntries(const QVector<ChatEntry>& entries);
    void setSelectedTurn(int turn);
    int selectedTurn() const { return m_selected; }
    // While a message runs (or waits at a breakpoint) sending is off and `status` says why.
    void setBusy(bool busy, const QString& status = {});
    void setNotice(const QString& html);
    // A message sent but not answered yet (running, or held at a breakpoint); empty: none.
    void setPending(const QString& input);
    QLineEdit* inputLine() const { return m_input; }

Q_SIGNALS:
    void sendRequested(const QString& text);
    void turnActivated(int turn);
    void rewindRequested(int turn);

private:
    void render();
    void submit();

    QTextBrowser* m_view;
    QLabel* m_status;
    QLineEdit* m_input;
    QPushButton* m_send;
    QVector<ChatEntry> m_entries;
    QString m_notice;
    QString m_pending;
    int m_selected = -1;
    bool m_busy = false;
};

} // namespace flowdeck::console
