#include "clusters/event_log_model.h"
#include "widgets/theme_colors.h"

#include <QBrush>
#include <QColor>

#include <algorithm>
#include <array>
#include <cstdlib>

namespace flowdeck::console {

namespace {

QString fromView(std::string_view text) {
    return QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size()));
}

struct CategoryText {
    const char* name;
    const char* label;
};

constexpr std::array<CategoryText, static_cast<std::size_t>(EventCategory::Count)> kCategories = {{
    {"ERROR", QT_TRANSLATE_NOOP("EventLogModel", "Errors")},
    {"CIRCUIT_BREAK", QT_TRANSLATE_NOOP("EventLogModel", "Circuit breaks")},
    {"ROLLOUT", QT_TRANSLATE_NOOP("EventLogModel", "Rollout steps")},
    {"NODE_UP", QT_TRANSLATE_NOOP("EventLogModel", "Node up")},
    {"NODE_DOWN", QT_TRANSLATE_NOOP("EventLogModel", "Node down")},
    {"ALERT_FIRING", QT_TRANSLATE_NOOP("EventLogModel", "Other alerts")},
    {"ALERT_RESOLVED", QT_TRANSLATE_NOOP("EventLogModel", "Alerts resolved")},
    {"FAULT", QT_TRANSLATE_NOOP("EventLogModel", "Faults")},
    {"CAPTURE", QT_TRANSLATE_NOOP("EventLogModel", "Captures")},
    {"OTHER", QT_TRANSLATE_NOOP("EventLogModel", "Other")},
}};

// "EngineError code=STATE_ERROR flow=orders …": what the tooltip shows and the filter searches.
QString detailOf(const client::ClusterEvent& event) {
    QStringList parts;
    if (!event.alertName.empty()) {
        parts << QString::fromStdString(event.alertName);
    }
    for (const auto& [key, value] : event.labels) {
        if (!value.empty()) {
            parts << QString::fromStdString(key) + QLatin1Char('=') + QString::fromStdString(value);
        }
    }
    if (!event.subjectAddress.empty()) {
        parts << QString::fromStdString(event.subjectAddress);
    }
    if (!event.reason.empty()) {
        parts << QString::fromStdString(event.reason);
    }
    return parts.join(QLatin1Char(' '));
}

QString severityText(client::EventSeverity severity) {
    return severity == client::EventSeverity::Unspecified ? QString()
                                                          : fromView(toString(severity)).toLower();
}

} // namespace

EventCategory categoryOf(const client::ClusterEvent& event) {
    switch (event.kind) {
    case client::EventKind::AlertFiring: {
        if (event.alertName != "EngineError") {
            return EventCategory::Alert;
        }
        const auto code = event.labels.find("code");
        return code != event.labels.end() && code->second == "CIRCULAR_TRANSITION"
                   ? EventCategory::CircuitBreak
                   : EventCategory::Error;
    }
    case client::EventKind::AlertResolved:
        return EventCategory::AlertResolved;
    case client::EventKind::Release:
        return EventCategory::Rollout;
    case client::EventKind::NodeUp:
        return EventCategory::NodeUp;
    case client::EventKind::NodeDown:
        return EventCategory::NodeDown;
    case client::EventKind::Fault:
        return EventCategory::Fault;
    case client::EventKind::Capture:
        return EventCategory::Capture;
    case client::EventKind::Unspecified:
        break;
    }
    return EventCategory::Other;
}

QString categoryName(EventCategory category) {
    return QString::fromLatin1(kCategories[static_cast<std::size_t>(category)].name);
}

QString categoryLabel(EventCategory category) {
    return EventLogModel::tr(kCategories[static_cast<std::size_t>(category)].label);
}

EventLogModel::EventLogModel(int capacity, QObject* parent)
    : QAbstractTableModel(parent)
    , m_capacity(std::max(capacity, 1)) {}

void EventLogModel::add(const client::ClusterEvent& event) {
    const QString entryId = QString::fromStdString(event.releaseEntryId);
    if (!entryId.isEmpty() && std::any_of(m_rows.cbegin(), m_rows.cend(), [&](const Row& row) {
            return row.releaseEntryId == entryId;
        })) {
        return; // the same release step, reported by another node (or replayed on reconnect)
    }
    const QDateTime time = QDateTime::fromMSecsSinceEpoch(
        std::chrono::duration_cast<std::chrono::milliseconds>(event.time.time_since_epoch())
            .count());
    const EventCategory category = categoryOf(event);
    const bool nodeChange =
        category == EventCategory::NodeUp || category == EventCategory::NodeDown;
    const QString subject = nodeChange ? QString::fromStdString(event.subjectNodeId) : QString();
    if (!subject.isEmpty() && foldIntoSameChange(event, category, subject, time)) {
        return;
    }
    Row row;
    row.releaseEntryId = entryId;
    row.subject = subject;
    row.time = time;
    row.node = QString::fromStdString(event.nodeId);
    row.category = category;
    row.wireKind = fromView(client::toString(event.kind));
    row.summary = QString::fromStdString(event.summary);
    row.detail = detailOf(event);
    row.severity = event.severity;
    if (m_rows.size() >= m_capacity) {
        const int last = static_cast<int>(m_rows.size()) - 1;
        beginRemoveRows({}, last, last);
        m_rows.removeLast();
        endRemoveRows();
    }
    beginInsertRows({}, 0, 0);
    m_rows.prepend(std::move(row));
    endInsertRows();
    noteNode(m_rows.front().node);
}

bool EventLogModel::foldIntoSameChange(const client::ClusterEvent& event, EventCategory category,
                                       const QString& subject, const QDateTime& time) {
    // Only node changes have a subject, so these are the rows about this node's state: few.
    QList<Row*> about;
    for (Row& row : m_rows) {
        if (row.subject == subject) {
            about << &row;
        }
    }
    // The same change is a row of the same kind close in time with no change of the other kind
    // between the two, by the events' own times rather than the order they arrive in (each node
    // replays its events on connect, so one node's NODE_UP can arrive after another's
    // NODE_DOWN). A node that flaps shows every down and up.
    Row* same = nullptr;
    qint64 closest = kSameChangeWindowMs + 1;
    for (Row* candidate : about) {
        const qint64 apart = std::abs(candidate->time.msecsTo(time));
        if (candidate->category != category || apart >= closest) {
            continue;
        }
        const auto [from, to] = std::minmax(candidate->time, time);
        const bool changedBetween = std::any_of(about.cbegin(), about.cend(), [&](const Row* row) {
            return row->category != category && row->time > from && row->time < to;
        });
        if (!changedBetween) {
            same = candidate;
            closest = apart;
        }
    }
    if (same == nullptr) {
        return false;
    }
    const QString reporter = QString::fromStdString(event.nodeId);
    if (reporter != same->node && !reporter.isEmpty() && !same->alsoReportedBy.contains(reporter)) {
        same->alsoReportedBy << reporter;
        const int row = static_cast<int>(same - m_rows.data());
        Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
    }
    noteNode(reporter);
    return true;
}

void EventLogModel::noteNode(const QString& node) {
    if (node.isEmpty() || m_nodes.size() >= kMaxNodes || m_nodes.contains(node)) {
        return;
    }
    m_nodes.append(node);
    Q_EMIT nodeSeen(node);
}

void EventLogModel::clear() {
    beginResetModel();
    m_rows.clear();
    endResetModel();
}

int EventLogModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int EventLogModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant EventLogModel::display(const Row& row, int column) const {
    switch (column) {
    case Time:
        return row.time.toLocalTime().toString(QStringLiteral("HH:mm:ss"));
    case Node:
        return row.node;
    case Kind:
        return categoryName(row.category);
    case Severity:
        return severityText(row.severity);
    case Summary:
        return row.summary;
    default:
        return {};
    }
}

QString EventLogModel::detailText(const Row& row) {
    if (row.alsoReportedBy.isEmpty()) {
        return row.detail;
    }
    const QString also =
        tr("also reported by %1").arg(row.alsoReportedBy.join(QStringLiteral(", ")));
    return row.detail.isEmpty() ? also : row.detail + QLatin1Char('\n') + also;
}

QVariant EventLogModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= m_rows.size()) {
        return {};
    }
    const Row& row = m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        return display(row, index.column());
    case Qt::ToolTipRole:
        if (index.column() == Kind || index.column() == Summary) {
            const QString head = row.wireKind + QStringLiteral(" · ") +
                                 row.time.toLocalTime().toString(Qt::ISODateWithMs);
            const QString detail = detailText(row);
            return detail.isEmpty()
                       ? head + QLatin1Char('\n') + row.summary
                       : head + QLatin1Char('\n') + row.summary + QLatin1Char('\n') + detail;
        }
        return display(row, index.column());
    case CategoryRole:
        return static_cast<int>(row.category);
    case SeverityRole:
        return static_cast<int>(row.severity);
    case NodeRole:
        return row.node;
    case SearchRole:
        return QStringList{row.node, categoryName(row.category), row.wireKind, row.summary,
                           detailText(row)}
            .join(QLatin1Char('\n'));
    case Qt::ForegroundRole:
        if (index.column() == Kind || index.column() == Severity) {
            if (row.severity == client::EventSeverity::Critical) {
                return QBrush(theme::text(theme::Tone::Error));
            }
            if (row.severity == client::EventSeverity::Warning) {
                return QBrush(theme::text(theme::Tone::Warning));
            }
        }
        return {};
    default:
        return {};
    }
}

QVariant EventLogModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
        return {};
    }
    switch (section) {
    case Time:
        return tr("Time");
    case Node:
        return tr("Node");
    case Kind:
        return tr("Kind");
    case Severity:
        return tr("Severity");
    case Summary:
        return tr("Summary");
    default:
        return {};
    }
}

} // namespace flowdeck::console
