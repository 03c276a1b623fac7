#include "app/console_options.h"

#include <QCommandLineParser>
#include <QCoreApplication>

namespace flowdeck::console {

std::optional<ConsoleOptions> parseConsoleOptions(const QStringList& arguments, QString* error) {
    QCommandLineParser parser;
    parser.setApplicationDescription(QCoreApplication::translate(
        "flowdeck", "Flowdeck: design, simulate and operate conversation flows."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption open({QStringLiteral("o"), QStringLiteral("open")},
                                  QStringLiteral("Open this flow file."), QStringLiteral("FLOW"));
    const QCommandLineOption workspace(
        QStringLiteral("workspace"),
        QStringLiteral("Start in this workspace (design, simulate, clusters, deploy)."),
        QStringLiteral("NAME"), QStringLiteral("design"));
    const QCommandLineOption db(QStringLiteral("workspace-db"),
                                QStringLiteral("Use this workspace database file."),
                                QStringLiteral("FILE"));
    const QCommandLineOption screenshot(
        QStringLiteral("screenshot"),
        QStringLiteral("Write a PNG of the window once it has settled, then exit."),
        QStringLiteral("PNG"));
    const QCommandLineOption size(QStringLiteral("size"),
                                  QStringLiteral("Window size, e.g. 1440x900."),
                                  QStringLiteral("WxH"));
    const QCommandLineOption theme(
        QStringLiteral("theme"), QStringLiteral("system, light or dark."), QStringLiteral("THEME"));
    const QCommandLineOption select(QStringLiteral("select"),
                                    QStringLiteral("Select this state (repeatable)."),
                                    QStringLiteral("STATE"));
    const QCommandLineOption noRestore(
        QStringLiteral("no-restore"),
        QStringLiteral("Do not offer to restore autosaved edits at start."));
    const QCommandLineOption restore(QStringLiteral("restore"),
                                     QStringLiteral("Restore the newest autosaved edits."));
    const QCommandLineOption compare(
        QStringLiteral("compare"),
        QStringLiteral("Draw what changed from this flow file to the open flow."),
        QStringLiteral("FLOW"));
    const QCommandLineOption script(
        QStringLiteral("script"),
        QStringLiteral("Simulate: send each line of this file to the flow (# starts a comment)."),
        QStringLiteral("FILE"));
    const QCommandLineOption runTests(
        QStringLiteral("run-tests"),
        QStringLiteral("Simulate: run the flow's test suite (FLOW.suite.json) and show coverage."));
    const QCommandLineOption breakAt(
        QStringLiteral("break"),
        QStringLiteral("Simulate: stop before entering this state (repeatable)."),
        QStringLiteral("STATE"));
    const QCommandLineOption connectTo(
        QStringLiteral("connect"),
        QStringLiteral("Clusters: connect to this flowd node's gRPC address (repeatable; "
                       "Deploy uses the first)."),
        QStringLiteral("HOST:PORT"));
    const QCommandLineOption profile(
        QStringLiteral("profile"),
        QStringLiteral("Clusters: connect this connection profile at start (Deploy follows)."),
        QStringLiteral("NAME"));
    const QCommandLineOption after(
        QStringLiteral("after"),
        QStringLiteral("With --screenshot: wait this many seconds (of live data) first."),
        QStringLiteral("SECONDS"));
    parser.addOptions({open, workspace, db, screenshot, size, theme, select, noRestore, restore,
                       compare, script, runTests, breakAt, connectTo, profile, after});
    parser.addPositionalArgument(QStringLiteral("flow"), QStringLiteral("A flow file to open."),
                                 QStringLiteral("[FLOW]"));
    parser.process(arguments); // --help and --version exit here

    ConsoleOptions options;
    options.openFile = parser.value(open);
    if (options.openFile.isEmpty() && !parser.positionalArguments().isEmpty()) {
        options.openFile = parser.positionalArguments().front();
    }
    options.workspace = parser.value(workspace).toLower();
#ifdef FLOWDECK_HAVE_CLUSTERS
    const QStringList workspaces{QStringLiteral("design"), QStringLiteral("simulate"),
                                 QStringLiteral("clusters"), QStringLiteral("deploy")};
#else
    const QStringList workspaces{QStringLiteral("design"), QStringLiteral("simulate")};
#endif
    if (!workspaces.contains(options.workspace)) {
        *error = QStringLiteral("unknown workspace '%1' (available: %2)")
                     .arg(options.workspace, workspaces.join(QStringLiteral(", ")));
        return std::nullopt;
    }
    options.connect = parser.values(connectTo);
    options.profile = parser.value(profile);
#ifndef FLOWDECK_HAVE_CLUSTERS
    if (!options.connect.isEmpty() || !options.profile.isEmpty()) {
        *error = QStringLiteral("--connect and --profile need the Clusters workspace, which this "
                                "build lacks (built without FLOWDECK_BUILD_PROTO)");
        return std::nullopt;
    }
#endif
    if (parser.isSet(after)) {
        bool ok = false;
        options.afterSeconds = parser.value(after).toInt(&ok);
        if (!ok || options.afterSeconds < 0 || options.afterSeconds > 3600) {
            *error = QStringLiteral("--after wants whole seconds between 0 and 3600, got '%1'")
                         .arg(parser.value(after));
            return std::nullopt;
        }
    }
    options.script = parser.value(script);
    options.runTests = parser.isSet(runTests);
    options.breakpoints = parser.values(breakAt);
    if ((!options.script.isEmpty() || options.runTests || !options.breakpoints.isEmpty()) &&
        options.workspace != QLatin1String("simulate")) {
        *error = QStringLiteral("--script, --break and --run-tests work in the simulator: add "
                                "--workspace simulate");
        return std::nullopt;
    }
    options.workspaceDb = parser.value(db);
    options.screenshot = parser.value(screenshot);
    if (parser.isSet(size)) {
        const QStringList wh = parser.value(size).split(QLatin1Char('x'));
        bool okW = false;
        bool okH = false;
        const int w = wh.value(0).toInt(&okW);
        const int h = wh.value(1).toInt(&okH);
        if (wh.size() != 2 || !okW || !okH || w < 320 || h < 240 || w > 8192 || h > 8192) {
            *error = QStringLiteral("--size wants WIDTHxHEIGHT between 320x240 and 8192x8192, "
                                    "got '%1'")
                         .arg(parser.value(size));
            return std::nullopt;
        }
        options.size = QSize(w, h);
    }
    options.theme = parser.value(theme);
    if (!options.theme.isEmpty() &&
        !QStringList{QStringLiteral("system"), QStringLiteral("light"), QStringLiteral("dark")}
             .contains(options.theme)) {
        *error = QStringLiteral("--theme wants system, light or dark, got '%1'").arg(options.theme);
        return std::nullopt;
    }
    options.select = parser.values(select);
    options.compare = parser.value(compare);
    options.restorePrompt = !parser.isSet(noRestore) && options.screenshot.isEmpty();
    options.restoreSilently = parser.isSet(restore);
    return options;
}

} // namespace flowdeck::console
