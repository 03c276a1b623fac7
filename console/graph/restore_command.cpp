#include "graph/restore_command.h"

#include "graph/graph_style.h"
#include "models/workspace_store.h"

#include "flowdeck/engine/flow_diff.h"
#include "flowdeck/engine/flow_json.h"

#include <QCoreApplication>
#include <QRectF>
#include <QSet>

#include <algorithm>

namespace flowdeck::console {

namespace {

QString tr(const char* text) {
    return QCoreApplication::translate("RestoreCommand", text);
}

bool sameTransition(const engine::Transition& a, const engine::Transition& b) {
    return a.condition == b.condition && a.conditionValue == b.conditionValue &&
           a.expression == b.expression && a.target == b.target && a.priority == b.priority &&
           a.hasPriority == b.hasPriority && a.extra == b.extra;
}

// Unchanged states are left alone, so their items and the inspector do not redraw for nothing.
bool sameState(const engine::State& a, const engine::State& b) {
    return a.name == b.name && a.type == b.type && a.config == b.config && a.extra == b.extra &&
           std::equal(a.transitions.begin(), a.transitions.end(), b.transitions.begin(),
                      b.transitions.end(), sameTransition);
}

// The state of the document each state of `flow` continues: the one of its name, or the one it
// was renamed from (per the engine's diff), so a renamed state keeps its place on the canvas.
// Both names are then unique to their side, so replacing the state never collides with another.
QHash<QString, StateId> matchStates(const FlowDocument& document, const engine::Flow& flow) {
    QHash<QString, StateId> match;
    for (const engine::State& state : flow.states) {
        if (const auto id = document.idOf(state.name)) {
            match.insert(qstr(state.name), *id);
        }
    }
    for (const engine::StateChange& change : engine::diffFlows(document.flow(), flow).states) {
        const auto id = change.renamedFrom ? document.idOf(*change.renamedFrom) : std::nullopt;
        if (id && !match.contains(qstr(change.name))) {
            match.insert(qstr(change.name), *id);
        }
    }
    return match;
}

FlowHeader headerOf(const engine::Flow& flow) {
    return FlowHeader{flow.name,       flow.description,    flow.version,  flow.initialState,
                      flow.errorState, flow.globalHandlers, flow.settings, flow.extra};
}

} // namespace

ReplaceFlowCommand::ReplaceFlowCommand(FlowDocument* document, const engine::Flow& flow,
                                       const QHash<QString, QPointF>& positions,
                                       const QString& text, QUndoCommand* parent)
    : QUndoCommand(text, parent)
    , m_document(document)
    , m_before(capture(*document)) {
    m_after.header = headerOf(flow);
    const QHash<QString, StateId> match = matchStates(*document, flow);
    QRectF kept; // where the states that stay are drawn; returning states without a place go below
    for (StateId id : match) {
        if (document->hasPosition(id)) {
            kept |= QRectF(document->position(id), graph_style::stateSize());
        }
    }
    int placed = 0;
    for (const engine::State& state : flow.states) {
        Entry entry{0, state, std::nullopt};
        if (const StateId id = match.value(qstr(state.name))) {
            entry.id = id;
            if (document->hasPosition(id)) {
                entry.position = document->position(id);
            }
        } else if (positions.contains(qstr(state.name))) {
            entry.position = positions.value(qstr(state.name));
        } else {
            const qreal step = graph_style::stateSize().width() + 40;
            entry.position = QPointF(kept.left() + step * placed++, kept.bottom() + 60);
        }
        m_after.states.push_back(std::move(entry));
    }
}

ReplaceFlowCommand::Content ReplaceFlowCommand::capture(const FlowDocument& document) {
    Content content{document.header(), {}};
    for (StateId id : document.stateIds()) {
        std::optional<QPointF> position;
        if (document.hasPosition(id)) {
            position = document.position(id);
        }
        content.states.push_back({id, *document.state(id), position});
    }
    return content;
}

void ReplaceFlowCommand::redo() {
    apply(m_after);
}

void ReplaceFlowCommand::undo() {
    apply(m_before);
}

void ReplaceFlowCommand::apply(Content& content) {
    QSet<StateId> wanted;
    for (const Entry& entry : content.states) {
        wanted.insert(entry.id);
    }
    for (StateId id : m_document->stateIds()) {
        if (!wanted.contains(id)) {
            m_document->removeState(id);
        }
    }
    for (int index = 0; index < int(content.states.size()); ++index) {
        Entry& entry = content.states[size_t(index)];
        const bool present = entry.id != 0 && m_document->contains(entry.id);
        if (present && m_document->indexOf(entry.id) == index) {
            if (!sameState(*m_document->state(entry.id), entry.state)) {
                m_document->replaceState(entry.id, entry.state);
            }
            if (entry.position && m_document->position(entry.id) != *entry.position) {
                m_document->setPosition(entry.id, *entry.position);
            }
            continue;
        }
        if (present) { // in another place of the document order: take it out and put it back
            m_document->removeState(entry.id);
        }
        entry.id = m_document->insertState(index, entry.state, entry.position, entry.id);
    }
    if (!(m_document->header() == content.header)) {
        m_document->setHeader(content.header);
    }
}

QUndoCommand* makeRestoreVersion(FlowDocument* document, const WorkspaceStore& store,
                                 qint64 versionId, QString* error) {
    const QString earlierError = store.lastError();
    const std::optional<FlowVersion> version = store.version(versionId);
    if (!version) {
        // lastError() keeps the last failure: only a new one is about this read.
        *error = store.lastError() != earlierError
                     ? store.lastError()
                     : tr("The chosen version is no longer in the workspace database.");
        return nullptr;
    }
    const engine::ParseResult parsed = engine::parseFlow(version->flowJson.toStdString());
    if (!parsed.ok()) {
        *error = tr("Version %1 is not a flow Flowdeck can read: %2")
                     .arg(version->number)
                     .arg(parsed.diagnostics.empty()
                              ? QString()
                              : qstr(engine::formatDiagnostic(parsed.diagnostics.front())));
        return nullptr;
    }
    return new ReplaceFlowCommand(document, *parsed.flow,
                                  FlowDocument::positionsFromLayoutJson(version->layoutJson),
                                  tr("Restore version %1").arg(version->number));
}

} // namespace flowdeck::console
