#pragma once

#include "flowdeck/engine/flow.h"

#include <QColor>
#include <QFont>
#include <QSizeF>
#include <QString>

namespace flowdeck::console {

// Sizes, colours and texts shared by the graph items, so the scene, the layout and the
// screenshots agree on what a state looks like.
namespace graph_style {

constexpr qreal kStateWidth = 210;
constexpr qreal kStateHeight = 76;
inline QSizeF stateSize() {
    return {kStateWidth, kStateHeight};
}
// Below this zoom the scene draws boxes without text: text at that size is unreadable anyway and
// is what makes a 10,000-state flow slow to pan.
constexpr qreal kDetailLevel = 0.3;

// Lighter in dark so the type label reads on a dark box; ask again after a theme switch.
QColor typeColor(engine::StateType type);
QString typeLabel(engine::StateType type);
// One line that says what the state does: its response text, its intents, its slots, its endpoint.
QString stateSummary(const engine::State& state);
// "intent = order_status", "slot order_id filled", "if vars.n > 2", "fallback".
QString conditionLabel(const engine::Transition& transition);

// Text and line colours for the palette in effect when called (never cache them: View → Theme
// changes them); see widgets/theme_colors.h for fills and banners.
QColor errorColor();
QColor warningColor();
QColor accentColor();
// The initial state's "start" tag (a fill: its text is theme::textOn(startColor())).
QColor startColor();

} // namespace graph_style
} // namespace flowdeck::console
