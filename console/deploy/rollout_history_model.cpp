#include "deploy/rollout_history_model.h"
#include "widgets/theme_colors.h"

#include "deploy/rollout_format.h"

#include <QBrush>
#include <QColor>
#include <QFont>

namespace flowdeck::console {

namespace rel = engine::release;

RolloutHistoryModel::RolloutHistoryModel(QObject* parent)
    : QAbstractTableModel(parent) {}

void RolloutHistoryModel::setEntries(std::vector<rel::HistoryEntry> entries) {
    if (entries.size() > static_cast<std::size_t>(kMaxRows)) {
        entries.resize(kMaxRows);
    }
    if (entries == m_entries) {
        return; // a poll that found nothing new must not reset the view's selection and scroll
    }
    beginResetModel();
    m_entries = std::move(entries);
    endResetModel();
}

void RolloutHistoryModel::clear() {
    setEntries({});
}

int RolloutHistoryModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(m_entries.size());
}

int RolloutHistoryModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QString RolloutHistoryModel::text(const rel::HistoryEntry& entry, int column) const {
    switch (column) {
    case When:
        return rollout_text::dateTime(entry.atMs);
    case Action:
        return rollout_text::action(entry.action);
    case Versions: {
        const QString to = QString::fromStdString(entry.toVersion);
        return entry.fromVersion.empty()
                   ? to
                   : tr("%1 → %2").arg(QString::fromStdString(entry.fromVersion), to);
    }
    case Percent:
        return tr("%1 %").arg(entry.percent);
    case Who:
        return entry.automatic ? tr("%1 (automatic)").arg(QString::fromStdString(entry.who))
                               : QString::fromStdString(entry.who);
    case Why:
        return QString::fromStdString(entry.why);
    default:
        return {};
    }
}

QString RolloutHistoryModel::tooltip(const rel::HistoryEntry& entry) const {
    QString tip = QString::fromStdString(entry.why);
    if (!entry.metrics) {
        return tip;
    }
    const rel::AnalysisResult& m = *entry.metrics;
    tip += tr("\n%1: canary %2 messages, errors %3, p95 %4; stable %5 messages, errors %6, p95 %7")
               .arg(rollout_text::verdict(m.verdict))
               .arg(m.canary.messages)
               .arg(rollout_text::rate(m.canary.errorRate),
                    rollout_text::milliseconds(m.canary.p95LatencyMs))
               .arg(m.stable.messages)
               .arg(rollout_text::rate(m.stable.errorRate),
                    rollout_text::milliseconds(m.stable.p95LatencyMs));
    return tip;
}

QVariant RolloutHistoryModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= rowCount()) {
        return {};
    }
    const rel::HistoryEntry& entry = m_entries[index.row()];
    switch (role) {
    case Qt::DisplayRole:
        return text(entry, index.column());
    case Qt::ToolTipRole:
        return tooltip(entry);
    case Qt::FontRole:
        if (entry.automatic) {
            QFont font;
            font.setItalic(true);
            return font;
        }
        return {};
    case Qt::ForegroundRole:
        if (index.column() == Action && (entry.action == rel::HistoryAction::Aborted ||
                                         entry.action == rel::HistoryAction::RolledBack)) {
            return QBrush(theme::text(theme::Tone::Error));
        }
        return {};
    case Qt::TextAlignmentRole:
        return index.column() == Percent ? QVariant(Qt::AlignRight | Qt::AlignVCenter) : QVariant();
    default:
        return {};
    }
}

QVariant RolloutHistoryModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
        return {};
    }
    switch (section) {
    case When:
        return tr("When");
    case Action:
        return tr("Action");
    case Versions:
        return tr("From → to");
    case Percent:
        return tr("Canary");
    case Who:
        return tr("Who");
    case Why:
        return tr("Why");
    default:
        return {};
    }
}

} // namespace flowdeck::console
