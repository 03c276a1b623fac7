#pragma once

#include <QHash>
#include <QMainWindow>

class QActionGroup;
class QMenu;
class QStackedWidget;

namespace flowdeck::console {

class ClustersWorkspace;
class DeployWorkspace;
class DesignWorkspace;
class SimulateWorkspace;
class WorkspaceStore;

// The console's one window: a workspace bar on the left (Design and Simulate today; Clusters,
// Load & Chaos, Deploy and Runbooks join it), the current workspace in the middle, menus built from
// the workspace's actions, and a status bar. Window layout and recent files come back on start.
class MainWindow final : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(WorkspaceStore* store, QWidget* parent = nullptr);
    ~MainWindow() override;

    DesignWorkspace* design() const { return m_design; }
    SimulateWorkspace* simulate() const { return m_simulate; }
    // Null in a build without the gRPC client (FLOWDECK_BUILD_PROTO=OFF).
    ClustersWorkspace* clusters() const { return m_clusters; }
    // Null in a build without the gRPC client, like clusters().
    DeployWorkspace* deploy() const { return m_deploy; }
    // "design", "simulate", "clusters" or "deploy".
    void showWorkspace(const QString& name);
    QString currentWorkspace() const;
    // Offers to restore edits a crash left unsaved. `ask` false restores the newest silently.
    void offerRestore(bool ask);
    void showCommandPalette();
    // dark: true/false, or system when unset
    static void applyTheme(const QString& theme);

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    void buildMenus();
    void rebuildRecentMenu();
    void restoreWindowState();
    void saveWindowState();

    WorkspaceStore* m_store;
    QStackedWidget* m_stack;
    DesignWorkspace* m_design;
    SimulateWorkspace* m_simulate;
    ClustersWorkspace* m_clusters = nullptr;
    QWidget* m_clustersPage = nullptr; // m_clusters as a page of m_stack
    DeployWorkspace* m_deploy = nullptr;
    QWidget* m_deployPage = nullptr; // m_deploy as a page of m_stack
    QMenu* m_deployMenu = nullptr;
    QHash<QString, QAction*> m_workspaceActions;
    QMenu* m_recentMenu = nullptr;
    QMenu* m_simulateMenu = nullptr;
    QMenu* m_flowMenu = nullptr;
};

} // namespace flowdeck::console
