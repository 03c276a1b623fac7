#include "flowdeck/engine/linter.h"

#include "flowdeck/engine/flow_json.h"
#include "linter_context.h"

#include <exception>

namespace flowdeck::engine {

std::vector<Diagnostic> lintFlow(const Flow& flow) {
    try {
        lint::LintContext context(flow);
        // The order of the checks is the order of findings within one state.
        lint::checkReferences(context);
        lint::checkConfig(context);
        lint::checkGraph(context);
        lint::checkShadowing(context);
        lint::checkUsage(context);
        return context.takeSorted();
    } catch (const std::exception& e) {
        // Only resource exhaustion can get here; the caller still gets an answer, not a throw.
        Diagnostic d;
        d.severity = Severity::Error;
        d.code = "LINT_FAILED";
        d.message = std::string("The flow could not be checked: ") + e.what();
        return {d};
    }
}

ValidationResult validateFlowText(std::string_view text) {
    ValidationResult result;
    ParseResult parsed = parseFlow(text);
    result.diagnostics = std::move(parsed.diagnostics);
    if (parsed.flow) {
        auto findings = lintFlow(*parsed.flow);
        result.diagnostics.insert(result.diagnostics.end(),
                                  std::make_move_iterator(findings.begin()),
                                  std::make_move_iterator(findings.end()));
    }
    result.valid = parsed.flow.has_value() && !hasErrors(result.diagnostics);
    return result;
}

} // namespace flowdeck::engine
