#include "widgets/state_inspector.h"

#include "graph/flow_commands.h"
#include "widgets/integration_editor.h"
#include "widgets/slots_editor.h"
#include "widgets/template_edit.h"
#include "widgets/theme_colors.h"
#include "widgets/transitions_editor.h"

#include "flowdeck/engine/flow_json.h"
#include "flowdeck/engine/lua_sandbox.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFontDatabase>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QSpinBox>
#include <QTimer>
#include <QUndoStack>

namespace flowdeck::console {

using engine::Json;
using engine::StateType;

namespace {

constexpr StateType kTypes[] = {
    StateType::Response,  StateType::Intent, StateType::SlotFilling, StateType::Integration,
    StateType::Condition, StateType::Script, StateType::Handoff,     StateType::End};

bool hasTemplates(StateType type) {
    return type == StateType::Response || type == StateType::SlotFilling ||
           type == StateType::Handoff || type == StateType::End;
}

QLabel* errorLabel() {
    auto* label = new QLabel;
    label->setWordWrap(true);
    theme::setTextTone(label, theme::Tone::Error);
    label->hide();
    return label;
}

QString intentsText(const engine::State& state) {
    QStringList lines;
    for (const auto& [name, examples] : engine::intentExamples(state)) {
        QStringList phrases;
        for (const std::string& example : examples) {
            phrases << qstr(example);
        }
        lines << QStringLiteral("%1: %2").arg(qstr(name), phrases.join(QStringLiteral(" | ")));
    }
    return lines.join(QLatin1Char('\n'));
}

void setPlainTextKeepingCursor(QPlainTextEdit* edit, const QString& text) {
    if (edit->toPlainText() != text && !edit->hasFocus()) {
        edit->setPlainText(text);
    }
}

} // namespace

StateInspector::StateInspector(FlowDocument* document, QWidget* parent)
    : QWidget(parent)
    , m_document(document) {
    buildForm();
    connect(document, &FlowDocument::stateChanged, this, [this](StateId id) {
        if (id == m_id) {
            refresh();
        }
    });
    connect(document, &FlowDocument::contentChanged, this, [this] {
        if (m_template) {
            const QStringList words = templateCompletions();
            m_template->setCompletions(words);
            m_integration->setCompletions(words);
        }
    });
}

void StateInspector::buildForm() {
    m_form = new QFormLayout(this);
    m_form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    m_name = new QLineEdit;
    m_nameError = errorLabel();
    m_type = new QComboBox;
    for (StateType type : kTypes) {
        m_type->addItem(qstr(std::string(engine::toString(type))), int(type));
    }
    m_description = new QLineEdit;
    m_description->setPlaceholderText(tr("What this state is for (shown to other designers)"));
    m_template = new TemplateEdit;
    m_template->setPlaceholderText(tr("Hi {{user.name}}! — type {{ for slots and variables"));
    m_template->setMaximumHeight(90);
    m_intents = new QPlainTextEdit;
    m_intents->setPlaceholderText(tr("order_status: where is my order | track my order"));
    m_intents->setMaximumHeight(110);
    m_threshold = new QDoubleSpinBox;
    m_threshold->setRange(0, 1);
    m_threshold->setSingleStep(0.05);
    m_method = new QComboBox;
    m_method->addItems({QStringLiteral("GET"), QStringLiteral("POST"), QStringLiteral("PUT"),
                        QStringLiteral("PATCH"), QStringLiteral("DELETE")});
    m_url = new QLineEdit;
    m_url->setPlaceholderText(QStringLiteral("https://api.example.com/orders/{{slots.order_id}}"));
    m_timeout = new QSpinBox;
    m_timeout->setRange(0, 600000);
    m_timeout->setSuffix(tr(" ms"));
    m_timeout->setSpecialValueText(tr("default"));
    const QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    m_script = new QPlainTextEdit;
    m_script->setFont(mono);
    m_script->setMaximumHeight(110);
    m_scriptError = errorLabel();
    m_config = new QPlainTextEdit;
    m_config->setFont(mono);
    m_config->setMinimumHeight(120);
    m_configError = errorLabel();
    m_configTimer = new QTimer(this);
    m_configTimer->setSingleShot(true);
    m_configTimer->setInterval(400);
    m_transitions = new TransitionsEditor(m_document);
    m_slots = new SlotsEditor(m_document);
    m_integration = new IntegrationEditor(m_document);

    m_form->addRow(tr("Name"), m_name);
    m_form->addRow(QString(), m_nameError);
    m_form->addRow(tr("Type"), m_type);
    m_form->addRow(tr("Description"), m_description);
    m_form->addRow(tr("Reply"), m_template);
    m_form->addRow(tr("Intents"), m_intents);
    m_slotsLabel = new QLabel(tr("Slots, asked for in order"));
    m_form->addRow(m_slotsLabel);
    m_form->addRow(m_slots);
    m_form->addRow(tr("Threshold"), m_threshold);
    m_form->addRow(tr("Method"), m_method);
    m_form->addRow(tr("URL"), m_url);
    m_form->addRow(tr("Timeout"), m_timeout);
    m_form->addRow(m_integration);
    m_form->addRow(tr("Lua"), m_script);
    m_form->addRow(QString(), m_scriptError);
    m_form->addRow(new QLabel(tr("Transitions, in evaluation order")));
    m_form->addRow(m_transitions);
    m_form->addRow(new QLabel(tr("Config (JSON): every field of this state")));
    m_form->addRow(m_config);
    m_form->addRow(m_configError);

    connect(m_name, &QLineEdit::editingFinished, this, &StateInspector::commitName);
    connect(m_type, &QComboBox::activated, this, [this] {
        const auto type = StateType(m_type->currentData().toInt());
        applyEdit([type](engine::State& s) { s.type = type; },
                  tr("Change type to %1").arg(m_type->currentText()), {});
    });
    connect(m_description, &QLineEdit::textEdited, this, [this](const QString& text) {
        applyEdit(
            [text](engine::State& s) {
                if (text.isEmpty()) {
                    s.config.erase("description");
                } else {
                    s.config["description"] = stdstr(text);
                }
            },
            tr("Edit description"), QStringLiteral("description"));
    });
    connect(m_template, &QPlainTextEdit::textChanged, this, [this] {
        const std::string text = stdstr(m_template->toPlainText());
        applyEdit([&text](engine::State& s) { s.config["response_templates"]["default"] = text; },
                  tr("Edit reply"), QStringLiteral("template"));
    });
    connect(m_intents, &QPlainTextEdit::textChanged, this, &StateInspector::commitIntents);
    connect(m_threshold, &QDoubleSpinBox::valueChanged, this, [this](double value) {
        applyEdit([value](engine::State& s) { s.config["confidence_threshold"] = value; },
                  tr("Edit confidence threshold"), QStringLiteral("threshold"));
    });
    connect(m_method, &QComboBox::activated, this, [this] {
        const std::string method = stdstr(m_method->currentText());
        applyEdit([&method](engine::State& s) { s.config["method"] = method; }, tr("Change method"),
                  {});
    });
    connect(m_url, &QLineEdit::textEdited, this, [this](const QString& url) {
        applyEdit([&url](engine::State& s) { s.config["url"] = stdstr(url); }, tr("Edit URL"),
                  QStringLiteral("url"));
    });
    connect(m_timeout, &QSpinBox::valueChanged, this, [this](int value) {
        applyEdit(
            [value](engine::State& s) {
                if (value == 0) {
                    s.config.erase("timeout_ms");
                } else {
                    s.config["timeout_ms"] = value;
                }
            },
            tr("Edit timeout"), QStringLiteral("timeout"));
    });
    connect(m_script, &QPlainTextEdit::textChanged, this, &StateInspector::checkScript);
    connect(m_config, &QPlainTextEdit::textChanged, this, [this] {
        if (!m_refreshing) {
            m_configTimer->start();
        }
    });
    connect(m_configTimer, &QTimer::timeout, this, &StateInspector::commitConfigJson);
}

void StateInspector::setState(StateId id) {
    if (m_configTimer->isActive()) {
        m_configTimer->stop();
        commitConfigJson(); // do not lose JSON typed just before the selection changed
    }
    m_id = id;
    m_nameError->hide();
    m_transitions->setState(id);
    m_slots->setState(id);
    m_integration->setState(id);
    refresh();
}

void StateInspector::focusName() {
    m_name->setFocus();
    m_name->selectAll();
}

void StateInspector::selectTransition(int index) {
    m_transitions->selectRow(index);
}

void StateInspector::refresh() {
    const engine::State* state = m_document->state(m_id);
    if (!state) {
        return;
    }
    m_refreshing = true;
    if (!m_name->hasFocus()) {
        m_name->setText(qstr(state->name));
    }
    m_type->setCurrentIndex(m_type->findData(int(state->type)));
    const auto description = state->config.find("description");
    const QString descriptionText = description != state->config.end() && description->is_string()
                                        ? qstr(description->get<std::string>())
                                        : QString();
    if (!m_description->hasFocus()) {
        m_description->setText(descriptionText);
    }
    refreshTypeFields(*state);
    setPlainTextKeepingCursor(m_config, qstr(state->config.dump(2)));
    m_refreshing = false;
}

void StateInspector::refreshTypeFields(const engine::State& state) {
    const StateType type = state.type;
    const bool isIntegration = type == StateType::Integration;
    const bool isScript = type == StateType::Script;
    m_form->setRowVisible(m_template, hasTemplates(type));
    m_form->setRowVisible(m_intents, type == StateType::Intent);
    m_form->setRowVisible(m_slots, type == StateType::SlotFilling);
    m_form->setRowVisible(m_slotsLabel, type == StateType::SlotFilling);
    m_form->setRowVisible(m_threshold, type == StateType::Intent);
    m_form->setRowVisible(m_method, isIntegration);
    m_form->setRowVisible(m_url, isIntegration);
    m_form->setRowVisible(m_integration, isIntegration);
    m_form->setRowVisible(m_timeout, isIntegration || isScript);
    m_form->setRowVisible(m_script, isScript);
    m_form->setRowVisible(m_scriptError, isScript && !m_scriptError->text().isEmpty());
    QString reply;
    for (const auto& [variant, text] : engine::responseTemplates(state)) {
        if (variant == "default") {
            reply = qstr(text);
        }
    }
    setPlainTextKeepingCursor(m_template, reply);
    setPlainTextKeepingCursor(m_intents, intentsText(state));
    m_threshold->setValue(state.config.value("confidence_threshold", 0.0));
    m_method->setCurrentText(qstr(state.config.value("method", std::string("GET"))));
    if (!m_url->hasFocus()) {
        m_url->setText(qstr(state.config.value("url", std::string())));
    }
    m_timeout->setValue(state.config.value("timeout_ms", 0));
    setPlainTextKeepingCursor(m_script, qstr(state.config.value("script", std::string())));
}

void StateInspector::applyEdit(const std::function<void(engine::State&)>& change,
                               const QString& text, const QString& mergeKey) {
    const engine::State* current = m_document->state(m_id);
    if (m_refreshing || !current) {
        return;
    }
    engine::State after = *current;
    change(after);
    if (after.type == current->type && after.config == current->config &&
        after.transitions.size() == current->transitions.size()) {
        return; // nothing changed: no empty undo step
    }
    m_document->undoStack()->push(
        new EditStateCommand(m_document, m_id, std::move(after), text, mergeKey));
}

void StateInspector::commitName() {
    const engine::State* state = m_document->state(m_id);
    const QString name = m_name->text();
    if (!state || name == qstr(state->name)) {
        m_nameError->hide();
        return;
    }
    const QString problem = RenameStateCommand::validateName(*m_document, m_id, name);
    m_nameError->setText(problem);
    m_nameError->setVisible(!problem.isEmpty());
    if (problem.isEmpty()) {
        m_document->undoStack()->push(new RenameStateCommand(m_document, m_id, name));
    }
}

void StateInspector::commitIntents() {
    Json intents = Json::object();
    for (const QString& line : m_intents->toPlainText().split(QLatin1Char('\n'))) {
        const qsizetype colon = line.indexOf(QLatin1Char(':'));
        if (colon <= 0) {
            continue;
        }
        Json examples = Json::array();
        for (const QString& phrase : line.mid(colon + 1).split(QLatin1Char('|'))) {
            if (!phrase.trimmed().isEmpty()) {
                examples.push_back(stdstr(phrase.trimmed()));
            }
        }
        intents[stdstr(line.left(colon).trimmed())] = examples;
    }
    applyEdit([&intents](engine::State& s) { s.config["intents"] = intents; }, tr("Edit intents"),
              QStringLiteral("intents"));
}

void StateInspector::checkScript() {
    const std::string script = stdstr(m_script->toPlainText());
    const std::string error = engine::LuaSandbox::checkScript(script);
    m_scriptError->setText(qstr(error));
    m_form->setRowVisible(m_scriptError, !error.empty());
    applyEdit([&script](engine::State& s) { s.config["script"] = script; }, tr("Edit script"),
              QStringLiteral("script"));
}

void StateInspector::commitConfigJson() {
    const engine::State* state = m_document->state(m_id);
    if (!state) {
        return;
    }
    const Json config = Json::parse(stdstr(m_config->toPlainText()), nullptr, false);
    QString problem;
    if (config.is_discarded() || !config.is_object()) {
        problem = tr("Not a JSON object yet — the config is applied when it parses.");
    } else {
        // Let the engine's parser judge the shape, so the document never holds a config it rejects.
        Json probe = {
            {"name", "probe"},
            {"initial_state", state->name},
            {"states",
             {{state->name, {{"type", engine::toString(state->type)}, {"config", config}}}}}};
        const engine::ParseResult parsed = engine::parseFlowJson(probe);
        if (!parsed.ok()) {
            problem = qstr(parsed.diagnostics.front().message);
        }
    }
    m_configError->setText(problem);
    m_configError->setVisible(!problem.isEmpty());
    if (problem.isEmpty()) {
        applyEdit([&config](engine::State& s) { s.config = config; }, tr("Edit config"),
                  QStringLiteral("config-json"));
    }
}

QStringList StateInspector::templateCompletions() const {
    QStringList words{QStringLiteral("user.name"), QStringLiteral("input"),
                      QStringLiteral("intent")};
    for (StateId id : m_document->stateIds()) {
        const engine::State* state = m_document->state(id);
        for (const engine::SlotSpec& slot : engine::slotSpecs(*state)) {
            words << QStringLiteral("slots.") + qstr(slot.name);
        }
        const auto mapping = state->config.find("response_mapping");
        if (mapping != state->config.end() && mapping->is_object()) {
            for (const auto& [key, value] : mapping->items()) {
                words << qstr(key); // already "vars.x" or "slots.x"
            }
        }
    }
    words.removeDuplicates();
    words.sort();
    return words;
}

} // namespace flowdeck::console
