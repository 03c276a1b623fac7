#include "node.h"

#include "flowdeck/engine/flow_json.h"
#include "flowdeck/engine/linter.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <mutex>

namespace flowdeck::server {

namespace fs = std::filesystem;

void logLine(std::string_view text) {
    static std::mutex mutex;
    std::lock_guard lock(mutex);
    std::cerr << "flowd: " << text << std::endl;
}

namespace {

std::string isoTimestamp() {
    const auto now = std::chrono::system_clock::now();
    const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
    return text;
}

std::vector<fs::path> flowFiles(const std::string& dir) {
    std::vector<fs::path> files;
    std::error_code error;
    for (const auto& entry : fs::directory_iterator(dir, error)) {
        const std::string name = entry.path().filename().string();
        if (entry.is_regular_file() && entry.path().extension() == ".json" &&
            !name.ends_with(".stubs.json")) {
            files.push_back(entry.path());
        }
    }
    if (error) {
        logLine("cannot read flows directory " + dir + ": " + error.message());
    }
    std::sort(files.begin(), files.end());
    return files;
}

} // namespace

Node::Node(NodeOptions options)
    : m_options(std::move(options))
    , m_names(engine::registerFlowdeckMetrics(m_metrics)) {}

Node::~Node() {
    closeStore();
}

std::unique_ptr<Node> Node::open(const NodeOptions& options, std::string* error) {
    std::unique_ptr<Node> node(new Node(options));
    std::string why;
    if (!engine::registerProcessMetrics(node->m_metrics, &why)) {
        logLine("process metrics unavailable: " + why);
    }
    std::error_code fsError;
    fs::create_directories(options.dataDir, fsError);
    const std::string path = (fs::path(options.dataDir) / "conversations.sqlite").string();
    node->m_store = engine::SqliteStore::open(path, {}, &why);
    if (!node->m_store) {
        *error = "cannot open the store " + path + ": " + why;
        return nullptr;
    }
    node->m_storeOpen = true;
    logLine("store opened: " + path);
    node->loadFlows();
    node->m_engine = std::make_unique<engine::Engine>(
        node->m_flows, *node->m_store, node->m_gateway, engine::EngineOptions{}, &node->m_metrics);
    return node;
}

void Node::loadFlows() {
    for (const auto& file : flowFiles(m_options.flowsDir)) {
        auto parsed = engine::parseFlowFile(file.string());
        auto diagnostics = parsed.diagnostics;
        if (parsed.flow) {
            auto lint = engine::lintFlow(*parsed.flow);
            diagnostics.insert(diagnostics.end(), lint.begin(), lint.end());
        }
        if (!parsed.flow || engine::hasErrors(diagnostics)) {
            logLine("refused flow " + file.string() + ":");
            for (const auto& d : diagnostics) {
                if (d.severity == engine::Severity::Error) {
                    logLine("  " + engine::formatDiagnostic(d));
                }
            }
            continue;
        }
        const auto entry = m_flows.add(*parsed.flow);
        ++m_flowCount;
        logLine("loaded flow " + entry.flowId + " version " + entry.version + " from " +
                file.filename().string());
    }
    std::string chosen = m_options.defaultFlow;
    if (chosen.empty() && m_flows.active("order_support")) {
        chosen = "order_support";
    }
    if (!chosen.empty()) {
        if (m_flows.active(chosen)) {
            m_flows.setDefaultFlow(chosen);
        } else {
            logLine("default flow " + chosen + " is not loaded; using " + m_flows.defaultFlow());
        }
    }
    if (m_flowCount == 0) {
        logLine("warning: no flow loaded from " + m_options.flowsDir);
    } else {
        logLine("default flow: " + m_flows.defaultFlow());
    }
}

void Node::recordRequest(std::string_view method, std::string_view code,
                         std::chrono::steady_clock::duration elapsed) {
    if (m_names.requests != nullptr) {
        m_names.requests->withLabels({method, code}).inc();
    }
    if (m_names.requestDuration != nullptr) {
        m_names.requestDuration->record(elapsed);
    }
}

std::string Node::healthJson(bool* healthy) {
    nlohmann::json store = {{"status", "healthy"}};
    if (!m_storeOpen) {
        store["status"] = "unhealthy";
        store["message"] = "the store is closed";
    } else {
        store["conversations"] = m_store->conversationCount();
        if (const std::string read = m_store->lastReadError(); !read.empty()) {
            store["last_read_error"] = read;
        }
    }
    nlohmann::json flows = {{"status", m_flowCount > 0 ? "healthy" : "unhealthy"},
                            {"loaded", m_flowCount},
                            {"default_flow", m_flows.defaultFlow()}};
    *healthy = m_storeOpen && m_flowCount > 0;
    const nlohmann::json body = {{"status", *healthy ? "healthy" : "unhealthy"},
                                 {"timestamp", isoTimestamp()},
                                 {"version", m_options.version},
                                 {"checks", {{"store", store}, {"flows", flows}}}};
    return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void Node::closeStore() {
    if (m_storeOpen.exchange(false) && m_store) {
        m_store->close();
        logLine("store closed");
    }
}

} // namespace flowdeck::server
