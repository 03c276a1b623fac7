#pragma once

#include "flowdeck/engine/flow.h"
#include "flowdeck/engine/flow_diff.h"

#include <QObject>
#include <QString>
#include <QTimer>

#include <optional>

class QListWidget;

namespace flowdeck::console {

class FlowDocument;
class FlowScene;

// Draws the structural diff between a saved version (the baseline) and the flow being edited on
// the canvas: added states green, changed ones amber, renamed ones blue, each with a badge, and
// every change as one line in a list (removed states live only there). It follows edits live
// until cleared.
class VersionComparison final : public QObject {
    Q_OBJECT
public:
    VersionComparison(FlowDocument* document, FlowScene* scene, QListWidget* list,
                      QObject* parent = nullptr);

    void compareWith(engine::Flow baseline, const QString& label);
    void clear();
    bool isActive() const { return m_baseline.has_value(); }
    const engine::FlowDiff& diff() const { return m_diff; }
    QString label() const { return m_label; }

Q_SIGNALS:
    void changed();

private:
    void recompute();
    void fillList();

    FlowDocument* m_document;
    FlowScene* m_scene;
    QListWidget* m_list;
    QTimer m_timer;
    std::optional<engine::Flow> m_baseline;
    engine::FlowDiff m_diff;
    QString m_label;
};

} // namespace flowdeck::console
