#include "deploy/rollout_panel.h"
#include "widgets/theme_colors.h"

#include "deploy/analysis_table_model.h"
#include "deploy/rollout_format.h"

#include <QDateTime>
#include <QFormLayout>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QProgressBar>
#include <QTableView>
#include <QVBoxLayout>

#include <cmath>

namespace flowdeck::console {

namespace rel = engine::release;

namespace {

QColor stateColor(rel::RolloutState state) {
    switch (state) {
    case rel::RolloutState::Progressing:
        return QColor(0x25, 0x63, 0xeb);
    case rel::RolloutState::Paused:
        return QColor(0xd9, 0x77, 0x06);
    case rel::RolloutState::Succeeded:
        return QColor(0x05, 0x96, 0x69);
    case rel::RolloutState::Aborted:
    case rel::RolloutState::RolledBack:
        return QColor(0xdc, 0x26, 0x26);
    case rel::RolloutState::Unspecified:
        break;
    }
    return QColor(0x6b, 0x72, 0x80);
}

QLabel* wrapping() {
    auto* label = new QLabel;
    label->setWordWrap(true);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    return label;
}

} // namespace

RolloutPanel::RolloutPanel(QWidget* parent)
    : QWidget(parent)
    , m_analysis(new AnalysisTableModel(this)) {
    setObjectName(QStringLiteral("RolloutPanel"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(buildFacts());
    layout->addWidget(buildCharts(), 1);
    showEmpty(tr("Select a flow to see its rollout."));
}

QWidget* RolloutPanel::buildFacts() {
    m_title = new QLabel;
    QFont big = m_title->font();
    big.setPointSizeF(big.pointSizeF() * 1.3);
    big.setBold(true);
    m_title->setFont(big);
    m_state = new QLabel;
    m_state->setObjectName(QStringLiteral("RolloutState"));
    m_state->setContentsMargins(8, 2, 8, 2);
    auto* titleRow = new QHBoxLayout;
    titleRow->addWidget(m_title);
    titleRow->addWidget(m_state);
    titleRow->addStretch(1);

    m_versions = wrapping();
    m_step = new QLabel;
    m_percent = new QProgressBar;
    m_percent->setRange(0, 100);
    m_percent->setFormat(tr("%p % of new conversations"));
    m_timer = new QLabel;
    m_started = wrapping();
    m_reason = wrapping();
    m_reason->setObjectName(QStringLiteral("RolloutReason"));
    auto* form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->addRow(tr("Versions:"), m_versions);
    form->addRow(tr("Step:"), m_step);
    form->addRow(tr("Canary share:"), m_percent);
    form->addRow(tr("Timer:"), m_timer);
    form->addRow(tr("Started:"), m_started);
    form->addRow(tr("Why:"), m_reason);

    m_table = new QTableView;
    m_table->setObjectName(QStringLiteral("RolloutMetrics"));
    m_table->setModel(m_analysis);
    m_table->verticalHeader()->hide();
    m_table->setSelectionMode(QAbstractItemView::NoSelection);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    m_table->setSizeAdjustPolicy(QAbstractScrollArea::AdjustToContents);
    m_table->setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_table->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    // Exactly its five rows: the table never scrolls, and no empty band under it.
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 10);
    m_table->setFixedHeight(m_table->horizontalHeader()->sizeHint().height() +
                            AnalysisTableModel::RowCount *
                                m_table->verticalHeader()->defaultSectionSize() +
                            2 * m_table->frameWidth());
    m_check = wrapping();
    auto* metrics = new QVBoxLayout;
    metrics->addWidget(m_table);
    metrics->addWidget(m_check);
    metrics->addStretch(1);

    auto* facts = new QWidget;
    auto* grid = new QGridLayout(facts);
    grid->setContentsMargins(0, 0, 0, 0);
    grid->addLayout(titleRow, 0, 0, 1, 2);
    grid->addLayout(form, 1, 0);
    grid->addLayout(metrics, 1, 1);
    grid->setColumnStretch(0, 1);
    grid->setColumnStretch(1, 1);
    return facts;
}

QWidget* RolloutPanel::buildCharts() {
    m_errorChart = new ChartAdapter(tr("Error rate: canary vs stable"), tr("%"));
    m_errorChart->setPercent(true);
    m_latencyChart = new ChartAdapter(tr("p95 latency: canary vs stable"), tr("ms"));
    auto* charts = new QWidget;
    auto* row = new QHBoxLayout(charts);
    row->setContentsMargins(0, 0, 0, 0);
    row->addWidget(m_errorChart);
    row->addWidget(m_latencyChart);
    return charts;
}

void RolloutPanel::showEmpty(const QString& message) {
    m_rollout.reset();
    m_analysis->setRollout(std::nullopt);
    for (QList<QPointF>& line : m_lines) {
        line.clear();
    }
    m_title->setText(m_flowId);
    m_state->setText(tr("No rollout"));
    m_state->setStyleSheet(
        QStringLiteral("color: white; background: #6b7280; border-radius: 4px;"));
    for (QLabel* label : {m_versions, m_step, m_timer, m_started, m_check}) {
        label->clear();
    }
    m_reason->setText(message);
    m_percent->setValue(0);
    redrawCharts(QDateTime::currentMSecsSinceEpoch());
}

void RolloutPanel::setRollout(const QString& flowId, const std::optional<rel::Rollout>& rollout,
                              qint64 nowMs) {
    const bool sameRollout =
        rollout && m_rollout && rollout->rolloutId == m_rollout->rolloutId && flowId == m_flowId;
    m_flowId = flowId;
    if (!rollout) {
        showEmpty(tr("No rollout of %1 yet: Deploy… starts one.").arg(flowId));
        return;
    }
    if (!sameRollout) {
        for (QList<QPointF>& line : m_lines) {
            line.clear();
        }
    }
    m_rollout = rollout;
    m_analysis->setRollout(rollout);
    showFacts(*rollout);
    appendPoint(*rollout, nowMs);
    refreshClock(nowMs);
}

void RolloutPanel::showFacts(const rel::Rollout& rollout) {
    m_title->setText(m_flowId);
    m_state->setText(rollout_text::state(rollout.state));
    m_state->setStyleSheet(QStringLiteral("color: white; background: %1; border-radius: 4px;")
                               .arg(stateColor(rollout.state).name()));
    m_versions->setText(rollout_text::versions(rollout));
    m_step->setText(rollout.steps.empty()
                        ? rollout_text::step(rollout)
                        : tr("%1 — plan: %2")
                              .arg(rollout_text::step(rollout), rollout_text::plan(rollout.steps)));
    m_percent->setValue(static_cast<int>(rollout.currentPercent));
    m_started->setText(tr("%1 by %2: “%3”")
                           .arg(rollout_text::dateTime(rollout.startedAtMs),
                                QString::fromStdString(rollout.startedBy),
                                QString::fromStdString(rollout.reason)));
    const bool bad = rollout.state == rel::RolloutState::Aborted ||
                     rollout.state == rel::RolloutState::RolledBack;
    m_reason->setText(rollout.stateReason.empty() ? tr("–")
                                                  : QString::fromStdString(rollout.stateReason));
    m_reason->setStyleSheet(bad ? theme::textStyle(theme::Tone::Error) +
                                      QStringLiteral(" font-weight: bold;")
                                : QString());
    if (rollout.lastAnalysis) {
        const rel::AnalysisResult& last = *rollout.lastAnalysis;
        m_check->setText(tr("Last check %1 over %2: %3")
                             .arg(rollout_text::dateTime(last.windowEndMs),
                                  rollout_text::duration(last.windowEndMs - last.windowStartMs),
                                  rollout_text::verdict(last.verdict)));
    } else {
        m_check->setText(tr("No check yet: thresholds are checked every %1.")
                             .arg(QString::fromStdString(rel::formatDurationMs(
                                 rollout.thresholds.effectiveCheckIntervalMs()))));
    }
}

void RolloutPanel::appendPoint(const rel::Rollout& rollout, qint64 nowMs) {
    if (!rollout.inProgress() || !rollout.lastAnalysis) {
        redrawCharts(nowMs);
        return;
    }
    const rel::AnalysisResult& last = *rollout.lastAnalysis;
    const double x = static_cast<double>(nowMs);
    const auto add = [x](QList<QPointF>& line, double y, bool measured) {
        if (!measured || std::isnan(y)) {
            return; // no messages: no point rather than a misleading zero
        }
        line.append(QPointF(x, y));
        if (line.size() > kMaxPoints) {
            line.removeFirst();
        }
    };
    add(m_lines[0], last.canary.errorRate, last.canary.messages > 0);
    add(m_lines[1], last.stable.errorRate, last.stable.messages > 0);
    add(m_lines[2], last.canary.p95LatencyMs, last.canary.messages > 0);
    add(m_lines[3], last.stable.p95LatencyMs, last.stable.messages > 0);
    redrawCharts(nowMs);
}

void RolloutPanel::redrawCharts(qint64 nowMs) {
    // From the first point, and at least the last minute so that a new rollout's first points
    // do not stretch across the whole width.
    qint64 from = nowMs - 60 * 1000;
    qint64 to = nowMs;
    for (const QList<QPointF>& line : m_lines) {
        if (!line.isEmpty()) {
            from = std::min<qint64>(from, static_cast<qint64>(line.front().x()));
            to = std::max<qint64>(to, static_cast<qint64>(line.back().x()));
        }
    }
    const QString canary =
        m_rollout ? tr("canary %1").arg(QString::fromStdString(m_rollout->version)) : tr("canary");
    const QString stable =
        m_rollout && !m_rollout->stableVersion.empty()
            ? tr("stable %1").arg(QString::fromStdString(m_rollout->stableVersion))
            : tr("stable");
    m_errorChart->setLines({{canary, m_lines[0]}, {stable, m_lines[1]}}, from, to);
    m_latencyChart->setLines({{canary, m_lines[2]}, {stable, m_lines[3]}}, from, to);
}

void RolloutPanel::refreshClock(qint64 nowMs) {
    m_timer->setText(m_rollout ? rollout_text::timer(*m_rollout, nowMs) : QString());
}

QString RolloutPanel::stateText() const {
    return m_state->text();
}

QString RolloutPanel::stepText() const {
    return m_step->text();
}

QString RolloutPanel::timerText() const {
    return m_timer->text();
}

QString RolloutPanel::reasonText() const {
    return m_reason->text();
}

int RolloutPanel::percent() const {
    return m_percent->value();
}

} // namespace flowdeck::console
