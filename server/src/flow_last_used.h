#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>

namespace flowdeck::server {

// When a message last ran through each flow on this node (FlowSummary.last_used). A message
// costs a shared lock and an atomic store once its flow is known; at most kMaxFlows flows are
// tracked (more than a node loads). Thread-safe.
class FlowLastUsed final {
public:
    static constexpr size_t kMaxFlows = 100'000;

    void touch(std::string_view flowId, int64_t nowMs) {
        {
            std::shared_lock lock(m_mutex);
            if (const auto it = m_lastMs.find(flowId); it != m_lastMs.end()) {
                it->second.store(nowMs, std::memory_order_relaxed);
                return;
            }
        }
        std::unique_lock lock(m_mutex);
        if (m_lastMs.size() < kMaxFlows) {
            m_lastMs[std::string(flowId)].store(nowMs, std::memory_order_relaxed);
        }
    }

    std::optional<int64_t> lastMs(std::string_view flowId) const {
        std::shared_lock lock(m_mutex);
        const auto it = m_lastMs.find(flowId);
        if (it == m_lastMs.end()) {
            return std::nullopt;
        }
        return it->second.load(std::memory_order_relaxed);
    }

private:
    mutable std::shared_mutex m_mutex;
    std::map<std::string, std::atomic<int64_t>, std::less<>> m_lastMs;
};

} // namespace flowdeck::server
