// bench-flowd-grpc: drives flowd's Conversations.ProcessMessage over gRPC with the async API and
// reports throughput and latency (docs/benchmarks.md, "flowd over gRPC"). Closed loop keeps
// --concurrency calls in flight; open loop (--rate) sends on a fixed schedule and measures from
// each message's scheduled time, so a server that falls behind shows its queue in the latencies.
#include "load_driver.h"
#include "load_report.h"
#include "load_script.h"
#include "process_watch.h"

#include <CLI/CLI.hpp>
#include <absl/synchronization/mutex.h>

#include <sys/resource.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <iostream>
#include <thread>

using namespace flowdeck::bench;

namespace {

struct Settings {
    LoadOptions load;
    std::string duration = "10s";
    std::string warmup = "2s";
    std::string timeout = "10s";
    std::string connectTimeout = "5s";
    std::string sendTick = "0";
    std::string scriptFile;
    long watchPid = 0;
    bool json = false;
};

// "500ms", "2s", "1.5s", "10m", or a plain number of seconds.
bool parseDuration(const std::string& text, std::chrono::milliseconds& out) {
    try {
        size_t used = 0;
        const double value = std::stod(text, &used);
        const std::string unit = text.substr(used);
        double factor = 0;
        if (unit.empty() || unit == "s") {
            factor = 1000;
        } else if (unit == "ms") {
            factor = 1;
        } else if (unit == "m" || unit == "min") {
            factor = 60000;
        }
        if (factor == 0 || value < 0 || value * factor > 7 * 24 * 3600e3) {
            return false;
        }
        out = std::chrono::milliseconds(std::llround(value * factor));
        return true;
    } catch (const std::exception&) {
        return false;
    }
}

double cpuSecondsSelf() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    const auto seconds = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
    return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

std::string defaultIdPrefix() {
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    char text[48];
    std::snprintf(text, sizeof text, "load-%lx-%d",
                  static_cast<unsigned long>(
                      std::chrono::duration_cast<std::chrono::milliseconds>(now).count()),
                  static_cast<int>(getpid()));
    return text;
}

// Checks what CLI11 cannot; false with the message to print.
bool finishSettings(Settings& settings, LoadScript& script, std::string* error) {
    auto& load = settings.load;
    const std::pair<const std::string*, std::chrono::milliseconds*> durations[] = {
        {&settings.duration, &load.duration},
        {&settings.warmup, &load.warmup},
        {&settings.timeout, &load.timeout},
        {&settings.connectTimeout, &load.connectTimeout},
        {&settings.sendTick, &load.sendTick}};
    for (const auto& [text, value] : durations) {
        if (!parseDuration(*text, *value)) {
            *error = "not a duration: '" + *text + "' (write e.g. 500ms, 10s, 2m)";
            return false;
        }
    }
    if (load.duration.count() == 0 || load.timeout.count() == 0) {
        *error = "--duration and --timeout must be more than 0";
        return false;
    }
    if (settings.scriptFile.empty()) {
        script = builtInScript(load.flow);
        if (script.conversations.empty()) {
            *error = "no built-in lines for flow '" + load.flow +
                     "' (table_booking and order_support have some): pass --messages-script";
            return false;
        }
    } else if (!readScript(settings.scriptFile, script, error)) {
        return false;
    }
    if (load.idPrefix.empty()) {
        load.idPrefix = defaultIdPrefix();
    }
    if (settings.watchPid != 0 && !ProcessWatch::read(static_cast<pid_t>(settings.watchPid))) {
        *error = "--watch-pid " + std::to_string(settings.watchPid) +
                 ": no such process, or its /proc entry is not readable";
        return false;
    }
    return true;
}

void addOptions(CLI::App& app, Settings& s) {
    auto& l = s.load;
    app.add_option("--target", l.target, "flowd's gRPC address HOST:PORT")->required();
    app.add_option("--token", l.token, "Bearer token (default: $FLOWDECK_TOKEN)")
        ->envname("FLOWDECK_TOKEN");
    app.add_option("--tenant", l.tenant, "tenant_id of every message")->capture_default_str();
    app.add_option("--flow", l.flow, "hints.force_flow: the flow new conversations start on");
    app.add_option("--conversations", l.conversations,
                   "Conversations in play at once; each has at most one message in flight")
        ->capture_default_str()
        ->check(CLI::Range(size_t{1}, size_t{1000000}));
    app.add_option("--messages-script", s.scriptFile,
                   "Lines to send: one message a line, a blank line ends a conversation, "
                   "# starts a comment (default: built-in lines for --flow)")
        ->check(CLI::ExistingFile);
    app.add_option("--concurrency", l.concurrency, "Calls in flight at most")
        ->capture_default_str()
        ->check(CLI::Range(size_t{1}, size_t{100000}));
    app.add_option("--rate", l.rate,
                   "Messages a second on a fixed schedule; 0 = as fast as "
                   "--concurrency allows")
        ->capture_default_str()
        ->check(CLI::Range(0.0, 1e7));
    app.add_option("--send-tick", s.sendTick,
                   "With --rate: wake at most once per tick (e.g. 1ms) and send every message "
                   "due; each is still timed from its place in the schedule, so the tick counts "
                   "in the latency. Costs the driver less CPU on a machine it shares with flowd")
        ->capture_default_str();
    app.add_option("--duration", s.duration, "Measured time")->capture_default_str();
    app.add_option("--warmup", s.warmup, "Time before the measured window")->capture_default_str();
    app.add_option("--timeout", s.timeout, "Deadline of each call")->capture_default_str();
    app.add_option("--connect-timeout", s.connectTimeout, "Give up connecting after this")
        ->capture_default_str();
    app.add_option("--threads", l.threads, "Client threads, each with its own connection")
        ->capture_default_str()
        ->check(CLI::Range(1, 16));
    app.add_option("--watch-pid", s.watchPid,
                   "Sample this process's RSS and CPU time from /proc every second");
    app.add_option("--id-prefix", l.idPrefix, "Conversation ids start with this (default: unique)");
    app.add_flag("!--no-idempotency-keys", l.idempotencyKeys,
                 "Send messages without an idempotency key");
    app.add_option("--show", l.show, "Print the first N exchanges to stderr (checks a script)")
        ->check(CLI::Range(0, 100000));
    app.add_flag("--json", s.json, "Print the results as one JSON object");
}

// Runs the load. This process's CPU time and the watched process are read at the end of the
// warm-up and once every call is answered, so the window holds all the work of its messages.
LoadReport measure(const Settings& settings, const LoadScript& script,
                   const std::vector<std::shared_ptr<grpc::Channel>>& channels) {
    const auto& load = settings.load;
    std::optional<ProcessWatch> watch;
    if (settings.watchPid != 0) {
        watch.emplace(static_cast<pid_t>(settings.watchPid));
        watch->start();
    }
    LoadDriver driver(load, script, channels);
    Schedule schedule;
    schedule.start = Clock::now();
    schedule.warmupEnd = schedule.start + load.warmup;
    schedule.end = schedule.warmupEnd + load.duration;
    driver.start(schedule);
    std::this_thread::sleep_until(schedule.warmupEnd);
    const double cpuBefore = cpuSecondsSelf();
    const auto watchFrom = watch ? watch->sampleNow() : Clock::now();

    LoadReport report;
    report.options = &load;
    report.scriptOrigin = script.origin;
    report.counts = driver.wait();
    report.clientCpuSeconds = cpuSecondsSelf() - cpuBefore;
    report.counts.scheduled = static_cast<uint64_t>(
        std::llround(load.rate * std::chrono::duration<double>(load.duration).count()));
    const auto windowEnd = std::max(schedule.end, report.counts.lastAnswer);
    report.windowSeconds = std::chrono::duration<double>(windowEnd - schedule.warmupEnd).count();
    if (watch) {
        const auto watchTo = watch->sampleNow();
        watch->stop();
        report.watched = watch->summary(watchFrom, watchTo);
        report.watchedPid = settings.watchPid;
    }
    return report;
}

int run(Settings& settings) {
    LoadScript script;
    std::string error;
    if (!finishSettings(settings, script, &error)) {
        std::fprintf(stderr, "bench-flowd-grpc: %s\n", error.c_str());
        return 2;
    }
    const auto& load = settings.load;
    if (load.conversations < load.concurrency) {
        std::fprintf(stderr,
                     "bench-flowd-grpc: only %zu calls can be in flight: one per conversation\n",
                     load.conversations);
    }
    const auto channels = connectChannels(load, &error);
    if (channels.empty()) {
        std::fprintf(stderr, "bench-flowd-grpc: %s\n", error.c_str());
        return 2;
    }
    const LoadReport report = measure(settings, script, channels);
    std::cout << (settings.json ? report.toJson().dump() + "\n" : report.toText()) << std::flush;
    return report.counts.ok > 0 ? 0 : 1;
}

} // namespace

int main(int argc, char** argv) {
    // As in flowd: Debian's Abseil checks lock order on every gRPC mutex unless told not to.
    absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
    Settings settings;
    CLI::App app{"bench-flowd-grpc: load flowd's ProcessMessage over gRPC and measure it"};
    addOptions(app, settings);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e) == 0 ? 0 : 2;
    }
    return run(settings);
}
