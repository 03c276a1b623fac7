#include "app/main_window.h"

#include "design/design_workspace.h"
#include "dialogs/command_palette.h"
#include "models/workspace_store.h"
#include "simulate/simulate_workspace.h"
#include "widgets/theme_colors.h"
#ifdef FLOWDECK_HAVE_CLUSTERS
#include "clusters/cluster_connection.h"
#include "clusters/clusters_workspace.h"
#include "deploy/deploy_workspace.h"
#endif

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QFileInfo>
#include <QMenuBar>
#include <QMessageBox>
#include <QStackedWidget>
#include <QStatusBar>
#include <QStyle>
#include <QStyleFactory>
#include <QToolBar>

namespace flowdeck::console {

MainWindow::MainWindow(WorkspaceStore* store, QWidget* parent)
    : QMainWindow(parent)
    , m_store(store)
    , m_stack(new QStackedWidget)
    , m_design(new DesignWorkspace(store))
    , m_simulate(new SimulateWorkspace(m_design)) {
    setObjectName(QStringLiteral("MainWindow"));
    setWindowTitle(QStringLiteral("Flowdeck"));
    m_stack->addWidget(m_design);
    m_stack->addWidget(m_simulate);
#ifdef FLOWDECK_HAVE_CLUSTERS
    m_clusters = new ClustersWorkspace;
    m_clustersPage = m_clusters;
    m_stack->addWidget(m_clustersPage);
    m_deploy = new DeployWorkspace(m_design);
    // With nothing typed in its own bar, Deploy talks to the node Clusters watches first.
    m_deploy->setAddressSuggestion([this] {
        const auto& connections = m_clusters->connections();
        return connections.isEmpty() ? QString() : connections.front()->address();
    });
    m_deployPage = m_deploy;
    m_stack->addWidget(m_deployPage);
#endif
    setCentralWidget(m_stack);

    auto* bar = new QToolBar(tr("Workspaces"));
    bar->setObjectName(QStringLiteral("WorkspaceBar"));
    bar->setMovable(false);
    bar->setToolButtonStyle(Qt::ToolButtonTextOnly);
    auto* group = new QActionGroup(this);
    const auto addWorkspace = [&](const char* name, const QString& label, int key,
                                  const QString& tip) {
        QAction* action = bar->addAction(label);
        action->setCheckable(true);
        action->setShortcut(QKeySequence(Qt::CTRL | key));
        action->setToolTip(tip);
        group->addAction(action);
        connect(action, &QAction::triggered, this,
                [this, key = QString::fromLatin1(name)] { showWorkspace(key); });
        m_workspaceActions.insert(QString::fromLatin1(name), action);
    };
    addWorkspace("design", tr("Design"), Qt::Key_1, tr("Design: edit flows (Ctrl+1)"));
    addWorkspace("simulate", tr("Simulate"), Qt::Key_2,
                 tr("Simulate: chat with the flow, trace, breakpoints, tests (Ctrl+2)"));
    if (m_clusters) {
        addWorkspace("clusters", tr("Clusters"), Qt::Key_3,
                     tr("Clusters: live flowd nodes, their traffic and events (Ctrl+3)"));
    }
    if (m_deploy) {
        addWorkspace("deploy", tr("Deploy"), Qt::Key_4,
                     tr("Deploy: roll flow versions out, promote, abort, roll back (Ctrl+4)"));
    }
    m_workspaceActions.value(QStringLiteral("design"))->setChecked(true);
    addToolBar(Qt::LeftToolBarArea, bar);

    connect(m_design, &DesignWorkspace::titleChanged, this, [this](const QString& title) {
        setWindowTitle(QStringLiteral("%1 — Flowdeck").arg(title));
    });
    connect(m_design, &DesignWorkspace::statusMessage, this,
            [this](const QString& message, int ms) { statusBar()->showMessage(message, ms); });
    connect(m_design, &DesignWorkspace::fileOpened, this, [this] { rebuildRecentMenu(); });
    connect(m_simulate, &SimulateWorkspace::statusMessage, this,
            [this](const QString& message, int ms) { statusBar()->showMessage(message, ms); });
#ifdef FLOWDECK_HAVE_CLUSTERS
    connect(m_clusters, &ClustersWorkspace::statusMessage, this,
            [this](const QString& message, int ms) { statusBar()->showMessage(message, ms); });
    connect(m_deploy, &DeployWorkspace::statusMessage, this,
            [this](const QString& message, int ms) { statusBar()->showMessage(message, ms); });
    // A connected profile is the cluster Deploy works on too, with the same TLS and token.
    connect(m_clusters, &ClustersWorkspace::profileConnected, this,
            [this](const QString&, const client::Credentials& credentials, const QString& first) {
                m_deploy->connectWith(first, credentials);
            });
#endif
    buildMenus();
    statusBar()->showMessage(tr("Ready"), 2000);
    restoreWindowState();
    showWorkspace(QStringLiteral("design"));
}

MainWindow::~MainWindow() = default;

void MainWindow::buildMenus() {
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addActions(m_design->fileActions());
    m_recentMenu = file->addMenu(tr("Open &Recent"));
    rebuildRecentMenu();
    file->addSeparator();
    QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    QMenu* edit = menuBar()->addMenu(tr("&Edit"));
    edit->addActions(m_design->editActions());
    QMenu* view = menuBar()->addMenu(tr("&View"));
    view->addActions(m_design->viewActions());
    view->addSeparator();
    QAction* palette =
        view->addAction(tr("Command &Palette…"), this, &MainWindow::showCommandPalette);
    palette->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_K));
    QMenu* theme = view->addMenu(tr("&Theme"));
    auto* themes = new QActionGroup(this);
    const QString current =
        m_store ? m_store->setting(QStringLiteral("theme"), QStringLiteral("system")).toString()
                : QStringLiteral("system");
    for (const auto& [key, label] :
         {std::pair{"system", tr("Follow &System")}, std::pair{"light", tr("&Light")},
          std::pair{"dark", tr("&Dark")}}) {
        QAction* action = theme->addAction(label);
        action->setCheckable(true);
        action->setChecked(current == QLatin1String(key));
        themes->addAction(action);
        connect(action, &QAction::triggered, this, [this, key = QString::fromLatin1(key)] {
            applyTheme(key);
            if (m_store) {
                m_store->setSetting(QStringLiteral("theme"), key);
            }
        });
    }
    m_flowMenu = menuBar()->addMenu(tr("F&low"));
    m_flowMenu->addActions(m_design->flowActions());
    m_simulateMenu = menuBar()->addMenu(tr("&Simulate"));
    m_simulateMenu->addActions(m_simulate->simulateActions());
#ifdef FLOWDECK_HAVE_CLUSTERS
    m_deployMenu = menuBar()->addMenu(tr("&Deploy"));
    m_deployMenu->addActions(m_deploy->deployActions());
#endif
    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About Flowdeck"), this, [this] {
        QMessageBox::about(this, tr("About Flowdeck"),
                           tr("<b>Flowdeck %1</b><p>Operations console and local simulator for "
                              "conversation-flow engines.</p>")
                               .arg(QApplication::applicationVersion()));
    });
}

void MainWindow::rebuildRecentMenu() {
    m_recentMenu->clear();
    const QStringList files = m_store ? m_store->recentFiles() : QStringList();
    for (const QString& path : files) {
        m_recentMenu->addAction(QDir::toNativeSeparators(path), this, [this, path] {
            if (m_design->maybeSave() && !m_design->openFile(path) && m_store) {
                m_store->removeRecentFile(path);
                rebuildRecentMenu();
            }
        });
    }
    m_recentMenu->setEnabled(!files.isEmpty());
}

void MainWindow::showCommandPalette() {
    QList<QAction*> actions = m_design->fileActions() + m_design->editActions() +
                              m_design->viewActions() + m_design->flowActions() +
                              m_simulate->simulateActions();
    auto* palette = new CommandPalette(actions, this);
    palette->setAttribute(Qt::WA_DeleteOnClose);
    palette->move(mapToGlobal(QPoint((width() - palette->minimumWidth()) / 2, 80)));
    palette->show();
}

void MainWindow::offerRestore(bool ask) {
    if (!m_store) {
        return;
    }
    const QVector<AutosaveEntry> pending = m_store->pendingAutosaves();
    if (pending.isEmpty()) {
        return;
    }
    const AutosaveEntry& newest = pending.front();
    if (ask) {
        const auto answer = QMessageBox::question(
            this, tr("Restore unsaved edits?"),
            tr("Flowdeck was closed with unsaved edits to %1 (autosaved %2).\n\nRestore them?")
                .arg(newest.flowName, newest.savedAt.toLocalTime().toString()),
            QMessageBox::Yes | QMessageBox::Discard, QMessageBox::Yes);
        if (answer != QMessageBox::Yes) {
            m_store->clearAutosave(newest.documentKey);
            return;
        }
    }
    m_design->restoreAutosave(newest.documentKey);
}

void MainWindow::applyTheme(const QString& theme) {
    // The style the platform chose, kept so leaving dark gives it back.
    static const QString platformStyle = QApplication::style()->name();
    const QString styleName =
        theme == QLatin1String("dark") ? QStringLiteral("Fusion") : platformStyle;
    if (QApplication::style()->name().compare(styleName, Qt::CaseInsensitive) != 0) {
        if (QStyle* style = QStyleFactory::create(styleName)) {
            QApplication::setStyle(style);
        }
    }
    if (theme == QLatin1String("dark")) {
        QApplication::setPalette(theme::darkPalette());
    } else if (theme == QLatin1String("light")) {
        QApplication::setPalette(theme::lightPalette());
    } else {
        // An empty palette resolves every role from the platform theme, and keeps following it
        // when the system switches between light and dark while we run.
        QApplication::setPalette(QPalette());
    }
}

void MainWindow::restoreWindowState() {
    if (!m_store) {
        resize(1440, 900);
        return;
    }
    const QByteArray geometry = m_store->setting(QStringLiteral("window/geometry")).toByteArray();
    if (geometry.isEmpty() || !restoreGeometry(geometry)) {
        resize(1440, 900);
    }
    restoreState(m_store->setting(QStringLiteral("window/state")).toByteArray());
    m_design->restoreState(m_store->setting(QStringLiteral("design/state")).toByteArray());
    m_simulate->restoreLayout(m_store->setting(QStringLiteral("simulate/state")).toByteArray());
#ifdef FLOWDECK_HAVE_CLUSTERS
    m_clusters->restoreLayout(m_store->setting(QStringLiteral("clusters/state")).toByteArray());
    m_deploy->restoreLayout(m_store->setting(QStringLiteral("deploy/state")).toByteArray());
#endif
}

void MainWindow::saveWindowState() {
    if (!m_store) {
        return;
    }
    m_store->setSetting(QStringLiteral("window/geometry"), saveGeometry());
    m_store->setSetting(QStringLiteral("window/state"), saveState());
    m_store->setSetting(QStringLiteral("design/state"), m_design->saveState());
    m_store->setSetting(QStringLiteral("simulate/state"), m_simulate->saveState());
#ifdef FLOWDECK_HAVE_CLUSTERS
    m_store->setSetting(QStringLiteral("clusters/state"), m_clusters->saveState());
    m_store->setSetting(QStringLiteral("deploy/state"), m_deploy->saveState());
#endif
}

void MainWindow::showWorkspace(const QString& name) {
    const bool simulate = name == QLatin1String("simulate");
    const bool clusters = name == QLatin1String("clusters") && m_clusters;
    const bool deploy = name == QLatin1String("deploy") && m_deploy;
    const QString key = simulate || clusters || deploy ? name : QStringLiteral("design");
    if (QAction* action = m_workspaceActions.value(key)) {
        action->setChecked(true);
    }
    QWidget* page = m_design;
    if (simulate) {
        page = m_simulate;
    } else if (clusters) {
        page = m_clustersPage;
    } else if (deploy) {
        page = m_deployPage;
    }
    m_stack->setCurrentWidget(page);
    // Each workspace's own menu only where it applies, and the editor's single-key shortcuts (A
    // adds a state, Delete removes one) only while the user looks at the editor.
    const bool design = key == QLatin1String("design");
    m_flowMenu->menuAction()->setVisible(design);
    m_simulateMenu->menuAction()->setVisible(simulate);
    if (m_deployMenu) {
        m_deployMenu->menuAction()->setVisible(deploy);
    }
    for (QAction* action : m_design->canvasKeyActions()) {
        action->setEnabled(design);
    }
    if (simulate) {
        m_simulate->activate();
    }
}

QString MainWindow::currentWorkspace() const {
    if (m_stack->currentWidget() == m_simulate) {
        return QStringLiteral("simulate");
    }
    if (m_clustersPage && m_stack->currentWidget() == m_clustersPage) {
        return QStringLiteral("clusters");
    }
    if (m_deployPage && m_stack->currentWidget() == m_deployPage) {
        return QStringLiteral("deploy");
    }
    return QStringLiteral("design");
}

void MainWindow::closeEvent(QCloseEvent* event) {
    if (!m_design->maybeSave()) {
        event->ignore();
        return;
    }
    saveWindowState();
    event->accept();
}

} // namespace flowdeck::console
