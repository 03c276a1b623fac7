#pragma once

#include "load_driver.h"
#include "process_watch.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

namespace flowdeck::bench {

// Everything one run measured, ready to print.
struct LoadReport {
    const LoadOptions* options = nullptr;
    std::string scriptOrigin;
    LoadCounts counts;
    double windowSeconds = 0;    // from the end of warm-up to the last answer (or the end)
    double clientCpuSeconds = 0; // this process, over the measured window
    std::optional<ProcessSummary> watched;
    long watchedPid = 0;

    double messagesPerSecond() const;
    nlohmann::ordered_json toJson() const;
    std::string toText() const;
};

} // namespace flowdeck::bench
