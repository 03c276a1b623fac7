// libFuzzer target for the flow parser and linter: any input must give either a flow or
// diagnostics, never a crash, a hang or an exception; a flow that parsed must survive serialize ->
// parse unchanged (the round trip the console's save relies on); and the linter must judge every
// parsed flow, the same way before and after the round trip, without giving up (LINT_FAILED).

#include "flowdeck/engine/flow_json.h"
#include "flowdeck/engine/linter.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

using namespace flowdeck::engine;

namespace {

[[noreturn]] void fail(const char* what, const std::string& detail) {
    std::fprintf(stderr, "fuzz-parser: %s\n%s\n", what, detail.c_str());
    std::abort();
}

std::string describe(const std::vector<Diagnostic>& diagnostics) {
    std::string text;
    for (const Diagnostic& d : diagnostics) {
        text += formatDiagnostic(d) + "\n";
    }
    return text;
}

std::vector<Diagnostic> lintChecked(const Flow& flow, std::string_view text) {
    std::vector<Diagnostic> findings = lintFlow(flow);
    for (const Diagnostic& d : findings) {
        if (d.code.empty() || d.message.empty() || d.code == "LINT_FAILED") {
            fail("the linter gave up or gave an empty finding",
                 describe(findings) + "---\n" + std::string(text));
        }
        if (!d.pointer.empty() && d.pointer.front() != '/') {
            fail("a finding's pointer is not a JSON pointer", formatDiagnostic(d));
        }
    }
    return findings;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    // Small limits keep each run fast; the code paths are the same as with the defaults.
    ParseLimits limits;
    limits.maxBytes = 256 * 1024;
    limits.maxStringBytes = 16 * 1024;
    limits.maxStates = 2000;
    limits.maxTransitionsPerState = 100;

    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const ParseResult first = parseFlow(text, limits);
    if (!first.ok()) {
        if (first.diagnostics.empty()) {
            fail("rejected without a diagnostic", std::string(text));
        }
        return 0;
    }
    if (!first.diagnostics.empty()) {
        fail("accepted with diagnostics", formatDiagnostic(first.diagnostics.front()));
    }
    const std::string written = serializeFlow(*first.flow);
    const ParseResult second = parseFlow(written, ParseLimits{});
    if (!second.ok()) {
        fail("serialized flow does not parse",
             written + "\n" + formatDiagnostic(second.diagnostics.front()));
    }
    if (toJson(*second.flow) != toJson(*first.flow)) {
        fail("round trip changed the flow", written + "\n---\n" + serializeFlow(*second.flow));
    }
    const std::string before = describe(lintChecked(*first.flow, text));
    const std::string after = describe(lintChecked(*second.flow, written));
    if (before != after) {
        fail("the linter judges the round-tripped flow differently", before + "---\n" + after);
    }
    // parseFlowJson must judge the document exactly as parseFlow did.
    const ParseResult fromJson = parseFlowJson(Json::parse(text), limits);
    if (!fromJson.ok() || toJson(*fromJson.flow) != toJson(*first.flow)) {
        fail("parseFlowJson disagrees with parseFlow", std::string(text));
    }
    return 0;
}
