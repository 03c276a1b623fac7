#include "simulate/chat_panel.h"

#include "graph/graph_style.h"
#include "widgets/theme_colors.h"

#include <QApplication>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPalette>
#include <QPushButton>
#include <QScrollBar>
#include <QTextBrowser>
#include <QUrl>
#include <QVBoxLayout>

#include <cmath>

namespace flowdeck::console {

namespace {

QString escaped(const QString& text) {
    return text.toHtmlEscaped().replace(QLatin1Char('\n'), QStringLiteral("<br>"));
}

QString colorName(QPalette::ColorRole role) {
    return QApplication::palette().color(role).name();
}

// The selected reply's bubble: the bot's bubble tinted towards the accent, dark or light with
// the palette, so the palette's text stays readable on it.
QString selectedBubble() {
    const QColor base = QApplication::palette().color(QPalette::AlternateBase);
    const QColor accent = theme::fill(theme::Tone::Accent);
    constexpr double kTint = 0.25;
    const auto mix = [&](double a, double b) {
        return int(std::lround(255 * (a + (b - a) * kTint)));
    };
    return QColor(mix(base.redF(), accent.redF()), mix(base.greenF(), accent.greenF()),
                  mix(base.blueF(), accent.blueF()))
        .name();
}

} // namespace

ChatPanel::ChatPanel(QWidget* parent)
    : QWidget(parent)
    , m_view(new QTextBrowser)
    , m_status(new QLabel)
    , m_input(new QLineEdit)
    , m_send(new QPushButton(tr("Send"))) {
    m_view->setObjectName(QStringLiteral("ChatView"));
    m_view->setOpenLinks(false);
    m_view->setFrameShape(QFrame::NoFrame);
    m_input->setObjectName(QStringLiteral("ChatInput"));
    m_input->setPlaceholderText(tr("Type what the user says, then Enter"));
    m_input->setClearButtonEnabled(true);
    m_status->setWordWrap(true);
    m_status->setVisible(false);

    auto* row = new QHBoxLayout;
    row->addWidget(m_input, 1);
    row->addWidget(m_send);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(m_view, 1);
    layout->addWidget(m_status);
    layout->addLayout(row);

    connect(m_input, &QLineEdit::returnPressed, this, &ChatPanel::submit);
    connect(m_send, &QPushButton::clicked, this, &ChatPanel::submit);
    connect(m_view, &QTextBrowser::anchorClicked, this, [this](const QUrl& url) {
        const int turn = url.path().toInt();
        if (url.scheme() == QLatin1String("turn")) {
            Q_EMIT turnActivated(turn);
        } else if (url.scheme() == QLatin1String("rewind")) {
            Q_EMIT rewindRequested(turn);
        }
    });
    // The bubbles' colours are baked into the HTML: a theme switch needs a new page.
    theme::onPaletteChange(this, [this] { render(); });
}

void ChatPanel::setEntries(const QVector<ChatEntry>& entries) {
    m_entries = entries;
    m_pending.clear();
    m_selected = int(entries.size()) - 1;
    render();
}

void ChatPanel::setSelectedTurn(int turn) {
    m_selected = turn;
    render();
}

void ChatPanel::setBusy(bool busy, const QString& status) {
    m_busy = busy;
    m_send->setEnabled(!busy);
    m_input->setEnabled(!busy);
    m_status->setText(status);
    m_status->setVisible(!status.isEmpty());
    if (!busy) {
        m_input->setFocus();
    }
}

void ChatPanel::setNotice(const QString& html) {
    m_notice = html;
    render();
}

void ChatPanel::setPending(const QString& input) {
    m_pending = input;
    render();
}

void ChatPanel::submit() {
    const QString text = m_input->text();
    if (m_busy || text.trimmed().isEmpty()) {
        return;
    }
    m_input->clear();
    Q_EMIT sendRequested(text);
}

// One table per bubble: QTextBrowser's HTML subset has no floats or border-radius, but table
// cells with a background and an alignment read clearly as a chat.
void ChatPanel::render() {
    const QString muted = colorName(QPalette::PlaceholderText);
    const QColor userFill = theme::fill(theme::Tone::Accent);
    const QString userBg = userFill.name();
    const QString userText = theme::textOn(userFill).name();
    const QString botBg = colorName(QPalette::AlternateBase);
    const QString selectedBg = selectedBubble();
    const auto userBubble = [&userBg, &userText](const QString& text) {
        return QStringLiteral("<table width='100%' cellspacing='0' cellpadding='0'><tr>"
                              "<td width='25%'></td><td align='right'>"
                              "<table cellpadding='7' style='background:%1'><tr>"
                              "<td style='color:%2'>%3</td></tr></table></td></tr></table>")
            .arg(userBg, userText, escaped(text));
    };
    QString html = QStringLiteral("<html><body style='margin:4px'>");
    if (m_entries.isEmpty()) {
        html += QStringLiteral("<p style='color:%1'>%2</p>")
                    .arg(muted, tr("The conversation starts when a flow is open."));
    }
    for (int i = 0; i < m_entries.size(); ++i) {
        const ChatEntry& entry = m_entries[i];
        if (!entry.opening) {
            html += userBubble(entry.input);
        }
        const QString background = i == m_selected ? selectedBg : botBg;
        QString reply =
            entry.reply.isEmpty()
                ? QStringLiteral("<i style='color:%1'>%2</i>").arg(muted, tr("(no reply)"))
                : escaped(entry.reply);
        if (!entry.ok) {
            reply += QStringLiteral("<br><span style='color:%1'>%2</span>")
                         .arg(graph_style::errorColor().name(), escaped(entry.error));
        }
        QString facts = QStringLiteral("→ <b>%1</b>").arg(entry.stateAfter.toHtmlEscaped());
        if (!entry.intent.isEmpty()) {
            facts += QStringLiteral(" · %1 %2 (%3)")
                         .arg(tr("intent"), entry.intent.toHtmlEscaped(),
                              QString::number(entry.confidence, 'f', 2));
        }
        facts += QStringLiteral(" · %1 · <a href='turn:%2'>%3</a>")
                     .arg(entry.steps == 1 ? tr("1 step") : tr("%1 steps").arg(entry.steps))
                     .arg(i)
                     .arg(tr("trace"));
        if (i + 1 < m_entries.size()) {
            facts += QStringLiteral(" · <a href='rewind:%1'>%2</a>").arg(i).arg(tr("rewind here"));
        }
        html += QStringLiteral("<table width='100%' cellspacing='0' cellpadding='0' "
                               "style='margin-top:4px'><tr><td>"
                               "<table cellpadding='7' style='background:%1'><tr><td>%2"
                               "<br><span style='color:%3; font-size:small'>%4</span>"
                               "</td></tr></table></td><td width='20%'></td></tr></table><br>")
                    .arg(background, reply, muted, facts);
    }
    if (!m_pending.isEmpty()) {
        html += userBubble(m_pending) + QStringLiteral("<p style='color:%1'>…</p>").arg(muted);
    }
    if (!m_notice.isEmpty()) {
        html += QStringLiteral("<p>%1</p>").arg(m_notice);
    }
    html += QStringLiteral("</body></html>");
    m_view->setHtml(html);
    m_view->verticalScrollBar()->setValue(m_view->verticalScrollBar()->maximum());
}

} // namespace flowdeck::console
