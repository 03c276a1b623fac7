#pragma once

#include "flowdeck/engine/diagnostic.h"

#include <QFutureWatcher>
#include <QObject>
#include <QTimer>

#include <vector>

namespace flowdeck::console {

class FlowDocument;

// Runs the engine linter on the document as it is edited: a short pause after the last edit,
// on a worker thread (a 10,000-state flow takes ~50 ms), dropping results that an edit made stale.
class LintRunner final : public QObject {
    Q_OBJECT
public:
    explicit LintRunner(FlowDocument* document, QObject* parent = nullptr);
    ~LintRunner() override;

    const std::vector<engine::Diagnostic>& diagnostics() const { return m_diagnostics; }
    bool hasErrors() const;
    bool isRunning() const { return m_pending || m_watcher.isRunning(); }
    void lintNow(); // schedules without the pause

Q_SIGNALS:
    void diagnosticsChanged();

private:
    void start();

    FlowDocument* m_document;
    QTimer m_debounce;
    QFutureWatcher<std::vector<engine::Diagnostic>> m_watcher;
    std::vector<engine::Diagnostic> m_diagnostics;
    quint64 m_generation = 0;
    quint64 m_runningGeneration = 0;
    bool m_pending = false;
};

} // namespace flowdeck::console
