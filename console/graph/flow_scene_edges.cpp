// FlowScene's arrows: their geometry from the two boxes, and labels kept apart.
#include "graph/flow_scene.h"

#include "graph/edge_labels.h"
#include "graph/graph_style.h"
#include "graph/state_item.h"
#include "graph/transition_item.h"

namespace flowdeck::console {

namespace {

QRectF boxOf(const StateItem* item) {
    return QRectF(item->pos(), graph_style::stateSize());
}

} // namespace

void FlowScene::updateEdgesOf(StateId id) {
    const engine::State* state = m_document->state(id);
    if (!state) {
        return;
    }
    // Each arrow touching the state once (a self-loop is also filed as incoming), keyed by the
    // state at its other end.
    EdgeEnds ends;
    const auto update = [&](TransitionItem* edge) {
        if (const auto target = updateEdge(edge)) {
            ends.push_back({*target == id ? edge->source() : *target, edge});
        }
    };
    for (TransitionItem* edge : m_outgoing.value(id)) {
        update(edge);
    }
    for (TransitionItem* edge : m_incomingByName.value(qstr(state->name))) {
        if (edge->source() != id) {
            update(edge);
        }
    }
    placeLabels(id, ends);
    updateGhostEdgesOf(id);
}

std::optional<StateId> FlowScene::updateEdge(TransitionItem* edge) {
    const engine::State* source = m_document->state(edge->source());
    StateItem* from = m_stateItems.value(edge->source());
    if (!source || !from || edge->index() >= int(source->transitions.size())) {
        return std::nullopt;
    }
    const std::string& target = source->transitions[size_t(edge->index())].target;
    const auto targetId = m_document->idOf(target);
    StateItem* to = targetId ? m_stateItems.value(*targetId) : nullptr;
    edge->setVisible(to != nullptr);
    if (!to) {
        return std::nullopt;
    }
    int lane = 0;
    int lanes = 0;
    for (const engine::Transition& t : source->transitions) {
        if (t.target == target) {
            lane += (&t - source->transitions.data()) < edge->index() ? 1 : 0;
            ++lanes;
        }
    }
    if (to == from) {
        edge->setSelfLoop(boxOf(from), lane);
        return targetId;
    }
    bool reverse = false;
    for (const engine::Transition& t : m_document->state(*targetId)->transitions) {
        reverse = reverse || t.target == source->name;
    }
    edge->setGeometry(boxOf(from), boxOf(to), lane, lanes, reverse);
    return targetId;
}

QVector<QRectF> FlowScene::selfLoopLabels(StateId id) const {
    QVector<QRectF> labels;
    for (const TransitionItem* edge : m_outgoing.value(id)) {
        if (edge->isSelfLoop() && edge->isVisible()) {
            labels.push_back(edge->labelRect());
        }
    }
    return labels;
}

// Labels of the arrows around `id`: its self-loops first, clear of its neighbours' self-loop
// labels; then for each neighbour the arrows both ways, clear of both states' self-loop labels
// and, where there is room, of the two boxes.
void FlowScene::placeLabels(StateId id, EdgeEnds& ends) {
    std::stable_sort(ends.begin(), ends.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    // Runs of one neighbour are the groups, as [begin, end) into `ends`.
    QVarLengthArray<std::pair<qsizetype, qsizetype>, 16> runs;
    for (qsizetype i = 0; i < ends.size();) {
        qsizetype j = i;
        while (j < ends.size() && ends[j].first == ends[i].first) {
            ++j;
        }
        runs.push_back({i, j});
        i = j;
    }
    const auto group = [&](std::pair<qsizetype, qsizetype> run) {
        QVector<TransitionItem*> edges;
        for (qsizetype k = run.first; k < run.second; ++k) {
            edges.push_back(ends[k].second);
        }
        return edges;
    };
    const QRectF box = boxOf(m_stateItems.value(id));
    QVector<QRectF> ownLoops;
    for (const auto& run : runs) {
        if (ends[run.first].first == id) {
            QVector<QRectF> neighbourLoops;
            for (const auto& other : runs) {
                if (ends[other.first].first != id) {
                    neighbourLoops += selfLoopLabels(ends[other.first].first);
                }
            }
            edge_labels::place(group(run), {box}, neighbourLoops);
            ownLoops = selfLoopLabels(id);
        }
    }
    for (const auto& run : runs) {
        const StateId other = ends[run.first].first;
        if (other != id) {
            edge_labels::place(group(run), {box, boxOf(m_stateItems.value(other))},
                               ownLoops + selfLoopLabels(other));
        }
    }
}

} // namespace flowdeck::console
