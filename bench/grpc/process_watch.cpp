#include "process_watch.h"

#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <sstream>

namespace flowdeck::bench {

namespace {

constexpr size_t kMaxSamples = 7 * 24 * 3600;

// Fields 14 and 15 of /proc/PID/stat (utime, stime) in clock ticks. The command name (field 2)
// may hold spaces and parentheses, so counting starts after its last ')'.
std::optional<double> cpuSecondsOf(pid_t pid) {
    std::ifstream file("/proc/" + std::to_string(pid) + "/stat");
    std::string text;
    if (!std::getline(file, text)) {
        return std::nullopt;
    }
    const auto close = text.rfind(')');
    if (close == std::string::npos) {
        return std::nullopt;
    }
    std::istringstream fields(text.substr(close + 2));
    std::string field;
    unsigned long long utime = 0;
    unsigned long long stime = 0;
    for (int index = 3; index <= 15 && fields >> field; ++index) {
        if (index == 14) {
            utime = std::stoull(field);
        } else if (index == 15) {
            stime = std::stoull(field);
        }
    }
    return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

std::optional<double> rssMibOf(pid_t pid) {
    std::ifstream file("/proc/" + std::to_string(pid) + "/statm");
    unsigned long long size = 0;
    unsigned long long resident = 0;
    if (!(file >> size >> resident)) {
        return std::nullopt;
    }
    return static_cast<double>(resident) * static_cast<double>(sysconf(_SC_PAGESIZE)) /
           (1024.0 * 1024.0);
}

double slopePerMinute(const std::vector<ProcessSample>& samples) {
    if (samples.size() < 2) {
        return 0;
    }
    const auto secondsOf = [&](const ProcessSample& s) {
        return std::chrono::duration<double>(s.at - samples.front().at).count();
    };
    double meanT = 0;
    double meanR = 0;
    for (const auto& s : samples) {
        meanT += secondsOf(s);
        meanR += s.rssMib;
    }
    meanT /= static_cast<double>(samples.size());
    meanR /= static_cast<double>(samples.size());
    double covariance = 0;
    double variance = 0;
    for (const auto& s : samples) {
        covariance += (secondsOf(s) - meanT) * (s.rssMib - meanR);
        variance += (secondsOf(s) - meanT) * (secondsOf(s) - meanT);
    }
    return variance > 0 ? covariance / variance * 60.0 : 0.0;
}

} // namespace

ProcessWatch::ProcessWatch(pid_t pid)
    : m_pid(pid) {}

ProcessWatch::~ProcessWatch() {
    stop();
}

std::optional<ProcessSample> ProcessWatch::read(pid_t pid) {
    const auto rss = rssMibOf(pid);
    const auto cpu = cpuSecondsOf(pid);
    if (!rss || !cpu) {
        return std::nullopt;
    }
    return ProcessSample{std::chrono::steady_clock::now(), *rss, *cpu};
}

void ProcessWatch::start() {
    sampleNow();
    m_thread = std::thread([this] { run(); });
}

void ProcessWatch::stop() {
    m_stop = true;
    if (m_thread.joinable()) {
        m_thread.join();
    }
}

std::chrono::steady_clock::time_point ProcessWatch::sampleNow() {
    const auto sample = read(m_pid);
    std::lock_guard lock(m_mutex);
    if (!sample) {
        m_exited = true;
        return std::chrono::steady_clock::now();
    }
    if (m_samples.size() < kMaxSamples) {
        m_samples.push_back(*sample);
    }
    return sample->at;
}

void ProcessWatch::run() {
    auto next = std::chrono::steady_clock::now();
    while (!m_stop) {
        next += std::chrono::seconds(1);
        // Short sleeps, so stop() never waits a whole second.
        while (!m_stop && std::chrono::steady_clock::now() < next) {
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        if (!m_stop) {
            sampleNow();
        }
    }
}

ProcessSummary ProcessWatch::summary(std::chrono::steady_clock::time_point from,
                                     std::chrono::steady_clock::time_point to) const {
    std::lock_guard lock(m_mutex);
    std::vector<ProcessSample> window;
    std::copy_if(m_samples.begin(), m_samples.end(), std::back_inserter(window),
                 [&](const ProcessSample& s) { return s.at >= from && s.at <= to; });
    ProcessSummary out;
    out.exited = m_exited;
    out.samples = window.size();
    if (window.empty()) {
        return out;
    }
    out.rssStartMib = window.front().rssMib;
    out.rssEndMib = window.back().rssMib;
    const auto [low, high] = std::minmax_element(
        window.begin(), window.end(),
        [](const ProcessSample& a, const ProcessSample& b) { return a.rssMib < b.rssMib; });
    out.rssMinMib = low->rssMib;
    out.rssMaxMib = high->rssMib;
    out.rssSlopeMibPerMinute = slopePerMinute(window);
    const auto middle = window.front().at + (window.back().at - window.front().at) / 2;
    std::vector<ProcessSample> secondHalf;
    std::copy_if(window.begin(), window.end(), std::back_inserter(secondHalf),
                 [&](const ProcessSample& s) { return s.at >= middle; });
    out.rssSlopeSecondHalfMibPerMinute = slopePerMinute(secondHalf);
    out.cpuSeconds = window.back().cpuSeconds - window.front().cpuSeconds;
    return out;
}

} // namespace flowdeck::bench
