// Crash-test client for the console's WorkspaceStore: autosaves one document as fast as it can,
// each write with a different counter, and prints the counter on its own line once
// writeAutosave() returned, flushed before the next write starts. tst_workspace_store kills it
// with SIGKILL and checks that the last printed autosave is in the database, whole.
//
// The flow and the layout both carry the counter (and the flow ~10 KB of states named after it),
// so a torn or mixed row is visible.
//
// Usage: workspace_writer <database> <first counter> <count>

#include "models/workspace_store.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <cstdio>

using flowdeck::console::AutosaveEntry;
using flowdeck::console::WorkspaceStore;

namespace {

constexpr int kStates = 200;

QByteArray flowJson(qint64 counter) {
    QJsonArray states;
    for (int i = 0; i < kStates; ++i) {
        states.append(QJsonObject{{"name", QStringLiteral("s%1_%2").arg(i).arg(counter)}});
    }
    return QJsonDocument(
               QJsonObject{{"name", "crash_flow"}, {"counter", counter}, {"states", states}})
        .toJson(QJsonDocument::Compact);
}

QByteArray layoutJson(qint64 counter) {
    return QJsonDocument(QJsonObject{{"counter", counter}, {"x", double(counter % 1000)}})
        .toJson(QJsonDocument::Compact);
}

} // namespace

int main(int argc, char** argv) {
    QCoreApplication app(argc, argv); // Qt SQL loads its SQLite driver as a plugin
    if (argc != 4) {
        std::fprintf(stderr, "usage: %s <database> <first counter> <count>\n", argv[0]);
        return 2;
    }
    const qint64 first = QByteArray(argv[2]).toLongLong();
    const qint64 count = QByteArray(argv[3]).toLongLong();
    WorkspaceStore store;
    QString error;
    if (!store.open(QString::fromLocal8Bit(argv[1]), &error)) {
        std::fprintf(stderr, "%s\n", qPrintable(error));
        return 1;
    }
    for (qint64 counter = first; counter < first + count; ++counter) {
        const AutosaveEntry entry{QStringLiteral("untitled:crash-test"),
                                  QStringLiteral("crash_flow"),
                                  {},
                                  flowJson(counter),
                                  layoutJson(counter)};
        if (!store.writeAutosave(entry, &error)) {
            std::fprintf(stderr, "%s\n", qPrintable(error));
            return 1;
        }
        std::fprintf(stdout, "%lld\n", static_cast<long long>(counter));
        std::fflush(stdout);
    }
    return 0;
}
