#include "flowdeck/engine/stub_file.h"

#include "flow_parser_internal.h"
#include "flowdeck/engine/flow.h"

#include <fstream>
#include <sstream>

namespace flowdeck::engine {

namespace {

constexpr size_t kMaxStubFileBytes = 16 * 1024 * 1024;
constexpr int64_t kMaxDelayMs = 10 * 60 * 1000;

Diagnostic error(std::string code, std::string pointer, std::string message) {
    Diagnostic d;
    d.code = std::move(code);
    d.pointer = std::move(pointer);
    d.message = std::move(message);
    return d;
}

bool parseKind(const std::string& text, StubResponse::Kind* kind) {
    static const std::pair<const char*, StubResponse::Kind> kKinds[] = {
        {"success", StubResponse::Kind::Success},
        {"failure", StubResponse::Kind::Failure},
        {"slow", StubResponse::Kind::Slow},
        {"timeout", StubResponse::Kind::Timeout},
        {"live", StubResponse::Kind::Live}};
    for (const auto& [name, value] : kKinds) {
        if (text == name) {
            *kind = value;
            return true;
        }
    }
    return false;
}

// One response object; appends a diagnostic and returns false when it is malformed.
bool parseResponse(const Json& value, const std::string& pointer, StubResponse* out,
                   std::vector<Diagnostic>* diagnostics) {
    if (!value.is_object()) {
        diagnostics->push_back(error("STUB_SHAPE", pointer,
                                     "a stub response must be an object, e.g. {\"status\": 200}"));
        return false;
    }
    StubResponse response;
    for (const auto& [key, field] : value.items()) {
        const std::string at = pointer + "/" + escapePointerToken(key);
        if (key == "kind") {
            if (!field.is_string() || !parseKind(field.get<std::string>(), &response.kind)) {
                diagnostics->push_back(error("STUB_KIND", at,
                                             "kind must be one of success, failure, slow, "
                                             "timeout, live"));
                return false;
            }
        } else if (key == "status") {
            if (!field.is_number_integer() || field.get<int64_t>() < 100 ||
                field.get<int64_t>() > 599) {
                diagnostics->push_back(
                    error("STUB_STATUS", at, "status must be an HTTP status code (100-599)"));
                return false;
            }
            response.status = field.get<int>();
        } else if (key == "body") {
            response.body = field.is_string() ? field.get<std::string>() : field.dump();
        } else if (key == "delay_ms") {
            if (!field.is_number_integer() || field.get<int64_t>() < 0 ||
                field.get<int64_t>() > kMaxDelayMs) {
                diagnostics->push_back(error("STUB_DELAY", at,
                                             "delay_ms must be a whole number of milliseconds "
                                             "between 0 and 600000"));
                return false;
            }
            response.delay = std::chrono::milliseconds(field.get<int64_t>());
        } else {
            diagnostics->push_back(
                error("STUB_UNKNOWN_FIELD", at,
                      "unknown field '" + key + "' (expected kind, status, body, delay_ms)"));
            return false;
        }
    }
    *out = std::move(response);
    return true;
}

} // namespace

std::vector<Diagnostic> loadStubs(std::string_view text, StubGateway& gateway) {
    std::vector<Diagnostic> diagnostics;
    if (text.size() > kMaxStubFileBytes) {
        diagnostics.push_back(error("LIMIT_EXCEEDED", "", "stub file is larger than 16 MiB"));
        return diagnostics;
    }
    // The flow parser's reader: depth and string limits, line and column for syntax errors.
    Json document;
    parsing::DiagnosticSink sink;
    if (!parsing::readDocument(text, ParseLimits{}, sink, document) || sink.hasErrors()) {
        return sink.take();
    }
    if (!document.is_object()) {
        diagnostics.push_back(error(
            "STUB_SHAPE", "", "a stub file must be an object of integration name -> response"));
        return diagnostics;
    }
    std::vector<std::pair<std::string, std::vector<StubResponse>>> loaded;
    for (const auto& [name, value] : document.items()) {
        const std::string pointer = "/" + escapePointerToken(name);
        std::vector<StubResponse> sequence;
        const bool isArray = value.is_array();
        if (isArray && value.empty()) {
            diagnostics.push_back(error("STUB_SHAPE", pointer, "a response sequence is empty"));
            continue;
        }
        const size_t count = isArray ? value.size() : 1;
        for (size_t i = 0; i < count; ++i) {
            StubResponse response;
            const Json& item = isArray ? value[i] : value;
            const std::string at = isArray ? pointer + "/" + std::to_string(i) : pointer;
            if (parseResponse(item, at, &response, &diagnostics)) {
                sequence.push_back(std::move(response));
            }
        }
        loaded.emplace_back(name, std::move(sequence));
    }
    if (!diagnostics.empty()) {
        return diagnostics;
    }
    for (auto& [name, sequence] : loaded) {
        gateway.setSequence(name, std::move(sequence));
    }
    return diagnostics;
}

std::vector<Diagnostic> loadStubFile(const std::string& path, StubGateway& gateway) {
    std::ifstream file(path, std::ios::binary);
    if (!file) {
        return {error("FILE_UNREADABLE", "", "cannot read stub file '" + path + "'")};
    }
    std::ostringstream text;
    text << file.rdbuf();
    return loadStubs(text.str(), gateway);
}

} // namespace flowdeck::engine
