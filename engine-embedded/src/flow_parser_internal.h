#pragma once

// Pieces shared by the flow parser's files (flow_parser*.cpp); not part of the public API.

#include "flowdeck/engine/diagnostic.h"
#include "flowdeck/engine/flow.h"
#include "flowdeck/engine/flow_json.h"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace flowdeck::engine::parsing {

// Stable diagnostic codes of the parser (the linter has its own).
inline constexpr const char* kJsonSyntax = "JSON_SYNTAX";
inline constexpr const char* kMissingField = "MISSING_FIELD";
inline constexpr const char* kWrongType = "WRONG_TYPE";
inline constexpr const char* kUnknownStateType = "UNKNOWN_STATE_TYPE";
inline constexpr const char* kUnknownCondition = "UNKNOWN_CONDITION";
inline constexpr const char* kUnknownSlotType = "UNKNOWN_SLOT_TYPE";
inline constexpr const char* kDuplicateKey = "DUPLICATE_KEY";
inline constexpr const char* kLimitExceeded = "LIMIT_EXCEEDED";
inline constexpr const char* kTooManyErrors = "TOO_MANY_ERRORS";
inline constexpr const char* kFileError = "FILE_ERROR";

// Collects error diagnostics, up to a cap: a document with a million wrong values must not cost a
// million diagnostics of memory.
class DiagnosticSink final {
public:
    static constexpr size_t kMaxDiagnostics = 200;

    void error(const char* code, std::string pointer, std::string message, std::string state = {},
               std::optional<int> transition = std::nullopt);
    // Syntax errors carry a source position instead of a meaningful pointer.
    void syntaxError(std::string pointer, std::string message, int line, int column);
    bool hasErrors() const { return !m_diagnostics.empty(); }
    std::vector<Diagnostic> take() { return std::move(m_diagnostics); }

private:
    bool admit();

    std::vector<Diagnostic> m_diagnostics;
    bool m_truncated = false;
};

// Reads JSON text into `out` in one SAX pass that enforces the depth and string limits before any
// deep structure exists, reports duplicate keys, and locates syntax errors. Returns false when no
// document could be built (syntax error or limit); duplicate keys are reported but keep the first
// value, so the structural checks can still run and report everything else.
bool readDocument(std::string_view text, const ParseLimits& limits, DiagnosticSink& sink,
                  Json& out);

// Depth and string-size checks over an already built document, without recursion.
bool checkDocumentLimits(const Json& document, const ParseLimits& limits, DiagnosticSink& sink);

// Builds the model from a document whose size is within limits. Moves values out of `document`.
std::optional<Flow> readFlow(Json& document, const ParseLimits& limits, DiagnosticSink& sink);

// Checks each known key of a state's config against knownConfigKeys(type).
void checkConfig(StateType type, const Json& config, const std::string& pointer,
                 const std::string& state, DiagnosticSink& sink);

// "a string", "an array", ... for messages.
std::string describeType(const Json& value);
// Integers, including integral numbers written as 5.0, within the range of an int.
bool isIntValue(const Json& value);
// Appends without the linear duplicate search of ordered_json's operator[]; callers guarantee
// the key is not present yet.
void appendMember(Json& object, std::string key, Json value);

} // namespace flowdeck::engine::parsing
