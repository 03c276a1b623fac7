#pragma once

#include "flowdeck/engine/release.h"

#include <QAbstractTableModel>

#include <optional>

namespace flowdeck::console {

// The canary's numbers beside the stable version's, from a rollout's latest analysis or threshold
// check: messages, errors, error rate, p95 latency and fallback rate, with the limit deployed for
// each. A canary value that broke its limit is red, one that held it green.
class AnalysisTableModel final : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Row { Messages, Errors, ErrorRate, P95, FallbackRate, RowCount };
    enum Column { Metric, Canary, Stable, Limit, ColumnCount };

    explicit AnalysisTableModel(QObject* parent = nullptr);

    // The rollout's thresholds and lastAnalysis; nullopt (or no analysis yet) shows dashes.
    void setRollout(const std::optional<engine::release::Rollout>& rollout);
    bool hasAnalysis() const { return m_analysis.has_value(); }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    QString value(const engine::release::VariantMetrics& metrics, int row) const;
    QString limit(int row) const;
    // The check deployed for this row, when there is one in the analysis.
    const engine::release::ThresholdCheck* check(int row) const;

    std::optional<engine::release::AnalysisResult> m_analysis;
    engine::release::Thresholds m_thresholds;
};

} // namespace flowdeck::console
