#include "flow_parser_internal.h"
#include "flowdeck/engine/errors.h"
#include "flowdeck/engine/stub_file.h"
#include "flowdeck/engine/test_suite.h"
#include "test_suite_internal.h"

#include <fstream>
#include <initializer_list>
#include <regex>
#include <sstream>

// Reading a suite file into the model: every problem becomes a diagnostic with a JSON pointer, and
// all of them are reported in one pass so a designer fixes a file in one go.
namespace flowdeck::engine {
namespace {

using parsing::describeType;
using parsing::DiagnosticSink;

constexpr const char* kUnknownKey = "UNKNOWN_KEY";
constexpr const char* kInvalidValue = "INVALID_VALUE";

class SuiteReader final {
public:
    SuiteReader(DiagnosticSink& sink, const TestSuiteLimits& limits)
        : m_sink(sink)
        , m_limits(limits) {}

    void readSuite(const Json& document, TestSuite& suite);

private:
    bool expectType(const Json& value, Json::value_t type, const std::string& pointer,
                    const char* what);
    void checkKeys(const Json& object, const std::string& pointer,
                   std::initializer_list<const char*> known, const char* what);
    void readStubs(const Json& value, const std::string& pointer, Json& out);
    void readCase(const Json& value, const std::string& pointer, TestCase& out);
    void readTurn(const Json& value, const std::string& pointer, bool first, TestTurn& out);
    void readSet(const Json& value, const std::string& pointer, Json& out);
    void readExpect(const Json& value, const std::string& pointer, TestExpectation& out);
    std::optional<std::string> readString(const Json& object, const char* key,
                                          const std::string& pointer);

    DiagnosticSink& m_sink;
    const TestSuiteLimits& m_limits;
};

const char* typeName(Json::value_t type) {
    switch (type) {
    case Json::value_t::object:
        return "an object";
    case Json::value_t::array:
        return "an array";
    case Json::value_t::string:
        return "a string";
    default:
        return "a value";
    }
}

bool SuiteReader::expectType(const Json& value, Json::value_t type, const std::string& pointer,
                             const char* what) {
    if (value.type() == type) {
        return true;
    }
    m_sink.error(parsing::kWrongType, pointer,
                 std::string(what) + " must be " + typeName(type) + ", not " + describeType(value));
    return false;
}

void SuiteReader::checkKeys(const Json& object, const std::string& pointer,
                            std::initializer_list<const char*> known, const char* what) {
    for (auto it = object.begin(); it != object.end(); ++it) {
        bool found = false;
        std::string list;
        for (const char* key : known) {
            found = found || it.key() == key;
            list += (list.empty() ? "" : ", ") + std::string(key);
        }
        if (!found) {
            m_sink.error(kUnknownKey, pointer + "/" + escapePointerToken(it.key()),
                         "unknown " + std::string(what) + " key '" + it.key() + "' (expected " +
                             list + ")");
        }
    }
}

std::optional<std::string> SuiteReader::readString(const Json& object, const char* key,
                                                   const std::string& pointer) {
    const auto it = object.find(key);
    if (it == object.end()) {
        return std::nullopt;
    }
    const std::string at = pointer + "/" + key;
    if (!expectType(*it, Json::value_t::string, at, key)) {
        return std::nullopt;
    }
    return it->get<std::string>();
}

void SuiteReader::readSuite(const Json& document, TestSuite& suite) {
    if (!expectType(document, Json::value_t::object, "", "a test suite")) {
        return;
    }
    checkKeys(document, "", {"$schema", "flow", "description", "stubs", "cases"}, "suite");
    suite.flowId = readString(document, "flow", "").value_or("");
    if (const auto stubs = document.find("stubs"); stubs != document.end()) {
        readStubs(*stubs, "/stubs", suite.stubs);
    }
    const auto cases = document.find("cases");
    if (cases == document.end()) {
        m_sink.error(parsing::kMissingField, "/cases", "a test suite needs \"cases\": [ ... ]");
        return;
    }
    if (!expectType(*cases, Json::value_t::array, "/cases", "cases")) {
        return;
    }
    if (cases->size() > m_limits.maxCases) {
        m_sink.error(parsing::kLimitExceeded, "/cases",
                     "the suite has " + std::to_string(cases->size()) +
                         " cases, more than the limit of " + std::to_string(m_limits.maxCases));
        return;
    }
    suite.cases.resize(cases->size());
    for (size_t i = 0; i < cases->size(); ++i) {
        readCase((*cases)[i], "/cases/" + std::to_string(i), suite.cases[i]);
    }
}

void SuiteReader::readStubs(const Json& value, const std::string& pointer, Json& out) {
    if (!expectType(value, Json::value_t::object, pointer, "stubs")) {
        return;
    }
    StubGateway scratch; // validation only: the stub-file reader owns the format
    for (Diagnostic d : loadStubs(value.dump(), scratch)) {
        m_sink.error(d.code.c_str(), pointer + d.pointer, d.message);
    }
    out = value;
}

void SuiteReader::readCase(const Json& value, const std::string& pointer, TestCase& out) {
    if (!expectType(value, Json::value_t::object, pointer, "a test case")) {
        return;
    }
    checkKeys(value, pointer, {"name", "description", "user", "stubs", "turns"}, "test case");
    out.name = readString(value, "name", pointer).value_or("");
    if (out.name.empty()) {
        out.name = "case " + pointer.substr(pointer.rfind('/') + 1);
    }
    if (const auto user = value.find("user"); user != value.end()) {
        if (expectType(*user, Json::value_t::object, pointer + "/user", "user")) {
            out.user = *user;
        }
    }
    if (const auto stubs = value.find("stubs"); stubs != value.end()) {
        readStubs(*stubs, pointer + "/stubs", out.stubs);
    }
    const auto turns = value.find("turns");
    if (turns == value.end()) {
        m_sink.error(parsing::kMissingField, pointer + "/turns",
                     "test case '" + out.name + "' needs \"turns\": [ ... ]");
        return;
    }
    if (!expectType(*turns, Json::value_t::array, pointer + "/turns", "turns")) {
        return;
    }
    if (turns->empty() || turns->size() > m_limits.maxTurnsPerCase) {
        m_sink.error(turns->empty() ? kInvalidValue : parsing::kLimitExceeded, pointer + "/turns",
                     "test case '" + out.name + "' has " + std::to_string(turns->size()) +
                         " turns; it needs 1 to " + std::to_string(m_limits.maxTurnsPerCase));
        return;
    }
    out.turns.resize(turns->size());
    for (size_t i = 0; i < turns->size(); ++i) {
        readTurn((*turns)[i], pointer + "/turns/" + std::to_string(i), i == 0, out.turns[i]);
    }
}

void SuiteReader::readTurn(const Json& value, const std::string& pointer, bool first,
                           TestTurn& out) {
    if (!expectType(value, Json::value_t::object, pointer, "a turn")) {
        return;
    }
    checkKeys(value, pointer, {"input", "type", "attributes", "set", "expect"}, "turn");
    out.input = readString(value, "input", pointer);
    const auto type = readString(value, "type", pointer);
    out.type = type.value_or("text");
    if (!first && !out.input && !type) {
        m_sink.error(parsing::kMissingField, pointer + "/input",
                     "only the first turn may leave out \"input\" (it then checks the opening "
                     "message); give this turn an \"input\" or an event \"type\" such as "
                     "\"timeout\"");
    }
    const bool opening = first && !out.input && !type;
    if (const auto attributes = value.find("attributes"); attributes != value.end()) {
        if (expectType(*attributes, Json::value_t::object, pointer + "/attributes", "attributes")) {
            for (auto it = attributes->begin(); it != attributes->end(); ++it) {
                const std::string at = pointer + "/attributes/" + escapePointerToken(it.key());
                if (expectType(*it, Json::value_t::string, at, "an attribute")) {
                    out.attributes[it.key()] = it->get<std::string>();
                }
            }
        }
    }
    if (const auto set = value.find("set"); set != value.end()) {
        if (opening) {
            m_sink.error(kInvalidValue, pointer + "/set",
                         "the opening turn cannot \"set\" anything; give the case a \"user\"");
        } else {
            readSet(*set, pointer + "/set", out.set);
        }
    }
    if (const auto expect = value.find("expect"); expect != value.end()) {
        readExpect(*expect, pointer + "/expect", out.expect);
    }
}

void SuiteReader::readSet(const Json& value, const std::string& pointer, Json& out) {
    if (!expectType(value, Json::value_t::object, pointer, "set")) {
        return;
    }
    checkKeys(value, pointer, {"slots", "vars", "user"}, "set");
    bool ok = true;
    for (auto it = value.begin(); it != value.end(); ++it) {
        ok = expectType(*it, Json::value_t::object, pointer + "/" + it.key(), "each part of set") &&
             ok;
    }
    if (ok) {
        out = value;
    }
}

void SuiteReader::readExpect(const Json& value, const std::string& pointer, TestExpectation& out) {
    if (!expectType(value, Json::value_t::object, pointer, "expect")) {
        return;
    }
    checkKeys(value, pointer,
              {"state", "path", "reply", "reply_contains", "reply_matches", "intent", "slots",
               "vars", "error"},
              "expectation");
    out.state = readString(value, "state", pointer);
    out.reply = readString(value, "reply", pointer);
    out.replyContains = readString(value, "reply_contains", pointer);
    out.intent = readString(value, "intent", pointer);
    out.replyMatches = readString(value, "reply_matches", pointer);
    if (out.replyMatches) {
        try {
            std::regex check(*out.replyMatches, std::regex::ECMAScript);
        } catch (const std::regex_error& e) {
            m_sink.error(kInvalidValue, pointer + "/reply_matches",
                         "reply_matches is not a valid regular expression: " +
                             std::string(e.what()));
        }
    }
    out.error = readString(value, "error", pointer);
    if (out.error && !errorCodeFromString(*out.error)) {
        m_sink.error(kInvalidValue, pointer + "/error",
                     "'" + *out.error + "' is not an engine error code (e.g. TIMEOUT_ERROR)");
    }
    if (const auto path = value.find("path"); path != value.end()) {
        if (expectType(*path, Json::value_t::array, pointer + "/path", "path")) {
            std::vector<std::string> states;
            for (size_t i = 0; i < path->size(); ++i) {
                const std::string at = pointer + "/path/" + std::to_string(i);
                if (expectType((*path)[i], Json::value_t::string, at, "a path entry")) {
                    states.push_back((*path)[i].get<std::string>());
                }
            }
            out.path = std::move(states);
        }
    }
    for (const char* key : {"slots", "vars"}) {
        const auto it = value.find(key);
        if (it != value.end() && expectType(*it, Json::value_t::object, pointer + "/" + key, key)) {
            (std::string_view(key) == "slots" ? out.slots : out.vars) = *it;
        }
    }
}

} // namespace

std::vector<Diagnostic> parseTestSuite(std::string_view text, TestSuite& out,
                                       const TestSuiteLimits& limits) {
    DiagnosticSink sink;
    if (text.size() > limits.maxBytes) {
        sink.error(parsing::kLimitExceeded, "",
                   "the suite file is " + std::to_string(text.size()) +
                       " bytes, more than the limit of " + std::to_string(limits.maxBytes));
        return sink.take();
    }
    Json document;
    ParseLimits parseLimits;
    parseLimits.maxBytes = limits.maxBytes;
    if (!parsing::readDocument(text, parseLimits, sink, document) || sink.hasErrors()) {
        return sink.take();
    }
    TestSuite suite;
    SuiteReader(sink, limits).readSuite(document, suite);
    if (!sink.hasErrors()) {
        out = std::move(suite);
    }
    return sink.take();
}

std::vector<Diagnostic> loadTestSuiteFile(const std::string& path, TestSuite& out,
                                          const TestSuiteLimits& limits) {
    std::ifstream file(path, std::ios::binary);
    if (!file) {
        Diagnostic d;
        d.code = parsing::kFileError;
        d.message = "cannot read test suite '" + path + "'";
        return {d};
    }
    file.seekg(0, std::ios::end);
    const auto size = static_cast<size_t>(std::max<std::streamoff>(0, file.tellg()));
    if (size > limits.maxBytes) {
        Diagnostic d;
        d.code = parsing::kLimitExceeded;
        d.message = "test suite '" + path + "' is " + std::to_string(size) +
                    " bytes, more than the limit of " + std::to_string(limits.maxBytes);
        return {d};
    }
    file.seekg(0);
    std::ostringstream text;
    text << file.rdbuf();
    return parseTestSuite(text.str(), out, limits);
}

} // namespace flowdeck::engine
