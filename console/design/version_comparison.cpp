#include "design/version_comparison.h"

#include "graph/flow_scene.h"
#include "graph/graph_style.h"
#include "models/flow_document.h"
#include "widgets/theme_colors.h"

#include <QCoreApplication>
#include <QListWidget>
#include <QSet>

namespace flowdeck::console {

namespace {

const QColor kAdded(0x16, 0xa3, 0x4a);
const QColor kChanged(0xd9, 0x77, 0x06);
const QColor kRenamed(0x25, 0x63, 0xeb);

QString valueText(const engine::Json& value) {
    if (value.is_null()) {
        return QCoreApplication::translate("VersionComparison", "(absent)");
    }
    QString text = qstr(value.is_string() ? value.get<std::string>() : value.dump());
    return text.size() > 60 ? text.left(59) + QChar(0x2026) : text;
}

QString fieldsText(const std::vector<engine::FieldChange>& fields) {
    QStringList parts;
    for (const engine::FieldChange& field : fields) {
        parts << QStringLiteral("%1: %2 → %3")
                     .arg(qstr(field.pointer), valueText(field.before), valueText(field.after));
    }
    return parts.join(QStringLiteral("; "));
}

} // namespace

VersionComparison::VersionComparison(FlowDocument* document, FlowScene* scene, QListWidget* list,
                                     QObject* parent)
    : QObject(parent)
    , m_document(document)
    , m_scene(scene)
    , m_list(list) {
    m_timer.setSingleShot(true);
    m_timer.setInterval(200);
    connect(&m_timer, &QTimer::timeout, this, &VersionComparison::recompute);
    // The list's colours are text colours for the palette in effect: refill it on a switch.
    theme::onPaletteChange(m_list, [this] {
        if (isActive()) {
            fillList();
        }
    });
    connect(document, &FlowDocument::contentChanged, this, [this] {
        if (isActive()) {
            m_timer.start();
        }
    });
    connect(list, &QListWidget::itemActivated, this, [this](QListWidgetItem* item) {
        const QString name = item->data(Qt::UserRole).toString();
        if (const auto id = m_document->idOf(name)) {
            m_scene->selectStates({*id});
        } else {
            m_scene->selectGhost(name); // a removed state
        }
    });
    connect(list, &QListWidget::itemClicked, list, &QListWidget::itemActivated);
}

void VersionComparison::compareWith(engine::Flow baseline, const QString& label,
                                    const QHash<QString, QPointF>& positions) {
    m_baseline = std::move(baseline);
    m_baselinePositions = positions;
    m_label = label;
    recompute();
}

void VersionComparison::clear() {
    m_baseline.reset();
    m_baselinePositions.clear();
    m_diff = {};
    m_scene->setMarks({});
    m_scene->clearGhosts();
    m_list->clear();
    Q_EMIT changed();
}

void VersionComparison::recompute() {
    if (!m_baseline) {
        return;
    }
    m_diff = engine::diffFlows(*m_baseline, m_document->flow());
    QHash<StateId, FlowScene::Mark> marks;
    for (const engine::StateChange& change : m_diff.states) {
        const auto id = m_document->idOf(change.name);
        if (!id || change.kind == engine::ChangeKind::Removed) {
            continue;
        }
        if (change.kind == engine::ChangeKind::Added) {
            marks.insert(*id, {kAdded, tr("added")});
        } else if (change.renamedFrom) {
            marks.insert(*id, {kRenamed, tr("renamed")});
        } else {
            marks.insert(*id, {kChanged, tr("changed")});
        }
    }
    for (const engine::TransitionChange& change : m_diff.transitions) {
        const auto id = m_document->idOf(change.state);
        if (id && !marks.contains(*id) && change.kind != engine::ChangeKind::Removed) {
            marks.insert(*id, {kChanged, tr("arrows changed")});
        } else if (id && !marks.contains(*id)) {
            marks.insert(*id, {kChanged, tr("arrow removed")});
        }
    }
    m_scene->setMarks(marks);
    showGhosts();
    fillList();
    Q_EMIT changed();
}

void VersionComparison::fillList() {
    m_list->clear();
    const auto add = [this](const QString& text, const QString& state, const QColor& color) {
        auto* item = new QListWidgetItem(text, m_list);
        item->setData(Qt::UserRole, state);
        item->setForeground(color);
    };
    // Text colours readable on the list's background in light and dark (the canvas badges keep
    // their fill colours above).
    const QColor added = theme::text(theme::Tone::Success);
    const QColor changed = theme::text(theme::Tone::Warning);
    const QColor renamed = theme::text(theme::Tone::Accent);
    if (m_diff.empty()) {
        add(tr("No differences from %1").arg(m_label), {}, m_list->palette().text().color());
    }
    for (const engine::FieldChange& field : m_diff.flowFields) {
        add(tr("flow %1: %2 → %3")
                .arg(qstr(field.pointer), valueText(field.before), valueText(field.after)),
            {}, changed);
    }
    for (const engine::StateChange& change : m_diff.states) {
        const QString name = qstr(change.name);
        switch (change.kind) {
        case engine::ChangeKind::Added:
            add(tr("+ state %1").arg(name), name, added);
            break;
        case engine::ChangeKind::Removed:
            add(tr("− state %1 (removed)").arg(name), name, removedColor());
            break;
        case engine::ChangeKind::Changed:
            add(change.renamedFrom
                    ? tr("~ state %1 (renamed from %2) %3")
                          .arg(name, qstr(*change.renamedFrom), fieldsText(change.fields))
                    : tr("~ state %1: %2").arg(name, fieldsText(change.fields)),
                name, change.renamedFrom ? renamed : changed);
            break;
        }
    }
    for (const engine::TransitionChange& change : m_diff.transitions) {
        const QString text =
            QStringLiteral("%1 → %2 (%3)")
                .arg(qstr(change.state), qstr(change.target), qstr(change.condition));
        switch (change.kind) {
        case engine::ChangeKind::Added:
            add(tr("+ arrow %1").arg(text), qstr(change.state), added);
            break;
        case engine::ChangeKind::Removed:
            add(tr("− arrow %1").arg(text), qstr(change.state), removedColor());
            break;
        case engine::ChangeKind::Changed:
            add(tr("~ arrow %1: %2").arg(text, fieldsText(change.fields)), qstr(change.state),
                changed);
            break;
        }
    }
}

// Removed states become ghosts with their own arrows (their targets as ghosts or live states);
// removed arrows of live states are drawn too. Names of the baseline are followed through
// renames to the live state they became.
void VersionComparison::showGhosts() {
    QHash<QString, QString>& renamed = m_renamed;
    renamed.clear();
    QSet<QString> removed;
    for (const engine::StateChange& change : m_diff.states) {
        if (change.kind == engine::ChangeKind::Removed) {
            removed.insert(qstr(change.name));
        } else if (change.renamedFrom) {
            renamed.insert(qstr(*change.renamedFrom), qstr(change.name));
        }
    }
    if (removed.isEmpty() && m_diff.transitions.empty()) {
        m_scene->clearGhosts();
        return;
    }
    const auto endOf = [&](const std::string& oldName) -> std::optional<GhostEnd> {
        const QString name = qstr(oldName);
        if (removed.contains(name)) {
            return GhostEnd{0, name};
        }
        const auto id = m_document->idOf(renamed.value(name, name));
        return id ? std::optional(GhostEnd{*id, {}}) : std::nullopt;
    };
    QHash<QString, const engine::State*> oldStates;
    QHash<QString, QVector<QString>> predecessors; // of removed states, in the baseline
    for (const engine::State& state : m_baseline->states) {
        oldStates.insert(qstr(state.name), &state);
        for (const engine::Transition& t : state.transitions) {
            if (removed.contains(qstr(t.target))) {
                predecessors[qstr(t.target)].push_back(qstr(state.name));
            }
        }
    }
    QVector<GhostState> ghosts;
    QVector<GhostTransition> arrows;
    QHash<QString, QPointF> placed;
    for (const engine::StateChange& change : m_diff.states) {
        const engine::State* state = oldStates.value(qstr(change.name));
        if (change.kind != engine::ChangeKind::Removed || !state) {
            continue;
        }
        const QString name = qstr(state->name);
        const QPointF at = ghostPosition(*state, predecessors.value(name), placed);
        placed.insert(name, at);
        ghosts.push_back({name, state->type, graph_style::stateSummary(*state), at,
                          m_baselinePositions.contains(name),
                          tr("‘%1’ was removed since %2").arg(name, m_label)});
        for (const engine::Transition& t : state->transitions) {
            if (const auto to = endOf(t.target)) {
                arrows.push_back({{0, name}, *to, graph_style::conditionLabel(t)});
            }
        }
    }
    for (const engine::TransitionChange& change : m_diff.transitions) {
        const engine::State* source = oldStates.value(qstr(change.state));
        const auto from = endOf(change.state);
        const int index = change.beforeIndex.value_or(-1);
        if (change.kind != engine::ChangeKind::Removed || !source || !from ||
            !from->ghost.isEmpty() || index < 0 || index >= int(source->transitions.size())) {
            continue; // a removed state's own arrows are already drawn with it
        }
        const engine::Transition& t = source->transitions[size_t(index)];
        if (const auto to = endOf(t.target)) {
            arrows.push_back({*from, *to, graph_style::conditionLabel(t)});
        }
    }
    m_scene->setGhosts(ghosts, arrows);
}

// Where the baseline's layout had the state; else between the live states that led to it
// (above) and those it led to (below); else beside a ghost neighbour; else under the flow. The
// scene then moves it off any live state.
QPointF VersionComparison::ghostPosition(const engine::State& removed,
                                         const QVector<QString>& predecessors,
                                         const QHash<QString, QPointF>& placed) const {
    const QString name = qstr(removed.name);
    if (const auto it = m_baselinePositions.constFind(name); it != m_baselinePositions.cend()) {
        return *it;
    }
    const qreal step = graph_style::kStateHeight + 80;
    const auto centroid = [this](const QVector<QString>& names, QPointF* sum) {
        int count = 0;
        for (const QString& neighbour : names) {
            const auto id = m_document->idOf(m_renamed.value(neighbour, neighbour));
            if (id && m_document->hasPosition(*id)) {
                *sum += m_document->position(*id);
                ++count;
            }
        }
        if (count > 0) {
            *sum /= count;
        }
        return count > 0;
    };
    QVector<QString> successors;
    for (const engine::Transition& t : removed.transitions) {
        successors.push_back(qstr(t.target));
    }
    QPointF above;
    QPointF below;
    const bool hasAbove = centroid(predecessors, &above);
    const bool hasBelow = centroid(successors, &below);
    if (hasAbove && hasBelow) {
        return (above + below) / 2;
    }
    if (hasAbove || hasBelow) {
        return hasAbove ? above + QPointF(0, step) : below - QPointF(0, step);
    }
    for (const QString& neighbour : predecessors + successors) {
        if (placed.contains(neighbour)) {
            return placed.value(neighbour) + QPointF(graph_style::kStateWidth + 60, 0);
        }
    }
    return m_scene->freePosition();
}

} // namespace flowdeck::console
