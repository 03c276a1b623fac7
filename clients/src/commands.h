#pragma once

// The flowctl subcommands, each a function over already parsed options. Internal to
// libflowdeck_client; runFlowctl() parses the command line and dispatches.

#include <iosfwd>
#include <optional>
#include <string>

namespace flowdeck::client {

// Exit codes shared by every subcommand.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1; // invalid flow, failed message, unreadable file
inline constexpr int kExitUsage = 2;  // bad command line

struct Streams {
    std::istream& in;
    std::ostream& out;
    std::ostream& err;
    bool interactive = false; // stdin is a terminal: prompt, and no echo of input lines
};

struct ValidateOptions {
    std::string file;
    bool json = false;
};
int runValidate(const ValidateOptions& options, Streams& io);

struct SimulateOptions {
    std::string file;
    std::optional<std::string> script; // user lines; stdin when absent
    std::optional<std::string> stubs;  // default: <flow>.stubs.json next to the flow, if present
    bool live = false;                 // real HTTP for every integration, no stubs
    bool trace = false;
    std::string user;   // JSON object for {{user.*}}, e.g. {"name":"Ada"}
    std::string locale; // picks response_templates[locale]
};
int runSimulate(const SimulateOptions& options, Streams& io);

struct GenerateOptions {
    size_t states = 1000;
    std::string output; // "-" or empty: stdout
};
int runGenerate(const GenerateOptions& options, Streams& io);

struct DiffOptions {
    std::string before;
    std::string after;
    bool json = false;
    bool noRenames = false;
};
// Exit 0 when the flows are the same, 1 when they differ, 2 when either does not parse.
int runDiff(const DiffOptions& options, Streams& io);

struct TestOptions {
    std::string file;                 // the flow
    std::string suite;                // --suite: the test suite JSON
    std::optional<std::string> junit; // --junit: where to write a JUnit XML report
    bool json = false;
};
// Exit 0 when every case passes, 1 when some case fails, 2 when the flow or suite is unusable.
int runTest(const TestOptions& options, Streams& io);

} // namespace flowdeck::client
