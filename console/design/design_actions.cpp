// The Design workspace's commands as QActions with shortcuts: menus, the toolbar and the command
// palette all show these same actions.
#include "design/design_workspace.h"

#include "design/version_comparison.h"
#include "dialogs/version_history_dialog.h"
#include "graph/flow_scene.h"
#include "graph/flow_view.h"
#include "graph/mini_map.h"
#include "graph/restore_command.h"
#include "models/lint_runner.h"
#include "widgets/state_inspector.h"

#include <QAction>
#include <QFileDialog>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QToolBar>
#include <QUndoStack>

namespace flowdeck::console {

void DesignWorkspace::buildActions() {
    const auto add = [this](const char* name, const QString& text, const QKeySequence& shortcut,
                            auto slot) {
        auto* action = new QAction(text, this);
        action->setObjectName(QLatin1String(name));
        if (!shortcut.isEmpty()) {
            action->setShortcut(shortcut);
            action->setShortcutContext(Qt::WidgetWithChildrenShortcut);
        }
        connect(action, &QAction::triggered, this, slot);
        addAction(action);
        m_actions.insert(QLatin1String(name), action);
        return action;
    };
    add("new", tr("&New Flow"), QKeySequence::New, [this] {
        if (maybeSave()) {
            newFlow();
        }
    });
    add("open", tr("&Open…"), QKeySequence::Open, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Open flow"), {},
                                                          tr("Flows (*.json);;All files (*)"));
        if (!path.isEmpty() && maybeSave()) {
            openFile(path);
        }
    });
    add("save", tr("&Save"), QKeySequence::Save, [this] { save(); });
    add("save-as", tr("Save &As…"), QKeySequence::SaveAs, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Save flow as"), m_filePath,
                                                          tr("Flows (*.json)"));
        if (!path.isEmpty()) {
            saveAs(path);
        }
    });
    add("export", tr("&Export Copy…"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E), [this] {
        const QString path =
            QFileDialog::getSaveFileName(this, tr("Export a copy"), {}, tr("Flows (*.json)"));
        if (!path.isEmpty()) {
            exportTo(path);
        }
    });
    add("versions", tr("Compare or Restore Saved &Version…"), QKeySequence(Qt::CTRL | Qt::Key_H),
        [this] {
            VersionHistoryDialog dialog(m_store, m_documentKey, this);
            dialog.setUnsavedChanges(isModified(), qstr(m_document->header().name));
            if (dialog.exec() != QDialog::Accepted || dialog.selectedVersionId() == 0) {
                return;
            }
            if (dialog.choice() == VersionHistoryDialog::Choice::Compare) {
                compareWithVersion(dialog.selectedVersionId());
                return;
            }
            // A dialog without a store lists no versions, so m_store is set here.
            QString error;
            QUndoCommand* restore =
                makeRestoreVersion(m_document, *m_store, dialog.selectedVersionId(), &error);
            if (!restore) {
                QMessageBox::warning(this, tr("Cannot restore"), error);
                return;
            }
            const QString text = restore->text();
            m_document->undoStack()->push(restore); // modified until saved: not a version yet
            Q_EMIT statusMessage(text, 5000);
        });
    add("clear-compare", tr("C&lear Comparison"), QKeySequence(),
        [this] { m_comparison->clear(); });

    QAction* undo = m_document->undoStack()->createUndoAction(this, tr("&Undo"));
    undo->setShortcut(QKeySequence::Undo);
    undo->setObjectName(QStringLiteral("undo"));
    m_actions.insert(QStringLiteral("undo"), undo);
    QAction* redo = m_document->undoStack()->createRedoAction(this, tr("&Redo"));
    redo->setShortcuts({QKeySequence::Redo, QKeySequence(Qt::CTRL | Qt::Key_Y)});
    redo->setObjectName(QStringLiteral("redo"));
    m_actions.insert(QStringLiteral("redo"), redo);
    addActions({undo, redo});

    add("cut", tr("Cu&t"), QKeySequence::Cut, [this] {
        copySelection();
        deleteSelection();
    });
    add("copy", tr("&Copy"), QKeySequence::Copy, [this] { copySelection(); });
    add("paste", tr("&Paste"), QKeySequence::Paste, [this] { paste(); });
    add("delete", tr("&Delete"), QKeySequence::Delete, [this] { deleteSelection(); });
    add("select-all", tr("Select &All"), QKeySequence::SelectAll,
        [this] { m_scene->selectStates(m_document->stateIds(), false); });
    add("find", tr("&Find…"), QKeySequence::Find, [this] { showFind(); });
    add("rename", tr("&Rename State"), QKeySequence(Qt::Key_F2), [this] {
        const QVector<StateId> selected = m_scene->selectedStates();
        if (selected.size() == 1) {
            m_inspector->focusName();
        }
    });

    add("zoom-in", tr("Zoom &In"), QKeySequence::ZoomIn, [this] { m_view->zoomBy(1.25); });
    add("zoom-out", tr("Zoom &Out"), QKeySequence::ZoomOut, [this] { m_view->zoomBy(0.8); });
    add("zoom-fit", tr("Zoom to &Fit"), QKeySequence(Qt::CTRL | Qt::Key_0),
        [this] { m_view->zoomToFit(); });
    add("zoom-reset", tr("Actual &Size"), QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_1),
        [this] { m_view->resetZoom(); });
    QAction* minimap = add("minimap", tr("&Minimap"), QKeySequence(Qt::CTRL | Qt::Key_M),
                           [this](bool on) { m_miniMap->setEnabledByUser(on); });
    minimap->setCheckable(true);
    minimap->setChecked(true);

    add("add-state", tr("&Add State"), QKeySequence(Qt::Key_A),
        [this] { addState(engine::StateType::Response); });
    add("connect", tr("&Connect Selected States"), QKeySequence(Qt::Key_C),
        [this] { connectSelected(); });
    add("layout-tb", tr("Layout &Top-Down"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_L),
        [this] { autoLayout(LayoutDirection::TopDown); });
    add("layout-lr", tr("Layout &Left-Right"), QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_L),
        [this] { autoLayout(LayoutDirection::LeftRight); });
    add("align-left", tr("Align &Left Edges"), QKeySequence(),
        [this] { alignSelection(Qt::AlignLeft); });
    add("align-top", tr("Align &Top Edges"), QKeySequence(),
        [this] { alignSelection(Qt::AlignTop); });
    add("publish-check", tr("Check &Publishable"), QKeySequence(Qt::CTRL | Qt::Key_P), [this] {
        QMessageBox::information(this, tr("Publish"),
                                 m_lint->hasErrors()
                                     ? tr("This flow has errors; fix them before publishing.")
                                     : tr("No errors: this flow can be published."));
    });

    auto* toolbar = addToolBar(tr("Design"));
    toolbar->setObjectName(QStringLiteral("DesignToolbar"));
    toolbar->setMovable(false);
    toolbar->addActions({m_actions.value(QStringLiteral("new")),
                         m_actions.value(QStringLiteral("open")),
                         m_actions.value(QStringLiteral("save"))});
    toolbar->addSeparator();
    toolbar->addActions({undo, redo});
    toolbar->addSeparator();
    toolbar->addActions({m_actions.value(QStringLiteral("layout-tb")),
                         m_actions.value(QStringLiteral("layout-lr")),
                         m_actions.value(QStringLiteral("zoom-fit"))});
    toolbar->addSeparator();
    m_findEdit = new QLineEdit;
    m_findEdit->setPlaceholderText(tr("Find states, texts, intents, expressions (Ctrl+F)"));
    m_findEdit->setClearButtonEnabled(true);
    m_findEdit->setMaximumWidth(340);
    m_findStatus = new QLabel;
    toolbar->addWidget(m_findEdit);
    toolbar->addWidget(m_findStatus);
    connect(m_findEdit, &QLineEdit::textChanged, this, [this](const QString& text) {
        m_findIndex = -1;
        findNext(text);
    });
    connect(m_findEdit, &QLineEdit::returnPressed, this, [this] { findNext(m_findEdit->text()); });
}

} // namespace flowdeck::console
