// Large flows in the Design workspace (issue 5: a 10,000-state flow opens in under 2 s and pans,
// zooms and drags with frame work under 16 ms). Drives the real DesignWorkspace offscreen; a
// "frame" is the scene change plus a synchronous repaint of the canvas (QWidget::grab).
//   QT_QPA_PLATFORM=offscreen build/bin/bench-console-scene
#include "design/design_workspace.h"
#include "graph/flow_scene.h"
#include "graph/flow_view.h"
#include "graph/state_item.h"

#include "flowdeck/engine/flow_generator.h"
#include "flowdeck/engine/flow_json.h"

#include <QApplication>
#include <QFile>
#include <QScrollBar>
#include <QTemporaryDir>

#include <benchmark/benchmark.h>

using namespace flowdeck::console;

namespace {

QString writeFlow(const QTemporaryDir& dir, int states) {
    const QString path = dir.filePath(QStringLiteral("flow_%1.json").arg(states));
    if (!QFile::exists(path)) {
        QFile file(path);
        file.open(QIODevice::WriteOnly);
        file.write(QByteArray::fromStdString(
            flowdeck::engine::serializeFlow(flowdeck::engine::generateBlockFlow(size_t(states)))));
    }
    return path;
}

QTemporaryDir& tempDir() {
    static QTemporaryDir dir;
    return dir;
}

struct Workspace {
    explicit Workspace(int states)
        : design(nullptr) {
        design.resize(1440, 900);
        design.show();
        design.openFile(writeFlow(tempDir(), states));
        QApplication::processEvents();
    }
    DesignWorkspace design;
};

void BM_OpenFlow(benchmark::State& state) {
    const QString path = writeFlow(tempDir(), int(state.range(0)));
    DesignWorkspace design(nullptr);
    design.resize(1440, 900);
    design.show();
    for (auto _ : state) {
        design.openFile(path); // parse, lint scheduled, layout, scene built, fitted
    }
    state.counters["states"] = double(state.range(0));
}

void frameAtZoom(benchmark::State& state, qreal zoom) {
    Workspace w(int(state.range(0)));
    FlowView* view = w.design.view();
    if (zoom > 0) {
        view->setZoom(zoom, view->visibleCenter());
    } else {
        view->zoomToFit();
    }
    int step = 0;
    for (auto _ : state) {
        // Pan a little each frame, as a user dragging the canvas does.
        view->horizontalScrollBar()->setValue(view->horizontalScrollBar()->value() +
                                              ((step++ % 20) < 10 ? 40 : -40));
        benchmark::DoNotOptimize(view->viewport()->grab());
    }
    state.counters["zoom"] = view->zoom();
    const QRectF visible = view->mapToScene(view->viewport()->rect()).boundingRect();
    int edges = 0;
    int boxes = 0;
    for (QGraphicsItem* item : w.design.scene()->items(visible)) {
        (item->type() == StateItem::Type ? boxes : edges)++;
    }
    state.counters["boxes"] = boxes;
    state.counters["arrows"] = edges;
}

void BM_PanFrameZoomedOut(benchmark::State& state) {
    frameAtZoom(state, 0);
}

void BM_PanFrameOverview(benchmark::State& state) {
    frameAtZoom(state, 0.2);
}

void BM_PanFrameDetail(benchmark::State& state) {
    frameAtZoom(state, 1.0);
}

// A change while the whole flow is in view: the cached overview picture is drawn again.
void BM_SelectFrameZoomedOut(benchmark::State& state) {
    Workspace w(int(state.range(0)));
    FlowView* view = w.design.view();
    view->zoomToFit();
    const QVector<StateId> ids = w.design.document()->stateIds();
    int step = 0;
    for (auto _ : state) {
        w.design.scene()->selectStates({ids.at(step++ % ids.size())}, false);
        benchmark::DoNotOptimize(view->viewport()->grab());
    }
    state.counters["overview"] = view->showsOverview() ? 1 : 0;
}

void BM_DragFrame(benchmark::State& state) {
    Workspace w(int(state.range(0)));
    FlowView* view = w.design.view();
    view->setZoom(1.0, view->visibleCenter());
    const StateId id = w.design.document()->stateIds().at(int(state.range(0)) / 2);
    StateItem* item = w.design.scene()->stateItem(id);
    view->centerOn(item);
    int step = 0;
    for (auto _ : state) {
        item->setPos(item->pos() + QPointF((step++ % 20) < 10 ? 8 : -8, 3));
        benchmark::DoNotOptimize(view->viewport()->grab());
    }
}

} // namespace

BENCHMARK(BM_OpenFlow)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(BM_PanFrameZoomedOut)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_PanFrameOverview)->Arg(10000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_PanFrameDetail)->Arg(10000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SelectFrameZoomedOut)->Arg(10000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_DragFrame)->Arg(10000)->Unit(benchmark::kMillisecond);

int main(int argc, char** argv) {
    qputenv("QT_QPA_PLATFORM",
            qgetenv("QT_QPA_PLATFORM").isEmpty() ? "offscreen" : qgetenv("QT_QPA_PLATFORM"));
    QApplication app(argc, argv);
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
