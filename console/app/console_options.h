#pragma once

#include <QSize>
#include <QString>
#include <QStringList>

#include <optional>

namespace flowdeck::console {

struct ConsoleOptions {
    QString openFile;
    QString workspace = QStringLiteral("design");
    QString workspaceDb; // empty: WorkspaceStore::defaultPath()
    QString screenshot;  // write a PNG of the window and exit
    QSize size{1440, 900};
    QString theme;           // empty: the saved setting, else system
    QStringList select;      // states to select before the screenshot
    QString compare;         // draw the diff from this flow file to the open flow
    QString script;          // simulate: user lines to play through the simulator
    bool runTests = false;   // simulate: run the flow's test suite and show its coverage
    QStringList breakpoints; // simulate: states to stop before
    QStringList connect;     // clusters: node addresses (HOST:PORT) to connect to at start
    QString profile;         // clusters: a connection profile to connect at start
    int afterSeconds = 0;    // with --screenshot: seconds of live data to wait for first
    bool restorePrompt = true;
    bool restoreSilently = false;
};

// Parses the command line; on a bad option prints the problem and returns nullopt.
std::optional<ConsoleOptions> parseConsoleOptions(const QStringList& arguments, QString* error);

} // namespace flowdeck::console
