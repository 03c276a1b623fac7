#include "clusters/chart_adapter.h"

#include <QChart>
#include <QChartView>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>
#include <cmath>

namespace flowdeck::console {

namespace {

// A round upper bound so the axis labels stay short: 1, 2, 5 × 10^n.
double niceCeiling(double value) {
    if (value <= 0.0) {
        return 1.0;
    }
    const double magnitude = std::pow(10.0, std::floor(std::log10(value)));
    for (const double step : {1.0, 2.0, 5.0, 10.0}) {
        if (value <= step * magnitude) {
            return step * magnitude;
        }
    }
    return 10.0 * magnitude;
}

} // namespace

ChartAdapter::ChartAdapter(const QString& title, const QString& unit, QWidget* parent)
    : QWidget(parent)
    , m_chart(new QChart)
    , m_view(new QChartView(m_chart))
    , m_timeAxis(new QDateTimeAxis)
    , m_valueAxis(new QValueAxis) {
    setObjectName(title);
    m_chart->setTitle(title);
    m_chart->setMargins(QMargins(4, 4, 4, 4));
    m_chart->legend()->setAlignment(Qt::AlignBottom);
    m_chart->setAnimationOptions(QChart::NoAnimation);
    m_timeAxis->setFormat(QStringLiteral("HH:mm:ss"));
    m_timeAxis->setTickCount(5);
    m_valueAxis->setTitleText(unit);
    m_valueAxis->setLabelFormat(QStringLiteral("%.3g"));
    m_valueAxis->setRange(0.0, 1.0);
    m_chart->addAxis(m_timeAxis, Qt::AlignBottom);
    m_chart->addAxis(m_valueAxis, Qt::AlignLeft);
    m_view->setRenderHint(QPainter::Antialiasing);
    m_view->setMinimumSize(260, 180);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_view);
}

ChartAdapter::~ChartAdapter() = default;

QLineSeries* ChartAdapter::seriesFor(std::size_t index) {
    while (m_series.size() <= index) {
        auto* series = new QLineSeries;
        m_chart->addSeries(series);
        series->attachAxis(m_timeAxis);
        series->attachAxis(m_valueAxis);
        m_series.push_back(series);
    }
    return m_series[index];
}

void ChartAdapter::setLines(const std::vector<ChartLine>& lines, qint64 fromMs, qint64 toMs) {
    // Series no longer needed are hidden and emptied rather than removed: they come back when
    // the selection changes, and the chart never has to rebuild its legend around a deletion.
    for (std::size_t i = lines.size(); i < m_series.size(); ++i) {
        m_series[i]->clear();
        m_series[i]->setVisible(false);
        for (QLegendMarker* marker : m_chart->legend()->markers(m_series[i])) {
            marker->setVisible(false);
        }
    }
    double highest = 0.0;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        QLineSeries* series = seriesFor(i);
        series->setName(lines[i].name);
        if (!series->isVisible()) {
            series->setVisible(true);
            for (QLegendMarker* marker : m_chart->legend()->markers(series)) {
                marker->setVisible(true);
            }
        }
        QList<QPointF> points = lines[i].points;
        if (m_percent) {
            for (QPointF& point : points) {
                point.setY(point.y() * 100.0);
            }
        }
        for (const QPointF& point : points) {
            highest = std::max(highest, point.y());
        }
        series->replace(points);
    }
    m_maxValue = m_percent ? highest / 100.0 : highest;
    m_timeAxis->setRange(QDateTime::fromMSecsSinceEpoch(fromMs),
                         QDateTime::fromMSecsSinceEpoch(toMs));
    // Ticks every hour past a few hours' window would read HH:mm:ss; minutes are enough there.
    m_timeAxis->setFormat(toMs - fromMs > 30 * 60 * 1000 ? QStringLiteral("HH:mm")
                                                         : QStringLiteral("HH:mm:ss"));
    m_valueAxis->setRange(0.0, niceCeiling(highest * 1.1));
}

QString ChartAdapter::title() const {
    return m_chart->title();
}

int ChartAdapter::seriesCount() const {
    return static_cast<int>(
        std::count_if(m_series.begin(), m_series.end(),
                      [](const QLineSeries* series) { return series->isVisible(); }));
}

int ChartAdapter::pointCount() const {
    int count = 0;
    for (const QLineSeries* series : m_series) {
        count += series->isVisible() ? static_cast<int>(series->count()) : 0;
    }
    return count;
}

} // namespace flowdeck::console
