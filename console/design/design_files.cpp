// Files and persistence of the Design workspace: open, save, export, autosave into the workspace
// database, saved versions, and laying out flows that come without positions.
#include "design/design_workspace.h"

#include "design/version_comparison.h"
#include "graph/flow_scene.h"
#include "graph/flow_view.h"
#include "graph/graph_style.h"
#include "models/workspace_store.h"

#include "flowdeck/engine/flow_json.h"

#include <QDir>
#include <QDockWidget>
#include <QFileInfo>
#include <QMessageBox>
#include <QSaveFile>
#include <QTimer>
#include <QUndoStack>

namespace flowdeck::console {

namespace {

engine::Flow starterFlow() {
    engine::Flow flow;
    flow.name = "new_flow";
    flow.version = "1";
    flow.initialState = "greeting";
    engine::State greeting;
    greeting.name = "greeting";
    greeting.type = engine::StateType::Response;
    greeting.config["response_templates"]["default"] = "Hello {{user.name}}! How can I help?";
    engine::Transition next;
    next.condition = engine::ConditionType::AnyInput;
    next.target = "goodbye";
    greeting.transitions.push_back(next);
    engine::State goodbye;
    goodbye.name = "goodbye";
    goodbye.type = engine::StateType::End;
    goodbye.config["response_templates"]["default"] = "Thanks, goodbye!";
    flow.states = {greeting, goodbye};
    return flow;
}

bool isElongated(const LayoutResult& result) {
    QRectF bounds;
    for (const QPointF& p : result.positions) {
        bounds |= QRectF(p, graph_style::stateSize());
    }
    const qreal ratio = bounds.height() > 0 ? bounds.width() / bounds.height() : 1;
    return result.positions.size() > 200 && (ratio > 6 || ratio < 1.0 / 6);
}

} // namespace

void DesignWorkspace::newFlow() {
    m_filePath.clear();
    m_documentKey = WorkspaceStore::untitledKey();
    loadFlow(starterFlow(), {});
}

bool DesignWorkspace::openFile(const QString& path) {
    const engine::ParseResult parsed = engine::parseFlowFile(stdstr(path));
    if (!parsed.ok()) {
        QStringList lines;
        for (const engine::Diagnostic& d : parsed.diagnostics) {
            lines << qstr(engine::formatDiagnostic(d));
            if (lines.size() == 8) {
                break;
            }
        }
        QMessageBox::warning(this, tr("Cannot open flow"),
                             tr("%1 is not a flow Flowdeck can read:\n\n%2")
                                 .arg(QDir::toNativeSeparators(path), lines.join('\n')));
        return false;
    }
    m_filePath = QFileInfo(path).absoluteFilePath();
    m_documentKey = WorkspaceStore::keyForFile(m_filePath);
    QHash<QString, QPointF> positions;
    if (m_store) {
        positions = FlowDocument::positionsFromLayoutJson(m_store->layout(m_documentKey));
        m_store->addRecentFile(m_filePath);
    }
    loadFlow(*parsed.flow, positions);
    Q_EMIT fileOpened(m_filePath);
    return true;
}

void DesignWorkspace::loadFlow(engine::Flow flow, const QHash<QString, QPointF>& positions,
                               bool onDisk) {
    m_comparison->clear();
    m_document->reset(std::move(flow), positions);
    placeUnpositioned();
    m_scene->fitSceneRect();
    if (onDisk) {
        m_document->undoStack()->setClean();
    } else {
        m_document->undoStack()->resetClean();
    }
    m_view->fitUntilUserZooms();
    updateTitle();
}

DesignWorkspace::LayoutInput DesignWorkspace::layoutInput() const {
    LayoutInput input;
    input.root = qstr(m_document->header().initialState);
    for (StateId id : m_document->stateIds()) {
        const engine::State* state = m_document->state(id);
        input.nodes.push_back({qstr(state->name), graph_style::stateSize()});
        for (const engine::Transition& t : state->transitions) {
            input.edges.push_back({qstr(state->name), qstr(t.target)});
        }
    }
    return input;
}

// States without a saved position are laid out right away: a whole flow with Graphviz (or our
// layered layout for very large flows), a few new ones below the rest.
void DesignWorkspace::placeUnpositioned() {
    const QVector<StateId> missing = m_document->unpositionedStates();
    if (missing.isEmpty()) {
        return;
    }
    const LayoutInput in = layoutInput();
    LayoutResult result =
        in.nodes.size() <= kDotStateLimit
            ? layoutWithGraphviz(in.nodes, in.edges, LayoutDirection::TopDown, in.root)
            : LayoutResult{};
    if (!result.ok || isElongated(result)) {
        // dot draws long chains of blocks as one thin line no zoom level can show whole; the
        // layered layout wraps wide ranks into a roughly square picture.
        result = layoutLayered(in.nodes, in.edges, LayoutDirection::TopDown, in.root);
    }
    const bool all = missing.size() == m_document->stateCount();
    const QPointF shift = all ? QPointF() : m_scene->freePosition();
    for (StateId id : missing) {
        const QPointF p = result.positions.value(qstr(m_document->state(id)->name));
        m_document->setPosition(id, p + shift);
    }
}

bool DesignWorkspace::save() {
    if (m_filePath.isEmpty()) {
        m_actions.value(QStringLiteral("save-as"))->trigger();
        return !m_filePath.isEmpty() && m_document->undoStack()->isClean();
    }
    return writeFile(m_filePath, true);
}

bool DesignWorkspace::saveAs(const QString& path) {
    const QString oldKey = m_documentKey;
    if (!writeFile(path, false)) {
        return false;
    }
    m_filePath = QFileInfo(path).absoluteFilePath();
    m_documentKey = WorkspaceStore::keyForFile(m_filePath);
    if (m_store) {
        m_store->clearAutosave(oldKey);
        m_store->addRecentFile(m_filePath);
    }
    return writeFile(m_filePath, true);
}

bool DesignWorkspace::exportTo(const QString& path) {
    return writeFile(path, false);
}

bool DesignWorkspace::writeFile(const QString& path, bool recordVersion) {
    const QByteArray json = QByteArray::fromStdString(engine::serializeFlow(m_document->flow()));
    QSaveFile file(path); // writes to a temporary file and renames: a crash never truncates
    if (!file.open(QIODevice::WriteOnly) || file.write(json) != json.size() || !file.commit()) {
        QMessageBox::warning(
            this, tr("Cannot save flow"),
            tr("Could not write %1: %2").arg(QDir::toNativeSeparators(path), file.errorString()));
        return false;
    }
    if (!recordVersion) {
        Q_EMIT statusMessage(tr("Wrote %1").arg(QDir::toNativeSeparators(path)), 4000);
        return true;
    }
    const QByteArray layout = m_document->layoutJson();
    if (m_store) {
        QString error;
        const auto version = m_store->saveVersion(m_documentKey, qstr(m_document->header().name),
                                                  json, layout, {}, &error);
        m_store->saveLayout(m_documentKey, layout);
        m_store->clearAutosave(m_documentKey);
        Q_EMIT statusMessage(version ? tr("Saved %1 (version %2)")
                                           .arg(QDir::toNativeSeparators(path))
                                           .arg(version->number)
                                     : tr("Saved %1, but no version was recorded: %2")
                                           .arg(QDir::toNativeSeparators(path), error),
                             5000);
    }
    m_document->undoStack()->setClean();
    updateTitle();
    return true;
}

void DesignWorkspace::autosaveNow() {
    m_autosaveTimer->stop();
    if (!m_store) {
        return;
    }
    if (m_document->undoStack()->isClean()) {
        m_store->clearAutosave(m_documentKey);
        return;
    }
    AutosaveEntry entry;
    entry.documentKey = m_documentKey;
    entry.flowName = qstr(m_document->header().name);
    entry.savedAt = QDateTime::currentDateTimeUtc();
    entry.flowJson = QByteArray::fromStdString(engine::serializeFlow(m_document->flow()));
    entry.layoutJson = m_document->layoutJson();
    QString error;
    if (!m_store->writeAutosave(entry, &error)) {
        Q_EMIT statusMessage(tr("Autosave failed: %1").arg(error), 10000);
    }
}

bool DesignWorkspace::restoreAutosave(const QString& documentKey) {
    if (!m_store) {
        return false;
    }
    const auto entry = m_store->autosave(documentKey);
    if (!entry) {
        return false;
    }
    const engine::ParseResult parsed = engine::parseFlow(entry->flowJson.toStdString());
    if (!parsed.ok()) {
        QMessageBox::warning(
            this, tr("Cannot restore"),
            tr("The autosaved copy of %1 is damaged and was not restored.").arg(entry->flowName));
        return false;
    }
    m_documentKey = documentKey;
    m_filePath = WorkspaceStore::isUntitledKey(documentKey) ? QString() : documentKey;
    // The restored content is not on disk yet: it stays modified so it gets saved.
    loadFlow(*parsed.flow, FlowDocument::positionsFromLayoutJson(entry->layoutJson), false);
    Q_EMIT statusMessage(tr("Restored unsaved edits of %1 from %2")
                             .arg(entry->flowName, entry->savedAt.toLocalTime().toString()),
                         8000);
    return true;
}

bool DesignWorkspace::compareWithVersion(qint64 versionId) {
    const auto version = m_store ? m_store->version(versionId) : std::nullopt;
    if (!version) {
        return false;
    }
    engine::ParseResult parsed = engine::parseFlow(version->flowJson.toStdString());
    if (!parsed.ok()) {
        QMessageBox::warning(this, tr("Cannot compare"),
                             tr("Version %1 could not be read.").arg(version->number));
        return false;
    }
    m_comparison->compareWith(std::move(*parsed.flow), tr("version %1").arg(version->number),
                              FlowDocument::positionsFromLayoutJson(version->layoutJson));
    m_changesDock->setWindowTitle(tr("Changes since version %1").arg(version->number));
    m_changesDock->raise();
    return true;
}

bool DesignWorkspace::compareWithFile(const QString& path) {
    engine::ParseResult parsed = engine::parseFlowFile(stdstr(path));
    if (!parsed.ok()) {
        QMessageBox::warning(this, tr("Cannot compare"),
                             tr("%1 is not a flow: %2")
                                 .arg(QDir::toNativeSeparators(path),
                                      qstr(engine::formatDiagnostic(parsed.diagnostics.front()))));
        return false;
    }
    const QString name = QFileInfo(path).fileName();
    m_comparison->compareWith(std::move(*parsed.flow), name);
    m_changesDock->setWindowTitle(tr("Changes since %1").arg(name));
    m_changesDock->raise();
    return true;
}

bool DesignWorkspace::isModified() const {
    return !m_document->undoStack()->isClean();
}

bool DesignWorkspace::maybeSave() {
    if (!isModified()) {
        return true;
    }
    const auto answer = QMessageBox::question(
        this, tr("Unsaved changes"),
        tr("%1 has unsaved changes. Save them?").arg(qstr(m_document->header().name)),
        QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel);
    if (answer == QMessageBox::Save) {
        return save();
    }
    if (answer == QMessageBox::Discard && m_store) {
        m_store->clearAutosave(m_documentKey);
    }
    return answer == QMessageBox::Discard;
}

void DesignWorkspace::updateTitle() {
    const QString name = m_filePath.isEmpty() ? qstr(m_document->header().name) + tr(" (unsaved)")
                                              : QFileInfo(m_filePath).fileName();
    Q_EMIT titleChanged(name + (isModified() ? QStringLiteral(" •") : QString()));
}

} // namespace flowdeck::console
