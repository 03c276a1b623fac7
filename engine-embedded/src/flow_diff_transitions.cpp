// Matching and comparing the transitions of one state present in both flows.

#include "flow_diff_internal.h"

#include <algorithm>
#include <numeric>
#include <unordered_map>

namespace flowdeck::engine::diffing {
namespace {

constexpr int kNone = -1;

struct Matching {
    std::vector<int> oldToNew;
    std::vector<int> newToOld;
};

bool sameTransition(const Transition& b, const Transition& a, const Renames& renames) {
    return b.condition == a.condition && b.conditionValue == a.conditionValue &&
           b.expression == a.expression && b.priority == a.priority &&
           b.hasPriority == a.hasPriority && renames.newName(b.target) == a.target &&
           b.extra == a.extra;
}

bool sameTransitions(const State& before, const State& after, const Renames& renames) {
    return before.transitions.size() == after.transitions.size() &&
           std::equal(before.transitions.begin(), before.transitions.end(),
                      after.transitions.begin(),
                      [&renames](const Transition& b, const Transition& a) {
                          return sameTransition(b, a, renames);
                      });
}

std::string matchKey(const Transition& t, const std::string& target, bool withTarget) {
    std::string key(toString(t.condition));
    // Unit separators keep ("a", "bc") and ("ab", "c") apart.
    key += '\x1f';
    key += t.conditionValue;
    key += '\x1f';
    key += t.expression;
    if (withTarget) {
        key += '\x1f';
        key += target;
    }
    return key;
}

// Pairs still unmatched transitions with equal keys, each in document order.
void matchByKey(const State& before, const State& after, const Renames& renames, bool withTarget,
                Matching& m) {
    std::unordered_map<std::string, std::vector<int>> pending; // key -> old indices, last first
    for (int i = static_cast<int>(before.transitions.size()) - 1; i >= 0; --i) {
        if (m.oldToNew[i] == kNone) {
            const auto& t = before.transitions[i];
            pending[matchKey(t, renames.newName(t.target), withTarget)].push_back(i);
        }
    }
    for (size_t j = 0; j < after.transitions.size(); ++j) {
        if (m.newToOld[j] != kNone) {
            continue;
        }
        const auto& t = after.transitions[j];
        const auto it = pending.find(matchKey(t, t.target, withTarget));
        if (it != pending.end() && !it->second.empty()) {
            m.newToOld[j] = it->second.back();
            m.oldToNew[it->second.back()] = static_cast<int>(j);
            it->second.pop_back();
        }
    }
}

void matchByPosition(Matching& m) {
    const size_t n = std::min(m.oldToNew.size(), m.newToOld.size());
    for (size_t k = 0; k < n; ++k) {
        if (m.oldToNew[k] == kNone && m.newToOld[k] == kNone) {
            m.oldToNew[k] = static_cast<int>(k);
            m.newToOld[k] = static_cast<int>(k);
        }
    }
}

Matching match(const State& before, const State& after, const Renames& renames) {
    Matching m{std::vector<int>(before.transitions.size(), kNone),
               std::vector<int>(after.transitions.size(), kNone)};
    matchByKey(before, after, renames, true, m);
    matchByKey(before, after, renames, false, m);
    matchByPosition(m);
    return m;
}

Json fieldsOf(const Transition& t) {
    Json out = Json::object();
    out["condition"] = std::string(toString(t.condition));
    out["condition_value"] = t.conditionValue.empty() ? Json() : Json(t.conditionValue);
    out["expression"] = t.expression.empty() ? Json() : Json(t.expression);
    // A priority built in code without hasPriority still orders evaluation.
    out["priority"] = t.hasPriority || t.priority != 0 ? Json(t.priority) : Json();
    return out;
}

Json nullIfEmpty(const std::string& text) {
    return text.empty() ? Json() : Json(text);
}

std::vector<FieldChange> compare(const Transition& b, const Transition& a, const Renames& renames) {
    std::vector<FieldChange> fields;
    diffValues("", fieldsOf(b), fieldsOf(a), fields);
    if (renames.newName(b.target) != a.target) {
        fields.push_back({"/target_state", nullIfEmpty(b.target), nullIfEmpty(a.target)});
    }
    if (b.extra != a.extra) {
        diffValues("", b.extra.is_object() ? b.extra : Json::object(),
                   a.extra.is_object() ? a.extra : Json::object(), fields);
    }
    return fields;
}

// Position of each transition in evaluation order: highest priority first, ties in document
// order (DESIGN.md §3).
std::vector<int> evaluationRanks(const std::vector<Transition>& transitions) {
    std::vector<int> order(transitions.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&transitions](int x, int y) {
        return transitions[x].priority > transitions[y].priority;
    });
    std::vector<int> rank(order.size());
    for (size_t k = 0; k < order.size(); ++k) {
        rank[order[k]] = static_cast<int>(k);
    }
    return rank;
}

// Of the old indices in `sequence`, those outside one longest increasing run: the fewest
// transitions that must have moved to explain the new order.
std::vector<bool> movedOutsideLongestRun(const std::vector<int>& sequence,
                                         const std::vector<int>& oldRank) {
    const size_t n = sequence.size();
    std::vector<int> tails; // positions in sequence ending the best run of each length
    std::vector<int> parent(n, kNone);
    for (size_t k = 0; k < n; ++k) {
        const auto it = std::lower_bound(
            tails.begin(), tails.end(), oldRank[sequence[k]],
            [&](int position, int value) { return oldRank[sequence[position]] < value; });
        parent[k] = it == tails.begin() ? kNone : *(it - 1);
        if (it == tails.end()) {
            tails.push_back(static_cast<int>(k));
        } else {
            *it = static_cast<int>(k);
        }
    }
    std::vector<bool> moved(n, true);
    for (int k = tails.empty() ? kNone : tails.back(); k != kNone; k = parent[k]) {
        moved[k] = false;
    }
    return moved;
}

// Adds "/order" to matched transitions whose priority did not change but whose evaluation
// position moved relative to the others of unchanged priority, which can only come from a new
// document order among equal priorities. A changed priority is reported as "/priority" instead.
void addOrderChanges(const State& before, const State& after, const Matching& m,
                     std::vector<std::vector<FieldChange>>& fields) {
    const std::vector<int> oldRank = evaluationRanks(before.transitions);
    const std::vector<int> newRank = evaluationRanks(after.transitions);
    std::vector<int> byNewRank(after.transitions.size(), kNone); // new rank -> old index
    for (size_t j = 0; j < after.transitions.size(); ++j) {
        const int i = m.newToOld[j];
        if (i != kNone && before.transitions[i].priority == after.transitions[j].priority) {
            byNewRank[newRank[j]] = i;
        }
    }
    std::vector<int> sequence; // old indices, in new evaluation order
    for (const int i : byNewRank) {
        if (i != kNone) {
            sequence.push_back(i);
        }
    }
    const std::vector<bool> moved = movedOutsideLongestRun(sequence, oldRank);
    for (size_t k = 0; k < sequence.size(); ++k) {
        if (moved[k]) {
            const int i = sequence[k];
            const int j = m.oldToNew[i];
            fields[j].push_back({"/order", oldRank[i], newRank[j]});
        }
    }
}

TransitionChange makeChange(ChangeKind kind, const std::string& state, const Transition& t) {
    TransitionChange change;
    change.kind = kind;
    change.state = state;
    change.target = t.target;
    change.condition = std::string(toString(t.condition));
    return change;
}

} // namespace

void diffTransitions(const State& before, const State& after, const Renames& renames,
                     std::vector<TransitionChange>& out) {
    if (sameTransitions(before, after, renames)) {
        return; // the common case, and no allocation
    }
    const Matching m = match(before, after, renames);
    std::vector<std::vector<FieldChange>> fields(after.transitions.size());
    for (size_t j = 0; j < after.transitions.size(); ++j) {
        if (m.newToOld[j] != kNone) {
            fields[j] = compare(before.transitions[m.newToOld[j]], after.transitions[j], renames);
        }
    }
    addOrderChanges(before, after, m, fields);
    for (size_t j = 0; j < after.transitions.size(); ++j) {
        const int i = m.newToOld[j];
        if (i != kNone && fields[j].empty()) {
            continue;
        }
        auto change = makeChange(i == kNone ? ChangeKind::Added : ChangeKind::Changed, after.name,
                                 after.transitions[j]);
        change.afterIndex = static_cast<int>(j);
        if (i != kNone) {
            change.beforeIndex = i;
            change.fields = std::move(fields[j]);
        }
        out.push_back(std::move(change));
    }
    for (size_t i = 0; i < before.transitions.size(); ++i) {
        if (m.oldToNew[i] == kNone) {
            auto change = makeChange(ChangeKind::Removed, before.name, before.transitions[i]);
            change.beforeIndex = static_cast<int>(i);
            out.push_back(std::move(change));
        }
    }
}

} // namespace flowdeck::engine::diffing
