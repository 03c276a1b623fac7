#include "models/flow_document.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QUndoStack>

namespace flowdeck::console {

QString qstr(const std::string& text) {
    return QString::fromUtf8(text.data(), qsizetype(text.size()));
}

std::string stdstr(const QString& text) {
    return text.toStdString();
}

FlowDocument::FlowDocument(QObject* parent)
    : QObject(parent)
    , m_undoStack(new QUndoStack(this)) {}

FlowDocument::~FlowDocument() = default;

void FlowDocument::reset(engine::Flow flow, const QHash<QString, QPointF>& positions) {
    m_undoStack->clear();
    m_header = FlowHeader{flow.name,       flow.description,    flow.version,  flow.initialState,
                          flow.errorState, flow.globalHandlers, flow.settings, flow.extra};
    m_states = std::move(flow.states);
    m_ids.clear();
    m_positions.clear();
    for (const engine::State& state : m_states) {
        const StateId id = m_nextId++;
        m_ids.push_back(id);
        const auto it = positions.constFind(qstr(state.name));
        if (it != positions.constEnd()) {
            m_positions.insert(id, *it);
        }
    }
    rebuildIndex();
    Q_EMIT documentReset();
    Q_EMIT contentChanged();
}

engine::Flow FlowDocument::flow() const {
    engine::Flow flow;
    flow.name = m_header.name;
    flow.description = m_header.description;
    flow.version = m_header.version;
    flow.initialState = m_header.initialState;
    flow.errorState = m_header.errorState;
    flow.globalHandlers = m_header.globalHandlers;
    flow.settings = m_header.settings;
    flow.extra = m_header.extra;
    flow.states = m_states;
    return flow;
}

QVector<StateId> FlowDocument::stateIds() const {
    return QVector<StateId>(m_ids.begin(), m_ids.end());
}

const engine::State* FlowDocument::state(StateId id) const {
    const auto it = m_indexById.constFind(id);
    return it == m_indexById.constEnd() ? nullptr : &m_states[size_t(*it)];
}

std::optional<StateId> FlowDocument::idOf(const QString& name) const {
    const auto it = m_idByName.constFind(name);
    if (it == m_idByName.constEnd()) {
        return std::nullopt;
    }
    return *it;
}

std::optional<StateId> FlowDocument::idOf(const std::string& name) const {
    return idOf(qstr(name));
}

int FlowDocument::indexOf(StateId id) const {
    return m_indexById.value(id, -1);
}

QPointF FlowDocument::position(StateId id) const {
    return m_positions.value(id);
}

bool FlowDocument::hasPosition(StateId id) const {
    return m_positions.contains(id);
}

QVector<StateId> FlowDocument::unpositionedStates() const {
    QVector<StateId> result;
    for (StateId id : m_ids) {
        if (!m_positions.contains(id)) {
            result.push_back(id);
        }
    }
    return result;
}

QHash<QString, QPointF> FlowDocument::positionsByName() const {
    QHash<QString, QPointF> result;
    for (size_t i = 0; i < m_states.size(); ++i) {
        const auto it = m_positions.constFind(m_ids[i]);
        if (it != m_positions.constEnd()) {
            result.insert(qstr(m_states[i].name), *it);
        }
    }
    return result;
}

QVector<StateId> FlowDocument::statesTargeting(const std::string& name) const {
    QVector<StateId> result;
    for (size_t i = 0; i < m_states.size(); ++i) {
        for (const engine::Transition& transition : m_states[i].transitions) {
            if (transition.target == name) {
                result.push_back(m_ids[i]);
                break;
            }
        }
    }
    return result;
}

QString FlowDocument::uniqueStateName(const QString& base) const {
    const QString stem = base.isEmpty() ? QStringLiteral("state") : base;
    if (!m_idByName.contains(stem)) {
        return stem;
    }
    for (int n = 2;; ++n) {
        const QString candidate = QStringLiteral("%1_%2").arg(stem).arg(n);
        if (!m_idByName.contains(candidate)) {
            return candidate;
        }
    }
}

StateId FlowDocument::insertState(int index, engine::State state, std::optional<QPointF> position,
                                  StateId id) {
    if (id == 0) {
        id = m_nextId++;
    }
    if (index < 0 || index > int(m_states.size())) {
        index = int(m_states.size());
    }
    m_states.insert(m_states.begin() + index, std::move(state));
    m_ids.insert(m_ids.begin() + index, id);
    if (position) {
        m_positions.insert(id, *position);
    }
    rebuildIndex();
    Q_EMIT stateInserted(id);
    Q_EMIT contentChanged();
    return id;
}

engine::State FlowDocument::removeState(StateId id) {
    const int index = indexOf(id);
    if (index < 0) {
        return {};
    }
    Q_EMIT stateAboutToBeRemoved(id);
    engine::State removed = std::move(m_states[size_t(index)]);
    m_states.erase(m_states.begin() + index);
    m_ids.erase(m_ids.begin() + index);
    m_positions.remove(id);
    rebuildIndex();
    Q_EMIT stateRemoved(id, qstr(removed.name));
    Q_EMIT contentChanged();
    return removed;
}

void FlowDocument::replaceState(StateId id, engine::State state) {
    const int index = indexOf(id);
    if (index < 0) {
        return;
    }
    const QString previousName = qstr(m_states[size_t(index)].name);
    m_states[size_t(index)] = std::move(state);
    if (previousName != qstr(m_states[size_t(index)].name)) {
        m_idByName.remove(previousName);
        m_idByName.insert(qstr(m_states[size_t(index)].name), id);
    }
    Q_EMIT stateChanged(id, previousName);
    Q_EMIT contentChanged();
}

void FlowDocument::setPosition(StateId id, QPointF position) {
    if (!contains(id)) {
        return;
    }
    m_positions.insert(id, position);
    Q_EMIT positionChanged(id);
}

void FlowDocument::setHeader(FlowHeader header) {
    m_header = std::move(header);
    Q_EMIT headerChanged();
    Q_EMIT contentChanged();
}

void FlowDocument::rebuildIndex() {
    m_indexById.clear();
    m_idByName.clear();
    m_indexById.reserve(qsizetype(m_ids.size()));
    m_idByName.reserve(qsizetype(m_ids.size()));
    for (size_t i = 0; i < m_ids.size(); ++i) {
        m_indexById.insert(m_ids[i], int(i));
        m_idByName.insert(qstr(m_states[i].name), m_ids[i]);
    }
}

QByteArray FlowDocument::layoutJson() const {
    QJsonObject positions;
    for (size_t i = 0; i < m_states.size(); ++i) {
        const auto it = m_positions.constFind(m_ids[i]);
        if (it != m_positions.constEnd()) {
            positions.insert(qstr(m_states[i].name), QJsonArray{qRound(it->x()), qRound(it->y())});
        }
    }
    return QJsonDocument(QJsonObject{{QStringLiteral("positions"), positions}})
        .toJson(QJsonDocument::Compact);
}

QHash<QString, QPointF> FlowDocument::positionsFromLayoutJson(const QByteArray& json) {
    QHash<QString, QPointF> result;
    const QJsonObject positions =
        QJsonDocument::fromJson(json).object().value(QStringLiteral("positions")).toObject();
    for (auto it = positions.begin(); it != positions.end(); ++it) {
        const QJsonArray xy = it.value().toArray();
        if (xy.size() == 2 && xy[0].isDouble() && xy[1].isDouble()) {
            result.insert(it.key(), QPointF(xy[0].toDouble(), xy[1].toDouble()));
        }
    }
    return result;
}

} // namespace flowdeck::console
