#pragma once

#include <QHash>
#include <QPointF>
#include <QSizeF>
#include <QString>
#include <QVector>

#include <atomic>

namespace flowdeck::console {

enum class LayoutDirection { TopDown, LeftRight };

struct LayoutNode {
    QString id;
    QSizeF size; // scene units (pixels at zoom 1)
};

// May contain self-loops, parallel edges and edges to unknown ids; the layouts ignore the last.
struct LayoutEdge {
    QString from;
    QString to;
};

struct LayoutResult {
    bool ok = false;
    QString error;                     // set when !ok, in words a user understands
    QHash<QString, QPointF> positions; // top-left corner of each node, scene coordinates, y down
};

// The error text of a cancelled layout; callers compare against it, so it is never translated.
inline constexpr char kLayoutCancelled[] = "cancelled";
// layoutWithGraphviz refuses bigger inputs: dot is super-linear and cannot be interrupted.
inline constexpr int kMaxGraphvizNodes = 20000;
inline constexpr int kMaxGraphvizEdges = 100000;

// Graphviz `dot` through libgvc/libcgraph, in-process. Node sizes are honoured (no overlaps, about
// 40px between ranks and between nodes of a rank); `root` (may be empty) is alone in the first
// rank. A node listed twice keeps its first size. Cancellation: when `*cancel` becomes true the
// function returns ok=false with error kLayoutCancelled at the next phase boundary (before the
// graph is built, before and after dot runs). Graphviz is not thread-safe, so calls are serialised
// on a process-wide mutex: running it from a worker thread is safe, concurrent calls just queue.
LayoutResult layoutWithGraphviz(const QVector<LayoutNode>& nodes, const QVector<LayoutEdge>& edges,
                                LayoutDirection direction, const QString& root = {},
                                const std::atomic_bool* cancel = nullptr);

// A fast layered layout for flows too big for dot and for placing new unpositioned nodes. Ranks by
// BFS from `root`; nodes it does not reach are ranked after it (from the unreached nodes without
// incoming edges first, then from the first unreached node in input order). Each rank is a row
// (TopDown) or a column (LeftRight). Ranks wider than the layout's target extent wrap onto several
// rows, and a stack of rows taller than it folds into bands side by side, so that big flows stay
// roughly as wide as tall (chains of a few dozen nodes stay straight). O(nodes + edges),
// deterministic, thread-safe.
LayoutResult layoutLayered(const QVector<LayoutNode>& nodes, const QVector<LayoutEdge>& edges,
                           LayoutDirection direction, const QString& root = {});

} // namespace flowdeck::console
