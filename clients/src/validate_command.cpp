#include "commands.h"

#include "flowdeck/engine/flow.h"
#include "flowdeck/engine/flow_json.h"
#include "flowdeck/engine/linter.h"

#include <ostream>

namespace flowdeck::client {

namespace {

using flowdeck::engine::Diagnostic;
using flowdeck::engine::Json;
using flowdeck::engine::Severity;

Json toJson(const Diagnostic& d) {
    Json j = {{"severity", engine::toString(d.severity)},
              {"code", d.code},
              {"pointer", d.pointer},
              {"state", d.state},
              {"message", d.message}};
    j["transition"] = d.transition ? Json(*d.transition) : Json(nullptr);
    if (d.line > 0) {
        j["line"] = d.line;
        j["column"] = d.column;
    }
    return j;
}

size_t countOf(const std::vector<Diagnostic>& diagnostics, Severity severity) {
    size_t n = 0;
    for (const auto& d : diagnostics) {
        n += d.severity == severity ? 1 : 0;
    }
    return n;
}

} // namespace

int runValidate(const ValidateOptions& options, Streams& io) {
    auto parsed = engine::parseFlowFile(options.file);
    std::vector<Diagnostic> diagnostics = std::move(parsed.diagnostics);
    if (parsed.ok()) {
        auto lint = engine::lintFlow(*parsed.flow);
        diagnostics.insert(diagnostics.end(), lint.begin(), lint.end());
    }
    const bool valid = parsed.ok() && !engine::hasErrors(diagnostics);
    const size_t errors = countOf(diagnostics, Severity::Error);
    const size_t warnings = countOf(diagnostics, Severity::Warning);
    if (options.json) {
        Json report = {{"file", options.file},
                       {"valid", valid},
                       {"errors", errors},
                       {"warnings", warnings},
                       {"diagnostics", Json::array()}};
        if (parsed.ok()) {
            report["flow"] = parsed.flow->name;
            report["states"] = parsed.flow->states.size();
        }
        for (const auto& d : diagnostics) {
            report["diagnostics"].push_back(toJson(d));
        }
        io.out << report.dump(2, ' ', false, Json::error_handler_t::replace) << "\n";
    } else {
        for (const auto& d : diagnostics) {
            io.err << options.file << ": " << engine::formatDiagnostic(d) << "\n";
        }
        io.out << options.file << ": " << (valid ? "valid" : "invalid") << " (" << errors
               << (errors == 1 ? " error, " : " errors, ") << warnings
               << (warnings == 1 ? " warning)" : " warnings)") << "\n";
    }
    return valid ? kExitOk : kExitFailed;
}

} // namespace flowdeck::client
