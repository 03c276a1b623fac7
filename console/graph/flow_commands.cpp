#include "graph/flow_commands.h"

#include <QCoreApplication>
#include <QSet>

#include <algorithm>
#include <map>

namespace flowdeck::console {

namespace {

enum CommandId { EditStateId = 1, MoveStatesId = 2, EditHeaderId = 3 };

QString tr(const char* text, int n = -1) {
    return QCoreApplication::translate("FlowCommands", text, nullptr, n);
}

void retarget(std::string& target, const std::string& from, const std::string& to) {
    if (target == from) {
        target = to;
    }
}

} // namespace

// --- AddStateCommand -----------------------------------------------------------------------

AddStateCommand::AddStateCommand(FlowDocument* document, engine::State state, QPointF position,
                                 QUndoCommand* parent)
    : QUndoCommand(parent)
    , m_document(document)
    , m_state(std::move(state))
    , m_position(position) {
    setText(tr("Add state ‘%1’").arg(qstr(m_state.name)));
}

void AddStateCommand::redo() {
    m_id = m_document->insertState(-1, m_state, m_position, m_id);
}

void AddStateCommand::undo() {
    m_document->removeState(m_id);
}

// --- RemoveStatesCommand ---------------------------------------------------------------------

RemoveStatesCommand::RemoveStatesCommand(FlowDocument* document, QVector<StateId> ids,
                                         QUndoCommand* parent)
    : QUndoCommand(parent)
    , m_document(document) {
    std::sort(ids.begin(), ids.end(),
              [&](StateId a, StateId b) { return document->indexOf(a) < document->indexOf(b); });
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    std::vector<std::string> removedNames;
    for (StateId id : ids) {
        if (const engine::State* state = document->state(id)) {
            std::optional<QPointF> position;
            if (document->hasPosition(id)) {
                position = document->position(id);
            }
            m_removed.push_back({document->indexOf(id), id, *state, position});
            removedNames.push_back(state->name);
        }
    }
    for (StateId id : document->stateIds()) {
        if (std::any_of(ids.begin(), ids.end(), [id](StateId r) { return r == id; })) {
            continue;
        }
        engine::State after = *document->state(id);
        const auto removedTarget = [&](const engine::Transition& t) {
            return std::find(removedNames.begin(), removedNames.end(), t.target) !=
                   removedNames.end();
        };
        const auto firstRemoved =
            std::remove_if(after.transitions.begin(), after.transitions.end(), removedTarget);
        if (firstRemoved != after.transitions.end()) {
            after.transitions.erase(firstRemoved, after.transitions.end());
            m_referrersBefore.emplace_back(id, *document->state(id));
            m_referrersAfter.emplace_back(id, std::move(after));
        }
    }
    setText(m_removed.size() == 1 ? tr("Delete state ‘%1’").arg(qstr(m_removed.front().state.name))
                                  : tr("Delete %n states", int(m_removed.size())));
}

void RemoveStatesCommand::redo() {
    for (const auto& [id, state] : m_referrersAfter) {
        m_document->replaceState(id, state);
    }
    for (auto it = m_removed.rbegin(); it != m_removed.rend(); ++it) {
        m_document->removeState(it->id);
    }
}

void RemoveStatesCommand::undo() {
    for (const Removed& removed : m_removed) {
        m_document->insertState(removed.index, removed.state, removed.position, removed.id);
    }
    for (const auto& [id, state] : m_referrersBefore) {
        m_document->replaceState(id, state);
    }
}

// --- RenameStateCommand ----------------------------------------------------------------------

RenameStateCommand::RenameStateCommand(FlowDocument* document, StateId id, const QString& newName,
                                       QUndoCommand* parent)
    : QUndoCommand(parent)
    , m_document(document)
    , m_id(id)
    , m_headerBefore(document->header())
    , m_headerAfter(document->header()) {
    const std::string oldName = document->state(id)->name;
    const std::string name = stdstr(newName);
    QVector<StateId> affected = document->statesTargeting(oldName);
    if (!affected.contains(id)) {
        affected.push_back(id);
    }
    for (StateId other : affected) {
        engine::State after = *document->state(other);
        for (engine::Transition& transition : after.transitions) {
            retarget(transition.target, oldName, name);
        }
        if (other == id) {
            after.name = name;
        }
        m_before.emplace_back(other, *document->state(other));
        m_after.emplace_back(other, std::move(after));
    }
    retarget(m_headerAfter.initialState, oldName, name);
    retarget(m_headerAfter.errorState, oldName, name);
    for (auto& handler : m_headerAfter.globalHandlers) {
        retarget(handler.second, oldName, name);
    }
    setText(tr("Rename ‘%1’ to ‘%2’").arg(qstr(oldName), newName));
}

void RenameStateCommand::redo() {
    for (const auto& [id, state] : m_after) {
        m_document->replaceState(id, state);
    }
    if (!(m_headerAfter == m_headerBefore)) {
        m_document->setHeader(m_headerAfter);
    }
}

void RenameStateCommand::undo() {
    for (const auto& [id, state] : m_before) {
        m_document->replaceState(id, state);
    }
    if (!(m_headerAfter == m_headerBefore)) {
        m_document->setHeader(m_headerBefore);
    }
}

QString RenameStateCommand::validateName(const FlowDocument& document, StateId id,
                                         const QString& name) {
    if (name.trimmed().isEmpty()) {
        return tr("A state needs a name.");
    }
    if (name.trimmed() != name) {
        return tr("A state name cannot start or end with spaces.");
    }
    const auto existing = document.idOf(name);
    if (existing && *existing != id) {
        return tr("There is already a state named ‘%1’.").arg(name);
    }
    return {};
}

// --- EditStateCommand ------------------------------------------------------------------------

EditStateCommand::EditStateCommand(FlowDocument* document, StateId id, engine::State after,
                                   const QString& text, const QString& mergeKey,
                                   QUndoCommand* parent)
    : QUndoCommand(text, parent)
    , m_document(document)
    , m_id(id)
    , m_before(*document->state(id))
    , m_after(std::move(after))
    , m_mergeKey(mergeKey) {}

void EditStateCommand::redo() {
    m_document->replaceState(m_id, m_after);
}

void EditStateCommand::undo() {
    m_document->replaceState(m_id, m_before);
}

int EditStateCommand::id() const {
    return m_mergeKey.isEmpty() ? -1 : EditStateId;
}

bool EditStateCommand::mergeWith(const QUndoCommand* other) {
    const auto* edit = static_cast<const EditStateCommand*>(other);
    if (edit->m_id != m_id || edit->m_mergeKey != m_mergeKey) {
        return false;
    }
    m_after = edit->m_after;
    return true;
}

// --- MoveStatesCommand -----------------------------------------------------------------------

MoveStatesCommand::MoveStatesCommand(FlowDocument* document, Moves moves, const QString& text,
                                     bool mergeable, QUndoCommand* parent)
    : QUndoCommand(text, parent)
    , m_document(document)
    , m_moves(std::move(moves))
    , m_mergeable(mergeable) {}

void MoveStatesCommand::redo() {
    for (auto it = m_moves.cbegin(); it != m_moves.cend(); ++it) {
        m_document->setPosition(it.key(), it.value().second);
    }
}

void MoveStatesCommand::undo() {
    for (auto it = m_moves.cbegin(); it != m_moves.cend(); ++it) {
        m_document->setPosition(it.key(), it.value().first);
    }
}

int MoveStatesCommand::id() const {
    return m_mergeable ? MoveStatesId : -1;
}

bool MoveStatesCommand::mergeWith(const QUndoCommand* other) {
    const auto* move = static_cast<const MoveStatesCommand*>(other);
    if (!move->m_mergeable || move->m_moves.keys() != m_moves.keys()) {
        return false;
    }
    for (auto it = move->m_moves.cbegin(); it != move->m_moves.cend(); ++it) {
        m_moves[it.key()].second = it.value().second;
    }
    return true;
}

// --- EditHeaderCommand -----------------------------------------------------------------------

EditHeaderCommand::EditHeaderCommand(FlowDocument* document, FlowHeader after, const QString& text,
                                     const QString& mergeKey, QUndoCommand* parent)
    : QUndoCommand(text, parent)
    , m_document(document)
    , m_before(document->header())
    , m_after(std::move(after))
    , m_mergeKey(mergeKey) {}

void EditHeaderCommand::redo() {
    m_document->setHeader(m_after);
}

void EditHeaderCommand::undo() {
    m_document->setHeader(m_before);
}

int EditHeaderCommand::id() const {
    return m_mergeKey.isEmpty() ? -1 : EditHeaderId;
}

bool EditHeaderCommand::mergeWith(const QUndoCommand* other) {
    const auto* edit = static_cast<const EditHeaderCommand*>(other);
    if (edit->m_mergeKey != m_mergeKey) {
        return false;
    }
    m_after = edit->m_after;
    return true;
}

// --- builders --------------------------------------------------------------------------------

QUndoCommand* makeAddTransition(FlowDocument* document, StateId from, StateId to,
                                engine::ConditionType condition, const std::string& value) {
    engine::State after = *document->state(from);
    engine::Transition transition;
    transition.condition = condition;
    transition.conditionValue = value;
    transition.target = document->state(to)->name;
    after.transitions.push_back(std::move(transition));
    return new EditStateCommand(
        document, from, std::move(after),
        QCoreApplication::translate("FlowCommands", "Connect ‘%1’ → ‘%2’")
            .arg(qstr(document->state(from)->name), qstr(document->state(to)->name)));
}

QUndoCommand* makeRemoveTransition(FlowDocument* document, StateId from, int index) {
    engine::State after = *document->state(from);
    if (index < 0 || index >= int(after.transitions.size())) {
        return nullptr;
    }
    const std::string target = after.transitions[size_t(index)].target;
    after.transitions.erase(after.transitions.begin() + index);
    return new EditStateCommand(
        document, from, std::move(after),
        QCoreApplication::translate("FlowCommands", "Delete transition ‘%1’ → ‘%2’")
            .arg(qstr(document->state(from)->name), qstr(target)));
}

QUndoCommand* makeAddStates(FlowDocument* document, std::vector<engine::State> states,
                            const std::vector<QPointF>& positions, const QString& text,
                            QVector<QString>* addedNames) {
    // Choose the new names first, taking names chosen earlier in this batch into account.
    std::map<std::string, std::string> renamed;
    QSet<QString> taken;
    for (const engine::State& state : states) {
        QString name = document->uniqueStateName(qstr(state.name));
        for (int n = 2; taken.contains(name); ++n) {
            name = document->uniqueStateName(QStringLiteral("%1_%2").arg(qstr(state.name)).arg(n));
        }
        taken.insert(name);
        renamed[state.name] = stdstr(name);
    }
    auto* parent = new QUndoCommand(text);
    for (size_t i = 0; i < states.size(); ++i) {
        engine::State& state = states[i];
        for (engine::Transition& transition : state.transitions) {
            const auto it = renamed.find(transition.target);
            if (it != renamed.end()) {
                transition.target = it->second;
            }
        }
        state.name = renamed[state.name];
        if (addedNames) {
            addedNames->push_back(qstr(state.name));
        }
        const QPointF position = i < positions.size() ? positions[i] : QPointF();
        new AddStateCommand(document, std::move(state), position, parent);
    }
    return parent;
}

} // namespace flowdeck::console
