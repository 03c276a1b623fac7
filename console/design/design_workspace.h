#pragma once

#include "graph/graph_layout.h"
#include "models/flow_document.h"

#include <QFutureWatcher>
#include <QMainWindow>
#include <QPointer>

class QAction;
class QDockWidget;
class QLabel;
class QLineEdit;
class QListWidget;
class QStackedWidget;
class QTableView;
class QTimer;
class QUndoView;

namespace flowdeck::console {

class FlowPropertiesEditor;
class FlowScene;
class FlowView;
class LintRunner;
class MiniMap;
class ProblemsModel;
class StateInspector;
class VersionComparison;
class WorkspaceStore;

// The Design workspace: the flow as a graph in the middle, the palette on the left, the inspector
// on the right, problems and the undo history below. It owns the open FlowDocument and what
// happens to it on disk: open, save, autosave into the workspace database, versions.
class DesignWorkspace final : public QMainWindow {
    Q_OBJECT
public:
    DesignWorkspace(WorkspaceStore* store, QWidget* parent = nullptr);
    ~DesignWorkspace() override;

    FlowDocument* document() const { return m_document; }
    FlowScene* scene() const { return m_scene; }
    FlowView* view() const { return m_view; }
    StateInspector* inspector() const { return m_inspector; }
    LintRunner* lint() const { return m_lint; }
    ProblemsModel* problems() const { return m_problems; }
    QList<QAction*> fileActions() const;
    QList<QAction*> editActions() const;
    QList<QAction*> viewActions() const;
    QList<QAction*> flowActions() const;
    // Actions on plain keys (A, C, F2, Delete) that must not fire while another workspace shows.
    QList<QAction*> canvasKeyActions() const;

    // Files. Errors are shown to the user and returned (false).
    void newFlow();
    bool openFile(const QString& path);
    bool save();
    bool saveAs(const QString& path);
    bool exportTo(const QString& path);
    bool restoreAutosave(const QString& documentKey);
    QString filePath() const { return m_filePath; }
    QString documentKey() const { return m_documentKey; }
    bool isModified() const;
    // Asks what to do with unsaved edits; false when the user cancelled.
    bool maybeSave();
    // Writes the autosave now (normally a short pause after each edit).
    void autosaveNow();

    // Canvas commands (also used by tests and the command palette).
    StateId addState(engine::StateType type, std::optional<QPointF> position = std::nullopt);
    void deleteSelection();
    void copySelection();
    void paste();
    void alignSelection(Qt::Alignment edge);
    void autoLayout(LayoutDirection direction);
    void connectSelected();
    void showFind();
    // Draws on the canvas what changed since a saved version (from WorkspaceStore::versions()).
    bool compareWithVersion(qint64 versionId);
    bool compareWithFile(const QString& path);
    VersionComparison* comparison() const { return m_comparison; }

Q_SIGNALS:
    void titleChanged(const QString& title);
    void statusMessage(const QString& message, int timeoutMs);
    void fileOpened(const QString& path);

private:
    void buildWidgets();
    void buildDocks();
    void buildActions();
    void onSelectionChanged();
    void onDiagnostics();
    void updateTitle();
    // Replaces the document; `onDisk` false leaves it modified (restored edits not yet saved).
    void loadFlow(engine::Flow flow, const QHash<QString, QPointF>& positions, bool onDisk = true);
    // Above this many states dot takes seconds; the layered layout is instant.
    static constexpr qsizetype kDotStateLimit = 1500;
    struct LayoutInput {
        QVector<LayoutNode> nodes;
        QVector<LayoutEdge> edges;
        QString root;
    };
    LayoutInput layoutInput() const;
    void placeUnpositioned();
    void applyLayout(const LayoutResult& result, const QString& text);
    bool writeFile(const QString& path, bool recordVersion);
    void findNext(const QString& text);

    WorkspaceStore* m_store;
    FlowDocument* m_document;
    FlowScene* m_scene;
    FlowView* m_view;
    MiniMap* m_miniMap = nullptr;
    LintRunner* m_lint;
    ProblemsModel* m_problems;
    StateInspector* m_inspector = nullptr;
    FlowPropertiesEditor* m_flowProperties = nullptr;
    QStackedWidget* m_inspectorStack = nullptr;
    QTableView* m_problemsView = nullptr;
    QLabel* m_problemsEmpty = nullptr; // "No problems", over the empty table
    QDockWidget* m_problemsDock = nullptr;
    QUndoView* m_undoView = nullptr;
    QListWidget* m_changesList = nullptr;
    QDockWidget* m_changesDock = nullptr;
    VersionComparison* m_comparison = nullptr;
    QListWidget* m_palette = nullptr;
    QLineEdit* m_findEdit = nullptr;
    QLabel* m_findStatus = nullptr;
    QTimer* m_autosaveTimer;
    QFutureWatcher<LayoutResult> m_layoutWatcher;
    std::shared_ptr<std::atomic_bool> m_layoutCancel;
    QString m_filePath;
    QString m_documentKey;
    int m_findIndex = -1;
    QHash<QString, QAction*> m_actions;
};

} // namespace flowdeck::console
