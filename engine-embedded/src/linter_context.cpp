#include "linter_context.h"

#include <algorithm>

namespace flowdeck::engine::lint {
namespace {

// Decodes UTF-8 leniently: a malformed byte counts as one code point of its own.
std::vector<char32_t> codePoints(std::string_view text) {
    std::vector<char32_t> out;
    out.reserve(text.size());
    for (size_t i = 0; i < text.size();) {
        const auto c = static_cast<unsigned char>(text[i]);
        size_t length = c < 0x80           ? 1
                        : (c >> 5) == 0x6  ? 2
                        : (c >> 4) == 0xE  ? 3
                        : (c >> 3) == 0x1E ? 4
                                           : 1;
        if (i + length > text.size()) {
            length = 1;
        }
        char32_t cp = length == 1 ? c : c & (0x7F >> length);
        for (size_t k = 1; k < length; ++k) {
            cp = (cp << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3F);
        }
        out.push_back(cp);
        i += length;
    }
    return out;
}

// How many edits still read as a typo rather than another name.
size_t typoLimit(size_t length) {
    return length <= 3 ? 1 : length <= 8 ? 2 : 3;
}

} // namespace

LintContext::LintContext(const Flow& flow)
    : m_flow(flow) {
    m_index.reserve(flow.states.size() * 2);
    m_stateNames.reserve(flow.states.size());
    for (size_t i = 0; i < flow.states.size(); ++i) {
        // The first of two equally named states wins, like Flow::findState.
        m_index.emplace(flow.states[i].name, i);
        m_stateNames.push_back(flow.states[i].name);
    }
}

std::optional<size_t> LintContext::stateIndex(std::string_view name) const {
    const auto it = m_index.find(name);
    if (it == m_index.end()) {
        return std::nullopt;
    }
    return it->second;
}

void LintContext::report(int stateIndex, Severity severity, std::string code, std::string pointer,
                         std::optional<int> transition, std::string message) {
    Diagnostic d;
    d.severity = severity;
    d.code = std::move(code);
    d.pointer = std::move(pointer);
    if (stateIndex >= 0) {
        d.state = m_flow.states[static_cast<size_t>(stateIndex)].name;
    }
    d.transition = transition;
    d.message = std::move(message);
    m_entries.push_back({stateIndex, std::move(d)});
}

std::vector<Diagnostic> LintContext::takeSorted() {
    std::stable_sort(m_entries.begin(), m_entries.end(),
                     [](const Entry& a, const Entry& b) { return a.stateIndex < b.stateIndex; });
    std::vector<Diagnostic> out;
    out.reserve(m_entries.size());
    for (auto& entry : m_entries) {
        out.push_back(std::move(entry.diagnostic));
    }
    m_entries.clear();
    return out;
}

std::string LintContext::suggestState(std::string_view unknown) {
    return suggest(unknown, m_stateNames);
}

std::string LintContext::suggest(std::string_view unknown,
                                 const std::vector<std::string_view>& names) {
    if (m_suggestionBudget == 0 || unknown.empty()) {
        return {};
    }
    --m_suggestionBudget;
    const size_t limit = typoLimit(codePoints(unknown).size());
    std::string_view best;
    size_t bestDistance = limit + 1;
    for (const auto name : names) {
        const size_t lengthGap = name.size() > unknown.size() ? name.size() - unknown.size()
                                                              : unknown.size() - name.size();
        // Byte lengths bound code point differences only loosely; 4 bytes per code point at most.
        if (lengthGap > 4 * limit) {
            continue;
        }
        const size_t distance = editDistance(unknown, name, bestDistance - 1);
        if (distance < bestDistance) {
            bestDistance = distance;
            best = name;
            if (bestDistance <= 1) {
                break; // nothing closer than one edit can be an unknown name
            }
        }
    }
    if (best.empty() || bestDistance > limit) {
        return {};
    }
    return " Did you mean " + quote(best) + "?";
}

size_t editDistance(std::string_view a, std::string_view b, size_t limit) {
    const auto x = codePoints(a);
    const auto y = codePoints(b);
    const size_t gap = x.size() > y.size() ? x.size() - y.size() : y.size() - x.size();
    if (gap > limit) {
        return limit + 1;
    }
    std::vector<size_t> previous(y.size() + 1);
    std::vector<size_t> current(y.size() + 1);
    for (size_t j = 0; j <= y.size(); ++j) {
        previous[j] = j;
    }
    for (size_t i = 1; i <= x.size(); ++i) {
        current[0] = i;
        size_t rowMinimum = current[0];
        for (size_t j = 1; j <= y.size(); ++j) {
            const size_t substitution = previous[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1);
            current[j] = std::min({previous[j] + 1, current[j - 1] + 1, substitution});
            rowMinimum = std::min(rowMinimum, current[j]);
        }
        if (rowMinimum > limit) {
            return limit + 1;
        }
        std::swap(previous, current);
    }
    return std::min(previous[y.size()], limit + 1);
}

std::string statePointer(const State& state) {
    return "/states/" + escapePointerToken(state.name);
}

std::string transitionPointer(const State& state, size_t transition) {
    return statePointer(state) + "/transitions/" + std::to_string(transition);
}

std::string configPointer(const State& state, const std::string& key) {
    return statePointer(state) + "/config/" + escapePointerToken(key);
}

std::string quote(std::string_view name) {
    std::string out;
    out.reserve(name.size() + 2);
    out += '\'';
    out += name;
    out += '\'';
    return out;
}

std::string quoteList(const std::vector<std::string_view>& names, size_t shown) {
    std::string out;
    const size_t count = std::min(shown, names.size());
    for (size_t i = 0; i < count; ++i) {
        if (i > 0) {
            out += (i + 1 == names.size()) ? " and " : ", ";
        }
        out += quote(names[i]);
    }
    if (names.size() > count) {
        out += " and " + std::to_string(names.size() - count) + " more";
    }
    return out;
}

} // namespace flowdeck::engine::lint
