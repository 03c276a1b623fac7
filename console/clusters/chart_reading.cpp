// ChartAdapter's hover values: a crosshair and a label with each line's value at the cursor.
#include "clusters/chart_adapter.h"

#include <QChart>
#include <QDateTime>
#include <QGraphicsLineItem>
#include <QGraphicsRectItem>
#include <QGraphicsTextItem>
#include <QLineSeries>
#include <QPen>
#include <QTextDocument>

#include <algorithm>
#include <cmath>

namespace flowdeck::console {

namespace {

constexpr qint64 kMinReadingDistanceMs = 1500;
constexpr qreal kReadingGap = 8.0;

// The point of `points` (sorted by x) nearest to x, or null.
const QPointF* nearest(const QList<QPointF>& points, double x) {
    if (points.isEmpty()) {
        return nullptr;
    }
    const auto after =
        std::lower_bound(points.begin(), points.end(), x,
                         [](const QPointF& p, double value) { return p.x() < value; });
    if (after == points.begin()) {
        return &*after;
    }
    if (after == points.end()) {
        return &points.back();
    }
    const auto before = std::prev(after);
    return x - before->x() <= after->x() - x ? &*before : &*after;
}

QString formatValue(double value) {
    const double magnitude = std::abs(value);
    if (magnitude >= 1000.0) {
        return QString::number(value, 'f', 0);
    }
    if (magnitude >= 100.0) {
        return QString::number(value, 'f', 1);
    }
    return QString::number(value, 'g', 4);
}

} // namespace

void ChartAdapter::buildReadingItems() {
    // Children of the chart item, so their coordinates are the chart's (as plotArea()'s).
    // Their colours follow the theme: see the constructor.
    m_crosshair = new QGraphicsLineItem(m_chart);
    m_crosshair->setZValue(10);
    m_crosshair->hide();
    m_readingBox = new QGraphicsRectItem(m_chart);
    m_readingBox->setZValue(11);
    m_readingBox->hide();
    m_readingText = new QGraphicsTextItem(m_readingBox);
}

ChartReading ChartAdapter::readingAt(qint64 timeMs) const {
    ChartReading reading;
    reading.timeMs = timeMs;
    // Close enough to be the value "at" the cursor: a second's sample either side, or a pixel
    // or so on a wide window. Farther means no sample there (a gap, a node down).
    const qint64 tolerance =
        std::max(kMinReadingDistanceMs, (visibleToMs() - visibleFromMs()) / 100);
    for (const ChartLine& line : m_lines) {
        ChartReading::Value value{line.name, std::nullopt};
        const QPointF* point = nearest(line.points, static_cast<double>(timeMs));
        if (point && std::abs(point->x() - static_cast<double>(timeMs)) <= tolerance) {
            value.value = point->y();
        }
        reading.values.push_back(std::move(value));
    }
    return reading;
}

void ChartAdapter::showReadingAt(std::optional<qint64> timeMs) {
    m_readingTime = timeMs;
    if (!timeMs || *timeMs < visibleFromMs() || *timeMs > visibleToMs() || m_lines.empty()) {
        m_crosshair->hide();
        m_readingBox->hide();
        return;
    }
    const ChartReading reading = readingAt(*timeMs);
    QString html =
        QStringLiteral("<b>%1</b>")
            .arg(QDateTime::fromMSecsSinceEpoch(*timeMs).toString(QStringLiteral("HH:mm:ss")));
    for (std::size_t i = 0; i < reading.values.size(); ++i) {
        const auto& [name, value] = reading.values[i];
        const QColor color = m_series[i]->pen().color(); // as drawn, the cluster line too
        html += QStringLiteral("<br><font color=\"%1\">&#9632;</font> %2: %3")
                    .arg(color.name(), name.toHtmlEscaped(),
                         value ? formatValue(*value) + QLatin1Char(' ') + m_unit.toHtmlEscaped()
                               : QStringLiteral("–"));
        if (!m_lines[i].note.isEmpty()) {
            html += QStringLiteral("<br><small><i>&nbsp;&nbsp;%1</i></small>")
                        .arg(m_lines[i].note.toHtmlEscaped());
        }
    }
    m_readingText->setHtml(html);

    const QRectF plot = m_chart->plotArea();
    const double x = xAtTime(*timeMs);
    m_crosshair->setLine(x, plot.top(), x, plot.bottom());
    const QRectF text = m_readingText->boundingRect();
    m_readingBox->setRect(0, 0, text.width(), text.height());
    // Right of the cursor when it fits, else left of it, never past the plot's edges.
    double left = x + kReadingGap;
    if (left + text.width() > plot.right()) {
        left = std::max(plot.left(), x - kReadingGap - text.width());
    }
    m_readingBox->setPos(left, plot.top() + 4);
    m_crosshair->show();
    m_readingBox->show();
}

bool ChartAdapter::readingShown() const {
    return m_readingBox->isVisible();
}

QString ChartAdapter::readingText() const {
    return m_readingText->toPlainText();
}

} // namespace flowdeck::console
