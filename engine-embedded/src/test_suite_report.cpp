#include "flowdeck/engine/test_suite.h"
#include "test_suite_internal.h"

#include <algorithm>
#include <cstdio>

// Suite results for people (terminal text) and for CI (JUnit XML).
namespace flowdeck::engine {
namespace {

constexpr size_t kMaxLabelInput = 60;

std::string formatMs(int64_t micros) {
    char text[32];
    std::snprintf(text, sizeof text, "%.1f ms", static_cast<double>(micros) / 1000.0);
    return text;
}

std::string formatSeconds(int64_t micros) {
    char text[32];
    std::snprintf(text, sizeof text, "%.6f", static_cast<double>(micros) / 1e6);
    return text;
}

// Multi-line values are indented under their label so a long reply stays readable.
std::string indented(const std::string& text, const std::string& indent) {
    std::string out;
    for (char c : text) {
        out.push_back(c);
        if (c == '\n') {
            out += indent;
        }
    }
    return out;
}

// "turn 2 (\"CD-4242\")", "turn 0 (opening)": which message a failure is about.
std::string turnLabel(const CaseResult& result, size_t turn) {
    std::string label = "turn " + std::to_string(turn);
    if (turn >= result.inputs.size()) {
        return label;
    }
    const std::string& input = result.inputs[turn];
    if (turn == 0 && input.empty()) {
        return label + " (opening)";
    }
    size_t cut = std::min(input.size(), kMaxLabelInput);
    while (cut < input.size() && cut > 0 &&
           (static_cast<unsigned char>(input[cut]) & 0xC0) == 0x80) {
        --cut; // never split a UTF-8 sequence
    }
    label += " (\"";
    label.append(input, 0, cut);
    label += cut < input.size() ? "...\")" : "\")";
    return label;
}

// Expected and actual paths one above the other, with the first step where they part.
std::string pathDiff(const std::vector<std::string>& expected,
                     const std::vector<std::string>& actual) {
    size_t step = 0;
    while (step < expected.size() && step < actual.size() && expected[step] == actual[step]) {
        ++step;
    }
    const auto at = [](const std::vector<std::string>& path, size_t i) {
        return i < path.size() ? "'" + path[i] + "'" : std::string("nothing");
    };
    return "path differs at step " + std::to_string(step + 1) + ": expected " + at(expected, step) +
           ", got " + at(actual, step) + "\n" + "      expected: " + testsuite::joinPath(expected) +
           "\n" + "      actual:   " + testsuite::joinPath(actual) + "\n";
}

std::string formatFailure(const CaseResult& result, const TurnFailure& failure) {
    const std::string head = "    " + turnLabel(result, failure.turn) + ": ";
    if (failure.field == "path" && failure.turn < result.expectedPaths.size() &&
        failure.turn < result.actualPaths.size()) {
        return head +
               pathDiff(result.expectedPaths[failure.turn], result.actualPaths[failure.turn]);
    }
    const std::string indent(16, ' ');
    return head + failure.field + "\n" + "      expected: " + indented(failure.expected, indent) +
           "\n" + "      actual:   " + indented(failure.actual, indent) + "\n";
}

// XML 1.0 text: the five entities, and control characters it cannot carry at all replaced.
std::string xmlEscape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        switch (c) {
        case '&':
            out += "&amp;";
            break;
        case '<':
            out += "&lt;";
            break;
        case '>':
            out += "&gt;";
            break;
        case '"':
            out += "&quot;";
            break;
        case '\'':
            out += "&apos;";
            break;
        default:
            if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t' && c != '\r') {
                out += "\xEF\xBF\xBD"; // U+FFFD
            } else {
                out.push_back(c);
            }
        }
    }
    return out;
}

std::string junitCase(const CaseResult& result, std::string_view suiteName) {
    std::string xml = "    <testcase name=\"" + xmlEscape(result.name) + "\" classname=\"" +
                      xmlEscape(suiteName) + "\" time=\"" + formatSeconds(result.engineUs) + "\"";
    if (result.passed) {
        return xml + "/>\n";
    }
    std::string details;
    for (const TurnFailure& failure : result.failures) {
        details += formatFailure(result, failure);
    }
    const TurnFailure* first = result.failures.empty() ? nullptr : &result.failures.front();
    const std::string message = first == nullptr
                                    ? "failed"
                                    : "turn " + std::to_string(first->turn) + ": " + first->field +
                                          " expected " + first->expected + ", got " + first->actual;
    return xml + ">\n      <failure message=\"" + xmlEscape(message) + "\" type=\"expectation\">" +
           xmlEscape(details) + "</failure>\n    </testcase>\n";
}

} // namespace

std::string formatSuiteResult(const SuiteResult& result) {
    std::string text;
    for (const CaseResult& one : result.cases) {
        text += (one.passed ? "PASS  " : "FAIL  ") + one.name + "\n";
        for (const TurnFailure& failure : one.failures) {
            text += formatFailure(one, failure);
        }
    }
    const Coverage& c = result.coverage;
    text += "\n" + std::to_string(result.passed) + " passed, " + std::to_string(result.failed) +
            " failed (" + std::to_string(result.cases.size()) + " cases" +
            (result.cancelled ? ", cancelled" : "") + ")\n";
    text += "coverage: states " + std::to_string(c.states.size()) + "/" +
            std::to_string(c.totalStates) + ", transitions " +
            std::to_string(c.transitions.size()) + "/" + std::to_string(c.totalTransitions) + "\n";
    text += "engine time: " + formatMs(result.engineUs) + "\n";
    return text;
}

std::string junitXml(const SuiteResult& result, std::string_view suiteName) {
    const std::string counts = " tests=\"" + std::to_string(result.cases.size()) +
                               "\" failures=\"" + std::to_string(result.failed) +
                               "\" errors=\"0\" time=\"" + formatSeconds(result.engineUs) + "\"";
    std::string xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    xml += "<testsuites name=\"" + xmlEscape(suiteName) + "\"" + counts + ">\n";
    xml += "  <testsuite name=\"" + xmlEscape(suiteName) + "\"" + counts + " skipped=\"0\">\n";
    for (const CaseResult& one : result.cases) {
        xml += junitCase(one, suiteName);
    }
    xml += "  </testsuite>\n</testsuites>\n";
    return xml;
}

} // namespace flowdeck::engine
