#pragma once

#include <QDockWidget>
#include <QMainWindow>

namespace flowdeck::console {

// A named dock holding `widget`, added to `window` (the name lets saveState/restoreState find it).
inline QDockWidget* addDock(QMainWindow* window, QWidget* widget, const QString& title,
                            const QString& objectName, Qt::DockWidgetArea area) {
    auto* dock = new QDockWidget(title, window);
    dock->setObjectName(objectName);
    dock->setWidget(widget);
    window->addDockWidget(area, dock);
    return dock;
}

} // namespace flowdeck::console
