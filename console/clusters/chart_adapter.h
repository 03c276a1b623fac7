#pragma once

#include <QList>
#include <QPointF>
#include <QString>
#include <QWidget>

#include <vector>

class QChart;
class QChartView;
class QDateTimeAxis;
class QLineSeries;
class QValueAxis;

namespace flowdeck::console {

// One line of a chart: a name for the legend and its points (x: ms since the epoch).
struct ChartLine {
    QString name;
    QList<QPointF> points;
};

// A time-series line chart. The only place the Clusters workspace touches Qt Charts (deprecated
// after Qt 6.10), so moving to another chart library means rewriting this file alone. Each
// setLines() call replaces every series' points at once (series->replace), never point by point.
class ChartAdapter final : public QWidget {
    Q_OBJECT
public:
    explicit ChartAdapter(const QString& title, const QString& unit, QWidget* parent = nullptr);
    ~ChartAdapter() override;

    // Shows `lines` over [fromMs, toMs]; the y axis starts at 0 and fits the highest value.
    void setLines(const std::vector<ChartLine>& lines, qint64 fromMs, qint64 toMs);
    // For values between 0 and 1 shown as percent.
    void setPercent(bool percent) { m_percent = percent; }

    QString title() const;
    int seriesCount() const;
    int pointCount() const; // over every series
    double maxValue() const { return m_maxValue; }

private:
    QLineSeries* seriesFor(std::size_t index);

    QChart* m_chart;
    QChartView* m_view;
    QDateTimeAxis* m_timeAxis;
    QValueAxis* m_valueAxis;
    std::vector<QLineSeries*> m_series; // owned by m_chart
    bool m_percent = false;
    double m_maxValue = 0.0;
};

} // namespace flowdeck::console
