#include "widgets/theme_colors.h"

#include <QApplication>
#include <QEvent>
#include <QStyle>
#include <QWidget>

#include <algorithm>
#include <cmath>

namespace flowdeck::console::theme {

namespace {

struct ToneColors {
    QColor lightText; // ≥ 4.5:1 on white
    QColor darkText;  // ≥ 4.5:1 on the dark palette's Base (#2a2f38)
    QColor fill;      // carries white text at ≥ 4.5:1, on either theme's background
};

ToneColors colorsOf(Tone tone) {
    switch (tone) {
    case Tone::Error:
        return {QColor(0xdc, 0x26, 0x26), QColor(0xf8, 0x71, 0x71), QColor(0xdc, 0x26, 0x26)};
    case Tone::Warning:
        return {QColor(0xb4, 0x53, 0x09), QColor(0xfb, 0xbf, 0x24), QColor(0xb4, 0x53, 0x09)};
    case Tone::Success:
        return {QColor(0x15, 0x80, 0x3d), QColor(0x34, 0xd3, 0x99), QColor(0x15, 0x80, 0x3d)};
    case Tone::Accent:
        break;
    }
    return {QColor(0x25, 0x63, 0xeb), QColor(0x60, 0xa5, 0xfa), QColor(0x25, 0x63, 0xeb)};
}

struct BannerColors {
    QColor background;
    QColor text;
    QColor border;
};

// Pale background with dark text in light; deep background with pale text in dark.
BannerColors bannerOf(Tone tone, bool dark) {
    switch (tone) {
    case Tone::Error:
        return dark ? BannerColors{QColor(0x45, 0x0a, 0x0a), QColor(0xfe, 0xca, 0xca),
                                   QColor(0xdc, 0x26, 0x26)}
                    : BannerColors{QColor(0xfe, 0xe2, 0xe2), QColor(0x7f, 0x1d, 0x1d),
                                   QColor(0xdc, 0x26, 0x26)};
    case Tone::Warning:
        return dark ? BannerColors{QColor(0x42, 0x20, 0x06), QColor(0xfd, 0xe6, 0x8a),
                                   QColor(0xb4, 0x53, 0x09)}
                    : BannerColors{QColor(0xfe, 0xf3, 0xc7), QColor(0x78, 0x35, 0x0f),
                                   QColor(0xf5, 0x9e, 0x0b)};
    case Tone::Success:
        return dark ? BannerColors{QColor(0x05, 0x2e, 0x16), QColor(0xbb, 0xf7, 0xd0),
                                   QColor(0x16, 0xa3, 0x4a)}
                    : BannerColors{QColor(0xdc, 0xfc, 0xe7), QColor(0x14, 0x53, 0x2d),
                                   QColor(0x16, 0xa3, 0x4a)};
    case Tone::Accent:
        break;
    }
    return dark ? BannerColors{QColor(0x17, 0x25, 0x54), QColor(0xbf, 0xdb, 0xfe),
                               QColor(0x25, 0x63, 0xeb)}
                : BannerColors{QColor(0xdb, 0xea, 0xfe), QColor(0x1e, 0x3a, 0x8a),
                               QColor(0x25, 0x63, 0xeb)};
}

double relativeLuminance(const QColor& color) {
    const auto channel = [](double c) {
        return c <= 0.03928 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4);
    };
    const QColor rgb = color.toRgb();
    return 0.2126 * channel(rgb.redF()) + 0.7152 * channel(rgb.greenF()) +
           0.0722 * channel(rgb.blueF());
}

// Calls back on the watched widget's palette changes; a child of it, so it dies with it.
class PaletteWatcher final : public QObject {
public:
    PaletteWatcher(QWidget* widget, std::function<void()> repaint)
        : QObject(widget)
        , m_repaint(std::move(repaint)) {
        widget->installEventFilter(this);
    }

protected:
    bool eventFilter(QObject* watched, QEvent* event) override {
        // The callback may restyle children, which must not bring us back here half-way.
        if (event->type() == QEvent::PaletteChange && !m_busy) {
            m_busy = true;
            m_repaint();
            m_busy = false;
        }
        return QObject::eventFilter(watched, event);
    }

private:
    std::function<void()> m_repaint;
    bool m_busy = false;
};

} // namespace

bool isDark(const QPalette& palette) {
    return palette.color(QPalette::Window).lightnessF() <
           palette.color(QPalette::WindowText).lightnessF();
}

bool isDark() {
    return isDark(QApplication::palette());
}

QColor text(Tone tone) {
    const ToneColors colors = colorsOf(tone);
    return isDark() ? colors.darkText : colors.lightText;
}

QColor fill(Tone tone) {
    return colorsOf(tone).fill;
}

QColor textOn(const QColor& background) {
    const QColor light(Qt::white);
    const QColor dark(0x11, 0x18, 0x27);
    return contrastRatio(light, background) >= contrastRatio(dark, background) ? light : dark;
}

QString textStyle(Tone tone) {
    return QStringLiteral("color: %1;").arg(text(tone).name());
}

QString bannerStyle(Tone tone, const QString& selector) {
    const BannerColors colors = bannerOf(tone, isDark());
    // Qt style sheets do not pass `color` on to child widgets, hence the second rule.
    return QStringLiteral("%1 { background: %2; color: %3; border: 1px solid %4; }"
                          " %1 QLabel { color: %3; background: transparent; border: none; }")
        .arg(selector, colors.background.name(), colors.text.name(), colors.border.name());
}

double contrastRatio(const QColor& a, const QColor& b) {
    const double la = relativeLuminance(a);
    const double lb = relativeLuminance(b);
    return (std::max(la, lb) + 0.05) / (std::min(la, lb) + 0.05);
}

QPalette darkPalette() {
    const QColor window(0x1f, 0x23, 0x2a);
    const QColor base(0x2a, 0x2f, 0x38);
    const QColor text(0xe5, 0xe7, 0xeb);
    const QColor disabledText(0x6b, 0x72, 0x80);
    QPalette dark(text, window);
    dark.setColor(QPalette::Window, window);
    dark.setColor(QPalette::WindowText, text);
    dark.setColor(QPalette::Base, base);
    dark.setColor(QPalette::AlternateBase, QColor(0x25, 0x29, 0x31));
    dark.setColor(QPalette::Text, text);
    dark.setColor(QPalette::PlaceholderText, QColor(0x9c, 0xa3, 0xaf));
    dark.setColor(QPalette::Button, base);
    dark.setColor(QPalette::ButtonText, text);
    dark.setColor(QPalette::BrightText, Qt::white);
    dark.setColor(QPalette::Light, QColor(0x3a, 0x40, 0x4b));
    dark.setColor(QPalette::Midlight, QColor(0x32, 0x38, 0x43));
    dark.setColor(QPalette::Mid, QColor(0x4b, 0x55, 0x63));
    dark.setColor(QPalette::Dark, QColor(0x16, 0x19, 0x1e));
    dark.setColor(QPalette::Shadow, QColor(0x0b, 0x0d, 0x10));
    dark.setColor(QPalette::Highlight, QColor(0x25, 0x63, 0xeb));
    dark.setColor(QPalette::HighlightedText, Qt::white);
    dark.setColor(QPalette::Link, QColor(0x60, 0xa5, 0xfa));
    dark.setColor(QPalette::LinkVisited, QColor(0xa7, 0x8b, 0xfa));
    dark.setColor(QPalette::ToolTipBase, base);
    dark.setColor(QPalette::ToolTipText, text);
    // Without these a disabled button reads exactly like an enabled one.
    for (const auto role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText}) {
        dark.setColor(QPalette::Disabled, role, disabledText);
    }
    dark.setColor(QPalette::Disabled, QPalette::Highlight, QColor(0x4b, 0x55, 0x63));
    return dark;
}

QPalette lightPalette() {
    // The style's own light palette, whatever the platform's theme is.
    QPalette light = QApplication::style()->standardPalette();
    light.setColor(QPalette::PlaceholderText, QColor(0x6b, 0x72, 0x80));
    return light;
}

void onPaletteChange(QWidget* widget, std::function<void()> repaint) {
    if (widget && repaint) {
        new PaletteWatcher(widget, std::move(repaint));
    }
}

void setTextTone(QWidget* widget, Tone tone) {
    if (!widget) {
        return;
    }
    widget->setStyleSheet(textStyle(tone));
    onPaletteChange(widget, [widget, tone] { widget->setStyleSheet(textStyle(tone)); });
}

} // namespace flowdeck::console::theme
