// BodyEditor: an integration's request body as template text or as a JSON object.
#include "widgets/integration_editor.h"
#include "widgets/theme_colors.h"

#include "widgets/template_edit.h"

#include <QApplication>
#include <QComboBox>
#include <QFontDatabase>
#include <QLabel>
#include <QPlainTextEdit>
#include <QVBoxLayout>

#include <algorithm>

namespace flowdeck::console {

using engine::Json;

namespace {

// Replaces the text; the field being typed in keeps its cursor where it was.
void setTextKeepingCursor(QPlainTextEdit* edit, const QString& text) {
    if (edit->toPlainText() == text) {
        return;
    }
    const int position = edit->textCursor().position();
    edit->setPlainText(text);
    if (edit->hasFocus()) {
        QTextCursor cursor = edit->textCursor();
        cursor.setPosition(std::min(position, int(text.size())));
        edit->setTextCursor(cursor);
    }
}

// nlohmann's message without its "[json.exception.parse_error.101] " id: it already names the line
// and column ("parse error at line 2, column 5: syntax error ...").
QString parseErrorText(const std::exception& error) {
    QString text = QString::fromUtf8(error.what());
    if (text.startsWith(QLatin1String("[json.exception"))) {
        text = text.mid(text.indexOf(QLatin1String("] ")) + 2);
    }
    if (!text.isEmpty()) {
        text[0] = text[0].toUpper();
    }
    return text;
}

} // namespace

BodyEditor::BodyEditor(FlowDocument* document, QWidget* parent)
    : QWidget(parent)
    , m_document(document)
    , m_mode(new QComboBox)
    , m_template(new TemplateEdit)
    , m_json(new QPlainTextEdit)
    , m_error(new QLabel) {
    m_mode->addItem(tr("No body"), int(Mode::None));
    m_mode->addItem(tr("Template text"), int(Mode::Template));
    m_mode->addItem(tr("JSON object"), int(Mode::Json));
    m_template->setPlaceholderText(
        tr("order={{slots.order_id}} — type {{ for slots and variables"));
    m_template->setMaximumHeight(90);
    m_json->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_json->setPlaceholderText(QStringLiteral("{\"order_id\": \"{{slots.order_id}}\"}"));
    m_json->setTabChangesFocus(true);
    m_json->setMaximumHeight(140);
    m_error->setWordWrap(true);
    theme::setTextTone(m_error, theme::Tone::Error);
    m_error->hide();
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_mode);
    layout->addWidget(m_template);
    layout->addWidget(m_json);
    layout->addWidget(m_error);
    showMode(Mode::None);

    connect(m_mode, &QComboBox::activated, this,
            [this] { setMode(Mode(m_mode->currentData().toInt())); });
    connect(m_template, &QPlainTextEdit::textChanged, this, &BodyEditor::commitTemplate);
    connect(m_json, &QPlainTextEdit::textChanged, this, &BodyEditor::commitJson);
    connect(document, &FlowDocument::stateChanged, this, [this](StateId id) {
        if (id == m_id) {
            refresh();
        }
    });
    connect(qApp, &QApplication::focusChanged, this, [this](QWidget* old, QWidget*) {
        if (old == m_template || old == m_json) {
            ++m_gesture; // the next visit to the field is a new undo step
        }
    });
}

void BodyEditor::setState(StateId id) {
    if (id != m_id) {
        m_shownJson.reset(); // show the new state's body as written, not the old one's text
    }
    m_id = id;
    refresh();
}

void BodyEditor::setCompletions(const QStringList& words) {
    m_template->setCompletions(words);
}

BodyEditor::Mode BodyEditor::mode() const {
    return Mode(m_mode->currentData().toInt());
}

std::optional<Json> BodyEditor::currentBody() const {
    const engine::State* state = m_document->state(m_id);
    if (!state) {
        return std::nullopt;
    }
    const auto it = state->config.find("body");
    return it != state->config.end() && !it->is_null() ? std::optional<Json>(*it) : std::nullopt;
}

QString BodyEditor::stateName() const {
    const engine::State* state = m_document->state(m_id);
    return state ? qstr(state->name) : QString();
}

void BodyEditor::showMode(Mode mode) {
    m_mode->setCurrentIndex(m_mode->findData(int(mode)));
    m_template->setVisible(mode == Mode::Template);
    m_json->setVisible(mode == Mode::Json);
    m_error->setVisible(mode == Mode::Json && !m_error->text().isEmpty());
}

void BodyEditor::refresh() {
    if (!m_document->state(m_id)) {
        return;
    }
    const std::optional<Json> body = currentBody();
    m_refreshing = true;
    if (!body) {
        showMode(Mode::None);
    } else if (body->is_string()) {
        setTextKeepingCursor(m_template, qstr(body->get<std::string>()));
        showMode(Mode::Template);
    } else if (m_json->isHidden() || body != m_shownJson) {
        // Shown anew, or changed by undo, redo or another editor. While the body stays what this
        // editor last wrote, the text is left alone: it may hold the user's layout or a
        // half-typed edit.
        m_shownJson = body;
        setTextKeepingCursor(m_json, qstr(body->dump(2)));
        m_error->clear();
        showMode(Mode::Json);
    } else {
        showMode(Mode::Json);
    }
    m_refreshing = false;
}

void BodyEditor::setMode(Mode mode) {
    const std::optional<Json> body = currentBody();
    const QString state = stateName();
    ++m_gesture;
    switch (mode) {
    case Mode::None:
        pushConfigEdit(m_document, m_id, "body", std::nullopt, tr("Remove body of %1").arg(state));
        break;
    case Mode::Template: {
        // Keep what was written: a JSON body becomes its text.
        const std::string text = !body               ? std::string()
                                 : body->is_string() ? body->get<std::string>()
                                                     : body->dump(2);
        pushConfigEdit(m_document, m_id, "body", Json(text),
                       tr("Make body of %1 template text").arg(state));
        break;
    }
    case Mode::Json: {
        Json object = body && body->is_object() ? *body : Json::object();
        if (body && body->is_string()) {
            const Json parsed = Json::parse(body->get<std::string>(), nullptr, false);
            object = parsed.is_object() ? parsed : object;
        }
        pushConfigEdit(m_document, m_id, "body", object,
                       tr("Make body of %1 a JSON object").arg(state));
        break;
    }
    }
    refresh(); // also when nothing changed, so the combo box shows the document again
}

void BodyEditor::commitTemplate() {
    if (m_refreshing || mode() != Mode::Template) {
        return;
    }
    pushConfigEdit(m_document, m_id, "body", Json(stdstr(m_template->toPlainText())),
                   tr("Edit body of %1").arg(stateName()),
                   QStringLiteral("body-template-%1").arg(m_gesture));
}

void BodyEditor::commitJson() {
    if (m_refreshing || mode() != Mode::Json) {
        return;
    }
    QString problem;
    Json value;
    try {
        value = Json::parse(stdstr(m_json->toPlainText()));
        if (!value.is_object()) {
            problem = tr("The body must be a JSON object { … }; for other text choose Template "
                         "text.");
        }
    } catch (const std::exception& error) {
        problem = parseErrorText(error);
    }
    m_error->setText(problem.isEmpty() ? QString()
                                       : tr("%1 — not saved until it parses.").arg(problem));
    m_error->setVisible(!problem.isEmpty());
    if (!problem.isEmpty()) {
        return; // the document keeps the last body that parsed
    }
    m_shownJson = value;
    pushConfigEdit(m_document, m_id, "body", value, tr("Edit body of %1").arg(stateName()),
                   QStringLiteral("body-json-%1").arg(m_gesture));
}

} // namespace flowdeck::console
