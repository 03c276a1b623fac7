#pragma once

#include "flowdeck/engine/executor.h"
#include "flowdeck/engine/flow.h"

#include <map>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
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

    // A canary split: new conversations whose id hashes below `percent` start on `canary`.
    struct Split {
        std::string canaryVersion;
        uint32_t percent = 0; // 0-100
    };
    // Where a new conversation starts: the entry, and "canary"/"stable" while the flow has a
    // split ("" otherwise), which the conversation keeps as its ab_variant.
    struct Route {
        Entry entry;
        std::string variant;
    };

    // Adds (or replaces) a version of a flow and, unless told not to, makes it the active one.
    // The flow id is the flow's name unless given.
    Entry add(const Flow& flow, std::string flowId = {}, bool activate = true);
    // Makes a loaded version the active one. False when the registry does not have it.
    bool activate(const std::string& flowId, const std::string& version);
    // Stops a flow from starting new conversations (it has no active version afterwards); its
    // versions stay, so conversations pinned to one keep running. False when it has none.
    bool deactivate(const std::string& flowId);
    void setDefaultFlow(const std::string& flowId);
    std::string defaultFlow() const;

    // Sends `percent` of new conversations to a loaded version (the rest to the active one).
    // False when the registry does not have the version.
    bool setSplit(const std::string& flowId, const std::string& canaryVersion, uint32_t percent);
    void clearSplit(const std::string& flowId);
    std::optional<Split> split(const std::string& flowId) const;
    // The entry a new conversation with this id starts on; nullopt without an active version.
    std::optional<Route> route(const std::string& flowId, std::string_view conversationId) const;
    // The conversation's place on the 0-9999 scale a split cuts (FNV-1a of the id, so every
    // node and every build agree).
    static uint32_t splitBucket(std::string_view conversationId);

    std::optional<Entry> active(const std::string& flowId) const;
    std::optional<Entry> find(const std::string& flowId, const std::string& version) const;
    std::vector<std::string> flowIds() const;

private:
    mutable std::shared_mutex m_mutex;
    std::map<std::string, std::map<std::string, Entry>> m_versions;
    std::map<std::string, std::string> m_active;
    std::map<std::string, Split> m_splits;
    std::string m_default;
};

} // namespace flowdeck::engine
