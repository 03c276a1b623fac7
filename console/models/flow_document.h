#pragma once

#include "flowdeck/engine/flow.h"

#include <QHash>
#include <QObject>
#include <QPointF>
#include <QString>
#include <QVector>

#include <optional>
#include <vector>

class QUndoStack;

namespace flowdeck::console {

// Stable identity of a state inside one open document. Names change (rename), ids do not, so
// scene items and undo commands address states by id (STYLE.md "Model, scene, view").
using StateId = quint64;

// Everything of a flow except its states: what EditFlowPropertiesCommand replaces as one value.
struct FlowHeader {
    std::string name;
    std::string description;
    std::string version;
    std::string initialState;
    std::string errorState;
    std::vector<std::pair<std::string, std::string>> globalHandlers;
    engine::Json settings = engine::Json::object();
    engine::Json extra = engine::Json::object();

    bool operator==(const FlowHeader&) const = default;
};

// The model of the Design workspace: one flow, the position of each state, and the undo stack of
// every edit made to it. The scene, the inspector, the problems panel and the simulator's
// highlights are views of it and redraw only when it signals.
//
// The mutating functions below are the primitive operations the undo commands
// (graph/flow_commands.h) are built from; widgets never call them directly, they push commands on
// undoStack() so that every edit can be undone.
class FlowDocument final : public QObject {
    Q_OBJECT
public:
    explicit FlowDocument(QObject* parent = nullptr);
    ~FlowDocument() override;

    // Replaces the whole document (open, new, restore) and clears the undo history. States without
    // a position get none; the caller lays them out (see unpositionedStates()).
    void reset(engine::Flow flow, const QHash<QString, QPointF>& positions = {});
    engine::Flow flow() const; // the flow as the engine sees it, states in document order

    // Reading.
    const FlowHeader& header() const { return m_header; }
    int stateCount() const { return int(m_states.size()); }
    QVector<StateId> stateIds() const; // document order
    bool contains(StateId id) const { return m_indexById.contains(id); }
    const engine::State* state(StateId id) const;
    std::optional<StateId> idOf(const QString& name) const;
    std::optional<StateId> idOf(const std::string& name) const;
    int indexOf(StateId id) const; // document position, -1 when absent
    QPointF position(StateId id) const;
    bool hasPosition(StateId id) const;
    QVector<StateId> unpositionedStates() const;
    QHash<QString, QPointF> positionsByName() const;
    // Names of states whose transitions target `name` (incoming references), in document order.
    QVector<StateId> statesTargeting(const std::string& name) const;
    // A name not used by any state, derived from `base` ("ask", "ask_2", "ask_3", ...).
    QString uniqueStateName(const QString& base) const;

    QUndoStack* undoStack() const { return m_undoStack; }

    // Primitive edits (for undo commands only). `id` 0 means "allocate a new id".
    StateId insertState(int index, engine::State state, std::optional<QPointF> position,
                        StateId id = 0);
    engine::State removeState(StateId id);
    void replaceState(StateId id, engine::State state);
    void setPosition(StateId id, QPointF position);
    void setHeader(FlowHeader header);

    // Layout as JSON ({"positions":{"name":[x,y],...}}), for the workspace database and files.
    QByteArray layoutJson() const;
    static QHash<QString, QPointF> positionsFromLayoutJson(const QByteArray& json);

Q_SIGNALS:
    void documentReset();
    void stateInserted(flowdeck::console::StateId id);
    void stateAboutToBeRemoved(flowdeck::console::StateId id);
    void stateRemoved(flowdeck::console::StateId id, const QString& name);
    // Anything of the state changed: name, type, config or transitions. `previousName` lets views
    // re-key what they index by name (incoming edges) on a rename.
    void stateChanged(flowdeck::console::StateId id, const QString& previousName);
    void positionChanged(flowdeck::console::StateId id);
    void headerChanged();
    // Any change of content (not of positions): drives linting, autosave and the dirty marker.
    void contentChanged();

private:
    void rebuildIndex();

    FlowHeader m_header;
    std::vector<engine::State> m_states;
    std::vector<StateId> m_ids;
    QHash<StateId, int> m_indexById;
    QHash<QString, StateId> m_idByName;
    QHash<StateId, QPointF> m_positions;
    StateId m_nextId = 1;
    QUndoStack* m_undoStack = nullptr;
};

QString qstr(const std::string& text);
std::string stdstr(const QString& text);

} // namespace flowdeck::console
