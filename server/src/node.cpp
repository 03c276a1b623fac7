#include "node.h"

#include "flowdeck/engine/flow_json.h"
#include "flowdeck/engine/linter.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <unistd.h>

namespace flowdeck::server {

namespace fs = std::filesystem;

void logLine(std::string_view text) {
    static std::mutex mutex;
    std::lock_guard lock(mutex);
    std::cerr << "flowd: " << text << std::endl;
}

namespace {

// Conversations whose newest state a single node keeps in memory (a few KiB each): the ones in
// flight at a few thousand messages per second, with room to spare.
constexpr size_t kCachedConversations = 10000;

std::string isoTimestamp() {
    const auto now = std::chrono::system_clock::now();
    const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
    return text;
}

std::string hostName() {
    char name[256] = {};
    if (gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') {
        return "localhost";
    }
    return name;
}

// Errors the node should hear about: the engine or its dependencies failed, rather than the
// caller sending something invalid or unknown.
bool isServerSide(engine::ErrorCode code) {
    const engine::ErrorCode category = engine::categoryOf(code);
    return category == engine::ErrorCode::StateError || category == engine::ErrorCode::TimeoutError;
}

std::vector<fs::path> flowFiles(const std::string& dir) {
    std::vector<fs::path> files;
    std::error_code error;
    for (const auto& entry : fs::directory_iterator(dir, error)) {
        const std::string name = entry.path().filename().string();
        if (entry.is_regular_file() && entry.path().extension() == ".json" &&
            !name.ends_with(".stubs.json") && !name.ends_with(".suite.json")) {
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
    , m_names(engine::registerFlowdeckMetrics(m_metrics)) {
    m_identity.nodeId = m_options.nodeId.empty() ? hostName() : m_options.nodeId;
}

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
    AccessOptions access = options.access;
    if (access.auditFile.empty()) {
        access.auditFile = (fs::path(options.dataDir) / "audit.log").string();
    }
    node->m_access = AccessControl::open(access, &why);
    if (!node->m_access) {
        *error = why;
        return nullptr;
    }
    node->m_access->setSharedFlows(
        [self = node.get()](const std::string& flowId) { return self->isFileFlow(flowId); });
    logLine(node->m_access->enforcing()
                ? "tokens: " + std::to_string(node->m_access->tokenCount()) +
                      " loaded; every call needs one"
                : "no tokens file: every caller is trusted as an admin (local use only)");
    if (!node->openStores(error)) {
        return nullptr;
    }
    node->loadFlows();
    node->loadStoredFlows();
    engine::EngineOptions engineOptions;
    Node* self = node.get();
    engineOptions.flowVisible = [self](const std::string& tenantId, const std::string& flowId) {
        return self->flowVisibleTo(tenantId, flowId);
    };
    engineOptions.loadVersion = [self](const std::string& tenantId, const std::string& flowId,
                                       const std::string& version) {
        return self->loadPinnedVersion(tenantId, flowId, version);
    };
    engineOptions.onProcessed = [self](const engine::MessageRequest& request,
                                       const engine::ProcessResult& result) {
        self->recordProcessed(request, result);
    };
    node->m_engine = std::make_unique<engine::Engine>(
        node->m_flows, node->m_cache ? *node->m_cache : *node->m_store, node->m_gateway,
        std::move(engineOptions), &node->m_metrics);
    if (!node->openReleases(error) || !node->openClusterLink(error)) {
        return nullptr;
    }
    node->m_lastUsedReporter = std::thread([self] { self->reportLastUsedLoop(); });
    return node;
}

std::map<std::string, int64_t> Node::flowLastUsed() const {
    std::map<std::string, int64_t> times = m_flowStore->lastUsed();
    for (const auto& [flowId, ms] : m_flowLastUsed.all()) {
        int64_t& time = times[flowId];
        time = std::max(time, ms);
    }
    return times;
}

void Node::reportLastUsedLoop() {
    bool failing = false;
    std::unique_lock lock(m_reporterMutex);
    while (
        !m_reporterWake.wait_for(lock, kLastUsedReportEvery, [this] { return m_reporterStop; })) {
        lock.unlock();
        std::string why;
        const bool ok = reportFlowLastUsed(&why);
        if (ok == failing) { // log changes only, not every five seconds
            logLine(ok ? "flow last-used times stored again"
                       : "cannot store flow last-used times: " + why);
            failing = !ok;
        }
        lock.lock();
    }
}

bool Node::reportFlowLastUsed(std::string* error) {
    const auto times = m_flowLastUsed.unreported();
    if (times.empty()) {
        return true;
    }
    if (!m_flowStore->recordLastUsed(times, error)) {
        return false; // still unreported: the next report tries again
    }
    m_flowLastUsed.reported(times);
    return true;
}

// One node keeps everything in SQLite files in DATA; a cluster node in the shared PostgreSQL.
bool Node::openStores(std::string* error) {
    if (!m_options.postgres.empty()) {
        return openPostgres(error);
    }
    const std::string path = storePath();
    std::string why;
    auto store = engine::SqliteStore::open(path, {}, &why);
    if (!store) {
        *error = "cannot open the store " + path + ": " + why;
        return false;
    }
    m_sqlite = store.get();
    m_store = std::move(store);
    m_cache = std::make_unique<engine::CachingStore>(*m_store, kCachedConversations);
    m_storeOpen = true;
    logLine("store opened: " + path);
    return openFlowStore(error);
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
        m_fileFlows.insert(entry.flowId);
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

bool Node::openFlowStore(std::string* error) {
    const std::string path = (fs::path(m_options.dataDir) / "flows.sqlite").string();
    std::string why;
    m_flowStore = engine::openSqliteFlowVersionStore(path, &why);
    if (!m_flowStore) {
        *error = "cannot open the flow store " + path + ": " + why;
        return false;
    }
    logLine("flow store opened: " + path);
    return true;
}

bool Node::isFileFlow(const std::string& flowId) const {
    return m_fileFlows.count(flowId) > 0;
}

bool Node::loadPinnedVersion(const std::string& tenantId, const std::string& flowId,
                             const std::string& version) {
    constexpr auto kForgetMissAfter = std::chrono::seconds(10);
    constexpr size_t kMaxMisses = 10'000;
    const auto now = std::chrono::steady_clock::now();
    const std::string key = tenantId + '\n' + flowId + '\n' + version;
    {
        std::lock_guard lock(m_missMutex);
        const auto it = m_versionMisses.find(key);
        if (it != m_versionMisses.end() && now - it->second < kForgetMissAfter) {
            return false;
        }
    }
    const auto stored = m_flowStore->version(tenantId, flowId, version);
    std::string why = "it is not in the flow store";
    if (stored && serveVersion(*stored, &why, false)) {
        logLine("loaded flow " + flowId + " version " + version +
                ", which a conversation is pinned to");
        return true;
    }
    std::lock_guard lock(m_missMutex);
    if (m_versionMisses.size() >= kMaxMisses) {
        m_versionMisses.clear();
    }
    if (m_versionMisses.insert_or_assign(key, now).second) {
        logLine("conversations pinned to flow " + flowId + " version " + version +
                " continue on its active version: " + why);
    }
    return false;
}

std::optional<std::string> Node::flowOwner(const std::string& flowId) const {
    std::shared_lock lock(m_ownersMutex);
    const auto it = m_flowOwners.find(flowId);
    return it == m_flowOwners.end() ? std::nullopt : std::optional<std::string>(it->second);
}

bool Node::flowVisibleTo(const std::string& tenantId, const std::string& flowId) const {
    if (isFileFlow(flowId)) {
        return true;
    }
    const auto owner = flowOwner(flowId);
    return !owner || *owner == tenantId;
}

bool Node::serveVersion(const engine::StoredFlowVersion& version, std::string* error,
                        bool activate) {
    auto parsed = engine::parseFlow(version.flowJson);
    if (!parsed.flow) {
        *error = parsed.diagnostics.empty() ? "does not parse"
                                            : engine::formatDiagnostic(parsed.diagnostics.front());
        return false;
    }
    parsed.flow->version = version.version;
    m_flows.add(*parsed.flow, version.flowId, activate);
    if (!isFileFlow(version.flowId)) {
        std::unique_lock lock(m_ownersMutex);
        // The first owner stays: CreateFlow refuses an id another tenant holds, so a second one
        // only comes from a store written before that check, and must not take the flow over.
        m_flowOwners.emplace(version.flowId, version.tenantId);
    }
    return true;
}

// Runs after loadFlows(): a stored flow's active version replaces a file's flow of the same id,
// because the store holds what operators published through the API, which is newer intent than
// the file shipped with the node. A stored flow that was never published leaves the file's.
// The registry is node-wide, so a flow id is too: flowVisibleTo() keeps each tenant's stored
// flows to that tenant's conversations.
void Node::loadStoredFlows() {
    for (const auto& flow : m_flowStore->flows({})) {
        loadStoredFlow(flow);
    }
    if (!m_flows.defaultFlow().empty() && !m_flows.active(m_flows.defaultFlow())) {
        logLine("default flow " + m_flows.defaultFlow() + " is archived");
    }
}

void Node::loadStoredFlow(const engine::StoredFlow& flow) {
    // Every version that ever served stays loaded: conversations may be pinned to it.
    const auto page = m_flowStore->versions(flow.tenantId, flow.flowId,
                                            static_cast<size_t>(flow.versionCount), 0);
    std::vector<std::string> order;
    for (auto it = page.versions.rbegin(); it != page.versions.rend(); ++it) {
        if (it->published && it->version != flow.activeVersion) {
            order.push_back(it->version);
        }
    }
    if (!flow.activeVersion.empty()) {
        order.push_back(flow.activeVersion); // last, so it ends up active
    }
    const bool wasLoaded = m_flows.active(flow.flowId).has_value();
    for (const auto& id : order) {
        const auto version = m_flowStore->version(flow.tenantId, flow.flowId, id);
        std::string why;
        if (!version || !serveVersion(*version, &why)) {
            logLine("cannot load stored flow " + flow.flowId + " version " + id + ": " + why);
        }
    }
    if (flow.archived) {
        m_flows.deactivate(flow.flowId);
        logLine("stored flow " + flow.flowId + " is archived");
    } else if (!flow.activeVersion.empty()) {
        m_flowCount += wasLoaded ? 0 : 1;
        logLine("loaded stored flow " + flow.flowId + " version " + flow.activeVersion);
    }
}

void Node::recordRequest(std::string_view method, std::string_view code,
                         std::optional<std::chrono::steady_clock::duration> elapsed) {
    if (m_names.requests != nullptr) {
        m_names.requests->withLabels({method, code}).inc();
    }
    if (m_names.requestDuration != nullptr && elapsed) {
        m_names.requestDuration->record(*elapsed);
    }
}

void Node::setPhase(Phase phase, std::string_view reason) {
    if (m_phase.exchange(phase) == phase) {
        return;
    }
    const Identity self = identity();
    NodeEvent event;
    if (phase == Phase::Serving) {
        event.kind = EventKind::NodeUp;
        event.severity = EventSeverity::Info;
        event.summary = "node " + self.nodeId + " is serving (flowd " + m_options.version + ")";
        event.node = selfDetail(true, {});
    } else if (phase == Phase::Draining) {
        event.kind = EventKind::NodeDown;
        event.severity = EventSeverity::Warning;
        event.summary = "node " + self.nodeId + " is draining" +
                        (reason.empty() ? std::string() : ": " + std::string(reason));
        event.node = selfDetail(false, reason.empty() ? "draining" : std::string(reason));
    } else {
        return;
    }
    m_events.publish(std::move(event));
}

Node::Identity Node::identity() const {
    std::lock_guard lock(m_identityMutex);
    return m_identity;
}

void Node::setGrpcAddress(const std::string& address) {
    const auto colon = address.rfind(':');
    std::string host = colon == std::string::npos ? address : address.substr(0, colon);
    const std::string port = colon == std::string::npos ? std::string() : address.substr(colon);
    if (host.empty() || host == "0.0.0.0" || host == "[::]" || host == "::") {
        host = hostName(); // a wildcard is no address a peer or console can dial
    }
    std::lock_guard lock(m_identityMutex);
    m_identity.address = host + port;
    m_identity.nodeId = m_options.nodeId.empty() ? hostName() + port : m_options.nodeId;
}

std::string Node::storePath() const {
    if (m_postgres) {
        return engine::describeConninfo(m_options.postgres);
    }
    return (fs::path(m_options.dataDir) / "conversations.sqlite").string();
}

NodeDetail Node::selfDetail(bool up, std::string reason) const {
    const Identity self = identity();
    return NodeDetail{self.nodeId, self.address, m_options.version, up, std::move(reason)};
}

void Node::reportEngineErrors(const engine::MessageRequest& request,
                              const engine::ProcessResult& result, const std::string& traceId) {
    if (result.duplicate) {
        return; // a retry answered from the store: its errors were reported the first time
    }
    const auto now = std::chrono::steady_clock::now();
    for (const auto& error : result.errors) {
        if (!isServerSide(error.code)) {
            continue;
        }
        const std::string code(engine::toString(error.code));
        // Per tenant too: one tenant's broken flow must not hold back another tenant's events
        // (nor let that tenant see how many of the other's were held back).
        const uint64_t count =
            m_errorThrottle.admit(code + '\n' + request.tenantId + '\n' + result.flowId, now);
        if (count == 0) {
            continue;
        }
        NodeEvent event;
        event.kind = EventKind::AlertFiring;
        event.severity = error.code == engine::ErrorCode::StorageError ? EventSeverity::Critical
                                                                       : EventSeverity::Warning;
        event.summary = code + " in flow " + (result.flowId.empty() ? "?" : result.flowId) +
                        " (tenant " + request.tenantId + ", conversation " +
                        request.conversationId + "): " + error.message;
        if (count > 1) {
            event.summary += " (" + std::to_string(count - 1) + " more like it held back)";
        }
        AlertDetail alert;
        alert.name = "EngineError";
        alert.value = static_cast<double>(count);
        alert.labels = {{"code", code},
                        {"category", std::string(engine::toString(engine::categoryOf(error.code)))},
                        {"flow", result.flowId},
                        {"flow_version", result.flowVersion},
                        {"state", result.currentState},
                        {"tenant", request.tenantId},
                        {"conversation_id", request.conversationId},
                        {"trace_id", error.traceId.empty() ? traceId : error.traceId}};
        alert.labels.insert(error.details.begin(), error.details.end()); // never overwrites
        event.alert = std::move(alert);
        event.tenant = request.tenantId;
        m_events.publish(std::move(event));
    }
}

std::string Node::healthJson(bool* healthy) {
    nlohmann::json store = {{"status", "healthy"}};
    if (!m_storeOpen) {
        store["status"] = "unhealthy";
        store["message"] = "the store is closed";
    } else {
        if (m_postgres) {
            store["kind"] = "postgres";
            if (const std::string ping = m_postgres->ping(); ping != "ok") {
                store["status"] = "unhealthy";
                store["message"] = ping;
            }
        }
        store["conversations"] = m_store->conversationCount();
        const std::string read = m_sqlite     ? m_sqlite->lastReadError()
                                 : m_postgres ? m_postgres->lastReadError()
                                              : std::string();
        if (!read.empty()) {
            store["last_read_error"] = read;
        }
    }
    nlohmann::json flows = {{"status", m_flowCount > 0 ? "healthy" : "unhealthy"},
                            {"loaded", m_flowCount.load()},
                            {"default_flow", m_flows.defaultFlow()}};
    *healthy = m_storeOpen && m_flowCount > 0 && store["status"] == "healthy";
    const nlohmann::json body = {{"status", *healthy ? "healthy" : "unhealthy"},
                                 {"timestamp", isoTimestamp()},
                                 {"version", m_options.version},
                                 {"checks", {{"store", store}, {"flows", flows}}}};
    return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void Node::closeStore() {
    if (m_lastUsedReporter.joinable()) {
        {
            std::lock_guard lock(m_reporterMutex);
            m_reporterStop = true;
        }
        m_reporterWake.notify_all();
        m_lastUsedReporter.join();
        std::string why;
        if (!reportFlowLastUsed(&why)) {
            logLine("cannot store flow last-used times: " + why);
        }
    }
    if (m_releases) {
        m_releases->stop(); // no rollout moves on a node that no longer serves
    }
    m_cluster.reset(); // leaves the roster; leadership passes to another node
    if (m_storeOpen.exchange(false) && m_store) {
        if (m_sqlite != nullptr) {
            m_sqlite->close(); // PostgreSQL commits as it goes: nothing is queued there
        }
        logLine("store closed");
    }
}

} // namespace flowdeck::server
