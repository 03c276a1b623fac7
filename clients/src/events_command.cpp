// flowctl events: a node's events (WatchEvents), one line each.
#include "commands.h"

#include "flowdeck/client/telemetry_client.h"
#include "watch_handoff.h"

#include <CLI/CLI.hpp>

#include <ctime>
#include <iomanip>
#include <iostream>

namespace flowdeck::client {

namespace {

std::string utcTime(std::chrono::system_clock::time_point time) {
    const std::time_t seconds = std::chrono::system_clock::to_time_t(time);
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
    return text;
}

void printEvent(const ClusterEvent& event, std::ostream& out) {
    out << utcTime(event.time) << "  " << std::left << std::setw(9) << toString(event.severity)
        << std::setw(15) << toString(event.kind) << event.nodeId << "  " << event.summary;
    if (const auto trace = event.labels.find("trace_id"); trace != event.labels.end()) {
        out << " [trace " << trace->second << "]";
    }
    out << std::endl;
}

} // namespace

void addEvents(CLI::App& app, EventsOptions& options) {
    auto* cmd = app.add_subcommand(
        "events", "Follow a running flowd's events: engine errors, nodes up and down, alerts");
    cmd->add_option("address", options.address, "The node's gRPC address, HOST:PORT")->required();
    cmd->add_option("--count", options.count, "Stop after this many events (default: never)");
    cmd->add_option("--kind", options.kinds,
                    "Only events of this kind (repeatable): ALERT_FIRING, ALERT_RESOLVED, "
                    "RELEASE, NODE_UP, NODE_DOWN, FAULT, CAPTURE");
    cmd->add_option("--replay", options.replay,
                    "First print up to this many recent events (at most 1000)")
        ->check(CLI::Range(0, 1000));
    addDurationOption(*cmd, "--connect-timeout", options.connectTimeout,
                      "Give up when the node cannot be reached within this (default 5s)");
    addCredentialOptions(*cmd, options.credentials);
}

int runEvents(const EventsOptions& options, Streams& io) {
    EventsWatchOptions watchOptions;
    watchOptions.address = options.address;
    watchOptions.replay = options.replay;
    watchOptions.connectTimeout = options.connectTimeout;
    watchOptions.credentials = withEnvironment(options.credentials);
    for (const auto& name : options.kinds) {
        const auto kind = eventKindFromString(name);
        if (!kind) {
            io.err << "flowctl events: unknown kind '" << name
                   << "' (ALERT_FIRING, ALERT_RESOLVED, RELEASE, NODE_UP, NODE_DOWN, FAULT, "
                      "CAPTURE)\n";
            return kExitUsage;
        }
        watchOptions.kinds.push_back(*kind);
    }
    Handoff<ClusterEvent, 1024> handoff;
    EventWatch watch;
    watch.start(
        watchOptions, [&](const ClusterEvent& event) { handoff.push(event); },
        [&](const WatchEnd& end) { handoff.finish(end); });
    for (size_t printed = 0; options.count == 0 || printed < options.count; ++printed) {
        WatchEnd end;
        const auto event = handoff.next(&end);
        if (!event) {
            io.err << "flowctl events: " << (end.message.empty() ? "the stream ended" : end.message)
                   << "\n";
            return kExitFailed;
        }
        printEvent(*event, io.out);
    }
    watch.stop();
    return kExitOk;
}

} // namespace flowdeck::client
