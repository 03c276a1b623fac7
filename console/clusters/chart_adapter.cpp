#include "clusters/chart_adapter.h"

#include "clusters/chart_view.h"
#include "widgets/theme_colors.h"

#include <QApplication>
#include <QChart>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QGraphicsLineItem>
#include <QGraphicsRectItem>
#include <QGraphicsTextItem>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QPalette>
#include <QPen>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>
#include <cmath>

namespace flowdeck::console {

namespace {

constexpr qint64 kMinZoomSpanMs = 2000;
constexpr int kMaxDrawnPoints = 1200; // per line: two for each pixel of a wide chart
constexpr double kWheelZoomIn = 0.8;  // each notch shows 80 % of the range around the cursor

// The cluster line stands out from the nodes' coloured lines by being the text colour: near
// black in light, near white in dark.
QColor aggregateColor() {
    return QApplication::palette().color(QPalette::WindowText);
}

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

// The part of `points` (sorted by x) a chart of [from, to] draws, with one point beyond each
// end so lines run to the edges, and at most kMaxDrawnPoints of it: past that each bucket of
// neighbours gives its lowest and highest point, so no peak is lost. 6 h of one-second samples
// is 21,600 points per line, some fifty for every pixel of a chart.
QList<QPointF> drawable(const QList<QPointF>& points, double from, double to) {
    const auto byX = [](const QPointF& p, double x) { return p.x() < x; };
    auto first = std::lower_bound(points.begin(), points.end(), from, byX);
    auto last = std::upper_bound(first, points.end(), to,
                                 [](double x, const QPointF& p) { return x < p.x(); });
    first = first == points.begin() ? first : std::prev(first);
    last = last == points.end() ? last : std::next(last);
    const auto count = static_cast<int>(std::distance(first, last));
    if (count <= kMaxDrawnPoints) {
        return QList<QPointF>(first, last);
    }
    QList<QPointF> drawn;
    drawn.reserve(kMaxDrawnPoints);
    const int buckets = kMaxDrawnPoints / 2;
    for (int bucket = 0; bucket < buckets; ++bucket) {
        const auto begin = first + static_cast<qsizetype>(qint64(count) * bucket / buckets);
        const auto end = first + static_cast<qsizetype>(qint64(count) * (bucket + 1) / buckets);
        if (begin == end) {
            continue;
        }
        const auto [low, high] = std::minmax_element(
            begin, end, [](const QPointF& a, const QPointF& b) { return a.y() < b.y(); });
        drawn.append(low->x() <= high->x() ? *low : *high);
        if (low != high) {
            drawn.append(low->x() <= high->x() ? *high : *low);
        }
    }
    return drawn;
}

void setMarkersVisible(QChart* chart, QLineSeries* series, bool visible) {
    for (QLegendMarker* marker : chart->legend()->markers(series)) {
        marker->setVisible(visible);
    }
}

} // namespace

ChartAdapter::ChartAdapter(const QString& title, const QString& unit, QWidget* parent)
    : QWidget(parent)
    , m_title(title)
    , m_unit(unit)
    , m_chart(new QChart)
    , m_timeAxis(new QDateTimeAxis)
    , m_valueAxis(new QValueAxis) {
    setObjectName(title);
    m_chart->setTitle(title);
    m_chart->setMargins(QMargins(4, 4, 4, 4));
    m_chart->legend()->setAlignment(Qt::AlignBottom);
    m_chart->setAnimationOptions(QChart::NoAnimation);
    m_timeAxis->setFormat(QStringLiteral("HH:mm:ss"));
    m_timeAxis->setTickCount(5);
    // A real range before the view first lays the chart out: from the default (1970) range Qt
    // Charts 6.4 sizes the axis without labels and, once shown, never brings them back.
    const QDateTime now = QDateTime::currentDateTime();
    m_timeAxis->setRange(now.addSecs(-300), now);
    m_valueAxis->setTitleText(unit);
    m_valueAxis->setLabelFormat(QStringLiteral("%.3g"));
    m_valueAxis->setRange(0.0, 1.0);
    m_chart->addAxis(m_timeAxis, Qt::AlignBottom);
    m_chart->addAxis(m_valueAxis, Qt::AlignLeft);

    ChartView::Handlers handlers;
    handlers.wheel = [this](double x, int steps) { wheelAt(x, steps); };
    handlers.band = [this](double fromX, double toX) { bandBetween(fromX, toX); };
    handlers.bandStarts = [this](double x) {
        const QRectF plot = m_chart->plotArea();
        return x >= plot.left() && x <= plot.right();
    };
    handlers.hover = [this](QPointF at) {
        showReadingAt(m_chart->plotArea().contains(at) ? std::optional(timeAtX(at.x()))
                                                       : std::nullopt);
    };
    handlers.leave = [this] { showReadingAt(std::nullopt); };
    handlers.doubleClick = [this] { userResetZoom(); };
    handlers.menu = [this](const QPoint& at) { showMenu(at); };
    m_view = new ChartView(m_chart, std::move(handlers));
    m_view->setRenderHint(QPainter::Antialiasing);
    m_view->setMinimumSize(260, 180);
    m_view->setToolTip(tr("Wheel or drag: zoom the time axis · double-click: live window · "
                          "right-click: pause, export"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_view);
    buildReadingItems();
    // Qt Charts has its own themes: follow the palette now and on every switch.
    const auto restyle = [this] {
        const bool dark = theme::isDark();
        const QChart::ChartTheme wanted = dark ? QChart::ChartThemeDark : QChart::ChartThemeLight;
        if (m_chart->theme() != wanted) {
            m_chart->setTheme(wanted); // resets every series' pen to the theme's pick
            for (std::size_t i = 0; i < m_series.size(); ++i) {
                m_colors[i] = m_series[i]->color();
                styleSeries(m_series[i], i, i < m_lines.size() && m_lines[i].emphasized);
            }
        }
        const QPalette palette = QApplication::palette();
        m_chart->setBackgroundBrush(palette.color(QPalette::Base));
        m_view->setBackgroundBrush(palette.color(QPalette::Base));
        QColor box = palette.color(QPalette::ToolTipBase);
        box.setAlpha(235);
        m_readingBox->setBrush(box);
        m_readingBox->setPen(QPen(palette.color(QPalette::Mid)));
        m_readingText->setDefaultTextColor(palette.color(QPalette::ToolTipText));
        QPen crosshair(palette.color(QPalette::PlaceholderText));
        crosshair.setStyle(Qt::DashLine);
        m_crosshair->setPen(crosshair);
        updateTitle();
    };
    restyle();
    theme::onPaletteChange(this, restyle);
}

ChartAdapter::~ChartAdapter() = default;

QLineSeries* ChartAdapter::seriesFor(std::size_t index) {
    while (m_series.size() <= index) {
        auto* series = new QLineSeries;
        m_chart->addSeries(series);
        series->attachAxis(m_timeAxis);
        series->attachAxis(m_valueAxis);
        m_series.push_back(series);
        m_colors.push_back(series->color()); // the theme's pick, before any restyling
    }
    return m_series[index];
}

void ChartAdapter::styleSeries(QLineSeries* series, std::size_t index, bool emphasized) {
    QPen pen(emphasized ? aggregateColor() : m_colors[index]);
    pen.setWidthF(emphasized ? 3.0 : 2.0);
    if (series->pen() != pen) {
        series->setPen(pen);
    }
}

void ChartAdapter::setLines(const std::vector<ChartLine>& lines, qint64 fromMs, qint64 toMs) {
    // Paused, the range only changes for an owner that knows it: one that stops at the frozen
    // end (a new window width); a range running to "now" leaves the frozen one as it is.
    if (!m_paused || toMs <= m_liveTo) {
        m_liveFrom = fromMs;
        m_liveTo = toMs;
    }
    m_lines = lines;
    for (ChartLine& line : m_lines) {
        if (m_percent) {
            for (QPointF& point : line.points) {
                point.setY(point.y() * 100.0);
            }
        }
        // Paused: what arrived after the frozen end stays in the owner's history, not here.
        while (m_paused && !line.points.isEmpty() && line.points.back().x() > m_liveTo) {
            line.points.removeLast();
        }
    }
    // Series no longer needed are hidden and emptied rather than removed: they come back when
    // the selection changes, and the chart never has to rebuild its legend around a deletion.
    for (std::size_t i = m_lines.size(); i < m_series.size(); ++i) {
        m_series[i]->clear();
        m_series[i]->setVisible(false);
        setMarkersVisible(m_chart, m_series[i], false);
    }
    for (std::size_t i = 0; i < m_lines.size(); ++i) {
        QLineSeries* series = seriesFor(i);
        series->setName(m_lines[i].name);
        if (!series->isVisible()) {
            series->setVisible(true);
            setMarkersVisible(m_chart, series, true);
        }
        styleSeries(series, i, m_lines[i].emphasized);
    }
    applyRange();
}

void ChartAdapter::drawSeries() {
    const double from = static_cast<double>(visibleFromMs());
    const double to = static_cast<double>(visibleToMs());
    for (std::size_t i = 0; i < m_lines.size(); ++i) {
        m_series[i]->replace(drawable(m_lines[i].points, from, to));
    }
}

void ChartAdapter::applyRange() {
    const qint64 from = visibleFromMs();
    const qint64 to = visibleToMs();
    double highest = 0.0;
    for (const ChartLine& line : m_lines) {
        for (const QPointF& point : line.points) {
            if (point.x() >= static_cast<double>(from) && point.x() <= static_cast<double>(to)) {
                highest = std::max(highest, point.y());
            }
        }
    }
    m_maxValue = m_percent ? highest / 100.0 : highest;
    m_timeAxis->setRange(QDateTime::fromMSecsSinceEpoch(from), QDateTime::fromMSecsSinceEpoch(to));
    // Ticks every hour past a few hours' window would read HH:mm:ss; minutes are enough there.
    const QString format =
        to - from > 30 * 60 * 1000 ? QStringLiteral("HH:mm") : QStringLiteral("HH:mm:ss");
    if (format != m_timeAxis->format()) {
        m_timeAxis->setFormat(format);
        // Labels of a new width are laid out only when their visibility changes (Qt 6.4).
        m_timeAxis->setLabelsVisible(false);
        m_timeAxis->setLabelsVisible(true);
    }
    const double top = niceCeiling(highest * 1.1);
    m_valueAxis->setRange(0.0, top);
    // %.3g would write 3750 as 3.75e+03.
    m_valueAxis->setLabelFormat(top >= 1000.0 ? QStringLiteral("%.0f") : QStringLiteral("%.3g"));
    drawSeries();
    updateTitle();
    if (m_readingTime) {
        showReadingAt(m_readingTime); // new data under a still cursor
    }
}

void ChartAdapter::updateTitle() {
    QString title = m_title.toHtmlEscaped();
    if (m_paused) {
        title += QStringLiteral("  <b><font color=\"%1\">%2</font></b>")
                     .arg(theme::text(theme::Tone::Warning).name(), tr("PAUSED"));
    }
    if (isZoomed()) {
        title += QStringLiteral("  <font color=\"%1\">%2</font>")
                     .arg(theme::text(theme::Tone::Accent).name(), tr("zoomed"));
    }
    m_chart->setTitle(title);
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

void ChartAdapter::setPaused(bool paused) {
    m_paused = paused;
    updateTitle();
}

qint64 ChartAdapter::visibleFromMs() const {
    return m_zoomFrom.value_or(m_liveFrom);
}

qint64 ChartAdapter::visibleToMs() const {
    return m_zoomTo.value_or(m_liveTo);
}

void ChartAdapter::zoomTo(qint64 fromMs, qint64 toMs) {
    if (toMs < fromMs) {
        std::swap(fromMs, toMs);
    }
    if (toMs - fromMs < kMinZoomSpanMs) {
        const qint64 middle = fromMs + (toMs - fromMs) / 2;
        fromMs = middle - kMinZoomSpanMs / 2;
        toMs = fromMs + kMinZoomSpanMs;
    }
    if (toMs - fromMs >= m_liveTo - m_liveFrom) {
        resetZoom();
        return;
    }
    m_zoomFrom = fromMs;
    m_zoomTo = toMs;
    applyRange();
}

void ChartAdapter::resetZoom() {
    m_zoomFrom.reset();
    m_zoomTo.reset();
    applyRange();
}

qint64 ChartAdapter::timeAtX(double chartX) const {
    const QRectF plot = m_chart->plotArea();
    const qint64 from = visibleFromMs();
    if (plot.width() <= 0.0) {
        return from;
    }
    const double share = (chartX - plot.left()) / plot.width();
    return from + std::llround(share * static_cast<double>(visibleToMs() - from));
}

double ChartAdapter::xAtTime(qint64 timeMs) const {
    const QRectF plot = m_chart->plotArea();
    const qint64 span = std::max<qint64>(visibleToMs() - visibleFromMs(), 1);
    return plot.left() +
           plot.width() * static_cast<double>(timeMs - visibleFromMs()) / static_cast<double>(span);
}

void ChartAdapter::wheelAt(double chartX, int steps) {
    const qint64 from = visibleFromMs();
    const qint64 to = visibleToMs();
    const qint64 at = std::clamp(timeAtX(chartX), from, to);
    const double factor = std::pow(kWheelZoomIn, steps);
    zoomTo(at - std::llround(static_cast<double>(at - from) * factor),
           at + std::llround(static_cast<double>(to - at) * factor));
    if (isZoomed()) {
        Q_EMIT zoomed(visibleFromMs(), visibleToMs());
    } else {
        Q_EMIT zoomReset();
    }
}

void ChartAdapter::bandBetween(double fromX, double toX) {
    zoomTo(timeAtX(std::min(fromX, toX)), timeAtX(std::max(fromX, toX)));
    if (isZoomed()) {
        Q_EMIT zoomed(visibleFromMs(), visibleToMs());
    }
}

void ChartAdapter::userResetZoom() {
    resetZoom();
    Q_EMIT zoomReset();
}

} // namespace flowdeck::console
