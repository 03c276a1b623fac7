#include "design/version_comparison.h"

#include "graph/flow_scene.h"
#include "models/flow_document.h"

#include <QCoreApplication>
#include <QListWidget>

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
    connect(document, &FlowDocument::contentChanged, this, [this] {
        if (isActive()) {
            m_timer.start();
        }
    });
    connect(list, &QListWidget::itemActivated, this, [this](QListWidgetItem* item) {
        if (const auto id = m_document->idOf(item->data(Qt::UserRole).toString())) {
            m_scene->selectStates({*id});
        }
    });
    connect(list, &QListWidget::itemClicked, list, &QListWidget::itemActivated);
}

void VersionComparison::compareWith(engine::Flow baseline, const QString& label) {
    m_baseline = std::move(baseline);
    m_label = label;
    recompute();
}

void VersionComparison::clear() {
    m_baseline.reset();
    m_diff = {};
    m_scene->setMarks({});
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
    if (m_diff.empty()) {
        add(tr("No differences from %1").arg(m_label), {}, m_list->palette().text().color());
    }
    for (const engine::FieldChange& field : m_diff.flowFields) {
        add(tr("flow %1: %2 → %3")
                .arg(qstr(field.pointer), valueText(field.before), valueText(field.after)),
            {}, kChanged);
    }
    for (const engine::StateChange& change : m_diff.states) {
        const QString name = qstr(change.name);
        switch (change.kind) {
        case engine::ChangeKind::Added:
            add(tr("+ state %1").arg(name), name, kAdded);
            break;
        case engine::ChangeKind::Removed:
            add(tr("− state %1 (removed)").arg(name), {}, QColor(0xdc, 0x26, 0x26));
            break;
        case engine::ChangeKind::Changed:
            add(change.renamedFrom
                    ? tr("~ state %1 (renamed from %2) %3")
                          .arg(name, qstr(*change.renamedFrom), fieldsText(change.fields))
                    : tr("~ state %1: %2").arg(name, fieldsText(change.fields)),
                name, change.renamedFrom ? kRenamed : kChanged);
            break;
        }
    }
    for (const engine::TransitionChange& change : m_diff.transitions) {
        const QString text =
            QStringLiteral("%1 → %2 (%3)")
                .arg(qstr(change.state), qstr(change.target), qstr(change.condition));
        switch (change.kind) {
        case engine::ChangeKind::Added:
            add(tr("+ arrow %1").arg(text), qstr(change.state), kAdded);
            break;
        case engine::ChangeKind::Removed:
            add(tr("− arrow %1").arg(text), qstr(change.state), QColor(0xdc, 0x26, 0x26));
            break;
        case engine::ChangeKind::Changed:
            add(tr("~ arrow %1: %2").arg(text, fieldsText(change.fields)), qstr(change.state),
                kChanged);
            break;
        }
    }
}

} // namespace flowdeck::console
