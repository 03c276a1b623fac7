#include "design/design_workspace.h"

#include "design/version_comparison.h"
#include "graph/flow_scene.h"
#include "graph/flow_view.h"
#include "graph/graph_style.h"
#include "graph/mini_map.h"
#include "graph/state_item.h"
#include "models/lint_runner.h"
#include "models/problems_model.h"
#include "models/workspace_store.h"
#include "widgets/dock.h"
#include "widgets/flow_properties_editor.h"
#include "widgets/state_inspector.h"

#include <QAction>
#include <QDockWidget>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QScrollArea>
#include <QStackedWidget>
#include <QTableView>
#include <QTimer>
#include <QToolBar>
#include <QUndoStack>
#include <QUndoView>
#include <QVBoxLayout>

namespace flowdeck::console {

namespace {

constexpr engine::StateType kPaletteTypes[] = {
    engine::StateType::Response,    engine::StateType::Intent,    engine::StateType::SlotFilling,
    engine::StateType::Integration, engine::StateType::Condition, engine::StateType::Script,
    engine::StateType::Handoff,     engine::StateType::End};

QIcon swatch(const QColor& color) {
    QPixmap pixmap(14, 14);
    pixmap.fill(color);
    return QIcon(pixmap);
}

} // namespace

DesignWorkspace::DesignWorkspace(WorkspaceStore* store, QWidget* parent)
    : QMainWindow(parent)
    , m_store(store)
    , m_document(new FlowDocument(this))
    , m_scene(new FlowScene(m_document, this))
    , m_view(new FlowView(m_scene))
    , m_lint(new LintRunner(m_document, this))
    , m_problems(new ProblemsModel(this))
    , m_autosaveTimer(new QTimer(this)) {
    setObjectName(QStringLiteral("DesignWorkspace"));
    setDockOptions(AnimatedDocks | AllowTabbedDocks);
    m_autosaveTimer->setSingleShot(true);
    m_autosaveTimer->setInterval(1000);
    connect(m_autosaveTimer, &QTimer::timeout, this, &DesignWorkspace::autosaveNow);
    buildWidgets();
    buildDocks();
    buildActions();
    connect(m_scene, &QGraphicsScene::selectionChanged, this, &DesignWorkspace::onSelectionChanged);
    connect(m_scene, &FlowScene::stateActivated, this, [this](StateId id) {
        m_scene->selectStates({id}, false);
        m_inspector->focusName();
    });
    connect(m_lint, &LintRunner::diagnosticsChanged, this, &DesignWorkspace::onDiagnostics);
    connect(m_document->undoStack(), &QUndoStack::indexChanged, this, [this] {
        m_autosaveTimer->start();
        updateTitle();
    });
    connect(m_document->undoStack(), &QUndoStack::cleanChanged, this,
            &DesignWorkspace::updateTitle);
    connect(&m_layoutWatcher, &QFutureWatcherBase::finished, this, [this] {
        const LayoutResult result = m_layoutWatcher.result();
        if (!result.ok) {
            Q_EMIT statusMessage(tr("Layout failed: %1").arg(result.error), 8000);
            return;
        }
        applyLayout(result, m_layoutWatcher.property("text").toString());
    });
    newFlow();
}

DesignWorkspace::~DesignWorkspace() {
    if (m_layoutCancel) {
        m_layoutCancel->store(true);
    }
    m_layoutWatcher.waitForFinished();
    // QObject deletes children in creation order, which would delete the document before the
    // views of it; a view signalling during its own destruction (the scene's selectionChanged)
    // would then read a deleted document. Take the views down first, the document last.
    // Nothing this workspace or its document says during teardown is news to anyone.
    disconnect();
    m_document->blockSignals(true);
    m_document->undoStack()->blockSignals(true);
    disconnect(m_scene, nullptr, this, nullptr);
    delete takeCentralWidget();
    qDeleteAll(findChildren<QDockWidget*>(Qt::FindDirectChildrenOnly));
    delete m_comparison;
    delete m_scene;
    delete m_lint;
    delete m_document;
}

void DesignWorkspace::buildWidgets() {
    auto* central = new QWidget;
    auto* layout = new QVBoxLayout(central);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(m_view);
    setCentralWidget(central);
    m_miniMap = new MiniMap(m_view, m_view);

    m_inspector = new StateInspector(m_document);
    m_flowProperties = new FlowPropertiesEditor(m_document);
    m_inspectorStack = new QStackedWidget;
    auto* inspectorScroll = new QScrollArea;
    inspectorScroll->setWidgetResizable(true);
    inspectorScroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    inspectorScroll->setWidget(m_inspector);
    inspectorScroll->setFrameShape(QFrame::NoFrame);
    m_inspectorStack->addWidget(m_flowProperties);
    m_inspectorStack->addWidget(inspectorScroll);

    m_problemsView = new QTableView;
    m_problemsView->setModel(m_problems);
    m_problemsEmpty = new QLabel(tr("No problems: the linter finds nothing to fix in this flow."));
    m_problemsEmpty->setObjectName(QStringLiteral("ProblemsEmpty"));
    m_problemsEmpty->setAlignment(Qt::AlignCenter);
    m_problemsEmpty->setForegroundRole(QPalette::PlaceholderText);
    m_problemsEmpty->hide(); // until the linter has reported
    (new QVBoxLayout(m_problemsView->viewport()))->addWidget(m_problemsEmpty);
    m_problemsView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_problemsView->verticalHeader()->hide();
    m_problemsView->horizontalHeader()->setStretchLastSection(false);
    m_problemsView->horizontalHeader()->setSectionResizeMode(ProblemsModel::MessageColumn,
                                                             QHeaderView::Stretch);
    m_problemsView->setWordWrap(false);
    for (int column : {int(ProblemsModel::SeverityColumn), int(ProblemsModel::StateColumn),
                       int(ProblemsModel::CodeColumn)}) {
        m_problemsView->horizontalHeader()->setSectionResizeMode(column,
                                                                 QHeaderView::ResizeToContents);
    }
    connect(m_problemsView, &QTableView::clicked, this, [this](const QModelIndex& index) {
        const engine::Diagnostic& d = m_problems->diagnostic(index.row());
        const auto id = m_document->idOf(d.state);
        if (!id) {
            m_scene->clearSelection();
            return;
        }
        if (d.transition && m_scene->transitionItem({*id, *d.transition})) {
            m_scene->selectTransition({*id, *d.transition});
        } else {
            m_scene->selectStates({*id});
        }
    });

    m_changesList = new QListWidget;
    m_changesList->setWordWrap(true);
    m_comparison = new VersionComparison(m_document, m_scene, m_changesList, this);
    m_undoView = new QUndoView(m_document->undoStack());
    m_undoView->setEmptyLabel(tr("<opened>"));

    m_palette = new QListWidget;
    m_palette->setDragEnabled(true);
    m_palette->setDragDropMode(QAbstractItemView::DragOnly);
    m_palette->setSpacing(2);
    for (engine::StateType type : kPaletteTypes) {
        auto* item = new QListWidgetItem(swatch(graph_style::typeColor(type)),
                                         qstr(std::string(engine::toString(type))));
        item->setData(Qt::UserRole, int(type));
        item->setToolTip(tr("Double-click or press Enter to add; drag onto the canvas"));
        m_palette->addItem(item);
    }
    connect(m_palette, &QListWidget::itemActivated, this, [this](QListWidgetItem* item) {
        addState(engine::StateType(item->data(Qt::UserRole).toInt()));
    });
    connect(m_view, &FlowView::stateTypeDropped, this,
            [this](int type, QPointF scenePos) { addState(engine::StateType(type), scenePos); });
}

void DesignWorkspace::buildDocks() {
    const auto dock = [this](const QString& title, const QString& name, QWidget* widget,
                             Qt::DockWidgetArea area) {
        return addDock(this, widget, title, name, area);
    };
    QDockWidget* palette =
        dock(tr("Palette"), QStringLiteral("PaletteDock"), m_palette, Qt::LeftDockWidgetArea);
    QDockWidget* inspector = dock(tr("Inspector"), QStringLiteral("InspectorDock"),
                                  m_inspectorStack, Qt::RightDockWidgetArea);
    m_problemsDock = dock(tr("Problems"), QStringLiteral("ProblemsDock"), m_problemsView,
                          Qt::BottomDockWidgetArea);
    QDockWidget* history =
        dock(tr("History"), QStringLiteral("HistoryDock"), m_undoView, Qt::BottomDockWidgetArea);
    tabifyDockWidget(m_problemsDock, history);
    m_changesDock =
        dock(tr("Changes"), QStringLiteral("ChangesDock"), m_changesList, Qt::BottomDockWidgetArea);
    tabifyDockWidget(history, m_changesDock);
    m_problemsDock->raise();
    resizeDocks({palette, inspector}, {150, 480}, Qt::Horizontal);
    resizeDocks({m_problemsDock}, {170}, Qt::Vertical);
}

void DesignWorkspace::onSelectionChanged() {
    const QVector<StateId> states = m_scene->selectedStates();
    const auto transition = m_scene->selectedTransition();
    if (states.size() == 1) {
        m_inspector->setState(states.front());
        m_inspectorStack->setCurrentIndex(1);
    } else if (transition) {
        m_inspector->setState(transition->source);
        m_inspector->selectTransition(transition->index);
        m_inspectorStack->setCurrentIndex(1);
    } else {
        m_inspectorStack->setCurrentIndex(0);
    }
}

void DesignWorkspace::onDiagnostics() {
    m_problems->setDiagnostics(m_lint->diagnostics());
    m_scene->setDiagnostics(m_lint->diagnostics());
    const int errors = m_problems->errorCount();
    const int warnings = m_problems->warningCount();
    m_problemsEmpty->setVisible(m_problems->rowCount() == 0);
    m_problemsDock->setWindowTitle(
        errors + warnings == 0
            ? tr("Problems")
            : tr("Problems (%1, %2)")
                  .arg(errors == 1 ? tr("1 error") : tr("%1 errors").arg(errors),
                       warnings == 1 ? tr("1 warning") : tr("%1 warnings").arg(warnings)));
    m_actions.value(QStringLiteral("publish-check"))->setEnabled(!m_lint->hasErrors());
}

QList<QAction*> DesignWorkspace::fileActions() const {
    QList<QAction*> list;
    for (const char* name :
         {"new", "open", "save", "save-as", "export", "versions", "clear-compare"}) {
        list << m_actions.value(QLatin1String(name));
    }
    return list;
}

QList<QAction*> DesignWorkspace::editActions() const {
    QList<QAction*> list;
    for (const char* name :
         {"undo", "redo", "cut", "copy", "paste", "delete", "select-all", "find", "rename"}) {
        list << m_actions.value(QLatin1String(name));
    }
    return list;
}

QList<QAction*> DesignWorkspace::viewActions() const {
    QList<QAction*> list;
    for (const char* name : {"zoom-in", "zoom-out", "zoom-fit", "zoom-reset", "minimap"}) {
        list << m_actions.value(QLatin1String(name));
    }
    return list;
}

QList<QAction*> DesignWorkspace::canvasKeyActions() const {
    QList<QAction*> list;
    for (const char* name : {"add-state", "connect", "rename", "delete"}) {
        list << m_actions.value(QLatin1String(name));
    }
    return list;
}

QList<QAction*> DesignWorkspace::flowActions() const {
    QList<QAction*> list;
    for (const char* name : {"add-state", "connect", "layout-tb", "layout-lr", "align-left",
                             "align-top", "publish-check"}) {
        list << m_actions.value(QLatin1String(name));
    }
    return list;
}

} // namespace flowdeck::console
