#include "flowdeck/engine/diagnostic.h"

#include <algorithm>

namespace flowdeck::engine {

const char* toString(Severity severity)
{
    switch (severity) {
    case Severity::Error:
        return "error";
    case Severity::Warning:
        return "warning";
    case Severity::Info:
        return "info";
    }
    return "error";
}

bool hasErrors(const std::vector<Diagnostic>& diagnostics)
{
    return std::any_of(diagnostics.begin(), diagnostics.end(),
                       [](const Diagnostic& d) { return d.severity == Severity::Error; });
}

std::string formatDiagnostic(const Diagnostic& d)
{
    std::string out = toString(d.severity);
    out += ' ';
    out += d.code;
    if (!d.pointer.empty()) {
        out += " at ";
        out += d.pointer;
    }
    if (d.line > 0) {
        out += " (line " + std::to_string(d.line) + ", column " + std::to_string(d.column) + ")";
    }
    out += ": ";
    out += d.message;
    return out;
}

std::string escapePointerToken(const std::string& token)
{
    std::string out;
    out.reserve(token.size());
    for (const char c : token) {
        if (c == '~') {
            out += "~0";
        } else if (c == '/') {
            out += "~1";
        } else {
            out += c;
        }
    }
    return out;
}

} // namespace flowdeck::engine
