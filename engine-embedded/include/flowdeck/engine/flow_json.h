#pragma once

#include "flowdeck/engine/diagnostic.h"
#include "flowdeck/engine/flow.h"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace flowdeck::engine {

// Limits on what a flow document may contain; anything larger is rejected with a diagnostic
// (code "LIMIT_EXCEEDED") before it can cost memory or time.
struct ParseLimits {
    size_t maxBytes = 16 * 1024 * 1024;
    size_t maxDepth = 64;
    size_t maxStates = 100000;
    size_t maxTransitionsPerState = 1000;
    size_t maxStringBytes = 1024 * 1024;
};

struct ParseResult {
    std::optional<Flow> flow; // set when the document has no structural error
    std::vector<Diagnostic> diagnostics;
    bool ok() const { return flow.has_value(); }
};

// Parses a flow document. Never throws: malformed JSON, missing fields, wrong types, unknown
// state types and oversized input all come back as Error diagnostics with a JSON pointer.
// Semantic problems (unknown targets, missing initial state, ...) are left to the linter so that
// a draft with such errors can still be loaded, edited and saved.
ParseResult parseFlow(std::string_view text, const ParseLimits& limits = {});
ParseResult parseFlowJson(const Json& document, const ParseLimits& limits = {});
// Reads a file and parses it; a missing or unreadable file is a diagnostic too.
ParseResult parseFlowFile(const std::string& path, const ParseLimits& limits = {});

// Writes the flow back as JSON, in document order, unknown keys included: parse(serialize(f))
// reproduces f, and serialize(parse(text)) reproduces text's content.
Json toJson(const Flow& flow);
std::string serializeFlow(const Flow& flow, int indent = 2);

} // namespace flowdeck::engine
