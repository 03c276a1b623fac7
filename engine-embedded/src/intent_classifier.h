#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

// The built-in intent classifier: example phrases -> (intent, confidence in [0, 1]).
//
// Text is normalised (ASCII lowercased, punctuation dropped, a light plural strip) and cut into
// tokens: words for space-separated scripts, character bigrams for CJK runs (Chinese and
// Japanese have no spaces). An example scores a weighted Dice overlap with the input, each token
// weighted by how rare it is among all examples (so "my" counts less than "order"); an example
// found whole, as a contiguous token run, inside the input is boosted to at least 0.8, more the
// more of the input it covers. An intent scores its best example. Ties go to the intent declared
// first, so results are deterministic. Everything about the examples is computed once, at
// construction; the object is immutable and safe to share between threads.
namespace flowdeck::engine {

// Lowercases ASCII (and fullwidth ASCII), turns ASCII and common CJK/fullwidth punctuation into
// spaces, collapses whitespace and trims. Non-ASCII letters are kept as they are.
std::string normalizeText(std::string_view text);
// Tokens of a normalised text, in order (duplicates kept). What contractions leave once their
// apostrophe became a space ("don't" -> "don", "t") is dropped.
std::vector<std::string> tokenizeText(std::string_view normalized);

class IntentClassifier {
public:
    struct Score {
        int intent = -1; // index into names(), -1 when there are no intents
        double score = 0.0;
    };

    IntentClassifier() = default;
    explicit IntentClassifier(
        const std::vector<std::pair<std::string, std::vector<std::string>>>& intents);

    bool empty() const { return m_names.empty(); }
    const std::vector<std::string>& names() const { return m_names; }
    int indexOf(std::string_view name) const;

    // The best intent and its score (before any threshold).
    Score classify(std::string_view text) const;
    // Every intent's score, best first (ties in declaration order); for the trace.
    std::vector<Score> rank(std::string_view text) const;

private:
    struct Example {
        std::vector<int> sequence; // token ids in phrase order (for containment)
        std::vector<int> set;      // sorted, unique
        double weight = 0.0;       // sum of the set's token weights
    };
    struct Query;

    Query prepare(std::string_view text) const;
    double scoreExample(const Example& example, const Query& query) const;
    std::vector<double> scores(std::string_view text) const;

    std::vector<std::string> m_names;
    std::vector<std::vector<Example>> m_examples; // per intent
    std::unordered_map<std::string, int> m_vocabulary;
    std::vector<double> m_weights; // per token id
    double m_unknownWeight = 1.0;  // for input tokens no example uses
};

} // namespace flowdeck::engine
