#pragma once

#include "flowdeck/engine/diagnostic.h"
#include "flowdeck/engine/flow.h"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

// Internals of the flow linter (linter.h). The checks are split by responsibility:
// linter_references.cpp (initial/error state, targets, conditions), linter_graph.cpp
// (reachability, dead ends, cycles), linter_config.cpp (config keys, unknown fields, Lua syntax),
// linter_shadowing.cpp (evaluation order) and linter_usage.cpp (intents and slots).
namespace flowdeck::engine::lint {

// Findings not tied to a state sort before every state's findings.
constexpr int kFlowLevel = -1;

class LintContext final {
public:
    explicit LintContext(const Flow& flow);

    const Flow& flow() const { return m_flow; }
    // Hash lookup: Flow::findState is linear, and the checks look names up once per transition.
    std::optional<size_t> stateIndex(std::string_view name) const;
    bool hasState(std::string_view name) const { return stateIndex(name).has_value(); }

    // stateIndex decides where the finding sorts (kFlowLevel first, then document order).
    void report(int stateIndex, Severity severity, std::string code, std::string pointer,
                std::optional<int> transition, std::string message);
    // All findings, flow-level first, then by state in document order; within one state in the
    // order the checks reported them.
    std::vector<Diagnostic> takeSorted();

    // " Did you mean 'x'?" for the closest state name by edit distance, or "" when none is close.
    std::string suggestState(std::string_view unknown);
    // The same against any list of names (intents, ...).
    std::string suggest(std::string_view unknown, const std::vector<std::string_view>& names);

private:
    struct Entry {
        int stateIndex;
        Diagnostic diagnostic;
    };
    const Flow& m_flow;
    std::unordered_map<std::string_view, size_t> m_index;
    std::vector<std::string_view> m_stateNames;
    std::vector<Entry> m_entries;
    // Suggestions cost O(names × length²); a flow with thousands of typos gets them only for the
    // first ones instead of a quadratic lint.
    size_t m_suggestionBudget = 200;
};

std::string statePointer(const State& state);
std::string transitionPointer(const State& state, size_t transition);
std::string configPointer(const State& state, const std::string& key);
// 'name' in single quotes, the way every message names states, intents and slots.
std::string quote(std::string_view name);
// A short list for messages: 'a', 'b', 'c' and 7 more.
std::string quoteList(const std::vector<std::string_view>& names, size_t shown = 5);

// Edit distance in code points (so that typos in non-Latin state names count as one edit),
// giving up early once the distance exceeds `limit` (returns limit + 1 then).
size_t editDistance(std::string_view a, std::string_view b, size_t limit);

// The checks, each appending to the context.
void checkReferences(LintContext& context);
void checkConfig(LintContext& context);
void checkGraph(LintContext& context);
void checkShadowing(LintContext& context);
void checkUsage(LintContext& context);

} // namespace flowdeck::engine::lint
