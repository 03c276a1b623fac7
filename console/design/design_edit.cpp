// Canvas commands of the Design workspace: add, delete, copy/paste, connect, align, layout, find.
#include "design/design_workspace.h"

#include "graph/flow_commands.h"
#include "graph/flow_scene.h"
#include "graph/flow_view.h"
#include "graph/graph_style.h"
#include "graph/state_item.h"
#include "widgets/state_inspector.h"

#include "flowdeck/engine/flow_json.h"

#include <QApplication>
#include <QClipboard>
#include <QLabel>
#include <QLineEdit>
#include <QMimeData>
#include <QUndoStack>
#include <QtConcurrent/QtConcurrentRun>

namespace flowdeck::console {

namespace {

const QString kClipboardMime = QStringLiteral("application/x-flowdeck-states+json");

engine::State newState(engine::StateType type, const std::string& name) {
    engine::State state;
    state.name = name;
    state.type = type;
    switch (type) {
    case engine::StateType::Response:
    case engine::StateType::End:
    case engine::StateType::Handoff:
        state.config["response_templates"]["default"] = "";
        break;
    case engine::StateType::Intent:
        state.config["intents"] = engine::Json::object();
        break;
    case engine::StateType::SlotFilling:
        state.config["slots"] = engine::Json::array();
        break;
    case engine::StateType::Integration:
        state.config["method"] = "GET";
        state.config["url"] = "";
        break;
    case engine::StateType::Script:
        state.config["script"] = "";
        break;
    case engine::StateType::Condition:
        break;
    }
    return state;
}

} // namespace

StateId DesignWorkspace::addState(engine::StateType type, std::optional<QPointF> position) {
    const QString name = m_document->uniqueStateName(qstr(std::string(engine::toString(type))));
    QPointF at = position.value_or(m_view->visibleCenter());
    at -= QPointF(graph_style::kStateWidth / 2, graph_style::kStateHeight / 2);
    if (!position) {
        // Keyboard-added states go below whatever already sits in the middle of the view.
        const auto occupied = [this](QPointF p) {
            const QRectF area = QRectF(p, graph_style::stateSize()).adjusted(-20, -20, 20, 20);
            for (QGraphicsItem* item : m_scene->items(area)) {
                if (item->type() == StateItem::Type) {
                    return true;
                }
            }
            return false;
        };
        for (int tries = 0; tries < 50 && occupied(at); ++tries) {
            at += QPointF(0, graph_style::kStateHeight + 40);
        }
    }
    auto* command = new AddStateCommand(m_document, newState(type, stdstr(name)), at);
    m_document->undoStack()->push(command);
    if (m_document->stateCount() == 1 && m_document->header().initialState.empty()) {
        FlowHeader header = m_document->header();
        header.initialState = stdstr(name);
        m_document->undoStack()->push(
            new EditHeaderCommand(m_document, header, tr("Start at ‘%1’").arg(name)));
    }
    m_scene->selectStates({command->stateId()});
    return command->stateId();
}

void DesignWorkspace::deleteSelection() {
    const QVector<StateId> states = m_scene->selectedStates();
    if (!states.isEmpty()) {
        m_document->undoStack()->push(new RemoveStatesCommand(m_document, states));
        return;
    }
    if (const auto transition = m_scene->selectedTransition()) {
        if (QUndoCommand* command =
                makeRemoveTransition(m_document, transition->source, transition->index)) {
            m_document->undoStack()->push(command);
        }
    }
}

void DesignWorkspace::copySelection() {
    const QVector<StateId> ids = m_scene->selectedStates();
    if (ids.isEmpty()) {
        return;
    }
    // The clipboard holds a small flow document, so states paste into any flow (and into a text
    // editor as readable JSON).
    engine::Flow clip;
    clip.name = "clipboard";
    engine::Json positions = engine::Json::object();
    for (StateId id : ids) {
        clip.states.push_back(*m_document->state(id));
        const QPointF p = m_document->position(id);
        positions[m_document->state(id)->name] = {p.x(), p.y()};
    }
    clip.initialState = clip.states.front().name;
    clip.extra["x-flowdeck-positions"] = positions;
    const QByteArray text = QByteArray::fromStdString(engine::serializeFlow(clip));
    auto* mime = new QMimeData;
    mime->setData(kClipboardMime, text);
    mime->setText(QString::fromUtf8(text));
    QApplication::clipboard()->setMimeData(mime);
    Q_EMIT statusMessage(
        (ids.size() == 1 ? tr("Copied 1 state") : tr("Copied %1 states").arg(ids.size())), 3000);
}

void DesignWorkspace::paste() {
    const QMimeData* mime = QApplication::clipboard()->mimeData();
    const QByteArray text = mime && mime->hasFormat(kClipboardMime)
                                ? mime->data(kClipboardMime)
                                : (mime ? mime->text().toUtf8() : QByteArray());
    engine::ParseResult parsed = engine::parseFlow(text.toStdString());
    if (!parsed.ok() || parsed.flow->states.empty()) {
        Q_EMIT statusMessage(tr("The clipboard holds no states to paste."), 4000);
        return;
    }
    const engine::Json positions =
        parsed.flow->extra.value("x-flowdeck-positions", engine::Json::object());
    // Paste near the visible centre, keeping the states' arrangement.
    std::vector<QPointF> at;
    QPointF origin(1e12, 1e12);
    for (const engine::State& state : parsed.flow->states) {
        const engine::Json p = positions.value(state.name, engine::Json::array({0, 0}));
        at.emplace_back(p.at(0).get<double>(), p.at(1).get<double>());
        origin = QPointF(qMin(origin.x(), at.back().x()), qMin(origin.y(), at.back().y()));
    }
    const QPointF offset = m_view->visibleCenter() - origin - QPointF(40, 40);
    for (QPointF& p : at) {
        p += offset;
    }
    QVector<QString> names;
    m_document->undoStack()->push(makeAddStates(
        m_document, std::move(parsed.flow->states), at,
        (at.size() == 1 ? tr("Paste 1 state") : tr("Paste %1 states").arg(at.size())), &names));
    QVector<StateId> ids;
    for (const QString& name : names) {
        ids.push_back(*m_document->idOf(name));
    }
    m_scene->selectStates(ids);
}

void DesignWorkspace::connectSelected() {
    const QVector<StateId> ids = m_scene->selectedStates();
    if (ids.size() != 2) {
        Q_EMIT statusMessage(tr("Select exactly two states to connect (first → second in flow "
                                "order), or drag from a state's handle to another."),
                             5000);
        return;
    }
    const engine::State* from = m_document->state(ids[0]);
    const auto condition = engine::isWaiting(from->type) ? engine::ConditionType::AnyInput
                                                         : engine::ConditionType::Fallback;
    m_document->undoStack()->push(makeAddTransition(m_document, ids[0], ids[1], condition));
}

void DesignWorkspace::alignSelection(Qt::Alignment edge) {
    const QVector<StateId> ids = m_scene->selectedStates();
    if (ids.size() < 2) {
        return;
    }
    qreal line = 1e12;
    for (StateId id : ids) {
        const QPointF p = m_document->position(id);
        line = qMin(line, edge == Qt::AlignLeft ? p.x() : p.y());
    }
    MoveStatesCommand::Moves moves;
    for (StateId id : ids) {
        const QPointF from = m_document->position(id);
        const QPointF to =
            edge == Qt::AlignLeft ? QPointF(line, from.y()) : QPointF(from.x(), line);
        if (to != from) {
            moves.insert(id, {from, to});
        }
    }
    if (!moves.isEmpty()) {
        m_document->undoStack()->push(new MoveStatesCommand(
            m_document, moves,
            edge == Qt::AlignLeft ? tr("Align left edges") : tr("Align top edges")));
    }
}

void DesignWorkspace::autoLayout(LayoutDirection direction) {
    if (m_layoutWatcher.isRunning()) {
        m_layoutCancel->store(true);
        m_layoutWatcher.waitForFinished();
    }
    const LayoutInput in = layoutInput();
    const QString text = direction == LayoutDirection::TopDown
                             ? tr("Automatic layout (top-down)")
                             : tr("Automatic layout (left-right)");
    m_layoutCancel = std::make_shared<std::atomic_bool>(false);
    m_layoutWatcher.setProperty("text", text);
    Q_EMIT statusMessage(tr("Laying out %n states…", nullptr, int(in.nodes.size())), 0);
    const bool useDot = in.nodes.size() <= kDotStateLimit;
    m_layoutWatcher.setFuture(QtConcurrent::run([in, direction, useDot, cancel = m_layoutCancel] {
        return useDot ? layoutWithGraphviz(in.nodes, in.edges, direction, in.root, cancel.get())
                      : layoutLayered(in.nodes, in.edges, direction, in.root);
    }));
}

void DesignWorkspace::applyLayout(const LayoutResult& result, const QString& text) {
    MoveStatesCommand::Moves moves;
    for (auto it = result.positions.cbegin(); it != result.positions.cend(); ++it) {
        const auto id = m_document->idOf(it.key());
        if (id && m_document->position(*id) != it.value()) {
            moves.insert(*id, {m_document->position(*id), it.value()});
        }
    }
    if (!moves.isEmpty()) {
        m_document->undoStack()->push(new MoveStatesCommand(m_document, moves, text));
    }
    m_scene->fitSceneRect();
    m_view->zoomToFit();
    Q_EMIT statusMessage(tr("Layout done"), 3000);
}

void DesignWorkspace::showFind() {
    m_findEdit->setFocus();
    m_findEdit->selectAll();
}

void DesignWorkspace::findNext(const QString& text) {
    if (text.trimmed().isEmpty()) {
        m_findStatus->clear();
        return;
    }
    QVector<StateId> matches;
    const QString needle = text.toLower();
    for (StateId id : m_document->stateIds()) {
        const engine::State* state = m_document->state(id);
        std::string haystack = state->name + '\n' + state->config.dump();
        for (const engine::Transition& t : state->transitions) {
            haystack += '\n' + t.conditionValue + '\n' + t.expression;
        }
        if (qstr(haystack).toLower().contains(needle)) {
            matches.push_back(id);
        }
    }
    if (matches.isEmpty()) {
        m_findStatus->setText(tr("  no match"));
        return;
    }
    m_findIndex = (m_findIndex + 1) % int(matches.size());
    m_findStatus->setText(tr("  %1 of %2").arg(m_findIndex + 1).arg(matches.size()));
    m_scene->selectStates({matches[m_findIndex]});
    m_view->centerOn(m_scene->stateItem(matches[m_findIndex]));
}

} // namespace flowdeck::console
