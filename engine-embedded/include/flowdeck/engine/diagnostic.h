#pragma once

#include <optional>
#include <string>
#include <vector>

namespace flowdeck::engine {

enum class Severity { Error, Warning, Info };

// One finding of the parser or the linter. Everything a designer needs to find and fix it:
// the JSON pointer of the offending value, a stable code, the state (and transition) it concerns
// and a sentence in plain words.
struct Diagnostic {
    Severity severity = Severity::Error;
    std::string code;    // e.g. "UNKNOWN_TARGET", "JSON_SYNTAX"
    std::string pointer; // RFC 6901 JSON pointer, e.g. "/states/detect/transitions/1/target_state"
    std::string state;   // the state concerned, empty for flow-level findings
    std::optional<int> transition; // index into the state's transitions, when one is concerned
    std::string message;
    int line = 0; // 1-based source position when known (syntax errors), else 0
    int column = 0;
};

const char* toString(Severity severity);
bool hasErrors(const std::vector<Diagnostic>& diagnostics);
// "error UNKNOWN_TARGET at /states/a/transitions/0/target_state: ..." (one line, for terminals)
std::string formatDiagnostic(const Diagnostic& diagnostic);
// Escapes a key for use inside a JSON pointer ("~" -> "~0", "/" -> "~1").
std::string escapePointerToken(const std::string& token);

} // namespace flowdeck::engine
