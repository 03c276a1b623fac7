#pragma once

#include "models/flow_document.h"

#include <QHash>
#include <QPointF>
#include <QUndoCommand>

#include <optional>
#include <vector>

namespace flowdeck::console {

class WorkspaceStore;

// Replaces the whole content of the document (flow properties and states) with another flow as
// one undo step, e.g. "Restore version 3". Unlike FlowDocument::reset() it keeps the undo history.
// A state that exists on both sides (same name, or renamed according to the engine's diff) keeps
// its id and its position on the canvas, so the layout the designer arranged survives; a state
// that comes back takes its position from `positions` (the restored version's layout), else a
// free place below the others.
class ReplaceFlowCommand final : public QUndoCommand {
public:
    ReplaceFlowCommand(FlowDocument* document, const engine::Flow& flow,
                       const QHash<QString, QPointF>& positions, const QString& text,
                       QUndoCommand* parent = nullptr);
    void redo() override;
    void undo() override;

private:
    struct Entry {
        StateId id = 0; // 0 until the first redo gives a new state its id
        engine::State state;
        std::optional<QPointF> position;
    };
    struct Content {
        FlowHeader header;
        std::vector<Entry> states; // document order
    };
    static Content capture(const FlowDocument& document);
    // Turns the document into `content` with the fewest primitive edits; fills in new ids.
    void apply(Content& content);

    FlowDocument* m_document;
    Content m_before;
    Content m_after;
};

// The command restoring saved version `versionId` of the open flow ("Restore version N"), or
// nullptr with the reason in *error (unknown version, unreadable content).
QUndoCommand* makeRestoreVersion(FlowDocument* document, const WorkspaceStore& store,
                                 qint64 versionId, QString* error);

} // namespace flowdeck::console
