#include "flowdeck/engine/flow_registry.h"

#include <algorithm>
#include <mutex>

namespace flowdeck::engine {

FlowRegistry::Entry FlowRegistry::add(const Flow& flow, std::string flowId, bool activate) {
    Entry entry{flowId.empty() ? flow.name : std::move(flowId),
                flow.version.empty() ? "1" : flow.version, compileFlow(flow)};
    std::unique_lock lock(m_mutex);
    m_versions[entry.flowId][entry.version] = entry;
    if (activate) {
        m_active[entry.flowId] = entry.version;
    }
    if (m_default.empty()) {
        m_default = entry.flowId;
    }
    return entry;
}

bool FlowRegistry::activate(const std::string& flowId, const std::string& version) {
    std::unique_lock lock(m_mutex);
    const auto flow = m_versions.find(flowId);
    if (flow == m_versions.end() || !flow->second.contains(version)) {
        return false;
    }
    m_active[flowId] = version;
    return true;
}

bool FlowRegistry::setSplit(const std::string& flowId, const std::string& canaryVersion,
                            uint32_t percent) {
    std::unique_lock lock(m_mutex);
    const auto flow = m_versions.find(flowId);
    if (flow == m_versions.end() || !flow->second.contains(canaryVersion)) {
        return false;
    }
    m_splits[flowId] = Split{canaryVersion, std::min<uint32_t>(percent, 100)};
    return true;
}

void FlowRegistry::clearSplit(const std::string& flowId) {
    std::unique_lock lock(m_mutex);
    m_splits.erase(flowId);
}

std::optional<FlowRegistry::Split> FlowRegistry::split(const std::string& flowId) const {
    std::shared_lock lock(m_mutex);
    const auto it = m_splits.find(flowId);
    return it == m_splits.end() ? std::nullopt : std::optional<Split>(it->second);
}

uint32_t FlowRegistry::splitBucket(std::string_view conversationId) {
    uint64_t hash = 14695981039346656037ULL;
    for (const char c : conversationId) {
        hash ^= static_cast<unsigned char>(c);
        hash *= 1099511628211ULL;
    }
    return static_cast<uint32_t>(hash % 10000);
}

std::optional<FlowRegistry::Route> FlowRegistry::route(const std::string& flowId,
                                                       std::string_view conversationId) const {
    std::shared_lock lock(m_mutex);
    const auto active = m_active.find(flowId);
    if (active == m_active.end()) {
        return std::nullopt;
    }
    const auto& versions = m_versions.at(flowId);
    const auto split = m_splits.find(flowId);
    if (split == m_splits.end()) {
        return Route{versions.at(active->second), ""};
    }
    const bool canary = splitBucket(conversationId) < split->second.percent * 100;
    const auto it = versions.find(canary ? split->second.canaryVersion : active->second);
    return Route{it->second, canary ? "canary" : "stable"};
}

bool FlowRegistry::deactivate(const std::string& flowId) {
    std::unique_lock lock(m_mutex);
    m_splits.erase(flowId);
    return m_active.erase(flowId) > 0;
}

void FlowRegistry::setDefaultFlow(const std::string& flowId) {
    std::unique_lock lock(m_mutex);
    m_default = flowId;
}

std::string FlowRegistry::defaultFlow() const {
    std::shared_lock lock(m_mutex);
    return m_default;
}

std::optional<FlowRegistry::Entry> FlowRegistry::active(const std::string& flowId) const {
    std::shared_lock lock(m_mutex);
    const auto it = m_active.find(flowId);
    if (it == m_active.end()) {
        return std::nullopt;
    }
    return m_versions.at(flowId).at(it->second);
}

std::optional<FlowRegistry::Entry> FlowRegistry::find(const std::string& flowId,
                                                      const std::string& version) const {
    std::shared_lock lock(m_mutex);
    const auto flow = m_versions.find(flowId);
    if (flow == m_versions.end()) {
        return std::nullopt;
    }
    const auto it = flow->second.find(version);
    if (it == flow->second.end()) {
        return std::nullopt;
    }
    return it->second;
}

std::vector<std::string> FlowRegistry::flowIds() const {
    std::shared_lock lock(m_mutex);
    std::vector<std::string> ids;
    for (const auto& [id, versions] : m_versions) {
        ids.push_back(id);
    }
    return ids;
}

} // namespace flowdeck::engine
