#pragma once

#include "models/flow_document.h"

#include <QHash>
#include <QPointF>
#include <QUndoCommand>

#include <optional>
#include <utility>
#include <vector>

namespace flowdeck::console {

// Undo commands of the Design workspace (STYLE.md "Undo"): one command per gesture, addressing the
// document by state id, taking what undo needs when they are created, always with a readable text.

class AddStateCommand final : public QUndoCommand {
public:
    AddStateCommand(FlowDocument* document, engine::State state, QPointF position,
                    QUndoCommand* parent = nullptr);
    void redo() override;
    void undo() override;
    StateId stateId() const { return m_id; }

private:
    FlowDocument* m_document;
    engine::State m_state;
    QPointF m_position;
    StateId m_id = 0;
};

// Removes states and every transition that leads to them, so the flow keeps no dangling target.
class RemoveStatesCommand final : public QUndoCommand {
public:
    RemoveStatesCommand(FlowDocument* document, QVector<StateId> ids,
                        QUndoCommand* parent = nullptr);
    void redo() override;
    void undo() override;

private:
    struct Removed {
        int index;
        StateId id;
        engine::State state;
        std::optional<QPointF> position;
    };
    FlowDocument* m_document;
    std::vector<Removed> m_removed; // ascending document index
    std::vector<std::pair<StateId, engine::State>> m_referrersBefore;
    std::vector<std::pair<StateId, engine::State>> m_referrersAfter;
};

// Renames a state; every reference follows (transition targets, initial and error state, global
// handlers).
class RenameStateCommand final : public QUndoCommand {
public:
    RenameStateCommand(FlowDocument* document, StateId id, const QString& newName,
                       QUndoCommand* parent = nullptr);
    void redo() override;
    void undo() override;
    // Why a name cannot be used, or an empty string when it can.
    static QString validateName(const FlowDocument& document, StateId id, const QString& name);

private:
    FlowDocument* m_document;
    StateId m_id;
    std::vector<std::pair<StateId, engine::State>> m_before;
    std::vector<std::pair<StateId, engine::State>> m_after;
    FlowHeader m_headerBefore;
    FlowHeader m_headerAfter;
};

// Replaces one state's content (type, config, transitions). Edits with the same non-empty
// `mergeKey` on the same state merge into one step, so typing in a field is one undo step.
class EditStateCommand final : public QUndoCommand {
public:
    EditStateCommand(FlowDocument* document, StateId id, engine::State after, const QString& text,
                     const QString& mergeKey = {}, QUndoCommand* parent = nullptr);
    void redo() override;
    void undo() override;
    int id() const override;
    bool mergeWith(const QUndoCommand* other) override;

private:
    FlowDocument* m_document;
    StateId m_id;
    engine::State m_before;
    engine::State m_after;
    QString m_mergeKey;
};

// Moves states. A drag is pushed once on mouse release; keyboard nudges of the same selection
// merge into one step.
class MoveStatesCommand final : public QUndoCommand {
public:
    using Moves = QHash<StateId, std::pair<QPointF, QPointF>>; // id -> (from, to)
    MoveStatesCommand(FlowDocument* document, Moves moves, const QString& text,
                      bool mergeable = false, QUndoCommand* parent = nullptr);
    void redo() override;
    void undo() override;
    int id() const override;
    bool mergeWith(const QUndoCommand* other) override;

private:
    FlowDocument* m_document;
    Moves m_moves;
    bool m_mergeable;
};

class EditHeaderCommand final : public QUndoCommand {
public:
    EditHeaderCommand(FlowDocument* document, FlowHeader after, const QString& text,
                      const QString& mergeKey = {}, QUndoCommand* parent = nullptr);
    void redo() override;
    void undo() override;
    int id() const override;
    bool mergeWith(const QUndoCommand* other) override;

private:
    FlowDocument* m_document;
    FlowHeader m_before;
    FlowHeader m_after;
    QString m_mergeKey;
};

// Builders for the common gestures, so widgets and tests say what they mean.
QUndoCommand* makeAddTransition(FlowDocument* document, StateId from, StateId to,
                                engine::ConditionType condition, const std::string& value = {});
QUndoCommand* makeRemoveTransition(FlowDocument* document, StateId from, int index);
// Adds states (e.g. pasted ones) under fresh names: transitions between them follow the renames.
QUndoCommand* makeAddStates(FlowDocument* document, std::vector<engine::State> states,
                            const std::vector<QPointF>& positions, const QString& text,
                            QVector<QString>* addedNames = nullptr);

} // namespace flowdeck::console
