#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>

namespace flowdeck::server {

// When a message last ran through each flow on this node (FlowSummary.last_used). A message
// costs a shared lock and an atomic store once its flow is known; at most kMaxFlows flows are
// tracked (more than a node loads). The node reports what changed to the flow store every few
// seconds (unreported(), then reported()), so the time survives a restart and every node of a
// cluster sees every node's traffic. Thread-safe; one reporter at a time.
class FlowLastUsed final {
public:
    static constexpr size_t kMaxFlows = 100'000;

    void touch(std::string_view flowId, int64_t nowMs) {
        {
            std::shared_lock lock(m_mutex);
            if (const auto it = m_lastMs.find(flowId); it != m_lastMs.end()) {
                it->second.lastMs.store(nowMs, std::memory_order_relaxed);
                return;
            }
        }
        std::unique_lock lock(m_mutex);
        if (m_lastMs.size() < kMaxFlows) {
            m_lastMs[std::string(flowId)].lastMs.store(nowMs, std::memory_order_relaxed);
        }
    }

    // Every flow's time on this node.
    std::map<std::string, int64_t> all() const {
        std::shared_lock lock(m_mutex);
        std::map<std::string, int64_t> out;
        for (const auto& [flowId, entry] : m_lastMs) {
            out.emplace(flowId, entry.lastMs.load(std::memory_order_relaxed));
        }
        return out;
    }

    // The flows used since their time was last reported, with their times now.
    std::map<std::string, int64_t> unreported() const {
        std::shared_lock lock(m_mutex);
        std::map<std::string, int64_t> out;
        for (const auto& [flowId, entry] : m_lastMs) {
            const int64_t ms = entry.lastMs.load(std::memory_order_relaxed);
            if (ms > entry.reportedMs.load(std::memory_order_relaxed)) {
                out.emplace(flowId, ms);
            }
        }
        return out;
    }

    // The times unreported() returned are now stored.
    void reported(const std::map<std::string, int64_t>& times) {
        std::shared_lock lock(m_mutex);
        for (const auto& [flowId, ms] : times) {
            if (const auto it = m_lastMs.find(flowId); it != m_lastMs.end()) {
                it->second.reportedMs.store(ms, std::memory_order_relaxed);
            }
        }
    }

private:
    struct Entry {
        std::atomic<int64_t> lastMs{0};
        std::atomic<int64_t> reportedMs{0};
    };
    mutable std::shared_mutex m_mutex;
    std::map<std::string, Entry, std::less<>> m_lastMs;
};

} // namespace flowdeck::server
