#include "intent_classifier.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace flowdeck::engine {
namespace {

// Decodes one UTF-8 sequence at `pos`; invalid bytes come back as themselves (length 1) with
// code point 0xFFFD so they are kept as ordinary letters.
char32_t decode(std::string_view text, size_t pos, size_t& length) {
    const auto b0 = static_cast<unsigned char>(text[pos]);
    if (b0 < 0x80) {
        length = 1;
        return b0;
    }
    int extra = 0;
    char32_t cp = 0;
    if ((b0 & 0xE0) == 0xC0) {
        extra = 1;
        cp = b0 & 0x1F;
    } else if ((b0 & 0xF0) == 0xE0) {
        extra = 2;
        cp = b0 & 0x0F;
    } else if ((b0 & 0xF8) == 0xF0) {
        extra = 3;
        cp = b0 & 0x07;
    } else {
        length = 1;
        return 0xFFFD;
    }
    if (pos + static_cast<size_t>(extra) >= text.size()) {
        length = 1;
        return 0xFFFD;
    }
    for (int i = 1; i <= extra; ++i) {
        const auto b = static_cast<unsigned char>(text[pos + i]);
        if ((b & 0xC0) != 0x80) {
            length = 1;
            return 0xFFFD;
        }
        cp = (cp << 6) | (b & 0x3F);
    }
    length = static_cast<size_t>(extra) + 1;
    return cp;
}

bool isCjk(char32_t cp) {
    return (cp >= 0x3040 && cp <= 0x30FF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
           (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0xF900 && cp <= 0xFAFF) ||
           (cp >= 0x20000 && cp <= 0x2FA1F);
}

bool isWidePunctuation(char32_t cp) {
    return (cp >= 0x00A1 && cp <= 0x00BF && cp != 0x00AA && cp != 0x00B5 && cp != 0x00BA) ||
           (cp >= 0x2000 && cp <= 0x206F) || (cp >= 0x3000 && cp <= 0x303F) ||
           (cp >= 0xFF01 && cp <= 0xFF0F) || (cp >= 0xFF1A && cp <= 0xFF20) ||
           (cp >= 0xFF3B && cp <= 0xFF40) || (cp >= 0xFF5B && cp <= 0xFF65);
}

void pushSpace(std::string& out) {
    if (!out.empty() && out.back() != ' ') {
        out.push_back(' ');
    }
}

// What contractions leave behind once the apostrophe became a space ("don't" -> "don t").
bool isContractionTail(std::string_view token) {
    return token == "s" || token == "t" || token == "m" || token == "d" || token == "ll" ||
           token == "re" || token == "ve";
}

std::string stemmed(std::string_view word) {
    // A light plural strip so "orders" meets "order"; "status", "address" and "this" stay.
    const bool plural = word.size() > 3 && word.back() == 's' && !word.ends_with("ss") &&
                        !word.ends_with("us") && !word.ends_with("is");
    return std::string(plural ? word.substr(0, word.size() - 1) : word);
}

void appendCjkRun(std::string_view run, std::vector<std::string>& tokens) {
    std::vector<std::string_view> chars;
    for (size_t pos = 0; pos < run.size();) {
        size_t length = 1;
        decode(run, pos, length);
        chars.push_back(run.substr(pos, length));
        pos += length;
    }
    if (chars.size() == 1) {
        tokens.emplace_back(chars.front());
        return;
    }
    for (size_t i = 0; i + 1 < chars.size(); ++i) {
        std::string bigram(chars[i]);
        bigram.append(chars[i + 1]);
        tokens.push_back(std::move(bigram));
    }
}

void appendWordTokens(std::string_view word, std::vector<std::string>& tokens) {
    size_t runStart = 0;
    bool runCjk = false;
    auto flush = [&](size_t end) {
        if (end <= runStart) {
            return;
        }
        const std::string_view run = word.substr(runStart, end - runStart);
        if (runCjk) {
            appendCjkRun(run, tokens);
        } else if (!isContractionTail(run)) {
            tokens.push_back(stemmed(run));
        }
    };
    for (size_t pos = 0; pos < word.size();) {
        size_t length = 1;
        const bool cjk = isCjk(decode(word, pos, length));
        if (pos != runStart && cjk != runCjk) {
            flush(pos);
            runStart = pos;
        }
        runCjk = cjk;
        pos += length;
    }
    flush(word.size());
}

bool containsRun(const std::vector<int>& haystack, const std::vector<int>& needle) {
    if (needle.empty() || needle.size() > haystack.size()) {
        return false;
    }
    return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end()) !=
           haystack.end();
}

} // namespace

std::string normalizeText(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (size_t pos = 0; pos < text.size();) {
        size_t length = 1;
        const char32_t cp = decode(text, pos, length);
        if (cp < 0x80) {
            const auto c = static_cast<char>(cp);
            if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
                out.push_back(c);
            } else if (c >= 'A' && c <= 'Z') {
                out.push_back(static_cast<char>(c - 'A' + 'a'));
            } else {
                pushSpace(out);
            }
        } else if ((cp >= 0xFF10 && cp <= 0xFF19) || (cp >= 0xFF21 && cp <= 0xFF3A) ||
                   (cp >= 0xFF41 && cp <= 0xFF5A)) {
            // Fullwidth digits and letters, as typed with CJK input methods.
            const char32_t ascii = cp - 0xFEE0;
            out.push_back(static_cast<char>(ascii >= 'A' && ascii <= 'Z' ? ascii + 32 : ascii));
        } else if (isWidePunctuation(cp)) {
            pushSpace(out);
        } else {
            out.append(text.substr(pos, length));
        }
        pos += length;
    }
    if (!out.empty() && out.back() == ' ') {
        out.pop_back();
    }
    return out;
}

std::vector<std::string> tokenizeText(std::string_view normalized) {
    std::vector<std::string> tokens;
    size_t start = 0;
    while (start < normalized.size()) {
        size_t end = normalized.find(' ', start);
        if (end == std::string_view::npos) {
            end = normalized.size();
        }
        appendWordTokens(normalized.substr(start, end - start), tokens);
        start = end + 1;
    }
    return tokens;
}

struct IntentClassifier::Query {
    std::vector<int> sequence; // -1 for tokens no example uses
    std::vector<int> set;      // known ids, sorted, unique
    double weight = 0.0;
};

IntentClassifier::IntentClassifier(
    const std::vector<std::pair<std::string, std::vector<std::string>>>& intents) {
    std::vector<std::vector<std::vector<std::string>>> tokenized;
    size_t exampleCount = 0;
    std::vector<int> documentFrequency;
    for (const auto& [name, phrases] : intents) {
        m_names.push_back(name);
        auto& perIntent = m_examples.emplace_back();
        for (const auto& phrase : phrases) {
            Example example;
            for (auto& token : tokenizeText(normalizeText(phrase))) {
                auto [it, inserted] =
                    m_vocabulary.emplace(std::move(token), static_cast<int>(m_vocabulary.size()));
                if (inserted) {
                    documentFrequency.push_back(0);
                }
                example.sequence.push_back(it->second);
            }
            if (example.sequence.empty()) {
                continue;
            }
            example.set = example.sequence;
            std::sort(example.set.begin(), example.set.end());
            example.set.erase(std::unique(example.set.begin(), example.set.end()),
                              example.set.end());
            for (const int id : example.set) {
                ++documentFrequency[static_cast<size_t>(id)];
            }
            ++exampleCount;
            perIntent.push_back(std::move(example));
        }
    }
    const double n = static_cast<double>(std::max<size_t>(exampleCount, 1));
    m_weights.resize(documentFrequency.size());
    for (size_t id = 0; id < documentFrequency.size(); ++id) {
        m_weights[id] = std::log(1.0 + n / documentFrequency[id]);
    }
    m_unknownWeight = std::log(1.0 + n);
    for (auto& perIntent : m_examples) {
        for (auto& example : perIntent) {
            for (const int id : example.set) {
                example.weight += m_weights[static_cast<size_t>(id)];
            }
        }
    }
}

int IntentClassifier::indexOf(std::string_view name) const {
    for (size_t i = 0; i < m_names.size(); ++i) {
        if (m_names[i] == name) {
            return static_cast<int>(i);
        }
    }
    return -1;
}

IntentClassifier::Query IntentClassifier::prepare(std::string_view text) const {
    Query query;
    std::vector<std::string> unknown;
    for (auto& token : tokenizeText(normalizeText(text))) {
        const auto it = m_vocabulary.find(token);
        if (it == m_vocabulary.end()) {
            query.sequence.push_back(-1);
            if (std::find(unknown.begin(), unknown.end(), token) == unknown.end()) {
                unknown.push_back(std::move(token));
                query.weight += m_unknownWeight;
            }
            continue;
        }
        query.sequence.push_back(it->second);
        query.set.push_back(it->second);
    }
    std::sort(query.set.begin(), query.set.end());
    query.set.erase(std::unique(query.set.begin(), query.set.end()), query.set.end());
    for (const int id : query.set) {
        query.weight += m_weights[static_cast<size_t>(id)];
    }
    return query;
}

double IntentClassifier::scoreExample(const Example& example, const Query& query) const {
    double shared = 0.0;
    auto a = example.set.begin();
    auto b = query.set.begin();
    while (a != example.set.end() && b != query.set.end()) {
        if (*a < *b) {
            ++a;
        } else if (*b < *a) {
            ++b;
        } else {
            shared += m_weights[static_cast<size_t>(*a)];
            ++a;
            ++b;
        }
    }
    const double total = example.weight + query.weight;
    double score = total > 0.0 ? 2.0 * shared / total : 0.0;
    if (containsRun(query.sequence, example.sequence)) {
        const double coverage = static_cast<double>(example.sequence.size()) /
                                static_cast<double>(query.sequence.size());
        score = std::max(score, 0.8 + 0.2 * coverage);
    }
    return std::clamp(score, 0.0, 1.0);
}

std::vector<double> IntentClassifier::scores(std::string_view text) const {
    std::vector<double> result(m_names.size(), 0.0);
    const Query query = prepare(text);
    if (query.sequence.empty()) {
        return result;
    }
    for (size_t i = 0; i < m_examples.size(); ++i) {
        for (const auto& example : m_examples[i]) {
            result[i] = std::max(result[i], scoreExample(example, query));
        }
    }
    return result;
}

IntentClassifier::Score IntentClassifier::classify(std::string_view text) const {
    Score best;
    const std::vector<double> all = scores(text);
    for (size_t i = 0; i < all.size(); ++i) {
        if (all[i] > best.score) {
            best = {static_cast<int>(i), all[i]};
        }
    }
    return best;
}

std::vector<IntentClassifier::Score> IntentClassifier::rank(std::string_view text) const {
    const std::vector<double> all = scores(text);
    std::vector<Score> ranked;
    for (size_t i = 0; i < all.size(); ++i) {
        ranked.push_back({static_cast<int>(i), all[i]});
    }
    std::stable_sort(ranked.begin(), ranked.end(),
                     [](const Score& a, const Score& b) { return a.score > b.score; });
    return ranked;
}

} // namespace flowdeck::engine
