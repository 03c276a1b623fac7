#pragma once

// Shared by the two layouts of graph_layout.h: the Graphviz one (graph_layout.cpp) and the layered
// one (layered_layout.cpp). Not part of the console's API.
#include "graph/graph_layout.h"

#include <vector>

namespace flowdeck::console::layout_detail {

inline constexpr double kNodeGap = 40.0;
inline constexpr double kRankGap = 40.0;
inline constexpr double kBandGap = 3 * kNodeGap;
inline constexpr double kPointsPerInch = 72.0; // scene units are Graphviz points
inline constexpr double kMaxNodeExtent = 100000.0;
// Layered layouts smaller than this on a side are never wrapped or folded: a chain or a menu of a
// few dozen states reads better straight.
inline constexpr double kMinWrapExtent = 4000.0;
// Real plus virtual nodes (see selectDotInput) up to which dot gets every edge, and up to which it
// runs with its default effort.
inline constexpr long long kDotNodeBudget = 6000;
inline constexpr long long kDotFullQualityNodes = 400;

QString trLayout(const char* text);
double sanitisedExtent(double value);

// The input with ids resolved to indices: the first node with an id wins, edges to unknown ids
// are dropped. Sizes are made finite and positive so the arithmetic never sees NaN.
struct IndexedGraph {
    std::vector<QString> ids;
    std::vector<QSizeF> sizes;
    std::vector<std::pair<int, int>> edges;
    int root = -1;
};
IndexedGraph indexGraph(const QVector<LayoutNode>& nodes, const QVector<LayoutEdge>& edges,
                        const QString& root, bool dedupeEdges);

// Compressed adjacency lists (successors) with the index of each edge in IndexedGraph::edges.
struct Adjacency {
    std::vector<int> offsets;
    std::vector<int> targets;
    std::vector<int> edgeIds;
    std::vector<int> inDegree; // self-loops not counted
};
Adjacency buildAdjacency(const IndexedGraph& graph);

LayoutResult failure(QString error);
bool isCancelled(const std::atomic_bool* cancel);

} // namespace flowdeck::console::layout_detail
