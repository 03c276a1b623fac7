#pragma once

#include <QColor>
#include <QList>
#include <QPointF>
#include <QString>
#include <QWidget>

#include <optional>
#include <utility>
#include <vector>

class QChart;
class QDateTimeAxis;
class QGraphicsLineItem;
class QGraphicsRectItem;
class QGraphicsTextItem;
class QImage;
class QLineSeries;
class QPen;
class QValueAxis;

namespace flowdeck::console {

class ChartView;

// One line of a chart: a name for the legend and its points (x: ms since the epoch).
struct ChartLine {
    ChartLine() = default;
    ChartLine(QString lineName, QList<QPointF> linePoints, bool isEmphasized = false,
              QString lineNote = {})
        : name(std::move(lineName))
        , points(std::move(linePoints))
        , emphasized(isEmphasized)
        , note(std::move(lineNote)) {}

    QString name;
    QList<QPointF> points;
    bool emphasized = false; // an aggregate (the cluster line): drawn thicker and dark
    QString note;            // how the line is made, shown with its hover value
};

// The values under the cursor: each line's point nearest to `timeMs`, if one is close enough.
struct ChartReading {
    struct Value {
        QString name;
        std::optional<double> value; // in the chart's unit (percent for a percent chart)
    };
    qint64 timeMs = 0;
    std::vector<Value> values;
};

// A time-series line chart. The only place the Clusters workspace touches Qt Charts (deprecated
// after Qt 6.10), so moving to another chart library means rewriting this file, chart_view.*
// and chart_export.cpp alone. Each setLines() call replaces every series' points at once
// (series->replace), never point by point.
//
// A person can pause it (the time range stops moving; the owner keeps recording and may keep
// calling setLines), zoom its time axis (wheel, or drag a band; double-click for the live
// window again), read values under the cursor, and export what is visible as PNG or CSV
// (right-click menu). Gestures that should apply to sibling charts are also signalled.
class ChartAdapter final : public QWidget {
    Q_OBJECT
public:
    explicit ChartAdapter(const QString& title, const QString& unit, QWidget* parent = nullptr);
    ~ChartAdapter() override;

    // Shows `lines` over [fromMs, toMs] (unless zoomed); the y axis starts at 0 and fits the
    // highest visible value. While paused the range stays where it was and points after its
    // end are not drawn.
    void setLines(const std::vector<ChartLine>& lines, qint64 fromMs, qint64 toMs);
    // For values between 0 and 1 shown as percent.
    void setPercent(bool percent) { m_percent = percent; }

    QString title() const { return m_title; }
    QString unit() const { return m_unit; }
    int seriesCount() const;
    int pointCount() const; // drawn, over every series: at most 1,200 a line (lines() has all)
    double maxValue() const { return m_maxValue; }
    // The drawn lines, in the chart's unit, oldest point first.
    const std::vector<ChartLine>& lines() const { return m_lines; }

    void setPaused(bool paused);
    bool isPaused() const { return m_paused; }
    // Shows [fromMs, toMs] of the time axis until resetZoom(); a range as wide as the window
    // or wider is the window itself.
    void zoomTo(qint64 fromMs, qint64 toMs);
    void resetZoom();
    bool isZoomed() const { return m_zoomFrom.has_value(); }
    qint64 visibleFromMs() const;
    qint64 visibleToMs() const;

    // Each line's value nearest to `timeMs` within max(1.5 s, 1 % of the visible range).
    ChartReading readingAt(qint64 timeMs) const;
    // Shows (or, with nullopt, hides) the crosshair and value label at `timeMs`.
    void showReadingAt(std::optional<qint64> timeMs);
    bool readingShown() const;
    QString readingText() const; // the label's text, as plain text

    // "time_utc,<line> [<unit>],…" then one row per time any visible line has a point, oldest
    // first; times ISO 8601 UTC, values as drawn (empty where a line has no point).
    QString toCsv() const;
    bool exportCsv(const QString& path, QString* error) const;
    // The chart as drawn, at its on-screen size (device pixels).
    QImage toImage();
    bool exportPng(const QString& path, QString* error);

Q_SIGNALS:
    // A person did it here (menu, wheel, band, double-click); the chart has already applied it.
    void pauseToggled(bool paused);
    void zoomed(qint64 fromMs, qint64 toMs);
    void zoomReset();
    void statusMessage(const QString& message, int timeoutMs);

private:
    QLineSeries* seriesFor(std::size_t index);
    void styleSeries(QLineSeries* series, std::size_t index, bool emphasized);
    void applyRange(); // axes, title and the drawn points for the visible range
    void drawSeries();
    void updateTitle();
    void buildReadingItems();
    qint64 timeAtX(double chartX) const;
    double xAtTime(qint64 timeMs) const;
    void wheelAt(double chartX, int steps);
    void bandBetween(double fromX, double toX);
    void userResetZoom();
    void showMenu(const QPoint& globalPosition);
    void exportPngInteractively();
    void exportCsvInteractively();

    QString m_title;
    QString m_unit;
    QChart* m_chart;
    ChartView* m_view;
    QDateTimeAxis* m_timeAxis;
    QValueAxis* m_valueAxis;
    std::vector<QLineSeries*> m_series; // owned by m_chart
    std::vector<QColor> m_colors;       // each series' theme colour, kept for re-styling
    std::vector<ChartLine> m_lines;     // what is drawn, in the chart's unit
    QGraphicsLineItem* m_crosshair = nullptr;
    QGraphicsRectItem* m_readingBox = nullptr;
    QGraphicsTextItem* m_readingText = nullptr;
    qint64 m_liveFrom = 0;
    qint64 m_liveTo = 0;
    std::optional<qint64> m_readingTime; // where the crosshair is, if shown
    std::optional<qint64> m_zoomFrom;
    std::optional<qint64> m_zoomTo;
    bool m_paused = false;
    bool m_percent = false;
    double m_maxValue = 0.0;
};

} // namespace flowdeck::console
