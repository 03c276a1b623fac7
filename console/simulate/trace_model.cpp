#include "simulate/trace_model.h"

#include "graph/graph_style.h"

#include <QCoreApplication>
#include <QFont>

namespace flowdeck::console {

using engine::Json;
using engine::TraceKind;

namespace {

// A message's trace is bounded by the engine (transitions per message, 4 KiB traced bodies),
// but a deeply nested mapping or a big array in a slot could still make thousands of rows.
constexpr int kMaxRowsPerEvent = 400;
constexpr int kMaxDepth = 8;
constexpr size_t kMaxArrayItems = 100;
constexpr int kMaxCellChars = 160;
constexpr int kMaxTooltipChars = 4000;

QString trModel(const char* text) {
    return QCoreApplication::translate("flowdeck::console::TraceModel", text);
}

// The field of an event's data, or null: data written by another engine version may differ.
Json fieldOf(const Json& data, const char* key) {
    if (!data.is_object()) {
        return {};
    }
    const auto it = data.find(key);
    return it == data.end() ? Json() : *it;
}

QString qstrOf(const std::string& text) {
    return QString::fromUtf8(text.data(), qsizetype(text.size()));
}

QString elided(const QString& text, int limit) {
    QString flat = text;
    flat.replace(QLatin1Char('\n'), QStringLiteral(" ⏎ "));
    return flat.size() <= limit ? flat : flat.left(limit) + QStringLiteral("…");
}

// A string that is itself a JSON document (a request or response body) is shown as a tree.
bool parseEmbedded(const std::string& text, Json* out) {
    const size_t first = text.find_first_not_of(" \t\r\n");
    if (first == std::string::npos || (text[first] != '{' && text[first] != '[')) {
        return false;
    }
    *out = Json::parse(text, nullptr, false);
    return !out->is_discarded() && !out->empty();
}

QString scalarText(const Json& value) {
    if (value.is_string()) {
        const std::string& s = value.get_ref<const std::string&>();
        return s.empty() ? QStringLiteral("\"\"") : qstrOf(s);
    }
    return qstrOf(value.dump(-1, ' ', false, Json::error_handler_t::replace));
}

QString containerText(const Json& value) {
    const int n = int(value.size());
    if (value.is_object()) {
        return n == 1 ? trModel("{1 key}") : trModel("{%1 keys}").arg(n);
    }
    return n == 1 ? trModel("[1 item]") : trModel("[%1 items]").arg(n);
}

} // namespace

TraceModel::TraceModel(QObject* parent)
    : QAbstractItemModel(parent) {}

QString TraceModel::kindLabel(TraceKind kind) {
    switch (kind) {
    case TraceKind::MessageReceived:
        return tr("message");
    case TraceKind::StateEntered:
        return tr("entered");
    case TraceKind::ConditionEvaluated:
        return tr("condition");
    case TraceKind::TransitionTaken:
        return tr("took transition");
    case TraceKind::TemplateRendered:
        return tr("rendered");
    case TraceKind::IntentClassified:
        return tr("intent");
    case TraceKind::SlotExtracted:
        return tr("slot");
    case TraceKind::IntegrationCall:
        return tr("integration call");
    case TraceKind::ScriptRun:
        return tr("script");
    case TraceKind::Waiting:
        return tr("waiting");
    case TraceKind::Error:
        return tr("error");
    }
    return tr("step");
}

QString TraceModel::formatDuration(int64_t us) {
    if (us > 0 && us < 10) {
        return tr("<0.01 ms"); // not "0.00 ms": it did take time
    }
    if (us >= 1000000) {
        return tr("%1 s").arg(double(us) / 1e6, 0, 'f', 2);
    }
    return tr("%1 ms").arg(double(us) / 1000.0, 0, 'f', 2);
}

QColor TraceModel::mutedColor() {
    return QColor(0x6b, 0x72, 0x80);
}

void TraceModel::setTrace(const engine::Trace& trace) {
    beginResetModel();
    m_trace = trace;
    m_nodes.assign(m_trace.size(), Node{});
    m_tones.assign(m_trace.size(), Tone::Normal);
    m_haystack.assign(m_trace.size(), QString());
    for (int i = 0; i < int(m_trace.size()); ++i) {
        m_nodes[size_t(i)].row = i;
        m_nodes[size_t(i)].event = i;
        buildEvent(i);
    }
    endResetModel();
}

void TraceModel::clear() {
    setTrace({});
}

int64_t TraceModel::totalUs() const {
    int64_t end = 0;
    for (const auto& event : m_trace) {
        end = std::max(end, event.startUs + event.durationUs);
    }
    return end;
}

bool TraceModel::eventMatches(int event, const QString& text) const {
    if (event < 0 || event >= int(m_haystack.size())) {
        return false;
    }
    return text.isEmpty() || m_haystack[size_t(event)].contains(text.toLower());
}

void TraceModel::buildEvent(int event) {
    const engine::TraceEvent& e = m_trace[size_t(event)];
    m_budget = kMaxRowsPerEvent;
    Json data;
    if (!e.data.empty()) {
        data = Json::parse(e.data, nullptr, false);
    }
    if (data.is_discarded()) {
        addNode(event, event, tr("data: %1").arg(elided(qstrOf(e.data), kMaxCellChars)),
                qstrOf(e.data).left(kMaxTooltipChars));
    } else if (data.is_object()) {
        for (const auto& [key, value] : data.items()) {
            addValue(event, event, qstrOf(key), value, 0);
        }
    } else if (!data.is_null()) {
        addValue(event, event, tr("data"), data, 0);
    }
    Tone tone = Tone::Normal;
    if (e.kind == TraceKind::Error) {
        tone = Tone::Error;
    } else if (e.kind == TraceKind::ConditionEvaluated && fieldOf(data, "result") == false) {
        tone = Tone::Muted;
    } else if (e.kind == TraceKind::IntegrationCall && fieldOf(data, "outcome").is_string() &&
               fieldOf(data, "outcome") != "success") {
        tone = Tone::Warning;
    }
    m_tones[size_t(event)] = tone;
    QString haystack = kindLabel(e.kind) + QLatin1Char('\n') + qstrOf(e.state) + QLatin1Char('\n') +
                       qstrOf(e.detail);
    QList<int> pending(m_nodes[size_t(event)].children.begin(),
                       m_nodes[size_t(event)].children.end());
    while (!pending.isEmpty()) {
        const Node& node = m_nodes[size_t(pending.takeLast())];
        haystack += QLatin1Char('\n') + node.text + QLatin1Char('\n') + node.full;
        pending.append(QList<int>(node.children.begin(), node.children.end()));
    }
    m_haystack[size_t(event)] = haystack.toLower();
}

int TraceModel::addNode(int parent, int event, QString text, QString full) {
    Node node;
    node.parent = parent;
    node.event = event;
    node.row = int(m_nodes[size_t(parent)].children.size());
    node.text = std::move(text);
    node.full = std::move(full);
    m_nodes.push_back(std::move(node));
    const int index = int(m_nodes.size()) - 1;
    m_nodes[size_t(parent)].children.push_back(index);
    --m_budget;
    return index;
}

void TraceModel::addValue(int parent, int event, const QString& key, const Json& value, int depth) {
    if (m_budget <= 0) {
        return;
    }
    Json embedded;
    const bool isEmbedded = value.is_string() && depth < kMaxDepth &&
                            parseEmbedded(value.get_ref<const std::string&>(), &embedded);
    const Json& shown = isEmbedded ? embedded : value;
    if (!shown.is_structured() || shown.empty() || depth >= kMaxDepth) {
        const QString text =
            shown.is_structured() && !shown.empty()
                ? qstrOf(shown.dump(-1, ' ', false, Json::error_handler_t::replace))
                : scalarText(shown);
        addNode(parent, event, key + QStringLiteral(": ") + elided(text, kMaxCellChars),
                text.left(kMaxTooltipChars));
        return;
    }
    QString summary = containerText(shown);
    if (isEmbedded) {
        summary += QLatin1Char(' ') + tr("(JSON text)");
    }
    const int node = addNode(parent, event, key + QStringLiteral(": ") + summary, QString());
    if (shown.is_object()) {
        for (const auto& [childKey, child] : shown.items()) {
            addValue(node, event, qstrOf(childKey), child, depth + 1);
        }
        return;
    }
    for (size_t i = 0; i < shown.size() && i < kMaxArrayItems; ++i) {
        addValue(node, event, QStringLiteral("[%1]").arg(i), shown[i], depth + 1);
    }
    if (shown.size() > kMaxArrayItems && m_budget > 0) {
        addNode(node, event, tr("… %1 more items").arg(shown.size() - kMaxArrayItems), QString());
    }
}

QModelIndex TraceModel::index(int row, int column, const QModelIndex& parent) const {
    if (row < 0 || column < 0 || column >= ColumnCount) {
        return {};
    }
    if (!parent.isValid()) {
        return row < int(m_trace.size()) ? createIndex(row, column, quintptr(row)) : QModelIndex();
    }
    const Node& node = m_nodes[size_t(parent.internalId())];
    if (parent.column() != 0 || row >= int(node.children.size())) {
        return {};
    }
    return createIndex(row, column, quintptr(node.children[size_t(row)]));
}

QModelIndex TraceModel::parent(const QModelIndex& child) const {
    if (!child.isValid()) {
        return {};
    }
    const int parent = m_nodes[size_t(child.internalId())].parent;
    return parent < 0 ? QModelIndex()
                      : createIndex(m_nodes[size_t(parent)].row, 0, quintptr(parent));
}

int TraceModel::rowCount(const QModelIndex& parent) const {
    if (!parent.isValid()) {
        return int(m_trace.size());
    }
    return parent.column() == 0 ? int(m_nodes[size_t(parent.internalId())].children.size()) : 0;
}

int TraceModel::columnCount(const QModelIndex&) const {
    return ColumnCount;
}

QVariant TraceModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid()) {
        return {};
    }
    const Node& node = m_nodes[size_t(index.internalId())];
    const engine::TraceEvent& event = m_trace[size_t(node.event)];
    switch (role) {
    case StateRole:
        return qstrOf(event.state);
    case TransitionRole:
        return event.transition;
    case KindRole:
        return int(event.kind);
    case EventRole:
        return node.event;
    case IsEventRole:
        return node.parent < 0;
    default:
        break;
    }
    if (node.parent < 0) {
        return eventData(node.event, index.column(), role);
    }
    if (role == Qt::ForegroundRole && m_tones[size_t(node.event)] == Tone::Muted) {
        return mutedColor();
    }
    if (index.column() != 0) {
        return {};
    }
    if (role == Qt::DisplayRole) {
        return node.text;
    }
    if (role == Qt::ToolTipRole && !node.full.isEmpty() && node.full != node.text) {
        return node.full;
    }
    return {};
}

QString TraceModel::eventText(int event, int column) const {
    const engine::TraceEvent& e = m_trace[size_t(event)];
    switch (column) {
    case TimeColumn:
        return QStringLiteral("+") + formatDuration(e.startUs);
    case StepColumn:
        return kindLabel(e.kind);
    case StateColumn:
        return qstrOf(e.state);
    case DetailColumn:
        return qstrOf(e.detail);
    case DurationColumn:
        return e.durationUs > 0 ? formatDuration(e.durationUs) : QString();
    default:
        return {};
    }
}

QVariant TraceModel::eventData(int event, int column, int role) const {
    switch (role) {
    case Qt::DisplayRole:
        return column == DetailColumn ? elided(eventText(event, column), 400)
                                      : eventText(event, column);
    case Qt::ToolTipRole:
        return column == DetailColumn ? eventText(event, column).left(kMaxTooltipChars)
                                      : QVariant();
    case Qt::ForegroundRole:
        switch (m_tones[size_t(event)]) {
        case Tone::Error:
            return graph_style::errorColor();
        case Tone::Warning:
            return graph_style::warningColor();
        case Tone::Muted:
            return mutedColor();
        case Tone::Normal:
            break;
        }
        return {};
    case Qt::FontRole:
        if (m_trace[size_t(event)].kind == TraceKind::TransitionTaken ||
            m_tones[size_t(event)] == Tone::Error) {
            QFont font;
            font.setBold(true);
            return font;
        }
        return {};
    case Qt::TextAlignmentRole:
        return column == TimeColumn || column == DurationColumn
                   ? QVariant(int(Qt::AlignRight | Qt::AlignVCenter))
                   : QVariant();
    default:
        return {};
    }
}

QVariant TraceModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
        return {};
    }
    switch (section) {
    case TimeColumn:
        return tr("Time");
    case StepColumn:
        return tr("Step");
    case StateColumn:
        return tr("State");
    case DetailColumn:
        return tr("Detail");
    case DurationColumn:
        return tr("Duration");
    default:
        return {};
    }
}

} // namespace flowdeck::console
