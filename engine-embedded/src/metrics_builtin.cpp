#include "flowdeck/engine/metrics.h"

#include <sys/resource.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

namespace flowdeck::engine {

namespace {

// What proc(5) says of this process in /proc/self/stat, in base units.
struct ProcessStat {
    double cpuSeconds = 0.0;
    double startSecondsSinceBoot = 0.0;
    double virtualBytes = 0.0;
    double residentBytes = 0.0;
};

double fieldValue(const std::vector<std::string>& fields, size_t number) {
    // proc(5) numbers fields from 1; `fields` starts at field 3, after "pid (comm)".
    return number - 3 < fields.size() ? std::strtod(fields[number - 3].c_str(), nullptr) : 0.0;
}

std::optional<ProcessStat> readProcessStat() {
    std::ifstream file("/proc/self/stat");
    std::string line;
    if (!std::getline(file, line)) {
        return std::nullopt;
    }
    // The command name may hold spaces and parentheses: the fields start after the last ')'.
    const size_t close = line.rfind(')');
    if (close == std::string::npos) {
        return std::nullopt;
    }
    std::istringstream rest(line.substr(close + 1));
    std::vector<std::string> fields;
    for (std::string field; rest >> field;) {
        fields.push_back(std::move(field));
    }
    if (fields.size() < 22) {
        return std::nullopt;
    }
    const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
    const double pageBytes = static_cast<double>(sysconf(_SC_PAGESIZE));
    ProcessStat stat;
    stat.cpuSeconds = (fieldValue(fields, 14) + fieldValue(fields, 15)) / ticks; // utime + stime
    stat.startSecondsSinceBoot = fieldValue(fields, 22) / ticks;
    stat.virtualBytes = fieldValue(fields, 23);
    stat.residentBytes = fieldValue(fields, 24) * pageBytes;
    return stat;
}

std::optional<double> bootTimeSeconds() {
    std::ifstream file("/proc/stat");
    for (std::string line; std::getline(file, line);) {
        if (line.starts_with("btime ")) {
            return std::strtod(line.c_str() + 6, nullptr);
        }
    }
    return std::nullopt;
}

double openFileDescriptors() {
    std::error_code error;
    double count = 0;
    for (std::filesystem::directory_iterator it("/proc/self/fd", error), end; !error && it != end;
         it.increment(error)) {
        ++count;
    }
    return count > 0 ? count - 1 : 0; // the iterator's own descriptor
}

double maxFileDescriptors() {
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) {
        return 0.0;
    }
    return static_cast<double>(limit.rlim_cur);
}

struct ProcessMetrics {
    Counter* cpu = nullptr;
    Gauge* resident = nullptr;
    Gauge* virtualMemory = nullptr;
    Gauge* start = nullptr;
    Gauge* openFds = nullptr;
    Gauge* maxFds = nullptr;

    bool complete() const { return cpu && resident && virtualMemory && start && openFds && maxFds; }
};

ProcessMetrics registerProcessFamilies(MetricsRegistry& registry, std::string* error) {
    // client_golang's names and help texts, which dashboards and alert rules already expect.
    ProcessMetrics m;
    m.cpu = registry.counter("process_cpu_seconds_total",
                             "Total user and system CPU time spent in seconds.", error);
    m.resident =
        registry.gauge("process_resident_memory_bytes", "Resident memory size in bytes.", error);
    m.virtualMemory =
        registry.gauge("process_virtual_memory_bytes", "Virtual memory size in bytes.", error);
    m.start = registry.gauge("process_start_time_seconds",
                             "Start time of the process since unix epoch in seconds.", error);
    m.openFds = registry.gauge("process_open_fds", "Number of open file descriptors.", error);
    m.maxFds = registry.gauge("process_max_fds", "Maximum number of open file descriptors.", error);
    return m;
}

} // namespace

bool registerProcessMetrics(MetricsRegistry& registry, std::string* error) {
    const auto stat = readProcessStat();
    const auto boot = bootTimeSeconds();
    if (!stat || !boot) {
        if (error != nullptr) {
            *error = "process metrics: cannot read /proc/self/stat or btime in /proc/stat";
        }
        return false;
    }
    const ProcessMetrics m = registerProcessFamilies(registry, error);
    if (!m.complete()) {
        return false;
    }
    m.start->set(*boot + stat->startSecondsSinceBoot);
    registry.addCollector([m] {
        const auto now = readProcessStat();
        if (now) {
            // Collectors run one at a time, so nothing else moves this counter between the two.
            m.cpu->add(now->cpuSeconds - m.cpu->value());
            m.resident->set(now->residentBytes);
            m.virtualMemory->set(now->virtualBytes);
        }
        m.openFds->set(openFileDescriptors());
        m.maxFds->set(maxFileDescriptors());
    });
    return true;
}

FlowdeckMetrics registerFlowdeckMetrics(MetricsRegistry& registry) {
    FlowdeckMetrics m;
    m.requests = registry.counterFamily("flowdeck_requests_total",
                                        "Requests handled, by API method and status code.",
                                        {"method", "code"});
    m.requestDuration = registry.histogram("flowdeck_request_duration_seconds",
                                           "Time taken to handle a request, in seconds.");
    m.errors = registry.counterFamily("flowdeck_errors_total", "Errors returned, by error code.",
                                      {"code"});
    m.conversationsActive =
        registry.gauge("flowdeck_conversations_active", "Conversations currently active.");
    m.stateTransitions = registry.counterFamily("flowdeck_state_transitions_total",
                                                "State transitions taken, by flow.", {"flow"});
    m.integrationFailures =
        registry.counterFamily("flowdeck_integration_failures_total",
                               "Failed integration calls, by integration.", {"integration"});
    m.rolloutStep = registry.gaugeFamily(
        "flowdeck_rollout_step",
        "Current canary step of the flow's rollout; 0 when none is running.", {"flow"});
    m.messages = registry.counterFamily("flowdeck_messages_total",
                                        "Messages processed, by tenant, flow and outcome.",
                                        {"tenant", "flow", "outcome"});
    return m;
}

} // namespace flowdeck::engine
