#pragma once

#include <QColor>
#include <QPalette>
#include <QString>

#include <functional>

class QWidget;

namespace flowdeck::console {

// The one place that knows light from dark. Everything that is not a palette role (red for an
// error, amber for a warning, the banner colours) comes from here, picked for the palette in
// effect *now*, so a caller that asks again after a theme switch gets the right colour.
namespace theme {

// What a colour says, independent of the theme.
enum class Tone { Error, Warning, Success, Accent };

// Dark when the window is darker than its text: true for our dark palette and for a dark
// platform palette ("follow the system"; Qt 6.4 has no QStyleHints::colorScheme).
bool isDark(const QPalette& palette);
bool isDark(); // of QApplication::palette()

// Readable as text or a thin line on the palette's Base and Window (WCAG contrast ≥ 4.5).
QColor text(Tone tone);
// A fill that carries textOn(fill) readably (badges, pills, the user's chat bubble).
QColor fill(Tone tone);
// White or near-black, whichever reads better on `background`.
QColor textOn(const QColor& background);
// "color: #rrggbb;" of text(tone), for a label's style sheet.
QString textStyle(Tone tone);
// A whole banner's style sheet (background, text, border) for the widgets `selector` matches
// and the labels inside them.
QString bannerStyle(Tone tone, const QString& selector);

// WCAG 2 contrast ratio between two opaque colours, 1 (same) to 21 (black on white).
double contrastRatio(const QColor& a, const QColor& b);

// The palettes View → Theme applies.
QPalette darkPalette();
QPalette lightPalette();

// Calls `repaint` whenever `widget`'s palette changes (a theme switch, the system's theme): for
// widgets that bake colours into HTML, cached pixmaps or graphics items. Lives as long as
// `widget`.
void onPaletteChange(QWidget* widget, std::function<void()> repaint);
// Colours `widget`'s text with text(tone), now and after every theme switch.
void setTextTone(QWidget* widget, Tone tone);

} // namespace theme
} // namespace flowdeck::console
