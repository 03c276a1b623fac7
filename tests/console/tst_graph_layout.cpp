#include "graph/graph_layout.h"

#include <QRectF>
#include <QtTest>

#include <algorithm>
#include <random>
#include <thread>

using namespace flowdeck::console;

namespace {

enum class Algorithm { Graphviz, Layered };

LayoutResult runLayout(Algorithm algorithm, const QVector<LayoutNode>& nodes,
                       const QVector<LayoutEdge>& edges, LayoutDirection direction,
                       const QString& root = {}) {
    return algorithm == Algorithm::Graphviz ? layoutWithGraphviz(nodes, edges, direction, root)
                                            : layoutLayered(nodes, edges, direction, root);
}

QVector<LayoutNode> sameSizeNodes(const QStringList& ids, QSizeF size = {160, 60}) {
    QVector<LayoutNode> nodes;
    for (const QString& id : ids) {
        nodes.push_back({id, size});
    }
    return nodes;
}

QVector<LayoutEdge> chainEdges(const QStringList& ids) {
    QVector<LayoutEdge> edges;
    for (int i = 0; i + 1 < ids.size(); ++i) {
        edges.push_back({ids[i], ids[i + 1]});
    }
    return edges;
}

// Nodes of varied sizes (some wide, some tall) and about two edges per node, some of them back
// edges, self-loops and parallel edges, as real flows have. Deterministic.
void randomGraph(int count, QVector<LayoutNode>& nodes, QVector<LayoutEdge>& edges) {
    std::mt19937 random(42);
    nodes.clear();
    edges.clear();
    for (int i = 0; i < count; ++i) {
        nodes.push_back({QStringLiteral("state_%1").arg(i),
                         QSizeF(80 + int(random() % 240), 40 + int(random() % 80))});
    }
    for (int i = 1; i < count; ++i) {
        edges.push_back({nodes[int(random() % i)].id, nodes[i].id}); // keeps it connected
        edges.push_back({nodes[i].id, nodes[int(random() % count)].id});
    }
}

QRectF rectOf(const LayoutResult& result, const LayoutNode& node) {
    return QRectF(result.positions.value(node.id), node.size);
}

// Sweep over rectangles sorted by left edge, so 10,000 nodes stay fast.
QString firstOverlap(const LayoutResult& result, const QVector<LayoutNode>& nodes) {
    QVector<QPair<QRectF, QString>> rects;
    for (const LayoutNode& node : nodes) {
        rects.push_back({rectOf(result, node), node.id});
    }
    std::sort(rects.begin(), rects.end(),
              [](const auto& a, const auto& b) { return a.first.left() < b.first.left(); });
    for (int i = 0; i < rects.size(); ++i) {
        for (int j = i + 1; j < rects.size() && rects[j].first.left() < rects[i].first.right();
             ++j) {
            if (rects[i].first.intersects(rects[j].first)) {
                return rects[i].second + QLatin1String(" overlaps ") + rects[j].second;
            }
        }
    }
    return {};
}

QRectF boundingRect(const LayoutResult& result, const QVector<LayoutNode>& nodes) {
    QRectF bounds;
    for (const LayoutNode& node : nodes) {
        bounds = bounds.united(rectOf(result, node));
    }
    return bounds;
}

void addAlgorithmAndDirectionRows() {
    QTest::addColumn<Algorithm>("algorithm");
    QTest::addColumn<LayoutDirection>("direction");
    QTest::newRow("graphviz top-down") << Algorithm::Graphviz << LayoutDirection::TopDown;
    QTest::newRow("graphviz left-right") << Algorithm::Graphviz << LayoutDirection::LeftRight;
    QTest::newRow("layered top-down") << Algorithm::Layered << LayoutDirection::TopDown;
    QTest::newRow("layered left-right") << Algorithm::Layered << LayoutDirection::LeftRight;
}

} // namespace

Q_DECLARE_METATYPE(Algorithm)
Q_DECLARE_METATYPE(LayoutDirection)

class tst_GraphLayout final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void chainAdvancesInTheChosenDirection_data() { addAlgorithmAndDirectionRows(); }
    void chainAdvancesInTheChosenDirection();
    void chainNodesAreSpacedLikeADiagram();
    void noTwoNodesOverlapInARandomGraph_data() { addAlgorithmAndDirectionRows(); }
    void noTwoNodesOverlapInARandomGraph();
    void rootIsAloneInTheFirstRank_data() { addAlgorithmAndDirectionRows(); }
    void rootIsAloneInTheFirstRank();
    void toleratesSelfLoopsParallelEdgesAndUnknownIds_data() { addAlgorithmAndDirectionRows(); }
    void toleratesSelfLoopsParallelEdgesAndUnknownIds();
    void unicodeAndPunctuatedIdsKeepTheirPlaces_data() { addAlgorithmAndDirectionRows(); }
    void unicodeAndPunctuatedIdsKeepTheirPlaces();
    void emptyInputGivesNoPositions_data() { addAlgorithmAndDirectionRows(); }
    void emptyInputGivesNoPositions();
    void graphvizReturnsCancelledWhenCancelledBeforeTheCall();
    void graphvizKeepsTheFlowDirectionWhenEveryStateReturnsToTheMenu();
    void graphvizRefusesFlowsTooBigForDot();
    void graphvizLayoutsFromSeveralThreadsAllSucceed();
    void layeredPlacesUnreachedStatesAfterTheReachedOnes();
    void layeredLaysOutTenThousandStatesCompactly_data();
    void layeredLaysOutTenThousandStatesCompactly();
    void layeredIsDeterministic();
};

void tst_GraphLayout::chainAdvancesInTheChosenDirection() {
    QFETCH(Algorithm, algorithm);
    QFETCH(LayoutDirection, direction);
    const QStringList ids = {"a", "b", "c"};
    const LayoutResult result =
        runLayout(algorithm, sameSizeNodes(ids), chainEdges(ids), direction, "a");
    QVERIFY2(result.ok, qPrintable(result.error));
    QCOMPARE(result.positions.size(), 3);
    const QPointF a = result.positions.value("a");
    const QPointF b = result.positions.value("b");
    const QPointF c = result.positions.value("c");
    if (direction == LayoutDirection::TopDown) {
        QVERIFY(a.y() < b.y() && b.y() < c.y());
    } else {
        QVERIFY(a.x() < b.x() && b.x() < c.x());
    }
}

void tst_GraphLayout::chainNodesAreSpacedLikeADiagram() {
    const QStringList ids = {"a", "b"};
    const LayoutResult result = layoutWithGraphviz(sameSizeNodes(ids, {160, 60}), chainEdges(ids),
                                                   LayoutDirection::TopDown, "a");
    QVERIFY2(result.ok, qPrintable(result.error));
    const double gap = result.positions.value("b").y() - (result.positions.value("a").y() + 60);
    QVERIFY2(gap >= 30 && gap <= 100, qPrintable(QString::number(gap)));
    // Both nodes sit on the same vertical line, and the layout starts at the scene origin.
    QCOMPARE(result.positions.value("a").x(), result.positions.value("b").x());
    QCOMPARE(result.positions.value("a"), QPointF(0, 0));
}

void tst_GraphLayout::noTwoNodesOverlapInARandomGraph() {
    QFETCH(Algorithm, algorithm);
    QFETCH(LayoutDirection, direction);
    QVector<LayoutNode> nodes;
    QVector<LayoutEdge> edges;
    randomGraph(200, nodes, edges);
    const LayoutResult result = runLayout(algorithm, nodes, edges, direction, "state_0");
    QVERIFY2(result.ok, qPrintable(result.error));
    QCOMPARE(result.positions.size(), nodes.size());
    const QString overlap = firstOverlap(result, nodes);
    QVERIFY2(overlap.isEmpty(), qPrintable(overlap));
}

void tst_GraphLayout::rootIsAloneInTheFirstRank() {
    QFETCH(Algorithm, algorithm);
    QFETCH(LayoutDirection, direction);
    // "start" is neither first in input order nor free of incoming edges; "orphan" has no incoming
    // edge at all, so a naive layout would put it first.
    const QVector<LayoutNode> nodes = sameSizeNodes({"orphan", "ask", "start", "answer", "end"});
    const QVector<LayoutEdge> edges = {{"orphan", "ask"},   {"start", "ask"},  {"ask", "answer"},
                                       {"answer", "start"}, {"answer", "end"}, {"end", "start"}};
    const LayoutResult result = runLayout(algorithm, nodes, edges, direction, "start");
    QVERIFY2(result.ok, qPrintable(result.error));
    const auto along = [&](const QString& id) {
        const QPointF p = result.positions.value(id);
        return direction == LayoutDirection::TopDown ? p.y() : p.x();
    };
    for (const LayoutNode& node : nodes) {
        if (node.id != "start") {
            QVERIFY2(along("start") < along(node.id), qPrintable(node.id));
        }
    }
}

void tst_GraphLayout::toleratesSelfLoopsParallelEdgesAndUnknownIds() {
    QFETCH(Algorithm, algorithm);
    QFETCH(LayoutDirection, direction);
    const QVector<LayoutNode> nodes = sameSizeNodes({"a", "b", "c"});
    const QVector<LayoutEdge> edges = {{"a", "a"},       {"a", "b"}, {"a", "b"},        {"a", "b"},
                                       {"b", "missing"}, {"b", "c"}, {"ghost", "c"},    {"c", "c"},
                                       {"", "a"},        {"c", "a"}, {"ghost", "ghost"}};
    const LayoutResult result = runLayout(algorithm, nodes, edges, direction, "a");
    QVERIFY2(result.ok, qPrintable(result.error));
    QCOMPARE(result.positions.size(), 3);
    QVERIFY(!result.positions.contains("missing"));
    QVERIFY(!result.positions.contains("ghost"));
    QVERIFY(firstOverlap(result, nodes).isEmpty());
}

void tst_GraphLayout::unicodeAndPunctuatedIdsKeepTheirPlaces() {
    QFETCH(Algorithm, algorithm);
    QFETCH(LayoutDirection, direction);
    // Includes names that look like Graphviz syntax or like generated node names.
    const QStringList ids = {
        QStringLiteral("开始状态"), "say \"hi\"", "a:b c", "n1", "\\N", "n0", "->", "",
        QStringLiteral("Größe 😀")};
    const QVector<LayoutNode> nodes = sameSizeNodes(ids);
    const LayoutResult result = runLayout(algorithm, nodes, chainEdges(ids), direction, ids[0]);
    QVERIFY2(result.ok, qPrintable(result.error));
    QCOMPARE(result.positions.size(), ids.size());
    for (int i = 0; i + 1 < ids.size(); ++i) {
        const QPointF from = result.positions.value(ids[i]);
        const QPointF to = result.positions.value(ids[i + 1]);
        QVERIFY2(direction == LayoutDirection::TopDown ? from.y() < to.y() : from.x() < to.x(),
                 qPrintable(ids[i]));
    }
    QVERIFY(firstOverlap(result, nodes).isEmpty());
}

void tst_GraphLayout::emptyInputGivesNoPositions() {
    QFETCH(Algorithm, algorithm);
    QFETCH(LayoutDirection, direction);
    const LayoutResult empty = runLayout(algorithm, {}, {}, direction, "start");
    QVERIFY2(empty.ok, qPrintable(empty.error));
    QVERIFY(empty.positions.isEmpty());
    const LayoutResult onlyEdges = runLayout(algorithm, {}, {{"x", "y"}}, direction);
    QVERIFY2(onlyEdges.ok, qPrintable(onlyEdges.error));
    QVERIFY(onlyEdges.positions.isEmpty());
}

void tst_GraphLayout::graphvizReturnsCancelledWhenCancelledBeforeTheCall() {
    QVector<LayoutNode> nodes;
    QVector<LayoutEdge> edges;
    randomGraph(50, nodes, edges);
    const std::atomic_bool cancel = true;
    const LayoutResult result =
        layoutWithGraphviz(nodes, edges, LayoutDirection::TopDown, "state_0", &cancel);
    QVERIFY(!result.ok);
    QCOMPARE(result.error, QStringLiteral("cancelled"));
    QVERIFY(result.positions.isEmpty());
}

void tst_GraphLayout::graphvizKeepsTheFlowDirectionWhenEveryStateReturnsToTheMenu() {
    // Each "back to menu" edge spans the whole depth above it: too many virtual nodes for dot to
    // take them all in reasonable time, so some are left out of the layout (not of the flow).
    QStringList ids;
    for (int i = 0; i < 600; ++i) {
        ids.push_back(QStringLiteral("step_%1").arg(i));
    }
    const QVector<LayoutNode> nodes = sameSizeNodes(ids);
    QVector<LayoutEdge> edges = chainEdges(ids);
    for (int i = 2; i < ids.size(); ++i) {
        edges.push_back({ids[i], ids[0]});
    }
    const LayoutResult result = layoutWithGraphviz(nodes, edges, LayoutDirection::TopDown, ids[0]);
    QVERIFY2(result.ok, qPrintable(result.error));
    QCOMPARE(result.positions.size(), nodes.size());
    for (int i = 0; i + 1 < ids.size(); ++i) {
        QVERIFY2(result.positions.value(ids[i]).y() < result.positions.value(ids[i + 1]).y(),
                 qPrintable(ids[i]));
    }
    QVERIFY(firstOverlap(result, nodes).isEmpty());
}

void tst_GraphLayout::graphvizRefusesFlowsTooBigForDot() {
    QVector<LayoutNode> nodes;
    for (int i = 0; i <= kMaxGraphvizNodes; ++i) {
        nodes.push_back({QString::number(i), QSizeF(100, 40)});
    }
    const LayoutResult result = layoutWithGraphviz(nodes, {}, LayoutDirection::TopDown);
    QVERIFY(!result.ok);
    QVERIFY2(result.error.contains(QString::number(kMaxGraphvizNodes)), qPrintable(result.error));
    QVERIFY(result.positions.isEmpty());
}

void tst_GraphLayout::graphvizLayoutsFromSeveralThreadsAllSucceed() {
    QVector<LayoutNode> nodes;
    QVector<LayoutEdge> edges;
    randomGraph(60, nodes, edges);
    std::vector<LayoutResult> results(4);
    std::vector<std::thread> threads;
    for (size_t i = 0; i < results.size(); ++i) {
        threads.emplace_back([&, i] {
            const auto direction =
                i % 2 == 0 ? LayoutDirection::TopDown : LayoutDirection::LeftRight;
            results[i] = layoutWithGraphviz(nodes, edges, direction, "state_0");
        });
    }
    for (std::thread& thread : threads) {
        thread.join();
    }
    for (const LayoutResult& result : results) {
        QVERIFY2(result.ok, qPrintable(result.error));
        QCOMPARE(result.positions.size(), nodes.size());
        QVERIFY(firstOverlap(result, nodes).isEmpty());
    }
    // Same input, same answer, whichever thread ran it.
    QCOMPARE(results[0].positions, results[2].positions);
}

void tst_GraphLayout::layeredPlacesUnreachedStatesAfterTheReachedOnes() {
    const QVector<LayoutNode> nodes =
        sameSizeNodes({"island", "start", "next", "loop_a", "loop_b"});
    const QVector<LayoutEdge> edges = {
        {"start", "next"}, {"loop_a", "loop_b"}, {"loop_b", "loop_a"}};
    const LayoutResult result = layoutLayered(nodes, edges, LayoutDirection::TopDown, "start");
    QVERIFY(result.ok);
    const double reachedBottom = result.positions.value("next").y();
    QVERIFY(result.positions.value("start").y() < reachedBottom);
    for (const char* id : {"island", "loop_a", "loop_b"}) {
        QVERIFY2(result.positions.value(id).y() > reachedBottom, qPrintable(id));
    }
    // The unreached cycle is still drawn in edge order.
    QVERIFY(result.positions.value("loop_a").y() < result.positions.value("loop_b").y());
}

void tst_GraphLayout::layeredLaysOutTenThousandStatesCompactly_data() {
    QTest::addColumn<bool>("chain");
    QTest::addColumn<LayoutDirection>("direction");
    QTest::newRow("random top-down") << false << LayoutDirection::TopDown;
    QTest::newRow("random left-right") << false << LayoutDirection::LeftRight;
    QTest::newRow("chain top-down") << true << LayoutDirection::TopDown;
    QTest::newRow("chain left-right") << true << LayoutDirection::LeftRight;
}

void tst_GraphLayout::layeredLaysOutTenThousandStatesCompactly() {
    QFETCH(bool, chain);
    QFETCH(LayoutDirection, direction);
    QVector<LayoutNode> nodes;
    QVector<LayoutEdge> edges;
    randomGraph(10000, nodes, edges);
    if (chain) {
        QStringList ids;
        for (const LayoutNode& node : nodes) {
            ids.push_back(node.id);
        }
        edges = chainEdges(ids);
    }
    const LayoutResult result = layoutLayered(nodes, edges, direction, "state_0");
    QVERIFY(result.ok);
    QCOMPARE(result.positions.size(), nodes.size());
    const QString overlap = firstOverlap(result, nodes);
    QVERIFY2(overlap.isEmpty(), qPrintable(overlap));
    const QRectF bounds = boundingRect(result, nodes);
    const double aspect = bounds.width() / bounds.height();
    QVERIFY2(aspect >= 0.25 && aspect <= 4.0, qPrintable(QString::number(aspect)));
}

void tst_GraphLayout::layeredIsDeterministic() {
    QVector<LayoutNode> nodes;
    QVector<LayoutEdge> edges;
    randomGraph(500, nodes, edges);
    const LayoutResult first = layoutLayered(nodes, edges, LayoutDirection::LeftRight, "state_7");
    const LayoutResult second = layoutLayered(nodes, edges, LayoutDirection::LeftRight, "state_7");
    QCOMPARE(first.positions, second.positions);
}

QTEST_GUILESS_MAIN(tst_GraphLayout)
#include "tst_graph_layout.moc"
