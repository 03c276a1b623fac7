#include "flowdeck/engine/flow_registry.h"

#include <mutex>

namespace flowdeck::engine {

FlowRegistry::Entry FlowRegistry::add(const Flow& flow, std::string flowId) {
    Entry entry{flowId.empty() ? flow.name : std::move(flowId),
                flow.version.empty() ? "1" : flow.version, compileFlow(flow)};
    std::unique_lock lock(m_mutex);
    m_versions[entry.flowId][entry.version] = entry;
    m_active[entry.flowId] = entry.version;
    if (m_default.empty()) {
        m_default = entry.flowId;
    }
    return entry;
}

bool FlowRegistry::deactivate(const std::string& flowId) {
    std::unique_lock lock(m_mutex);
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
