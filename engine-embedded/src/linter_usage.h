#pragma once

#include "linter_context.h"

#include <unordered_map>

// Shared by the intent and slot checks: one finding per distinct name at its first use (counting
// the other places), and past kNamedFindings names one summary, so that a generated flow with
// 1,000 external intents does not bury everything else in 1,000 lines.
namespace flowdeck::engine::lint {

constexpr size_t kNamedFindings = 20;

struct Use {
    int state = kFlowLevel;
    std::optional<int> transition;
    std::string pointer;
    std::string where; // "transition 1 of 'check'", for messages
};

// Names in order of first use, each with that first use and how often it occurs. Names view into
// the flow, which outlives the lint.
class UsageTable final {
public:
    // makeUse runs only for a name's first use: most uses are only counted.
    template <typename MakeUse> void add(std::string_view name, MakeUse makeUse) {
        auto [it, fresh] = m_entries.try_emplace(name);
        if (fresh) {
            m_order.push_back(name);
            it->second.first = makeUse();
        }
        ++it->second.count;
    }
    const std::vector<std::string_view>& names() const { return m_order; }
    const Use& firstUse(std::string_view name) const { return m_entries.at(name).first; }
    size_t count(std::string_view name) const { return m_entries.at(name).count; }

private:
    struct Entry {
        Use first;
        size_t count = 0;
    };
    std::vector<std::string_view> m_order;
    std::unordered_map<std::string_view, Entry> m_entries;
};

std::string transitionWhere(const State& state, size_t transition);
// " 3 other places read it too." (empty for a single use)
std::string otherPlaces(size_t count, const char* verb);
// The names past the first kNamedFindings, as one finding at the first one's first use.
void reportSummary(LintContext& context, const UsageTable& table,
                   const std::vector<std::string_view>& rest, const char* code,
                   const std::string& what);

void checkIntents(LintContext& context);
void checkSlots(LintContext& context);

} // namespace flowdeck::engine::lint
