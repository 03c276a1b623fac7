#include "simulate/stubs_panel.h"

#include "graph/graph_style.h"
#include "models/flow_document.h"

#include "flowdeck/engine/stub_file.h"

#include <QComboBox>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPlainTextEdit>
#include <QSpinBox>
#include <QTableWidget>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>

namespace flowdeck::console {

using engine::Json;

namespace {

// The kinds in the order of the combo box; the first is the stub file's default.
const char* const kKinds[] = {"success", "failure", "slow", "timeout", "live"};
constexpr int kMaxDelayMs = 600000; // engine::loadStubs accepts up to ten minutes
constexpr int kMaxSequence = 100;
constexpr int kDefaultSlowMs = 1000;

Json defaultResponse() {
    return {{"kind", "success"}, {"status", 200}, {"body", Json::object()}};
}

std::string kindOf(const Json& response) {
    const auto it = response.find("kind");
    return it != response.end() && it->is_string() ? it->get<std::string>() : "success";
}

int intField(const Json& response, const char* key, int fallback) {
    const auto it = response.find(key);
    return it != response.end() && it->is_number_integer() ? it->get<int>() : fallback;
}

QString bodyText(const Json& response) {
    const auto it = response.find("body");
    if (it == response.end()) {
        return QStringLiteral("{}");
    }
    return qstr(it->dump(2, ' ', false, Json::error_handler_t::replace));
}

// nlohmann's messages start with "[json.exception.parse_error.101] "; the rest is readable.
QString parserMessage(const char* what) {
    QString text = QString::fromUtf8(what);
    const qsizetype bracket = text.indexOf(QLatin1String("] "));
    return text.startsWith(QLatin1Char('[')) && bracket > 0 ? text.mid(bracket + 2) : text;
}

} // namespace

StubsPanel::StubsPanel(QWidget* parent)
    : QWidget(parent)
    , m_summary(new QLabel)
    , m_table(new QTableWidget(0, ColumnCount))
    , m_addCall(new QToolButton)
    , m_removeCall(new QToolButton)
    , m_bodyLabel(new QLabel)
    , m_body(new QPlainTextEdit)
    , m_bodyError(new QLabel) {
    m_summary->setWordWrap(true);
    m_table->setHorizontalHeaderLabels({tr("Integration"), tr("Kind"), tr("Status"), tr("Delay")});
    m_table->horizontalHeader()->setSectionResizeMode(NameColumn, QHeaderView::Stretch);
    m_table->setColumnWidth(KindColumn, 104);
    m_table->setColumnWidth(StatusColumn, 72);
    m_table->setColumnWidth(DelayColumn, 96);
    m_table->verticalHeader()->hide();
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_addCall->setText(tr("Add call"));
    m_addCall->setToolTip(tr("Answer the next call differently: adds a response to the "
                             "selected integration's sequence"));
    m_removeCall->setText(tr("Remove call"));
    m_body->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_body->setPlaceholderText(QStringLiteral("{ \"order\": { \"status\": \"shipped\" } }"));
    m_bodyError->setWordWrap(true);
    m_bodyError->setStyleSheet(QStringLiteral("color: %1;").arg(graph_style::errorColor().name()));
    m_bodyError->hide();

    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_addCall);
    buttons->addWidget(m_removeCall);
    buttons->addStretch();
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(m_summary);
    layout->addWidget(m_table, 3);
    layout->addLayout(buttons);
    layout->addWidget(m_bodyLabel);
    layout->addWidget(m_body, 2);
    layout->addWidget(m_bodyError);

    connect(m_table, &QTableWidget::currentCellChanged, this, [this](int row) { showBody(row); });
    connect(m_body, &QPlainTextEdit::textChanged, this, &StubsPanel::onBodyEdited);
    connect(m_addCall, &QToolButton::clicked, this, &StubsPanel::addCall);
    connect(m_removeCall, &QToolButton::clicked, this, &StubsPanel::removeCall);
    rebuild(-1);
}

QStringList StubsPanel::integrationNames(const engine::Flow& flow) {
    QStringList names;
    for (const engine::State& state : flow.states) {
        if (state.type != engine::StateType::Integration) {
            continue;
        }
        const auto it = state.config.find("integration");
        const QString name = it != state.config.end() && it->is_string() && !it->empty()
                                 ? qstr(it->get<std::string>())
                                 : qstr(state.name);
        if (!name.isEmpty() && !names.contains(name)) {
            names << name;
        }
    }
    return names;
}

void StubsPanel::setIntegrations(const QStringList& names, const Json& stubs) {
    m_integrations.clear();
    m_replaced.clear();
    m_stubOrder.clear();
    for (const QString& name : names) {
        m_integrations.push_back({name, true, false, {defaultResponse()}});
    }
    const Json& given = stubs.is_object() ? stubs : Json::object();
    for (const auto& [key, value] : given.items()) {
        m_stubOrder.push_back(key);
        auto it = std::find_if(m_integrations.begin(), m_integrations.end(),
                               [&](const Integration& i) { return i.name == qstr(key); });
        if (it == m_integrations.end()) {
            m_integrations.push_back({qstr(key), false, false, {}});
            it = m_integrations.end() - 1;
        }
        it->sequence = value.is_array() && !value.empty();
        it->responses =
            it->sequence ? std::vector<Json>(value.begin(), value.end()) : std::vector<Json>{value};
        // The table edits fields of an object; anything else could not be loaded anyway.
        for (Json& response : it->responses) {
            if (!response.is_object()) {
                response = defaultResponse();
                m_replaced << qstr(key);
            }
        }
    }
    rebuild(0);
}

Json StubsPanel::stubsJson() const {
    Json out = Json::object();
    const auto put = [&out](const Integration& i) {
        out[stdstr(i.name)] = i.sequence ? Json(i.responses) : i.responses.front();
    };
    for (const std::string& key : m_stubOrder) {
        for (const Integration& i : m_integrations) {
            if (stdstr(i.name) == key) {
                put(i);
            }
        }
    }
    for (const Integration& i : m_integrations) {
        if (!out.contains(stdstr(i.name))) {
            put(i);
        }
    }
    return out;
}

std::vector<engine::Diagnostic> StubsPanel::applyTo(engine::StubGateway& gateway) const {
    return engine::loadStubs(stubsJson().dump(), gateway);
}

QString StubsPanel::bodyError() const {
    return !m_bodyError->isHidden() ? m_bodyError->text() : QString();
}

QString StubsPanel::summary() const {
    return m_summary->text();
}

int StubsPanel::rowOf(const QString& integration, int call) const {
    for (int row = 0; row < int(m_rows.size()); ++row) {
        const Row& r = m_rows[size_t(row)];
        if (m_integrations[size_t(r.integration)].name == integration && r.call == call) {
            return row;
        }
    }
    return -1;
}

QComboBox* StubsPanel::kindBox(int row) const {
    return qobject_cast<QComboBox*>(m_table->cellWidget(row, KindColumn));
}

QSpinBox* StubsPanel::statusBox(int row) const {
    return qobject_cast<QSpinBox*>(m_table->cellWidget(row, StatusColumn));
}

QSpinBox* StubsPanel::delayBox(int row) const {
    return qobject_cast<QSpinBox*>(m_table->cellWidget(row, DelayColumn));
}

void StubsPanel::selectRow(int row) {
    m_table->setCurrentCell(row, NameColumn);
}

Json& StubsPanel::response(int row) {
    const Row& r = m_rows[size_t(row)];
    return m_integrations[size_t(r.integration)].responses[size_t(r.call)];
}

const Json& StubsPanel::response(int row) const {
    const Row& r = m_rows[size_t(row)];
    return m_integrations[size_t(r.integration)].responses[size_t(r.call)];
}

void StubsPanel::rebuild(int select) {
    const int current = std::max(0, select);
    m_updating = true;
    m_rows.clear();
    for (int i = 0; i < int(m_integrations.size()); ++i) {
        for (int call = 0; call < int(m_integrations[size_t(i)].responses.size()); ++call) {
            m_rows.push_back({i, call});
        }
    }
    m_table->clearContents();
    m_table->setRowCount(int(m_rows.size()));
    for (int row = 0; row < int(m_rows.size()); ++row) {
        addRowWidgets(row);
    }
    m_updating = false;
    m_table->setCurrentCell(m_rows.empty() ? -1 : std::min(current, int(m_rows.size()) - 1),
                            NameColumn);
    showBody(m_table->currentRow());
    updateSummary();
}

void StubsPanel::addRowWidgets(int row) {
    const Json& r = response(row);
    auto* kind = new QComboBox;
    const QString labels[] = {tr("Success"), tr("Failure"), tr("Slow"), tr("Timeout"), tr("Live")};
    for (int k = 0; k < int(std::size(kKinds)); ++k) {
        kind->addItem(labels[k], QString::fromLatin1(kKinds[k]));
    }
    kind->setCurrentIndex(std::max(0, kind->findData(qstr(kindOf(r)))));
    auto* status = new QSpinBox;
    status->setRange(100, 599);
    status->setValue(intField(r, "status", 200));
    auto* delay = new QSpinBox;
    delay->setRange(0, kMaxDelayMs);
    delay->setSingleStep(100);
    delay->setSuffix(tr(" ms"));
    delay->setValue(intField(r, "delay_ms", 0));
    m_table->setItem(row, NameColumn, new QTableWidgetItem);
    m_table->setCellWidget(row, KindColumn, kind);
    m_table->setCellWidget(row, StatusColumn, status);
    m_table->setCellWidget(row, DelayColumn, delay);
    styleRow(row);
    connect(kind, &QComboBox::currentIndexChanged, this, [this, row] { onKindChanged(row); });
    connect(status, &QSpinBox::valueChanged, this,
            [this, row](int value) { edit(row, "status", value); });
    connect(delay, &QSpinBox::valueChanged, this,
            [this, row](int value) { edit(row, "delay_ms", value); });
}

// Name text, colours and which fields apply, from the row's current kind.
void StubsPanel::styleRow(int row) {
    const Row& r = m_rows[size_t(row)];
    const Integration& integration = m_integrations[size_t(r.integration)];
    const std::string kind = kindOf(response(row));
    QTableWidgetItem* name = m_table->item(row, NameColumn);
    QString text = integration.name;
    QString tip;
    if (integration.sequence) {
        const bool last = r.call + 1 == int(integration.responses.size());
        text +=
            last ? tr(" · call %1 and later").arg(r.call + 1) : tr(" · call %1").arg(r.call + 1);
        tip = tr("Calls are answered in order; the last response repeats.");
    }
    QFont font = m_table->font();
    QColor colour = palette().color(QPalette::Text);
    if (!integration.used) {
        font.setItalic(true);
        colour = palette().color(QPalette::PlaceholderText);
        tip = tr("Not used by this flow");
    }
    if (kind == "live") {
        font.setBold(true);
        colour = graph_style::warningColor();
        tip = tr("Live: calls the real endpoint");
    }
    name->setText(text);
    name->setFont(font);
    name->setForeground(colour);
    name->setToolTip(tip);
    kindBox(row)->setToolTip(kind == "live" ? tip : QString());
    statusBox(row)->setEnabled(kind == "success" || kind == "failure" || kind == "slow");
    delayBox(row)->setEnabled(kind == "slow");
}

void StubsPanel::onKindChanged(int row) {
    if (m_updating) {
        return;
    }
    const std::string kind = stdstr(kindBox(row)->currentData().toString());
    Json& r = response(row);
    r["kind"] = kind;
    // A failure left at 200 would still fail (the gateway makes it a 500), but the table would
    // claim 200; keep the status honest the other way round too.
    const int status = intField(r, "status", 200);
    const int wanted = kind == "failure" && status < 400                        ? 500
                       : (kind == "success" || kind == "slow") && status >= 400 ? 200
                                                                                : status;
    m_updating = true;
    if (wanted != status) {
        r["status"] = wanted;
        statusBox(row)->setValue(wanted);
    }
    if (kind == "slow" && intField(r, "delay_ms", 0) == 0) {
        r["delay_ms"] = kDefaultSlowMs; // a slow answer with no delay would just be a success
        delayBox(row)->setValue(kDefaultSlowMs);
    }
    m_updating = false;
    styleRow(row);
    updateSummary();
    if (row == m_bodyRow) {
        showBody(row);
    }
    Q_EMIT changed();
}

void StubsPanel::edit(int row, const char* field, const Json& value) {
    if (m_updating) {
        return;
    }
    response(row)[field] = value;
    Q_EMIT changed();
}

void StubsPanel::showBody(int row) {
    m_bodyRow = row >= 0 && row < int(m_rows.size()) ? row : -1;
    m_updating = true;
    m_body->setPlainText(m_bodyRow < 0 ? QString() : bodyText(response(m_bodyRow)));
    m_updating = false;
    m_bodyError->hide();
    m_addCall->setEnabled(m_bodyRow >= 0);
    m_removeCall->setEnabled(
        m_bodyRow >= 0 &&
        m_integrations[size_t(m_rows[size_t(m_bodyRow)].integration)].responses.size() > 1);
    if (m_bodyRow < 0) {
        m_bodyLabel->setText(tr("Select an integration to edit its response body"));
        m_body->setEnabled(false);
        return;
    }
    const std::string kind = kindOf(response(m_bodyRow));
    const bool hasBody = kind != "timeout" && kind != "live";
    m_body->setEnabled(hasBody);
    const QString name = m_table->item(m_bodyRow, NameColumn)->text();
    m_bodyLabel->setText(hasBody ? tr("Response body of %1 (JSON)").arg(name)
                                 : tr("%1 answers no body: it is a %2 stub").arg(name, qstr(kind)));
}

void StubsPanel::onBodyEdited() {
    if (m_updating || m_bodyRow < 0) {
        return;
    }
    const std::string text = stdstr(m_body->toPlainText());
    QString problem;
    Json body;
    if (text.size() > size_t(kMaxBodyBytes)) {
        problem = tr("The body is larger than 1 MiB; it was not applied.");
    } else {
        try {
            body = Json::parse(text);
        } catch (const Json::exception& e) {
            problem = tr("Not applied: %1").arg(parserMessage(e.what()));
        }
    }
    m_bodyError->setText(problem);
    m_bodyError->setVisible(!problem.isEmpty());
    if (problem.isEmpty()) {
        edit(m_bodyRow, "body", body);
    }
}

void StubsPanel::addCall() {
    if (m_bodyRow < 0) {
        return;
    }
    const Row r = m_rows[size_t(m_bodyRow)];
    Integration& integration = m_integrations[size_t(r.integration)];
    if (int(integration.responses.size()) >= kMaxSequence) {
        return;
    }
    integration.sequence = true;
    integration.responses.insert(integration.responses.begin() + r.call + 1,
                                 integration.responses[size_t(r.call)]);
    rebuild(m_bodyRow + 1);
    Q_EMIT changed();
}

void StubsPanel::removeCall() {
    if (m_bodyRow < 0) {
        return;
    }
    const Row r = m_rows[size_t(m_bodyRow)];
    Integration& integration = m_integrations[size_t(r.integration)];
    if (integration.responses.size() <= 1) {
        return;
    }
    integration.responses.erase(integration.responses.begin() + r.call);
    rebuild(std::max(0, m_bodyRow - 1));
    Q_EMIT changed();
}

void StubsPanel::updateSummary() {
    int live = 0;
    for (const Integration& integration : m_integrations) {
        for (const Json& r : integration.responses) {
            live += kindOf(r) == "live" ? 1 : 0;
        }
    }
    if (m_integrations.empty()) {
        m_summary->setText(tr("This flow calls no integrations."));
    } else if (live == 0) {
        m_summary->setText((m_integrations.size() == 1
                                ? tr("1 integration stubbed; no real endpoint is called.")
                                : tr("%1 integrations stubbed; no real endpoint is called.")
                                      .arg(m_integrations.size())));
    } else {
        m_summary->setText((
            live == 1 ? tr("1 live response: the simulator calls the real endpoint.")
                      : tr("%1 live responses: the simulator calls the real endpoint.").arg(live)));
    }
    if (!m_replaced.isEmpty()) {
        m_summary->setText(m_summary->text() + QLatin1Char(' ') +
                           tr("Stubs that were not objects were replaced by success, 200, {}: %1.")
                               .arg(m_replaced.join(QStringLiteral(", "))));
    }
    QPalette palette = m_summary->palette();
    palette.setColor(QPalette::WindowText,
                     live ? graph_style::warningColor() : this->palette().color(QPalette::Text));
    m_summary->setPalette(palette);
}

} // namespace flowdeck::console
