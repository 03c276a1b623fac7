#include "models/lint_runner.h"

#include "models/flow_document.h"

#include "flowdeck/engine/linter.h"

#include <QtConcurrent/QtConcurrentRun>

namespace flowdeck::console {

LintRunner::LintRunner(FlowDocument* document, QObject* parent)
    : QObject(parent)
    , m_document(document) {
    m_debounce.setSingleShot(true);
    m_debounce.setInterval(150);
    connect(&m_debounce, &QTimer::timeout, this, &LintRunner::start);
    connect(document, &FlowDocument::contentChanged, this, [this] {
        ++m_generation;
        m_pending = true;
        m_debounce.start();
    });
    connect(&m_watcher, &QFutureWatcherBase::finished, this, [this] {
        if (m_runningGeneration == m_generation) {
            m_diagnostics = m_watcher.result();
            m_pending = false;
            Q_EMIT diagnosticsChanged();
        } else {
            start(); // the document changed while we linted
        }
    });
    lintNow();
}

LintRunner::~LintRunner() {
    m_watcher.waitForFinished();
}

bool LintRunner::hasErrors() const {
    return engine::hasErrors(m_diagnostics);
}

void LintRunner::lintNow() {
    m_pending = true;
    m_debounce.start(0);
}

void LintRunner::start() {
    if (m_watcher.isRunning()) {
        return; // the finished handler starts again with the newest content
    }
    m_runningGeneration = m_generation;
    m_watcher.setFuture(
        QtConcurrent::run([flow = m_document->flow()] { return engine::lintFlow(flow); }));
}

} // namespace flowdeck::console
