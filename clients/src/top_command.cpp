// flowctl top: a node's traffic, one line per WatchMetrics snapshot.
#include "commands.h"

#include "flowdeck/client/telemetry_client.h"
#include "watch_handoff.h"

#include <CLI/CLI.hpp>

#include <cmath>
#include <ctime>
#include <iomanip>
#include <iostream>
#include <sstream>

namespace flowdeck::client {

namespace {

std::string clockTime(std::chrono::system_clock::time_point time) {
    const std::time_t seconds = std::chrono::system_clock::to_time_t(time);
    std::tm local{};
    localtime_r(&seconds, &local);
    char text[16];
    std::strftime(text, sizeof text, "%H:%M:%S", &local);
    return text;
}

std::string milliseconds(const std::optional<double>& value) {
    if (!value) {
        return "-";
    }
    std::ostringstream out;
    out << std::fixed << std::setprecision(*value < 10 ? 2 : 1) << *value;
    return out.str();
}

std::string fixed(double value, int decimals) {
    std::ostringstream out;
    out << std::fixed << std::setprecision(decimals) << value;
    return out.str();
}

std::string percent(const std::optional<double>& rate) {
    return rate ? fixed(*rate * 100.0, 2) + "%" : "-";
}

void printHeader(const TopOptions& options, const MetricsSnapshot& first, std::ostream& out) {
    out << "node " << first.nodeId << " at " << options.address << ", every "
        << std::chrono::duration<double>(options.interval).count()
        << " s (first line: since the node started)\n"
        << std::left << std::setw(10) << "TIME" << std::right << std::setw(9) << "REQ/S"
        << std::setw(9) << "MSG/S" << std::setw(9) << "P50 ms" << std::setw(9) << "P95 ms"
        << std::setw(9) << "P99 ms" << std::setw(8) << "ERR%" << std::setw(8) << "ACTIVE"
        << "\n";
}

void printLine(const MetricsSnapshot& snapshot, const TrafficSummary& summary, std::ostream& out) {
    out << std::left << std::setw(10) << clockTime(snapshot.takenAt) << std::right << std::setw(9)
        << fixed(summary.requestsPerSecond, 1) << std::setw(9)
        << fixed(summary.messagesPerSecond, 1) << std::setw(9) << milliseconds(summary.p50Ms)
        << std::setw(9) << milliseconds(summary.p95Ms) << std::setw(9)
        << milliseconds(summary.p99Ms) << std::setw(8) << percent(summary.errorRate) << std::setw(8)
        << fixed(summary.activeConversations, 0) << std::endl;
}

} // namespace

std::optional<std::chrono::milliseconds> parseDuration(std::string_view text) {
    double factor = 1000.0; // a bare number is seconds
    std::string number(text);
    if (number.ends_with("ms")) {
        factor = 1.0;
        number.resize(number.size() - 2);
    } else if (number.ends_with('s')) {
        number.pop_back();
    } else if (number.ends_with('m')) {
        factor = 60000.0;
        number.pop_back();
    }
    try {
        size_t used = 0;
        const double value = std::stod(number, &used);
        if (used != number.size() || !std::isfinite(value) || value < 0 || value > 86400.0e3) {
            return std::nullopt;
        }
        return std::chrono::milliseconds(std::llround(value * factor));
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

CLI::Option* addDurationOption(CLI::App& cmd, const std::string& name,
                               std::chrono::milliseconds& target, const std::string& help) {
    auto* option = cmd.add_option_function<std::string>(
        name,
        [&target, name](const std::string& text) {
            const auto duration = parseDuration(text);
            if (!duration) {
                throw CLI::ValidationError(name,
                                           "'" + text + "' is not a duration like 500ms or 2s");
            }
            target = *duration;
        },
        help);
    option->type_name("DURATION");
    return option;
}

void addTop(CLI::App& app, TopOptions& options) {
    auto* cmd = app.add_subcommand(
        "top", "Show a running flowd's traffic live: requests/s, latency percentiles, error rate, "
               "active conversations");
    cmd->add_option("address", options.address, "The node's gRPC address, HOST:PORT")->required();
    addDurationOption(*cmd, "--interval", options.interval,
                      "Time between lines (default 1s; the node allows 100ms to 60s)");
    cmd->add_option("--count", options.count, "Stop after this many lines (default: never)");
    addDurationOption(*cmd, "--connect-timeout", options.connectTimeout,
                      "Give up when the node cannot be reached within this (default 5s)");
    addCredentialOptions(*cmd, options.credentials);
}

int runTop(const TopOptions& options, Streams& io) {
    Handoff<MetricsSnapshot, 16> handoff;
    TelemetryWatch watch;
    MetricsWatchOptions watchOptions;
    watchOptions.address = options.address;
    watchOptions.interval = options.interval;
    watchOptions.families = {"flowdeck_", "process_start_time_seconds"};
    watchOptions.connectTimeout = options.connectTimeout;
    watchOptions.credentials = withEnvironment(options.credentials);
    watch.start(
        watchOptions, [&](const MetricsSnapshot& snapshot) { handoff.push(snapshot); },
        [&](const WatchEnd& end) { handoff.finish(end); });
    std::optional<MetricsSnapshot> previous;
    for (size_t printed = 0; options.count == 0 || printed < options.count; ++printed) {
        WatchEnd end;
        auto snapshot = handoff.next(&end);
        if (!snapshot) {
            io.err << "flowctl top: " << (end.message.empty() ? "the stream ended" : end.message)
                   << "\n";
            return kExitFailed;
        }
        if (!previous) {
            printHeader(options, *snapshot, io.out);
        }
        printLine(*snapshot, summarize(previous ? &*previous : nullptr, *snapshot), io.out);
        previous = std::move(snapshot);
    }
    watch.stop();
    return kExitOk;
}

} // namespace flowdeck::client
