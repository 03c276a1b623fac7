#pragma once

#include "flowdeck/engine/engine.h"
#include "flowdeck/engine/flow_registry.h"
#include "flowdeck/engine/integration_gateway.h"
#include "flowdeck/engine/metrics.h"
#include "flowdeck/engine/sqlite_store.h"

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <string_view>

namespace flowdeck::server {

struct NodeOptions {
    std::string dataDir;     // holds conversations.sqlite
    std::string flowsDir;    // every *.json but *.stubs.json is loaded
    std::string defaultFlow; // empty: order_support if loaded, else the first loaded
    std::string version = "0.0.0";
};

// Everything one flowd node serves from: the store, the loaded flows, the engine, the metrics and
// the node's lifecycle phase. The gRPC and HTTP front ends share one Node, so they see the same
// conversations and report into the same metrics.
class Node final {
public:
    enum class Phase { Starting, Serving, Draining };

    // Opens the store and loads the flows; null with *error when the store cannot be opened.
    // Flows that fail to parse or lint with errors are skipped and logged, not fatal.
    static std::unique_ptr<Node> open(const NodeOptions& options, std::string* error);
    ~Node();

    engine::Engine& engine() { return *m_engine; }
    engine::FlowRegistry& flows() { return m_flows; }
    engine::MetricsRegistry& metrics() { return m_metrics; }
    const NodeOptions& options() const { return m_options; }
    size_t flowCount() const { return m_flowCount; }

    Phase phase() const { return m_phase.load(); }
    void setPhase(Phase phase) { m_phase.store(phase); }

    // flowdeck_requests_total{method,code} and flowdeck_request_duration_seconds.
    void recordRequest(std::string_view method, std::string_view code,
                       std::chrono::steady_clock::duration elapsed);

    // GET /health: {"status","timestamp","version","checks":{"store":{...},"flows":{...}}}.
    // healthy is set to whether every check passed.
    std::string healthJson(bool* healthy);

    // Commits what the store has queued and closes it; reads and writes fail afterwards.
    void closeStore();

private:
    explicit Node(NodeOptions options);
    void loadFlows();

    NodeOptions m_options;
    engine::MetricsRegistry m_metrics;
    engine::FlowdeckMetrics m_names;
    engine::FlowRegistry m_flows;
    engine::CurlGateway m_gateway;
    std::unique_ptr<engine::SqliteStore> m_store;
    std::unique_ptr<engine::Engine> m_engine;
    size_t m_flowCount = 0;
    std::atomic<bool> m_storeOpen{false};
    std::atomic<Phase> m_phase{Phase::Starting};
};

// One line to stderr, prefixed "flowd: " (startup and shutdown steps, refused flows).
void logLine(std::string_view text);

} // namespace flowdeck::server
