#include "graph/graph_layout.h"

#include "graph/graph_layout_internal.h"

#include <graphviz/cgraph.h>
#include <graphviz/gvc.h>

#include <QByteArray>
#include <QCoreApplication>
#include <QSet>

#include <algorithm>
#include <cmath>
#include <mutex>
#include <vector>

namespace flowdeck::console {
namespace layout_detail {

QString trLayout(const char* text) {
    return QCoreApplication::translate("flowdeck::console::GraphLayout", text);
}

double sanitisedExtent(double value) {
    if (!std::isfinite(value) || value < 1.0) {
        return 1.0;
    }
    return std::min(value, kMaxNodeExtent);
}

static quint64 edgeKey(int from, int to) {
    return (quint64(quint32(from)) << 32) | quint32(to);
}

IndexedGraph indexGraph(const QVector<LayoutNode>& nodes, const QVector<LayoutEdge>& edges,
                        const QString& root, bool dedupeEdges) {
    IndexedGraph graph;
    QHash<QString, int> indexById;
    indexById.reserve(nodes.size());
    graph.ids.reserve(nodes.size());
    graph.sizes.reserve(nodes.size());
    for (const LayoutNode& node : nodes) {
        if (indexById.contains(node.id)) {
            continue;
        }
        indexById.insert(node.id, int(graph.ids.size()));
        graph.ids.push_back(node.id);
        graph.sizes.emplace_back(sanitisedExtent(node.size.width()),
                                 sanitisedExtent(node.size.height()));
    }
    graph.root = root.isEmpty() ? -1 : indexById.value(root, -1);
    QSet<quint64> seen;
    graph.edges.reserve(edges.size());
    for (const LayoutEdge& edge : edges) {
        const int from = indexById.value(edge.from, -1);
        const int to = indexById.value(edge.to, -1);
        if (from < 0 || to < 0) {
            continue;
        }
        if (dedupeEdges) {
            if (seen.contains(edgeKey(from, to))) {
                continue;
            }
            seen.insert(edgeKey(from, to));
        }
        graph.edges.emplace_back(from, to);
    }
    return graph;
}

Adjacency buildAdjacency(const IndexedGraph& graph) {
    const size_t count = graph.ids.size();
    Adjacency adjacency;
    adjacency.offsets.assign(count + 1, 0);
    adjacency.inDegree.assign(count, 0);
    for (const auto& [from, to] : graph.edges) {
        ++adjacency.offsets[from + 1];
        adjacency.inDegree[to] += from != to ? 1 : 0;
    }
    for (size_t i = 0; i < count; ++i) {
        adjacency.offsets[i + 1] += adjacency.offsets[i];
    }
    adjacency.targets.resize(graph.edges.size());
    adjacency.edgeIds.resize(graph.edges.size());
    std::vector<int> next(adjacency.offsets.begin(), adjacency.offsets.end() - 1);
    for (size_t e = 0; e < graph.edges.size(); ++e) {
        const int slot = next[graph.edges[e].first]++;
        adjacency.targets[slot] = graph.edges[e].second;
        adjacency.edgeIds[slot] = int(e);
    }
    return adjacency;
}

LayoutResult failure(QString error) {
    LayoutResult result;
    result.error = std::move(error);
    return result;
}

bool isCancelled(const std::atomic_bool* cancel) {
    return cancel != nullptr && cancel->load(std::memory_order_relaxed);
}

} // namespace layout_detail

using namespace layout_detail;

namespace {

// ---------------------------------------------------------------------------------------------
// Graphviz

// Graphviz keeps global state (the error callback, the plugin context, dot's own statics).
std::mutex s_graphvizMutex;
QString s_graphvizMessages; // guarded by s_graphvizMutex

int collectGraphvizMessage(char* text) {
    constexpr int kMaxMessageLength = 2000; // a broken graph can warn once per node
    if (s_graphvizMessages.size() < kMaxMessageLength) {
        s_graphvizMessages += QString::fromUtf8(text).trimmed().left(kMaxMessageLength);
        s_graphvizMessages += QLatin1Char(' ');
    }
    return 0;
}

// Created once and never freed: a worker thread may still be inside Graphviz while static
// destructors run at exit. Call with s_graphvizMutex held.
GVC_t* graphvizContext() {
    static GVC_t* s_context = gvContext();
    return s_context;
}

// Graphviz 2.42 takes `char*` for names and values but copies them and never writes to them.
char* gvString(const char* text) {
    return const_cast<char*>(text);
}

QByteArray inches(double sceneUnits) {
    return QByteArray::number(sceneUnits / kPointsPerInch, 'f', 4);
}

// Owns the Graphviz graph (and its layout, once made) for one call.
struct GraphvizGraph {
    GVC_t* context = nullptr;
    Agraph_t* graph = nullptr;
    bool laidOut = false;
    std::vector<Agnode_t*> nodes;

    GraphvizGraph() = default;
    GraphvizGraph(const GraphvizGraph&) = delete;
    GraphvizGraph& operator=(const GraphvizGraph&) = delete;
    ~GraphvizGraph() {
        if (laidOut) {
            gvFreeLayout(context, graph);
        }
        if (graph != nullptr) {
            agclose(graph);
        }
    }
};

// What dot is given.
struct DotInput {
    std::vector<int> creationOrder;         // root first, then input order
    std::vector<std::pair<int, int>> edges; // from, to; back edges already turned round
    std::vector<int> entries;   // nodes the root does not reach, one per part of the flow
    long long nodeEstimate = 0; // real nodes plus the virtual nodes the kept edges should need
};

// Marks the edges a depth-first search in `order` finds pointing back to a node on its stack.
// Fills `postorder` and `starts` (where each search tree begins). With `holdRoot`, order[0] stays
// on the stack to the end, as if every later tree hung from it (see DotInput::entries).
// Iterative: flows can be chains of thousands of states.
std::vector<char> findBackEdges(const Adjacency& adjacency, const std::vector<int>& order,
                                bool holdRoot, std::vector<int>& postorder,
                                std::vector<int>& starts) {
    std::vector<char> state(order.size(), 0); // 0 new, 1 on the stack, 2 done
    std::vector<char> back(adjacency.targets.size(), 0);
    std::vector<std::pair<int, int>> stack; // node, next adjacency slot
    const auto finish = [&](int node) {
        state[node] = 2;
        postorder.push_back(node);
    };
    for (int start : order) {
        if (state[start] != 0) {
            continue;
        }
        starts.push_back(start);
        state[start] = 1;
        stack.emplace_back(start, adjacency.offsets[start]);
        while (!stack.empty()) {
            const int node = stack.back().first;
            const int slot = stack.back().second++;
            if (slot == adjacency.offsets[node + 1]) {
                if (!holdRoot || node != order.front()) {
                    finish(node);
                }
                stack.pop_back();
            } else if (const int target = adjacency.targets[slot]; state[target] == 1) {
                back[adjacency.edgeIds[slot]] = 1;
            } else if (state[target] == 0) {
                state[target] = 1;
                stack.emplace_back(target, adjacency.offsets[target]);
            }
        }
    }
    if (holdRoot && !order.empty()) {
        finish(order.front());
    }
    return back;
}

// Ranks by longest path over the edges that are not back edges, in reverse postorder (a
// topological order of those edges): the ranks dot starts from.
std::vector<int> longestPathRanks(const Adjacency& adjacency, const std::vector<int>& postorder,
                                  const std::vector<char>& back) {
    std::vector<int> rank(postorder.size(), 0);
    for (auto node = postorder.rbegin(); node != postorder.rend(); ++node) {
        for (int slot = adjacency.offsets[*node]; slot < adjacency.offsets[*node + 1]; ++slot) {
            const int target = adjacency.targets[slot];
            if (back[adjacency.edgeIds[slot]] == 0) {
                rank[target] = std::max(rank[target], rank[*node] + 1);
            }
        }
    }
    return rank;
}

// The cheapest edges (virtual nodes they need) while the budget lasts, in input order. Edges of
// span 1 always fit: every node has one from the rank above it, so the ranks stay as they are.
std::vector<int> cheapestEdges(const IndexedGraph& graph, const std::vector<int>& rank,
                               long long& nodeEstimate) {
    std::vector<std::pair<int, int>> costs; // virtual nodes, edge
    costs.reserve(graph.edges.size());
    for (size_t e = 0; e < graph.edges.size(); ++e) {
        const auto [from, to] = graph.edges[e];
        costs.emplace_back(std::max(0, std::abs(rank[to] - rank[from]) - 1), int(e));
    }
    std::sort(costs.begin(), costs.end());
    std::vector<int> kept;
    for (const auto& [cost, edge] : costs) {
        if (cost > 0 && nodeEstimate + cost > kDotNodeBudget) {
            break;
        }
        nodeEstimate += cost;
        kept.push_back(edge);
    }
    std::sort(kept.begin(), kept.end());
    return kept;
}

// dot turns an edge spanning k ranks into k-1 virtual nodes, and Graphviz 2.42's network simplex
// is quadratic in all nodes: a 1,000-state flow whose failure paths all return to its menu takes
// minutes. So estimate each edge's span the way dot ranks (cycles broken by a depth-first search,
// then longest path) and, past the budget, leave out the dearest edges; they only stop pulling
// their ends together. Back edges are turned round here: dot would do it itself, but Graphviz
// 2.42 leaks the edges it makes for that.
DotInput selectDotInput(const IndexedGraph& graph) {
    DotInput input;
    if (graph.root >= 0) {
        input.creationOrder.push_back(graph.root);
    }
    for (int i = 0; i < int(graph.ids.size()); ++i) {
        if (i != graph.root) {
            input.creationOrder.push_back(i);
        }
    }
    const Adjacency adjacency = buildAdjacency(graph);
    std::vector<int> postorder;
    std::vector<int> starts;
    const std::vector<char> back =
        findBackEdges(adjacency, input.creationOrder, graph.root >= 0, postorder, starts);
    if (graph.root >= 0) {
        input.entries.assign(starts.begin() + 1, starts.end());
    }
    input.nodeEstimate = int(graph.ids.size());
    QSet<quint64> seen; // a turned-round edge may duplicate one going the other way
    for (int edge :
         cheapestEdges(graph, longestPathRanks(adjacency, postorder, back), input.nodeEstimate)) {
        auto [from, to] = graph.edges[edge];
        if (back[edge] != 0) {
            std::swap(from, to);
        }
        if (const quint64 key = edgeKey(from, to); !seen.contains(key)) {
            seen.insert(key);
            input.edges.emplace_back(from, to);
        }
    }
    return input;
}

void setGraphAttributes(Agraph_t* graph, LayoutDirection direction, long long nodeEstimate) {
    const char* rankdir = direction == LayoutDirection::TopDown ? "TB" : "LR";
    agattr(graph, AGRAPH, gvString("rankdir"), gvString(rankdir));
    agattr(graph, AGRAPH, gvString("nodesep"), inches(kNodeGap).data());
    agattr(graph, AGRAPH, gvString("ranksep"), inches(kRankGap).data());
    // Only node positions are used; the scene routes its own edges, so skip dot's spline routing.
    agattr(graph, AGRAPH, gvString("splines"), gvString(""));
    if (nodeEstimate > kDotFullQualityNodes) {
        // Fewer crossing-minimisation and network-simplex passes: the layouts barely differ, and
        // a random 200-state graph takes 0.6 s instead of 8 s.
        agattr(graph, AGRAPH, gvString("mclimit"), gvString("0.3"));
        agattr(graph, AGRAPH, gvString("nslimit"), gvString("1"));
        agattr(graph, AGRAPH, gvString("nslimit1"), gvString("1"));
    }
    agattr(graph, AGNODE, gvString("shape"), gvString("box"));
    agattr(graph, AGNODE, gvString("fixedsize"), gvString("true"));
    agattr(graph, AGNODE, gvString("label"), gvString(""));
}

// The root alone in the first rank: through these weightless edges every other node has a
// parent. (A rank=source subgraph does the same, but Graphviz 2.42 leaks memory with it.)
bool addRootEntries(const IndexedGraph& input, const DotInput& dot, GraphvizGraph& gv) {
    Agsym_t* weight = agattr(gv.graph, AGEDGE, gvString("weight"), gvString("1"));
    for (int entry : dot.entries) {
        Agedge_t* edge = agedge(gv.graph, gv.nodes[input.root], gv.nodes[entry], nullptr, 1);
        if (weight == nullptr || edge == nullptr) {
            return false;
        }
        agxset(edge, weight, gvString("0"));
    }
    return true;
}

// Node names are generated ("n0", "n1", ...) so any Unicode id, quote or colon is safe.
bool buildGraphvizGraph(const IndexedGraph& input, LayoutDirection direction, GraphvizGraph& gv) {
    gv.graph = agopen(gvString("flow"), Agdirected, nullptr);
    if (gv.graph == nullptr) {
        return false;
    }
    const DotInput dot = selectDotInput(input);
    setGraphAttributes(gv.graph, direction, dot.nodeEstimate);
    Agsym_t* width = agattr(gv.graph, AGNODE, gvString("width"), gvString("0.75"));
    Agsym_t* height = agattr(gv.graph, AGNODE, gvString("height"), gvString("0.5"));
    if (width == nullptr || height == nullptr) {
        return false;
    }
    gv.nodes.assign(input.ids.size(), nullptr);
    for (int index : dot.creationOrder) {
        QByteArray name = "n" + QByteArray::number(index);
        Agnode_t* node = agnode(gv.graph, name.data(), 1);
        if (node == nullptr) {
            return false;
        }
        agxset(node, width, inches(input.sizes[index].width()).data());
        agxset(node, height, inches(input.sizes[index].height()).data());
        gv.nodes[index] = node;
    }
    for (const auto& [from, to] : dot.edges) {
        if (agedge(gv.graph, gv.nodes[from], gv.nodes[to], nullptr, 1) == nullptr) {
            return false;
        }
    }
    return addRootEntries(input, dot, gv);
}

// dot's coordinates are node centres in points with y up; the scene wants top-left corners, y down.
QHash<QString, QPointF> graphvizPositions(const IndexedGraph& input, const GraphvizGraph& gv) {
    const boxf box = GD_bb(gv.graph);
    QHash<QString, QPointF> positions;
    positions.reserve(int(input.ids.size()));
    for (size_t i = 0; i < input.ids.size(); ++i) {
        const pointf centre = ND_coord(gv.nodes[i]);
        const QSizeF& size = input.sizes[i];
        positions.insert(input.ids[i], QPointF(centre.x - box.LL.x - size.width() / 2,
                                               box.UR.y - centre.y - size.height() / 2));
    }
    return positions;
}

// What Graphviz itself said (e.g. that its dot plugin is not installed) follows our sentence.
LayoutResult graphvizFailure(const QString& what) {
    const QString details = s_graphvizMessages.trimmed();
    return failure(details.isEmpty() ? what : what + QLatin1Char(' ') + details);
}

LayoutResult runGraphviz(const IndexedGraph& input, LayoutDirection direction,
                         const std::atomic_bool* cancel) {
    GraphvizGraph gv;
    gv.context = graphvizContext();
    if (gv.context == nullptr) {
        return failure(trLayout("Graphviz could not be started."));
    }
    if (!buildGraphvizGraph(input, direction, gv)) {
        return graphvizFailure(trLayout("Graphviz could not build the graph."));
    }
    if (isCancelled(cancel)) {
        return failure(QString::fromLatin1(kLayoutCancelled));
    }
    if (gvLayout(gv.context, gv.graph, "dot") != 0) {
        return graphvizFailure(trLayout("Graphviz could not lay out the flow."));
    }
    gv.laidOut = true;
    if (isCancelled(cancel)) {
        return failure(QString::fromLatin1(kLayoutCancelled));
    }
    LayoutResult result;
    result.ok = true;
    result.positions = graphvizPositions(input, gv);
    return result;
}

} // namespace

LayoutResult layoutWithGraphviz(const QVector<LayoutNode>& nodes, const QVector<LayoutEdge>& edges,
                                LayoutDirection direction, const QString& root,
                                const std::atomic_bool* cancel) {
    if (isCancelled(cancel)) {
        return failure(QString::fromLatin1(kLayoutCancelled));
    }
    if (nodes.size() > kMaxGraphvizNodes) {
        return failure(trLayout("The flow has %1 states; Graphviz layout handles at most %2. "
                                "Use the fast layered layout instead.")
                           .arg(nodes.size())
                           .arg(kMaxGraphvizNodes));
    }
    if (edges.size() > kMaxGraphvizEdges) {
        return failure(trLayout("The flow has %1 transitions; Graphviz layout handles at most %2. "
                                "Use the fast layered layout instead.")
                           .arg(edges.size())
                           .arg(kMaxGraphvizEdges));
    }
    const IndexedGraph input = indexGraph(nodes, edges, root, true);
    if (input.ids.empty()) {
        LayoutResult result;
        result.ok = true;
        return result;
    }
    const std::lock_guard lock(s_graphvizMutex);
    // Another layout may have held the lock for seconds; the user may have given up meanwhile.
    if (isCancelled(cancel)) {
        return failure(QString::fromLatin1(kLayoutCancelled));
    }
    s_graphvizMessages.clear();
    const agusererrf previousHandler = agseterrf(collectGraphvizMessage);
    LayoutResult result = runGraphviz(input, direction, cancel);
    agseterrf(previousHandler);
    return result;
}

} // namespace flowdeck::console
