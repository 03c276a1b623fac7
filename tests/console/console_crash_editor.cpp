// Edits a flow in a real Design workspace, waits for the autosave, prints "autosaved" and then
// waits to be killed: tst_design_window SIGKILLs it and checks the console restores the edits.
//   console_crash_editor WORKSPACE_DB FLOW_JSON
#include "design/design_workspace.h"
#include "graph/flow_commands.h"
#include "models/workspace_store.h"

#include <QApplication>
#include <QThread>
#include <QUndoStack>

#include <cstdio>

using namespace flowdeck::console;

int main(int argc, char* argv[]) {
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    if (argc != 3) {
        std::fprintf(stderr, "usage: console_crash_editor WORKSPACE_DB FLOW_JSON\n");
        return 2;
    }
    WorkspaceStore store;
    QString error;
    if (!store.open(QString::fromLocal8Bit(argv[1]), &error)) {
        std::fprintf(stderr, "%s\n", qPrintable(error));
        return 1;
    }
    DesignWorkspace design(&store);
    if (!design.openFile(QString::fromLocal8Bit(argv[2]))) {
        return 1;
    }
    FlowDocument* doc = design.document();
    design.addState(flowdeck::engine::StateType::Response, QPointF(900, 900));
    const StateId id = *doc->idOf(QStringLiteral("response"));
    doc->undoStack()->push(new RenameStateCommand(doc, id, QStringLiteral("unsaved_work")));
    design.autosaveNow();
    std::printf("autosaved\n");
    std::fflush(stdout);
    for (;;) {
        QThread::sleep(1); // no clean exit: the test kills us
    }
}
