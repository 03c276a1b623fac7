#pragma once

#include "flowdeck/engine/test_suite.h"

#include <QFutureWatcher>
#include <QWidget>

#include <atomic>
#include <functional>
#include <memory>
#include <optional>

class QCheckBox;
class QComboBox;
class QLabel;
class QProgressBar;
class QPushButton;
class QTextBrowser;
class QTreeWidget;

namespace flowdeck::console {

// The flow's test suites: the conversations saved as tests, kept beside the flow as
// FLOW.suite.json and FLOW.<name>.suite.json (the files `flowctl test --suite` runs in CI), run in
// the background with progress and cancel, each case's result with expected and actual paths side
// by side, and the coverage the workspace draws on the graph.
class TestsPanel final : public QWidget {
    Q_OBJECT
public:
    using FlowProvider = std::function<std::shared_ptr<const engine::CompiledFlow>()>;

    explicit TestsPanel(QWidget* parent = nullptr);
    ~TestsPanel() override;

    void setFlowProvider(FlowProvider provider) { m_flowProvider = std::move(provider); }
    // Lists the suites beside `flowPath` (FLOW.suite.json, FLOW.<name>.suite.json) and loads the
    // first; none yet is fine. An empty path: an unsaved flow, which has no suites.
    void setFlow(const QString& flowPath, const QString& flowId);
    // Shows the suite in `path` (one of the flow's; need not exist yet).
    void loadSuite(const QString& path);
    // Creates FLOW.<name>.suite.json, empty, and shows it; false with *error when the name is
    // not a plain word, the file exists or cannot be written.
    bool createSuite(const QString& name, QString* error);
    QString flowPath() const { return m_flowPath; }
    QString suitePath() const { return m_suitePath; }
    const engine::TestSuite& suite() const { return m_suite; }

    // Appends a case and writes the suite file; false with *error when it cannot be written.
    bool addCase(engine::TestCase testCase, QString* error);
    // Asks for a name, then emits saveConversationRequested.
    void requestSaveConversation();

    void runSuite();
    void cancelRun();
    bool isRunning() const { return m_watcher.isRunning(); }
    // Blocks (running the event loop) until the run ends; false on timeout.
    bool waitForRun(int timeoutMs = 30000);
    const engine::SuiteResult* lastResult() const { return m_result ? &*m_result : nullptr; }
    bool coverageShown() const { return m_coverageShown; }
    void setCoverageShown(bool shown);

Q_SIGNALS:
    void saveConversationRequested(const QString& name);
    // The user asked to play this case of the suite shown into the chat (double-click).
    void openCaseRequested(int index);
    void coverageChanged();
    void runFinished();

private:
    void showSuite();
    void showResult();
    void showCase(int index);
    void setBusy(bool busy);
    bool writeSuite(const engine::TestSuite& suite, const QString& path, QString* error);

    FlowProvider m_flowProvider;
    QString m_flowPath;
    QString m_suitePath;
    QString m_flowId;
    engine::TestSuite m_suite;
    std::optional<engine::SuiteResult> m_result;
    QFutureWatcher<engine::SuiteResult> m_watcher;
    std::shared_ptr<std::atomic<bool>> m_cancel;
    bool m_coverageShown = false;

    QLabel* m_title;
    QLabel* m_summary;
    QTreeWidget* m_cases;
    QTextBrowser* m_details;
    QProgressBar* m_progress;
    QPushButton* m_run;
    QPushButton* m_cancelButton;
    QCheckBox* m_coverage;
    QComboBox* m_suiteBox;
    QPushButton* m_newSuite;
};

} // namespace flowdeck::console
