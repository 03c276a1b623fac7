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
        QStringLiteral("workspace"), QStringLiteral("Start in this workspace (design, simulate)."),
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
    parser.addOptions({open, workspace, db, screenshot, size, theme, select, noRestore, restore,
                       compare, script, runTests, breakAt});
    parser.addPositionalArgument(QStringLiteral("flow"), QStringLiteral("A flow file to open."),
                                 QStringLiteral("[FLOW]"));
    parser.process(arguments); // --help and --version exit here

    ConsoleOptions options;
    options.openFile = parser.value(open);
    if (options.openFile.isEmpty() && !parser.positionalArguments().isEmpty()) {
        options.openFile = parser.positionalArguments().front();
    }
    options.workspace = parser.value(workspace).toLower();
    if (options.workspace != QLatin1String("design") &&
        options.workspace != QLatin1String("simulate")) {
        *error = QStringLiteral("unknown workspace '%1' (available: design, simulate)")
                     .arg(options.workspace);
        return std::nullopt;
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
