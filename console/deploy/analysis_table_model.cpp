#include "deploy/analysis_table_model.h"
#include "widgets/theme_colors.h"

#include "deploy/rollout_format.h"

#include <QBrush>
#include <QColor>

namespace flowdeck::console {

namespace rel = engine::release;

namespace {

const char* checkName(int row) {
    switch (row) {
    case AnalysisTableModel::ErrorRate:
        return "max_error_rate";
    case AnalysisTableModel::P95:
        return "max_p95_latency_ms";
    case AnalysisTableModel::FallbackRate:
        return "max_fallback_rate";
    default:
        return nullptr;
    }
}

} // namespace

AnalysisTableModel::AnalysisTableModel(QObject* parent)
    : QAbstractTableModel(parent) {}

void AnalysisTableModel::setRollout(const std::optional<rel::Rollout>& rollout) {
    m_analysis = rollout ? rollout->lastAnalysis : std::nullopt;
    m_thresholds = rollout ? rollout->thresholds : rel::Thresholds{};
    Q_EMIT dataChanged(index(0, 0), index(RowCount - 1, ColumnCount - 1));
    Q_EMIT headerDataChanged(Qt::Horizontal, 0, ColumnCount - 1); // the versions in the titles
}

int AnalysisTableModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : RowCount;
}

int AnalysisTableModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QString AnalysisTableModel::value(const rel::VariantMetrics& metrics, int row) const {
    switch (row) {
    case Messages:
        return QString::number(metrics.messages);
    case Errors:
        return QString::number(metrics.errors);
    case ErrorRate:
        return rollout_text::rate(metrics.errorRate);
    case P95:
        return metrics.messages == 0 ? QStringLiteral("–")
                                     : rollout_text::milliseconds(metrics.p95LatencyMs);
    case FallbackRate:
        return rollout_text::rate(metrics.fallbackRate);
    default:
        return {};
    }
}

QString AnalysisTableModel::limit(int row) const {
    switch (row) {
    case Messages:
        return tr("≥ %1 to judge").arg(m_thresholds.effectiveMinMessages());
    case ErrorRate:
        return m_thresholds.maxErrorRate
                   ? tr("≤ %1").arg(rollout_text::rate(*m_thresholds.maxErrorRate))
                   : tr("not checked");
    case P95:
        return m_thresholds.maxP95LatencyMs
                   ? tr("≤ %1").arg(rollout_text::milliseconds(*m_thresholds.maxP95LatencyMs))
                   : tr("not checked");
    case FallbackRate:
        return m_thresholds.maxFallbackRate
                   ? tr("≤ %1").arg(rollout_text::rate(*m_thresholds.maxFallbackRate))
                   : tr("not checked");
    default:
        return {};
    }
}

const rel::ThresholdCheck* AnalysisTableModel::check(int row) const {
    const char* name = checkName(row);
    if (!m_analysis || !name) {
        return nullptr;
    }
    for (const rel::ThresholdCheck& one : m_analysis->checks) {
        if (one.name == name) {
            return &one;
        }
    }
    return nullptr;
}

QVariant AnalysisTableModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= RowCount) {
        return {};
    }
    const int row = index.row();
    if (role == Qt::DisplayRole) {
        static const char* const names[] = {QT_TR_NOOP("Messages"), QT_TR_NOOP("Errors"),
                                            QT_TR_NOOP("Error rate"), QT_TR_NOOP("p95 latency"),
                                            QT_TR_NOOP("Fallback rate")};
        switch (index.column()) {
        case Metric:
            return tr(names[row]);
        case Canary:
            return m_analysis ? value(m_analysis->canary, row) : QStringLiteral("–");
        case Stable:
            return m_analysis ? value(m_analysis->stable, row) : QStringLiteral("–");
        case Limit:
            return limit(row);
        default:
            return {};
        }
    }
    if (role == Qt::ForegroundRole && index.column() == Canary) {
        if (const rel::ThresholdCheck* one = check(row)) {
            return QBrush(one->passed ? theme::text(theme::Tone::Success)
                                      : theme::text(theme::Tone::Error));
        }
    }
    if (role == Qt::TextAlignmentRole && index.column() != Metric) {
        return QVariant(Qt::AlignRight | Qt::AlignVCenter);
    }
    return {};
}

QVariant AnalysisTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
        return {};
    }
    switch (section) {
    case Metric:
        return tr("Metric");
    case Canary:
        return m_analysis && !m_analysis->canary.version.empty()
                   ? tr("Canary %1").arg(QString::fromStdString(m_analysis->canary.version))
                   : tr("Canary");
    case Stable:
        return m_analysis && !m_analysis->stable.version.empty()
                   ? tr("Stable %1").arg(QString::fromStdString(m_analysis->stable.version))
                   : tr("Stable");
    case Limit:
        return tr("Limit");
    default:
        return {};
    }
}

} // namespace flowdeck::console
