// The layered layout of graph_layout.h: BFS ranks from the root, wide ranks wrapped into rows, tall
// stacks folded into bands. Fast enough for 10,000-state flows (docs/benchmarks.md).
#include "graph/graph_layout.h"

#include "graph/graph_layout_internal.h"

#include <algorithm>
#include <cmath>
#include <deque>
#include <vector>

namespace flowdeck::console {

using namespace layout_detail;

namespace {

// ---------------------------------------------------------------------------------------------
// Layered layout. Rows run along the "across" axis (x for TopDown) and ranks advance along the
// "along" axis (y for TopDown); LeftRight swaps the two, so the packing below is written once.

struct Ranking {
    std::vector<int> rank;  // per node
    std::vector<int> order; // nodes by rank, BFS discovery order within a rank
};

// Multi-source BFS from `seeds` (all at `startRank`) over nodes not ranked yet; appends the nodes
// it reaches to `discovered` and returns the deepest rank it assigned.
int rankFrom(const std::vector<int>& seeds, int startRank, const Adjacency& adjacency,
             std::vector<int>& rank, std::vector<int>& discovered) {
    size_t head = discovered.size();
    for (int seed : seeds) {
        rank[seed] = startRank;
        discovered.push_back(seed);
    }
    int deepest = startRank;
    for (; head < discovered.size(); ++head) {
        const int node = discovered[head];
        for (int e = adjacency.offsets[node]; e < adjacency.offsets[node + 1]; ++e) {
            const int target = adjacency.targets[e];
            if (rank[target] < 0) {
                rank[target] = rank[node] + 1;
                deepest = std::max(deepest, rank[target]);
                discovered.push_back(target);
            }
        }
    }
    return deepest;
}

// Root's component first; then what it does not reach, from the unreached nodes nothing points
// to, then from the first unreached node in input order (cycles with no way in).
Ranking rankNodes(const IndexedGraph& graph) {
    const int count = int(graph.ids.size());
    const Adjacency adjacency = buildAdjacency(graph);
    std::vector<int> rank(count, -1);
    std::vector<int> discovered;
    discovered.reserve(count);
    int base = 0;
    if (graph.root >= 0) {
        base = rankFrom({graph.root}, 0, adjacency, rank, discovered) + 1;
    }
    std::vector<int> sources;
    for (int i = 0; i < count; ++i) {
        if (rank[i] < 0 && adjacency.inDegree[i] == 0) {
            sources.push_back(i);
        }
    }
    int deepest = base;
    if (!sources.empty()) {
        deepest = std::max(deepest, rankFrom(sources, base, adjacency, rank, discovered));
    }
    for (int i = 0; i < count; ++i) {
        if (rank[i] < 0) {
            deepest = std::max(deepest, rankFrom({i}, base, adjacency, rank, discovered));
        }
    }
    // Stable counting sort of the discovery order by rank.
    std::vector<int> start(deepest + 2, 0);
    for (int node : discovered) {
        ++start[rank[node] + 1];
    }
    for (int r = 0; r <= deepest; ++r) {
        start[r + 1] += start[r];
    }
    Ranking ranking;
    ranking.order.resize(count);
    for (int node : discovered) {
        ranking.order[start[rank[node]]++] = node;
    }
    ranking.rank = std::move(rank);
    return ranking;
}

struct Row {
    size_t begin = 0; // into Ranking::order
    size_t end = 0;
    double across = 0; // sum of node extents and gaps
    double along = 0;  // tallest node
};

struct Band {
    size_t firstRow = 0;
    size_t endRow = 0;
    double across = 0; // widest row
};

// Each rank on its own row, wrapped where it grows wider than `limit`.
std::vector<Row> wrapRanks(const Ranking& ranking, const std::vector<QSizeF>& extents,
                           double limit) {
    std::vector<Row> rows;
    for (size_t i = 0; i < ranking.order.size(); ++i) {
        const int node = ranking.order[i];
        const QSizeF& extent = extents[node];
        const bool newRank = i == 0 || ranking.rank[node] != ranking.rank[ranking.order[i - 1]];
        if (newRank || rows.back().across + kNodeGap + extent.width() > limit) {
            rows.push_back({i, i, -kNodeGap, 0});
        }
        Row& row = rows.back();
        row.end = i + 1;
        row.across += kNodeGap + extent.width();
        row.along = std::max(row.along, extent.height());
    }
    return rows;
}

// Splits the stack of rows into bands placed side by side when it is much longer than it is wide;
// the band count makes the whole roughly square.
std::vector<Band> foldRows(const std::vector<Row>& rows) {
    double stacked = -kRankGap;
    double widest = 0;
    for (const Row& row : rows) {
        stacked += kRankGap + row.along;
        widest = std::max(widest, row.across);
    }
    double bandLimit = stacked;
    if (stacked > 4 * std::max(widest, kMinWrapExtent)) {
        const double bands = std::max(1.0, std::round(std::sqrt(stacked / (widest + kBandGap))));
        bandLimit = std::max(stacked / bands, kMinWrapExtent);
    }
    std::vector<Band> bands;
    double used = 0;
    for (size_t r = 0; r < rows.size(); ++r) {
        // A band takes rows while it is shorter than the limit, so there are at most `bands`.
        if (bands.empty() || used >= bandLimit) {
            bands.push_back({r, r, 0});
            used = -kRankGap;
        }
        bands.back().endRow = r + 1;
        bands.back().across = std::max(bands.back().across, rows[r].across);
        used += kRankGap + rows[r].along;
    }
    return bands;
}

// Rows centred in their band, nodes centred in their row. Returns corners in across/along space.
std::vector<QPointF> placeRows(const Ranking& ranking, const std::vector<QSizeF>& extents,
                               const std::vector<Row>& rows, const std::vector<Band>& bands) {
    std::vector<QPointF> corners(extents.size());
    double bandStart = 0;
    for (const Band& band : bands) {
        double rowStart = 0;
        for (size_t r = band.firstRow; r < band.endRow; ++r) {
            const Row& row = rows[r];
            double across = bandStart + (band.across - row.across) / 2;
            for (size_t i = row.begin; i < row.end; ++i) {
                const int node = ranking.order[i];
                const QSizeF& extent = extents[node];
                corners[node] = QPointF(across, rowStart + (row.along - extent.height()) / 2);
                across += extent.width() + kNodeGap;
            }
            rowStart += row.along + kRankGap;
        }
        bandStart += band.across + kBandGap;
    }
    return corners;
}

double wrapLimit(const std::vector<QSizeF>& extents) {
    double area = 0;
    for (const QSizeF& extent : extents) {
        area += (extent.width() + kNodeGap) * (extent.height() + kRankGap);
    }
    return std::max(std::sqrt(area), kMinWrapExtent);
}

} // namespace

LayoutResult layoutLayered(const QVector<LayoutNode>& nodes, const QVector<LayoutEdge>& edges,
                           LayoutDirection direction, const QString& root) {
    const IndexedGraph graph = indexGraph(nodes, edges, root, false);
    const bool transpose = direction == LayoutDirection::LeftRight;
    std::vector<QSizeF> extents = graph.sizes;
    if (transpose) {
        for (QSizeF& extent : extents) {
            extent.transpose();
        }
    }
    const Ranking ranking = rankNodes(graph);
    const std::vector<Row> rows = wrapRanks(ranking, extents, wrapLimit(extents));
    const std::vector<QPointF> corners = placeRows(ranking, extents, rows, foldRows(rows));
    LayoutResult result;
    result.ok = true;
    result.positions.reserve(int(graph.ids.size()));
    for (size_t i = 0; i < graph.ids.size(); ++i) {
        const QPointF& corner = corners[i];
        result.positions.insert(graph.ids[i], transpose ? corner.transposed() : corner);
    }
    return result;
}

} // namespace flowdeck::console
