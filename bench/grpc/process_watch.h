#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace flowdeck::bench {

// One reading of a process from /proc.
struct ProcessSample {
    std::chrono::steady_clock::time_point at;
    double rssMib = 0;     // resident set size
    double cpuSeconds = 0; // user + system since the process started
};

// What the watched process did over a window of the run.
struct ProcessSummary {
    size_t samples = 0;
    double rssStartMib = 0;
    double rssEndMib = 0;
    double rssMinMib = 0;
    double rssMaxMib = 0;
    double rssSlopeMibPerMinute = 0; // least-squares line through the samples
    // The same over the second half of the window only: a store's caches and the five-minute
    // active-conversations window fill early, so a leak shows here rather than in the whole.
    double rssSlopeSecondHalfMibPerMinute = 0;
    double cpuSeconds = 0; // used within the window
    bool exited = false;   // the process went away during the run
};

// Reads a process's RSS and CPU time from /proc/PID every second on a thread of its own (the
// way `top` would, without disturbing it). Samples are capped at a week of seconds.
class ProcessWatch final {
public:
    explicit ProcessWatch(pid_t pid);
    ~ProcessWatch();
    ProcessWatch(const ProcessWatch&) = delete;
    ProcessWatch& operator=(const ProcessWatch&) = delete;

    // nullopt when /proc/PID cannot be read (no such process, or not ours to read).
    static std::optional<ProcessSample> read(pid_t pid);

    void start();
    void stop();
    // Takes one extra sample now and returns its time: the window's edges are then exact, not up
    // to a second off.
    std::chrono::steady_clock::time_point sampleNow();
    // The samples taken in [from, to].
    ProcessSummary summary(std::chrono::steady_clock::time_point from,
                           std::chrono::steady_clock::time_point to) const;

private:
    void run();

    const pid_t m_pid;
    mutable std::mutex m_mutex;
    std::vector<ProcessSample> m_samples;
    bool m_exited = false;
    std::atomic<bool> m_stop{false};
    std::thread m_thread;
};

} // namespace flowdeck::bench
