#include "app/console_app.h"

#include "app/console_options.h"
#include "app/main_window.h"
#include "design/design_workspace.h"
#include "graph/flow_scene.h"
#include "models/lint_runner.h"
#include "models/workspace_store.h"
#include "simulate/simulate_workspace.h"
#ifdef FLOWDECK_HAVE_CLUSTERS
#include "clusters/clusters_workspace.h"
#endif

#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QMessageBox>
#include <QTimer>

#include <algorithm>
#include <cstdio>

namespace flowdeck::console {

namespace {

// Waits until the window has painted and the linter has reported (and, with --after, that many
// seconds of live data have arrived), then writes the PNG and quits.
void scheduleScreenshot(MainWindow* window, const QString& path, int afterSeconds = 0) {
    auto* timer = new QTimer(window);
    auto* clock = new QElapsedTimer;
    clock->start();
    const qint64 settleMs = std::max<qint64>(600, qint64(afterSeconds) * 1000);
    QObject::connect(timer, &QTimer::timeout, window, [=] {
        const bool settled = !window->design()->lint()->isRunning() && clock->elapsed() > settleMs;
        if (!settled && clock->elapsed() < settleMs + 15000) {
            return;
        }
        timer->stop();
        delete clock;
        const bool ok = window->grab().save(path);
        std::fprintf(ok ? stdout : stderr, ok ? "screenshot: %s\n" : "cannot write %s\n",
                     qPrintable(QDir::toNativeSeparators(path)));
        QApplication::exit(ok ? 0 : 1);
    });
    timer->start(100);
}

void selectStates(DesignWorkspace* design, const QStringList& names) {
    QVector<StateId> ids;
    for (const QString& name : names) {
        if (const auto id = design->document()->idOf(name)) {
            ids.push_back(*id);
        } else {
            std::fprintf(stderr, "flowdeck: --select: no state named '%s'\n", qPrintable(name));
        }
    }
    design->scene()->selectStates(ids, false);
}

} // namespace

int runConsole(int argc, char* argv[]) {
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("Flowdeck"));
    QApplication::setOrganizationName(QStringLiteral("Flowdeck"));
    QApplication::setApplicationVersion(QStringLiteral(FLOWDECK_VERSION));
    QString error;
    const auto options = parseConsoleOptions(QApplication::arguments(), &error);
    if (!options) {
        std::fprintf(stderr, "flowdeck: %s\n", qPrintable(error));
        return 2;
    }
    WorkspaceStore store;
    const QString dbPath =
        options->workspaceDb.isEmpty() ? WorkspaceStore::defaultPath() : options->workspaceDb;
    const bool haveStore = store.open(dbPath, &error);
    if (!haveStore) {
        // Still usable without it (no autosave or history); say so loudly.
        std::fprintf(stderr, "flowdeck: %s\n", qPrintable(error));
    }
    const QString theme =
        !options->theme.isEmpty()
            ? options->theme
            : (haveStore
                   ? store.setting(QStringLiteral("theme"), QStringLiteral("system")).toString()
                   : QStringLiteral("system"));
    MainWindow::applyTheme(theme);
    MainWindow window(haveStore ? &store : nullptr);
    if (!options->screenshot.isEmpty()) {
        window.resize(options->size);
    }
    if (!options->openFile.isEmpty() && !window.design()->openFile(options->openFile)) {
        if (!options->screenshot.isEmpty()) {
            return 1;
        }
    }
    window.show();
    if (!haveStore) {
        QMessageBox::warning(&window, QObject::tr("No workspace database"),
                             QObject::tr("%1\n\nAutosave and version history are off.").arg(error));
    }
    if (options->restoreSilently) {
        window.offerRestore(false);
    } else if (options->restorePrompt) {
        window.offerRestore(true);
    }
    if (!options->compare.isEmpty()) {
        window.design()->compareWithFile(options->compare);
    }
    selectStates(window.design(), options->select);
    window.showWorkspace(options->workspace);
#ifdef FLOWDECK_HAVE_CLUSTERS
    for (const QString& address : options->connect) {
        QString problem;
        if (!window.clusters()->connectTo(address, &problem)) {
            std::fprintf(stderr, "flowdeck: --connect: %s\n", qPrintable(problem));
        }
    }
    if (!options->profile.isEmpty() && !window.clusters()->connectProfile(options->profile)) {
        std::fprintf(stderr, "flowdeck: --profile: no connection profile named '%s' in %s\n",
                     qPrintable(options->profile), qPrintable(ProfileStore::profilesPath()));
        return 2;
    }
#endif
    for (const QString& state : options->breakpoints) {
        if (!window.design()->document()->idOf(state)) {
            std::fprintf(stderr, "flowdeck: --break: no state named '%s'\n", qPrintable(state));
        }
        window.simulate()->setBreakpoint(state);
    }
    if (!options->script.isEmpty() || options->runTests) {
        // Played once the event loop runs: the simulator works on its own thread and reports
        // through queued signals.
        QTimer::singleShot(0, &window, [&window, &options] {
            QString problem;
            const bool ok =
                (options->script.isEmpty() ||
                 window.simulate()->playScript(options->script, &problem)) &&
                (!options->runTests || window.simulate()->runTestsAndShowCoverage(&problem));
            if (!ok) {
                std::fprintf(stderr, "flowdeck: %s\n", qPrintable(problem));
                if (!options->screenshot.isEmpty()) {
                    QApplication::exit(1);
                    return;
                }
            }
            if (!options->screenshot.isEmpty()) {
                scheduleScreenshot(&window, options->screenshot);
            }
        });
    } else if (!options->screenshot.isEmpty()) {
        scheduleScreenshot(&window, options->screenshot, options->afterSeconds);
    }
    return QApplication::exec();
}

} // namespace flowdeck::console
