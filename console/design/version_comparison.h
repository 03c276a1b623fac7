#pragma once

#include "flowdeck/engine/flow.h"
#include "flowdeck/engine/flow_diff.h"

#include <QHash>
#include <QObject>
#include <QPointF>
#include <QString>
#include <QTimer>

#include <optional>

class QListWidget;

namespace flowdeck::console {

class FlowDocument;
class FlowScene;

// Draws the structural diff between a saved version (the baseline) and the flow being edited on
// the canvas: added states green, changed ones amber, renamed ones blue, each with a badge,
// removed states as ghosts (where the baseline's layout had them, else next to their former
// neighbours) with their removed arrows dashed red, and every change as one line in a list. It
// follows edits live until cleared.
class VersionComparison final : public QObject {
    Q_OBJECT
public:
    VersionComparison(FlowDocument* document, FlowScene* scene, QListWidget* list,
                      QObject* parent = nullptr);

    // `positions` is the baseline's layout by state name, if known: removed states are drawn there.
    void compareWith(engine::Flow baseline, const QString& label,
                     const QHash<QString, QPointF>& positions = {});
    void clear();
    bool isActive() const { return m_baseline.has_value(); }
    const engine::FlowDiff& diff() const { return m_diff; }
    QString label() const { return m_label; }

Q_SIGNALS:
    void changed();

private:
    void recompute();
    void fillList();
    void showGhosts();
    QPointF ghostPosition(const engine::State& removed, const QVector<QString>& predecessors,
                          const QHash<QString, QPointF>& placed) const;

    FlowDocument* m_document;
    FlowScene* m_scene;
    QListWidget* m_list;
    QTimer m_timer;
    std::optional<engine::Flow> m_baseline;
    QHash<QString, QPointF> m_baselinePositions;
    QHash<QString, QString> m_renamed; // baseline name → live name, of the current diff
    engine::FlowDiff m_diff;
    QString m_label;
};

} // namespace flowdeck::console
