// The integration editor's frame, its one-line template field and the two string maps it edits.
// The rows themselves are in integration_rows.cpp, the body in integration_body.cpp.
#include "widgets/integration_editor.h"

#include "graph/flow_commands.h"

#include "flowdeck/engine/integration_gateway.h"

#include <QCompleter>
#include <QLabel>
#include <QUndoStack>
#include <QVBoxLayout>

namespace flowdeck::console {

using engine::Json;

bool pushConfigEdit(FlowDocument* document, StateId id, const std::string& key,
                    const std::optional<Json>& value, const QString& text,
                    const QString& mergeKey) {
    const engine::State* current = document->state(id);
    if (!current) {
        return false;
    }
    const auto it = current->config.find(key);
    const bool present = it != current->config.end();
    if (value ? present && *it == *value : !present) {
        return false; // nothing changes: no empty undo step
    }
    engine::State after = *current;
    if (value) {
        after.config[key] = *value;
    } else {
        after.config.erase(key);
    }
    document->undoStack()->push(
        new EditStateCommand(document, id, std::move(after), text, mergeKey));
    return true;
}

// --- HeadersEditor ---------------------------------------------------------------------------

namespace {

// A name not yet used in `map`: base, base-2, base-3, ...
std::string unusedKey(const Json& map, const std::string& base, const std::string& separator) {
    std::string key = base;
    for (int n = 2; map.contains(key); ++n) {
        key = base + separator + std::to_string(n);
    }
    return key;
}

} // namespace

HeadersEditor::HeadersEditor(FlowDocument* document, QWidget* parent)
    : KeyValueRows(document, "headers",
                   {tr("Name"), tr("Value (template)"), QStringLiteral("Authorization"),
                    QStringLiteral("Bearer {{vars.token}}"), tr("header"),
                    tr("Add a request header"), true},
                   parent) {}

QString HeadersEditor::valueError(const QString&) const {
    return {}; // any text is a template; unknown {{names}} render empty, as in replies
}

QString HeadersEditor::keyWarning(int row, const QString& key) const {
    for (int earlier = 0; earlier < row; ++earlier) {
        const QString other = keyAt(earlier);
        if (other != key && other.compare(key, Qt::CaseInsensitive) == 0) {
            return tr("Same header as ‘%1’ in row %2: HTTP names ignore case, so the request "
                      "would carry both.")
                .arg(other)
                .arg(earlier + 1);
        }
    }
    static const QString kForbidden = QStringLiteral(" :\t\r\n");
    for (const QChar c : key) {
        if (kForbidden.contains(c)) {
            return tr("Header names cannot contain spaces or ‘:’.");
        }
    }
    return {};
}

std::pair<std::string, std::string> HeadersEditor::newEntry(const Json& current) const {
    return {unusedKey(current, "X-Header", "-"), ""};
}

// --- MappingEditor ---------------------------------------------------------------------------

MappingEditor::MappingEditor(FlowDocument* document, QWidget* parent)
    : KeyValueRows(document, "response_mapping",
                   {tr("Context key"), tr("JSONPath in the response"),
                    QStringLiteral("vars.order_status"), QStringLiteral("$.order.status"),
                    tr("mapping"), tr("Map a value of the response"), false},
                   parent) {}

QString MappingEditor::valueError(const QString& value) const {
    // The engine's own parser judges the path: errors in the path are reported before the
    // document is read, so a "null" document is enough.
    std::string error;
    engine::evaluateJsonPath("null", stdstr(value), &error);
    return qstr(error);
}

QString MappingEditor::keyWarning(int, const QString& key) const {
    // The executor's rule (exec_integration_config.cpp): vars.<name> or slots.<name>, dotted
    // parts non-empty; anything else fails the mapping when the call returns.
    const QStringList parts = key.split(QLatin1Char('.'));
    const bool rootOk =
        parts.front() == QLatin1String("vars") || parts.front() == QLatin1String("slots");
    bool partsOk = parts.size() >= 2;
    for (const QString& part : parts) {
        partsOk = partsOk && !part.isEmpty();
    }
    if (key.isEmpty() || (rootOk && partsOk)) {
        return {};
    }
    return tr("The call stores values under vars. or slots. (e.g. vars.order_status); this "
              "mapping would fail at run time.");
}

std::pair<std::string, std::string> MappingEditor::newEntry(const Json& current) const {
    return {unusedKey(current, "vars.result", "_"), "$"};
}

// --- IntegrationEditor -----------------------------------------------------------------------

namespace {

QLabel* sectionLabel(const QString& text) {
    auto* label = new QLabel(text);
    label->setWordWrap(true);
    return label;
}

} // namespace

IntegrationEditor::IntegrationEditor(FlowDocument* document, QWidget* parent)
    : QWidget(parent)
    , m_headers(new HeadersEditor(document))
    , m_body(new BodyEditor(document))
    , m_mapping(new MappingEditor(document)) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(sectionLabel(tr("Request headers (values are templates: type {{)")));
    layout->addWidget(m_headers);
    layout->addWidget(sectionLabel(tr("Request body")));
    layout->addWidget(m_body);
    layout->addWidget(sectionLabel(tr("Response mapping: where each value of the response goes")));
    layout->addWidget(m_mapping);
}

void IntegrationEditor::setState(StateId id) {
    m_headers->setState(id);
    m_body->setState(id);
    m_mapping->setState(id);
}

void IntegrationEditor::setCompletions(const QStringList& words) {
    m_headers->setCompletions(words);
    m_body->setCompletions(words);
}

} // namespace flowdeck::console
