#pragma once

#include "flowdeck/engine/executor.h"
#include "flowdeck/engine/flow.h"

#include <map>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

namespace flowdeck::engine {

// The flows an engine can run, by id, each with its immutable versions. A conversation is pinned
// to the flow version it started with. Thread-safe; readers never block each other.
class FlowRegistry final {
public:
    struct Entry {
        std::string flowId;
        std::string version;
        std::shared_ptr<const CompiledFlow> compiled;
    };

    // Adds (or replaces) a version of a flow and makes it the active one. The flow id is the
    // flow's name unless given.
    Entry add(const Flow& flow, std::string flowId = {});
    // Stops a flow from starting new conversations (it has no active version afterwards); its
    // versions stay, so conversations pinned to one keep running. False when it has none.
    bool deactivate(const std::string& flowId);
    void setDefaultFlow(const std::string& flowId);
    std::string defaultFlow() const;

    std::optional<Entry> active(const std::string& flowId) const;
    std::optional<Entry> find(const std::string& flowId, const std::string& version) const;
    std::vector<std::string> flowIds() const;

private:
    mutable std::shared_mutex m_mutex;
    std::map<std::string, std::map<std::string, Entry>> m_versions;
    std::map<std::string, std::string> m_active;
    std::string m_default;
};

} // namespace flowdeck::engine
