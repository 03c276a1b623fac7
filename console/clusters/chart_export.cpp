// ChartAdapter's exports (CSV of the visible data, PNG of the chart) and its right-click menu.
#include "clusters/chart_adapter.h"

#include "clusters/chart_view.h"

#include <QDateTime>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QGraphicsLineItem>
#include <QGraphicsRectItem>
#include <QImage>
#include <QImageWriter>
#include <QMenu>
#include <QRegularExpression>
#include <QSaveFile>
#include <QStandardPaths>
#include <QTimeZone>

#include <algorithm>

namespace flowdeck::console {

namespace {

// RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled.
QString csvField(const QString& text) {
    if (!text.contains(QLatin1Char(',')) && !text.contains(QLatin1Char('"')) &&
        !text.contains(QLatin1Char('\n')) && !text.contains(QLatin1Char('\r'))) {
        return text;
    }
    QString quoted = text;
    quoted.replace(QLatin1Char('"'), QStringLiteral("\"\""));
    return QLatin1Char('"') + quoted + QLatin1Char('"');
}

// The value of the point of `points` (sorted by x) exactly at `x`, or an empty field.
QString csvValueAt(const QList<QPointF>& points, double x) {
    const auto it = std::lower_bound(points.begin(), points.end(), x,
                                     [](const QPointF& p, double value) { return p.x() < value; });
    return it != points.end() && it->x() == x ? QString::number(it->y(), 'g', 12) : QString();
}

bool commit(QSaveFile& file, const QString& path, QString* error) {
    if (file.commit()) {
        return true;
    }
    if (error) {
        *error = QObject::tr("Could not write %1: %2").arg(path, file.errorString());
    }
    return false;
}

// Where the file dialogs start: the folder of the last export, else Pictures or Documents.
QString& lastExportFolder() {
    static QString folder;
    return folder;
}

QString suggestedPath(const QString& title, const QString& suffix,
                      QStandardPaths::StandardLocation fallback) {
    QString folder = lastExportFolder();
    if (folder.isEmpty()) {
        folder = QStandardPaths::writableLocation(fallback);
    }
    if (folder.isEmpty()) {
        folder = QDir::homePath();
    }
    QString slug = title.toLower();
    slug.replace(QRegularExpression(QStringLiteral("[^a-z0-9]+")), QStringLiteral("-"));
    const QString stamp = QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss"));
    return QDir(folder).filePath(slug + QLatin1Char('-') + stamp + QLatin1Char('.') + suffix);
}

} // namespace

QString ChartAdapter::toCsv() const {
    const double from = static_cast<double>(visibleFromMs());
    const double to = static_cast<double>(visibleToMs());
    std::vector<double> times;
    QString csv = QStringLiteral("time_utc");
    for (const ChartLine& line : m_lines) {
        csv += QLatin1Char(',') + csvField(QStringLiteral("%1 [%2]").arg(line.name, m_unit));
        for (const QPointF& point : line.points) {
            if (point.x() >= from && point.x() <= to) {
                times.push_back(point.x());
            }
        }
    }
    csv += QLatin1Char('\n');
    std::sort(times.begin(), times.end());
    times.erase(std::unique(times.begin(), times.end()), times.end());
    for (const double time : times) {
        // Spelled out: Qt's ISO form writes UTC as "+00:00" in some versions and "Z" in others.
        csv += QDateTime::fromMSecsSinceEpoch(static_cast<qint64>(time), QTimeZone::utc())
                   .toString(QStringLiteral("yyyy-MM-dd'T'HH:mm:ss.zzz'Z'"));
        for (const ChartLine& line : m_lines) {
            csv += QLatin1Char(',') + csvValueAt(line.points, time);
        }
        csv += QLatin1Char('\n');
    }
    return csv;
}

bool ChartAdapter::exportCsv(const QString& path, QString* error) const {
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(toCsv().toUtf8()) < 0) {
        if (error) {
            *error = tr("Could not write %1: %2").arg(path, file.errorString());
        }
        return false;
    }
    return commit(file, path, error);
}

QImage ChartAdapter::toImage() {
    // The crosshair belongs to the cursor, not to the chart being saved.
    const bool reading = m_readingBox->isVisible();
    m_crosshair->hide();
    m_readingBox->hide();
    const QImage image = m_view->grab().toImage();
    m_crosshair->setVisible(reading);
    m_readingBox->setVisible(reading);
    return image;
}

bool ChartAdapter::exportPng(const QString& path, QString* error) {
    const QImage image = toImage();
    QSaveFile file(path);
    if (image.isNull() || !file.open(QIODevice::WriteOnly)) {
        if (error) {
            *error = image.isNull() ? tr("Could not draw the chart '%1'").arg(m_title)
                                    : tr("Could not write %1: %2").arg(path, file.errorString());
        }
        return false;
    }
    QImageWriter writer(&file, "png");
    if (!writer.write(image)) {
        if (error) {
            *error = tr("Could not write %1: %2").arg(path, writer.errorString());
        }
        return false;
    }
    return commit(file, path, error);
}

void ChartAdapter::showMenu(const QPoint& globalPosition) {
    QMenu menu(this);
    QAction* pause = menu.addAction(tr("Pause charts"));
    pause->setCheckable(true);
    pause->setChecked(m_paused);
    QAction* reset = menu.addAction(tr("Back to the live window"));
    reset->setEnabled(isZoomed());
    menu.addSeparator();
    QAction* png = menu.addAction(tr("Export chart as PNG…"));
    QAction* csv = menu.addAction(tr("Export data as CSV…"));
    QAction* chosen = menu.exec(globalPosition);
    if (chosen == pause) {
        setPaused(!m_paused);
        Q_EMIT pauseToggled(m_paused);
    } else if (chosen == reset) {
        userResetZoom();
    } else if (chosen == png) {
        exportPngInteractively();
    } else if (chosen == csv) {
        exportCsvInteractively();
    }
}

void ChartAdapter::exportPngInteractively() {
    QString path = QFileDialog::getSaveFileName(
        this, tr("Export %1 as PNG").arg(m_title),
        suggestedPath(m_title, QStringLiteral("png"), QStandardPaths::PicturesLocation),
        tr("PNG images (*.png)"));
    if (path.isEmpty()) {
        return;
    }
    if (QFileInfo(path).suffix().isEmpty()) {
        path += QStringLiteral(".png");
    }
    lastExportFolder() = QFileInfo(path).absolutePath();
    QString error;
    Q_EMIT statusMessage(exportPng(path, &error) ? tr("Chart saved to %1").arg(path) : error, 5000);
}

void ChartAdapter::exportCsvInteractively() {
    QString path = QFileDialog::getSaveFileName(
        this, tr("Export %1 data as CSV").arg(m_title),
        suggestedPath(m_title, QStringLiteral("csv"), QStandardPaths::DocumentsLocation),
        tr("CSV files (*.csv)"));
    if (path.isEmpty()) {
        return;
    }
    if (QFileInfo(path).suffix().isEmpty()) {
        path += QStringLiteral(".csv");
    }
    lastExportFolder() = QFileInfo(path).absolutePath();
    QString error;
    Q_EMIT statusMessage(exportCsv(path, &error) ? tr("Data saved to %1").arg(path) : error, 5000);
}

} // namespace flowdeck::console
