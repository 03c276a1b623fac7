// flowctl flows, versions, push, rollback and history, and the registration of every release
// command (deploy and rollout are in rollout_commands.cpp).
#include "release_commands.h"

#include "release_format.h"

#include <CLI/CLI.hpp>

#include <fstream>
#include <iostream>
#include <sstream>

namespace flowdeck::client {

namespace {

namespace rel = engine::release;
using release_cli::makeClient;
using release_cli::reportFailure;

constexpr size_t kMaxFlowFileBytes = 16u << 20; // what the node accepts (flows.proto)

void addRemoteOptions(CLI::App& cmd, RemoteOptions& options) {
    cmd.add_option("--addr", options.address, "The node's gRPC address (default 127.0.0.1:7443)")
        ->type_name("HOST:PORT");
    cmd.add_option("--tenant", options.tenant, "Tenant (default: default)");
    addDurationOption(cmd, "--timeout", options.timeout, "Give up on a call after this (10s)");
    cmd.add_flag("--json", options.json, "Print the result as JSON on stdout");
    addCredentialOptions(cmd, options.credentials);
}

CLI::App* addCommand(CLI::App& parent, const std::string& name, const std::string& description,
                     ReleaseCommandLine& line) {
    auto* cmd = parent.add_subcommand(name, description);
    addRemoteOptions(*cmd, line.remote);
    return cmd;
}

void addReasonOption(CLI::App& cmd, ReleaseCommandLine& line) {
    cmd.add_option("--reason", line.reason, "Why (required; recorded in the release history)");
}

void addFollowOptions(CLI::App& cmd, ReleaseCommandLine& line) {
    addDurationOption(cmd, "--interval", line.pollInterval,
                      "How often to look at the rollout while following it (default 1s)");
}

void addDeploy(CLI::App& app, ReleaseCommandLine& line) {
    auto* cmd =
        addCommand(app, "deploy",
                   "Roll a stored version of a flow out, straight or through canary steps", line);
    cmd->add_option("flow", line.flow, "Flow id")->required();
    cmd->add_option("version", line.version, "Stored version (see flowctl versions)")->required();
    cmd->add_option("--steps", line.steps,
                    "Canary steps, e.g. \"10%:pause=30s,50%:analysis=5m,100%\" (a step without "
                    "a gate waits for promote; default: straight to 100%)");
    cmd->add_option("--max-error-rate", line.maxErrorRate, "Abort above this canary error rate");
    cmd->add_option("--max-p95-ms", line.maxP95Ms, "Abort above this canary p95 latency (ms)");
    cmd->add_option("--max-fallback-rate", line.maxFallbackRate,
                    "Abort above this share of canary messages taking a fallback");
    cmd->add_option("--min-messages", line.minMessages,
                    "Fewest canary messages for a verdict (default 100)");
    addDurationOption(*cmd, "--check-interval", line.checkInterval,
                      "How often the node checks thresholds (default 10s)");
    addReasonOption(*cmd, line);
    cmd->add_flag("--wait", line.wait,
                  "Follow the rollout until it succeeds (exit 0), aborts (1) or pauses (3)");
    addFollowOptions(*cmd, line);
}

void addRollout(CLI::App& app, ReleaseCommandLine& line) {
    auto* group = app.add_subcommand("rollout", "Look at, promote or abort a flow's rollout");
    group->require_subcommand(1);
    auto* status =
        addCommand(*group, "status", "Show a flow's current (else latest) rollout", line);
    status->add_option("flow", line.flow, "Flow id")->required();
    status->add_option("--id", line.rolloutId, "This rollout instead of the flow's current one");
    status->add_flag("--watch", line.watch,
                     "Follow the rollout until it ends: exit 0 succeeded, 1 aborted");
    addFollowOptions(*status, line);

    auto* promote = addCommand(*group, "promote",
                               "Move a rollout past its gate to the next step, or to 100%", line);
    promote->add_option("flow", line.flow, "Flow id")->required();
    promote->add_option("--id", line.rolloutId, "Fail unless this is the rollout in progress");
    promote->add_flag("--full", line.full, "Skip the remaining steps: go to 100% now");
    addReasonOption(*promote, line);

    auto* abort = addCommand(
        *group, "abort", "Stop a rollout; new conversations go back to the stable version", line);
    abort->add_option("flow", line.flow, "Flow id")->required();
    abort->add_option("--id", line.rolloutId, "Fail unless this is the rollout in progress");
    addReasonOption(*abort, line);
}

std::optional<std::string> readFlowFile(const std::string& path, std::string* error) {
    std::ifstream file(path, std::ios::binary);
    if (!file) {
        *error = "cannot read " + path;
        return std::nullopt;
    }
    std::string text(kMaxFlowFileBytes + 1, '\0');
    file.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<size_t>(file.gcount()));
    if (text.size() > kMaxFlowFileBytes) {
        *error = path + " is larger than 16 MiB, the most a node accepts";
        return std::nullopt;
    }
    return text;
}

} // namespace

void addReleaseCommands(CLI::App& app, ReleaseCommandLine& line) {
    addCommand(app, "flows", "List a node's flows: active, canary and latest version", line);
    auto* versions = addCommand(app, "versions", "List the stored versions of a flow", line);
    versions->add_option("flow", line.flow, "Flow id")->required();
    versions->add_option("--limit", line.limit, "At most this many, newest first (default 100)")
        ->check(CLI::Range(1, 1000));
    auto* push =
        addCommand(app, "push", "Store a local flow as a new version; prints its id", line);
    push->add_option("file", line.file, "Flow JSON file")->required();
    push->add_option("--flow", line.flow, "Flow id (default: the flow's name)");
    push->add_option("--note", line.note, "Change note, shown in flowctl versions");
    addDeploy(app, line);
    addRollout(app, line);
    auto* rollback = addCommand(
        app, "rollback", "Make an earlier version serve every new conversation at once", line);
    rollback->add_option("flow", line.flow, "Flow id")->required();
    rollback->add_option("--to", line.toVersion,
                         "Version to return to (default: the one active before the current)");
    addReasonOption(*rollback, line);
    auto* history = addCommand(app, "history", "Who released what, when and why", line);
    history->add_option("flow", line.flow, "Only this flow (default: every flow)");
    history->add_option("--limit", line.limit, "At most this many, newest first (default 20)")
        ->check(CLI::Range(1, 1000));
}

std::optional<int> runReleaseCommand(const CLI::App& app, const ReleaseCommandLine& line,
                                     Streams& io) {
    using namespace release_cli;
    if (app.got_subcommand("rollout")) {
        const CLI::App* rollout = app.get_subcommand("rollout");
        if (rollout->got_subcommand("promote")) {
            return runPromote(line, io);
        }
        if (rollout->got_subcommand("abort")) {
            return runAbort(line, io);
        }
        return runRolloutStatus(line, io);
    }
    const std::pair<const char*, int (*)(const ReleaseCommandLine&, Streams&)> commands[] = {
        {"flows", runFlows},   {"versions", runVersions}, {"push", runPush},
        {"deploy", runDeploy}, {"rollback", runRollback}, {"history", runHistory}};
    for (const auto& [name, run] : commands) {
        if (app.got_subcommand(name)) {
            return run(line, io);
        }
    }
    return std::nullopt;
}

void addCredentialOptions(CLI::App& cmd, Credentials& credentials) {
    cmd.add_option("--token", credentials.token,
                   "Bearer token for a node started with --tokens (default: $FLOWDECK_TOKEN)");
    cmd.add_option("--tls-ca", credentials.tlsCaFile, "Speak TLS, trusting this PEM CA bundle")
        ->check(CLI::ExistingFile);
    cmd.add_option("--tls-cert", credentials.tlsCertFile, "Client certificate (PEM), mutual TLS")
        ->check(CLI::ExistingFile);
    cmd.add_option("--tls-key", credentials.tlsKeyFile, "Private key (PEM) of --tls-cert")
        ->check(CLI::ExistingFile);
}

namespace release_cli {

ReleasesClient makeClient(const RemoteOptions& options) {
    ClientOptions client{options.address, options.tenant, options.timeout};
    client.credentials = withEnvironment(options.credentials);
    return ReleasesClient(std::move(client));
}

int reportFailure(const std::string& command, const CallError& error, Streams& io) {
    io.err << "flowctl " << command << ": " << error.message;
    if (!error.errorCode.empty() || !error.traceId.empty()) {
        io.err << " [" << error.errorCode
               << (error.traceId.empty()
                       ? ""
                       : (error.errorCode.empty() ? "trace " : ", trace ") + error.traceId)
               << "]";
    }
    io.err << "\n";
    return kExitFailed;
}

bool requireReason(const std::string& command, const std::string& reason, Streams& io) {
    if (reason.find_first_not_of(" \t\r\n") != std::string::npos) {
        return true;
    }
    io.err << "flowctl " << command
           << ": --reason is required (it goes to the release history)\n"
              "Run 'flowctl "
           << command << " --help' for usage.\n";
    return false;
}

int runFlows(const ReleaseCommandLine& line, Streams& io) {
    auto client = makeClient(line.remote);
    const auto flows = client.listFlows();
    if (!flows) {
        return reportFailure("flows", flows.error, io);
    }
    if (line.remote.json) {
        auto out = nlohmann::ordered_json::array();
        for (const auto& flow : *flows) {
            out.push_back(release_text::toJson(flow));
        }
        io.out << out.dump(2) << "\n";
    } else if (flows->empty()) {
        io.out << "no flows on " << line.remote.address << " for tenant " << line.remote.tenant
               << "\n";
    } else {
        io.out << release_text::flowsTable(*flows);
    }
    return kExitOk;
}

int runVersions(const ReleaseCommandLine& line, Streams& io) {
    auto client = makeClient(line.remote);
    const auto versions =
        client.listVersions(line.flow, line.limit == 0 ? 100 : static_cast<uint32_t>(line.limit));
    if (!versions) {
        return reportFailure("versions", versions.error, io);
    }
    if (line.remote.json) {
        auto out = nlohmann::ordered_json::array();
        for (const auto& version : *versions) {
            out.push_back(release_text::toJson(version));
        }
        io.out << out.dump(2) << "\n";
    } else {
        io.out << release_text::versionsTable(*versions);
    }
    return kExitOk;
}

int runPush(const ReleaseCommandLine& line, Streams& io) {
    std::string error;
    const auto text = readFlowFile(line.file, &error);
    if (!text) {
        io.err << "flowctl push: " << error << "\n";
        return kExitFailed;
    }
    auto client = makeClient(line.remote);
    const auto pushed = client.push(line.flow, *text, line.note);
    if (!pushed) {
        return reportFailure("push", pushed.error, io);
    }
    if (line.remote.json) {
        io.out << nlohmann::ordered_json{{"flow_id", pushed->flowId},
                                         {"version", pushed->version},
                                         {"created", pushed->created}}
                      .dump(2)
               << "\n";
    } else {
        // The version alone, so that a script can capture it: V=$(flowctl push flow.json).
        io.out << pushed->version << "\n";
    }
    return kExitOk;
}

int runRollback(const ReleaseCommandLine& line, Streams& io) {
    if (!requireReason("rollback", line.reason, io)) {
        return kExitUsage;
    }
    auto client = makeClient(line.remote);
    const auto outcome = client.rollback(line.flow, line.toVersion, line.reason);
    if (!outcome) {
        return reportFailure("rollback", outcome.error, io);
    }
    if (line.remote.json) {
        io.out << nlohmann::ordered_json{{"flow_id", outcome->flowId},
                                         {"active_version", outcome->activeVersion},
                                         {"previous_version", outcome->previousVersion},
                                         {"entry", release_text::toJson(outcome->entry)}}
                      .dump(2)
               << "\n";
    } else {
        io.out << "flow " << outcome->flowId << ": " << outcome->activeVersion
               << " now serves every new conversation (was "
               << (outcome->previousVersion.empty() ? "-" : outcome->previousVersion) << ")\n";
    }
    return kExitOk;
}

int runHistory(const ReleaseCommandLine& line, Streams& io) {
    auto client = makeClient(line.remote);
    rel::HistoryQuery query;
    query.flowId = line.flow;
    query.limit = line.limit == 0 ? 20 : line.limit;
    const auto page = client.history(query);
    if (!page) {
        return reportFailure("history", page.error, io);
    }
    if (line.remote.json) {
        nlohmann::ordered_json out{{"entries", nlohmann::ordered_json::array()},
                                   {"total", page->total}};
        for (const auto& entry : page->entries) {
            out["entries"].push_back(release_text::toJson(entry));
        }
        io.out << out.dump(2) << "\n";
        return kExitOk;
    }
    if (page->entries.empty()) {
        io.out << "no release history" << (line.flow.empty() ? "" : " for flow " + line.flow)
               << "\n";
        return kExitOk;
    }
    io.out << release_text::historyTable(page->entries);
    if (page->total > page->entries.size()) {
        io.out << "(" << page->entries.size() << " of " << page->total
               << " entries, newest first; --limit N shows more)\n";
    }
    return kExitOk;
}

} // namespace release_cli

} // namespace flowdeck::client
