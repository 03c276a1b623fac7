// View → Theme: the canvas, the chat and the Clusters charts switch to dark and back to light
// through MainWindow::applyTheme, judged on the pixels (and HTML) a person would see. Every check
// runs after a switch back too, so a colour cached from the previous theme fails it.
#include "app/main_window.h"
#include "design/design_workspace.h"
#include "graph/flow_scene.h"
#include "graph/flow_view.h"
#include "graph/state_item.h"
#include "models/flow_document.h"
#include "simulate/chat_panel.h"
#include "widgets/theme_colors.h"
#ifdef FLOWDECK_HAVE_CLUSTERS
#include "clusters/chart_adapter.h"
#endif

#include <QApplication>
#include <QImage>
#include <QTest>
#include <QTextBrowser>

#include <algorithm>
#include <cmath>

using namespace flowdeck::console;

namespace {

double luminance(const QColor& color) {
    // contrastRatio against black is (L + 0.05) / 0.05.
    return theme::contrastRatio(color, Qt::black) * 0.05 - 0.05;
}

double meanLuminance(const QImage& image) {
    double sum = 0;
    int count = 0;
    for (int y = 0; y < image.height(); y += 3) {
        for (int x = 0; x < image.width(); x += 3) {
            sum += luminance(image.pixelColor(x, y));
            ++count;
        }
    }
    return count > 0 ? sum / count : 0.0;
}

struct Ink {
    QColor background; // the commonest colour of the area
    QColor text;       // the pixel that stands out most from it
};

Ink inkOf(const QImage& image, const QRect& area) {
    QHash<QRgb, int> counts;
    const QRect inside = area.intersected(image.rect());
    for (int y = inside.top(); y <= inside.bottom(); ++y) {
        for (int x = inside.left(); x <= inside.right(); ++x) {
            ++counts[image.pixel(x, y)];
        }
    }
    QRgb common = 0;
    for (auto it = counts.cbegin(); it != counts.cend(); ++it) {
        if (it.value() > counts.value(common, -1)) {
            common = it.key();
        }
    }
    Ink ink{QColor(common), QColor(common)};
    for (auto it = counts.cbegin(); it != counts.cend(); ++it) {
        if (theme::contrastRatio(QColor(it.key()), ink.background) >
            theme::contrastRatio(ink.text, ink.background)) {
            ink.text = QColor(it.key());
        }
    }
    return ink;
}

// What View → Theme does; widgets learn of the new palette from posted events, which the menu's
// event loop would deliver.
void switchTheme(const QString& theme) {
    MainWindow::applyTheme(theme);
    QCoreApplication::sendPostedEvents();
    QCoreApplication::processEvents();
}

} // namespace

class tst_DarkTheme final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void cleanup() { switchTheme(QStringLiteral("light")); }

    void canvasAndStateNamesAreReadableInDarkAndBackInLight();
    void chatBubblesAreRedrawnForTheTheme();
#ifdef FLOWDECK_HAVE_CLUSTERS
    void chartBackgroundFollowsTheTheme();
#endif
};

void tst_DarkTheme::canvasAndStateNamesAreReadableInDarkAndBackInLight() {
    switchTheme(QStringLiteral("light"));
    MainWindow window(nullptr);
    window.resize(1200, 800);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    DesignWorkspace* design = window.design();
    QVERIFY(design->openFile(QStringLiteral(RESOURCES_DIR "/flows/order_support.json")));
    const auto id = design->document()->idOf(QStringLiteral("check_status"));
    QVERIFY(id.has_value());
    StateItem* item = design->scene()->stateItem(*id);
    QVERIFY(item);
    FlowView* view = design->view();
    view->setZoom(1.0, item->sceneBoundingRect().center());
    view->centerOn(item);
    // The state's name line (below the type label) and a patch of empty canvas beside the flow.
    const QRect nameLine = view->mapFromScene(item->mapToScene(QRectF(14, 22, 180, 18)))
                               .boundingRect()
                               .adjusted(1, 1, -1, -1);
    QPointF empty = item->sceneBoundingRect().topLeft();
    for (qreal dy = -36; dy > -2000; dy -= 24) {
        if (design->scene()->items(QRectF(empty.x() + 6, empty.y() + dy + 6, 12, 12)).isEmpty()) {
            empty += QPointF(12, dy + 12); // between the grid's dots
            break;
        }
    }
    const QPoint blank = view->mapFromScene(empty);
    QVERIFY(view->viewport()->rect().contains(blank));

    for (const QString& theme : {QStringLiteral("dark"), QStringLiteral("light")}) {
        switchTheme(theme);
        const bool dark = theme == QLatin1String("dark");
        const QImage image = view->viewport()->grab().toImage();
        const double background = luminance(image.pixelColor(blank));
        QVERIFY2(dark ? background < 0.05 : background > 0.8,
                 qPrintable(QStringLiteral("%1: canvas luminance %2").arg(theme).arg(background)));
        const Ink ink = inkOf(image, nameLine);
        QVERIFY2(dark ? luminance(ink.background) < 0.05 : luminance(ink.background) > 0.8,
                 qPrintable(QStringLiteral("%1: state box %2").arg(theme, ink.background.name())));
        const double contrast = theme::contrastRatio(ink.text, ink.background);
        QVERIFY2(contrast >= 4.5, qPrintable(QStringLiteral("%1: name %2 on %3, %4:1")
                                                 .arg(theme, ink.text.name(), ink.background.name())
                                                 .arg(contrast)));
    }
}

void tst_DarkTheme::chatBubblesAreRedrawnForTheTheme() {
    switchTheme(QStringLiteral("light"));
    ChatPanel chat;
    chat.resize(420, 320);
    chat.show();
    ChatEntry entry;
    entry.input = QStringLiteral("where is my order");
    entry.reply = QStringLiteral("Which order number?");
    entry.stateAfter = QStringLiteral("ask_order");
    entry.steps = 2;
    ChatEntry opening;
    opening.reply = QStringLiteral("Hi! I can check an order.");
    opening.stateAfter = QStringLiteral("greeting");
    opening.opening = true;
    chat.setEntries({opening, entry}); // the last is selected; the first has the plain bubble
    auto* browser = chat.findChild<QTextBrowser*>(QStringLiteral("ChatView"));
    QVERIFY(browser);

    QString darkBubble;
    for (const QString& theme : {QStringLiteral("dark"), QStringLiteral("light")}) {
        switchTheme(theme);
        const QPalette palette = QApplication::palette();
        const QColor bubble = palette.color(QPalette::AlternateBase);
        const QString html = browser->toHtml();
        // The flow's reply sits on the palette's bubble colour, in the palette's text colour.
        QVERIFY2(html.contains(bubble.name(), Qt::CaseInsensitive),
                 qPrintable(QStringLiteral("%1: no %2 bubble").arg(theme, bubble.name())));
        QVERIFY(theme::contrastRatio(palette.color(QPalette::Text), bubble) >= 4.5);
        if (theme == QLatin1String("dark")) {
            QVERIFY(luminance(bubble) < 0.05);
            darkBubble = bubble.name();
        } else {
            QVERIFY2(!html.contains(darkBubble, Qt::CaseInsensitive),
                     "the dark bubble is still drawn after switching to light");
        }
        const QImage image = browser->viewport()->grab().toImage();
        QVERIFY(theme == QLatin1String("dark") ? meanLuminance(image) < 0.1
                                               : meanLuminance(image) > 0.6);
    }
}

#ifdef FLOWDECK_HAVE_CLUSTERS
void tst_DarkTheme::chartBackgroundFollowsTheTheme() {
    switchTheme(QStringLiteral("light"));
    ChartAdapter chart(QStringLiteral("Latency"), QStringLiteral("ms"));
    chart.resize(420, 300);
    chart.show();
    QVERIFY(QTest::qWaitForWindowExposed(&chart));
    const qint64 end = 1'700'000'000'000;
    QList<QPointF> node;
    QList<QPointF> cluster;
    for (int i = 0; i <= 60; ++i) {
        node.append({double(end - (60 - i) * 1000), 20.0 + i % 7});
        cluster.append({double(end - (60 - i) * 1000), 30.0 + i % 5});
    }
    chart.setLines({ChartLine(QStringLiteral("n1"), node),
                    ChartLine(QStringLiteral("cluster"), cluster, true)},
                   end - 60'000, end);
    for (const QString& theme : {QStringLiteral("dark"), QStringLiteral("light")}) {
        switchTheme(theme);
        const double mean = meanLuminance(chart.toImage());
        QVERIFY2(theme == QLatin1String("dark") ? mean < 0.1 : mean > 0.6,
                 qPrintable(QStringLiteral("%1: chart luminance %2").arg(theme).arg(mean)));
    }
}
#endif

QTEST_MAIN(tst_DarkTheme)
#include "tst_dark_theme.moc"
