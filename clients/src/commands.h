#pragma once

// The flowctl subcommands, each a function over already parsed options. Internal to
// libflowdeck_client; runFlowctl() parses the command line and dispatches.

#include <chrono>
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "flowdeck/client/credentials.h"

namespace CLI {
class App;
class Option;
} // namespace CLI

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

// flowctl top / events: live views of a running flowd over its Telemetry API. Each registers its
// own subcommand (add*) so the option parsing lives next to the command.
struct TopOptions {
    std::string address; // host:port of the node's gRPC API
    std::chrono::milliseconds interval{1000};
    size_t count = 0; // lines to print; 0: until interrupted
    std::chrono::milliseconds connectTimeout{5000};
    Credentials credentials;
};
void addTop(CLI::App& app, TopOptions& options);
// Exit 0 after `count` lines, 1 when the node cannot be reached or ends the stream.
int runTop(const TopOptions& options, Streams& io);

struct EventsOptions {
    std::string address;
    size_t count = 0;               // events to print; 0: until interrupted
    std::vector<std::string> kinds; // e.g. ALERT_FIRING, NODE_DOWN; empty: all
    uint32_t replay = 0;            // first print up to this many recent events
    std::chrono::milliseconds connectTimeout{5000};
    Credentials credentials;
};
void addEvents(CLI::App& app, EventsOptions& options);
int runEvents(const EventsOptions& options, Streams& io);

// flowctl flows, versions, push, deploy, rollout status|promote|abort, rollback, history: a node's
// flows and releases over ReleasesClient. One struct holds the options of them all (CLI11 parses
// one subcommand per run); each field says which commands read it.
struct RemoteOptions {
    std::string address = "127.0.0.1:7443"; // --addr: the node's gRPC API
    std::string tenant = "default";
    std::chrono::milliseconds timeout{10000}; // per call
    bool json = false;
    Credentials credentials; // --token, --tls-ca, --tls-cert, --tls-key
};

// --token, --tls-ca, --tls-cert and --tls-key, for every command that talks to a node.
void addCredentialOptions(CLI::App& cmd, Credentials& credentials);

struct ReleaseCommandLine {
    RemoteOptions remote;
    std::string flow;                   // every command but flows and push (history: optional)
    std::string version;                // deploy
    std::string file;                   // push
    std::string note;                   // push --note
    std::string steps;                  // deploy --steps, e.g. "10%:pause=30s,50%:analysis=5m,100%"
    std::optional<double> maxErrorRate; // deploy
    std::optional<double> maxP95Ms;     // deploy
    std::optional<double> maxFallbackRate;        // deploy
    uint64_t minMessages = 0;                     // deploy; 0: the node's default
    std::chrono::milliseconds checkInterval{0};   // deploy; 0: the node's default
    std::string reason;                           // deploy, promote, abort, rollback: required
    bool wait = false;                            // deploy --wait
    bool watch = false;                           // rollout status --watch
    std::chrono::milliseconds pollInterval{1000}; // --wait and --watch
    std::string rolloutId;                        // rollout --id
    bool full = false;                            // rollout promote --full
    std::string toVersion;                        // rollback --to
    size_t limit = 0;                             // versions, history; 0: the command's default
};
void addReleaseCommands(CLI::App& app, ReleaseCommandLine& line);
// The exit code of the release command parsed into `line`; nullopt when `app` ran none of them.
// Exit 0 done, 1 the node refused or could not be reached, 2 usage; deploy --wait also exits 1
// for a rollout that aborted and 3 for one paused waiting for promote.
std::optional<int> runReleaseCommand(const CLI::App& app, const ReleaseCommandLine& line,
                                     Streams& io);

// "250ms", "1s", "1.5s", "2m", or a bare number of seconds.
std::optional<std::chrono::milliseconds> parseDuration(std::string_view text);
// An option of `cmd` that reads such a duration into `target` (a usage error when it is not one).
CLI::Option* addDurationOption(CLI::App& cmd, const std::string& name,
                               std::chrono::milliseconds& target, const std::string& help);

} // namespace flowdeck::client
