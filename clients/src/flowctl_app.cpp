#include "flowdeck/client/flowctl_app.h"

#include "cluster_command.h"
#include "commands.h"

#include <CLI/CLI.hpp>

#include <iostream>
#include <unistd.h>

namespace flowdeck::client {

namespace {

void addValidate(CLI::App& app, ValidateOptions& options) {
    auto* cmd = app.add_subcommand(
        "validate", "Parse and lint a flow; exit 0 when valid, 1 when it has errors");
    cmd->add_option("file", options.file, "Flow JSON file")->required();
    cmd->add_flag("--json", options.json, "Print the diagnostics as JSON on stdout");
}

void addSimulate(CLI::App& app, SimulateOptions& options) {
    auto* cmd = app.add_subcommand(
        "simulate", "Chat with a flow in the embedded engine, one user line per message");
    cmd->add_option("file", options.file, "Flow JSON file")->required();
    cmd->add_option("--script", options.script, "Read user lines from this file instead of stdin");
    cmd->add_option("--stubs", options.stubs,
                    "Recorded integration responses (default: <flow>.stubs.json when present)");
    cmd->add_flag("--live", options.live, "Call integrations over real HTTP instead of stubs");
    cmd->add_flag("--trace", options.trace, "Print every step the engine took for each message");
    cmd->add_option("--user", options.user,
                    "User profile as a JSON object, e.g. '{\"name\":\"Ada\"}'");
    cmd->add_option("--locale", options.locale, "Locale for response_templates, e.g. de");
    cmd->footer("Lines starting with '#' are comments. '/timeout' sends an idle timeout event, "
                "'/state' shows the conversation, '/quit' stops.");
}

void addGenerate(CLI::App& app, GenerateOptions& options) {
    auto* cmd = app.add_subcommand(
        "generate",
        "Write a large valid flow that uses every state type (for load and benchmarks)");
    cmd->add_option("--states", options.states, "Number of states (rounded up to a multiple of 10)")
        ->check(CLI::Range(size_t{10}, size_t{100000}));
    cmd->add_option("-o,--output", options.output, "Output file (default: stdout)");
}

void addDiff(CLI::App& app, DiffOptions& options) {
    auto* cmd = app.add_subcommand(
        "diff", "Compare two flows; exit 0 when equal, 1 when different, 2 when either is invalid");
    cmd->add_option("before", options.before, "Old flow JSON file")->required();
    cmd->add_option("after", options.after, "New flow JSON file")->required();
    cmd->add_flag("--json", options.json, "Print the differences as JSON on stdout");
    cmd->add_flag("--no-renames", options.noRenames,
                  "Report a renamed state as one removed and one added state");
}

void addTest(CLI::App& app, TestOptions& options) {
    auto* cmd = app.add_subcommand(
        "test", "Run a test suite against a flow; exit 0 when all cases pass, 1 when some fail, "
                "2 when the flow or suite is invalid");
    cmd->add_option("file", options.file, "Flow JSON file")->required();
    cmd->add_option("--suite", options.suite, "Test suite JSON file (see docs/testing.md)")
        ->required();
    cmd->add_option("--junit", options.junit, "Also write a JUnit XML report to this file");
    cmd->add_flag("--json", options.json, "Print the results as JSON on stdout");
}

} // namespace

int runFlowctl(int argc, const char* const* argv, std::istream& in, std::ostream& out,
               std::ostream& err) {
    CLI::App app{"flowctl: validate, simulate and test conversation flows; push, deploy and roll "
                 "them back on a node",
                 "flowctl"};
    app.require_subcommand(1);
    ValidateOptions validate;
    SimulateOptions simulate;
    GenerateOptions generate;
    DiffOptions diff;
    TestOptions test;
    addValidate(app, validate);
    addSimulate(app, simulate);
    addGenerate(app, generate);
    addDiff(app, diff);
    addTest(app, test);
    TopOptions top;
    EventsOptions events;
    addTop(app, top);
    addEvents(app, events);
    ReleaseCommandLine release;
    addReleaseCommands(app, release);
    ClusterCommandLine cluster;
    addClusterCommands(app, cluster);
    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        out << app.help();
        return kExitOk;
    } catch (const CLI::CallForAllHelp& e) {
        out << app.help("", CLI::AppFormatMode::All);
        return kExitOk;
    } catch (const CLI::ParseError& e) {
        // Help of a subcommand arrives as CallForHelp too; anything else is a usage error.
        err << "flowctl: " << e.what() << "\n"
            << "Run 'flowctl --help' for usage.\n";
        return kExitUsage;
    }
    Streams io{in, out, err, &in == &std::cin && isatty(STDIN_FILENO) != 0};
    if (app.got_subcommand("validate")) {
        return runValidate(validate, io);
    }
    if (app.got_subcommand("simulate")) {
        return runSimulate(simulate, io);
    }
    if (app.got_subcommand("diff")) {
        return runDiff(diff, io);
    }
    if (app.got_subcommand("test")) {
        return runTest(test, io);
    }
    if (app.got_subcommand("top")) {
        return runTop(top, io);
    }
    if (app.got_subcommand("events")) {
        return runEvents(events, io);
    }
    if (const auto code = runReleaseCommand(app, release, io)) {
        return *code;
    }
    if (const auto code = runClusterCommand(cluster, io)) {
        return *code;
    }
    return runGenerate(generate, io);
}

} // namespace flowdeck::client
