#include "flowdeck/engine/release.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>

namespace flowdeck::engine::release {

namespace {

constexpr size_t kMaxSteps = 20;
constexpr int64_t kMinDurationMs = 1000;
constexpr int64_t kMaxDurationMs = 24LL * 3600 * 1000;
constexpr int64_t kMaxCheckIntervalMs = 3600LL * 1000;

std::string_view trim(std::string_view text) {
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
        text.remove_prefix(1);
    }
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
        text.remove_suffix(1);
    }
    return text;
}

std::string number(double value) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.4g", value);
    return buffer;
}

std::optional<std::string> checkRate(const char* name, const std::optional<double>& value) {
    if (value && !(std::isfinite(*value) && *value >= 0.0 && *value <= 1.0)) {
        return std::string("thresholds.") + name + ": " + number(*value) +
               " is not a share between 0 and 1 (e.g. 0.01 for 1%)";
    }
    return std::nullopt;
}

std::optional<std::string> checkStep(const CanaryStep& step, size_t index, uint32_t previous) {
    const std::string where = "steps[" + std::to_string(index) + "]";
    if (step.percent < 1 || step.percent > 100) {
        return where + ".percent: " + std::to_string(step.percent) + " is not between 1 and 100";
    }
    if (step.percent < previous) {
        return where + ".percent: " + std::to_string(step.percent) +
               " is lower than the previous step's " + std::to_string(previous);
    }
    if (step.gate != Gate::Manual &&
        (step.durationMs < kMinDurationMs || step.durationMs > kMaxDurationMs)) {
        return where + "." + std::string(toString(step.gate)) + ": " +
               formatDurationMs(step.durationMs) + " is not between 1s and 24h";
    }
    return std::nullopt;
}

} // namespace

std::string_view toString(RolloutState state) {
    switch (state) {
    case RolloutState::Progressing:
        return "PROGRESSING";
    case RolloutState::Paused:
        return "PAUSED";
    case RolloutState::Succeeded:
        return "SUCCEEDED";
    case RolloutState::Aborted:
        return "ABORTED";
    case RolloutState::RolledBack:
        return "ROLLED_BACK";
    case RolloutState::Unspecified:
        break;
    }
    return "UNSPECIFIED";
}

std::string_view toString(Verdict verdict) {
    switch (verdict) {
    case Verdict::Pass:
        return "PASS";
    case Verdict::Fail:
        return "FAIL";
    case Verdict::Inconclusive:
        return "INCONCLUSIVE";
    case Verdict::Unspecified:
        break;
    }
    return "UNSPECIFIED";
}

std::string_view toString(HistoryAction action) {
    switch (action) {
    case HistoryAction::Published:
        return "PUBLISHED";
    case HistoryAction::DeployStarted:
        return "DEPLOY_STARTED";
    case HistoryAction::StepAdvanced:
        return "STEP_ADVANCED";
    case HistoryAction::Paused:
        return "PAUSED";
    case HistoryAction::Promoted:
        return "PROMOTED";
    case HistoryAction::Completed:
        return "COMPLETED";
    case HistoryAction::Aborted:
        return "ABORTED";
    case HistoryAction::RolledBack:
        return "ROLLED_BACK";
    case HistoryAction::Unspecified:
        break;
    }
    return "UNSPECIFIED";
}

std::string_view toString(Gate gate) {
    switch (gate) {
    case Gate::Pause:
        return "pause";
    case Gate::Analysis:
        return "analysis";
    case Gate::Manual:
        break;
    }
    return "manual";
}

std::optional<std::string> checkPlan(const std::vector<CanaryStep>& steps,
                                     const Thresholds& thresholds) {
    if (steps.size() > kMaxSteps) {
        return "steps: " + std::to_string(steps.size()) + " steps; at most " +
               std::to_string(kMaxSteps) + " are allowed";
    }
    uint32_t previous = 0;
    for (size_t i = 0; i < steps.size(); ++i) {
        if (auto problem = checkStep(steps[i], i, previous)) {
            return problem;
        }
        previous = steps[i].percent;
    }
    if (auto problem = checkRate("max_error_rate", thresholds.maxErrorRate)) {
        return problem;
    }
    if (auto problem = checkRate("max_fallback_rate", thresholds.maxFallbackRate)) {
        return problem;
    }
    if (thresholds.maxP95LatencyMs &&
        !(std::isfinite(*thresholds.maxP95LatencyMs) && *thresholds.maxP95LatencyMs > 0.0)) {
        return "thresholds.max_p95_latency_ms: " + number(*thresholds.maxP95LatencyMs) +
               " is not a positive number of milliseconds";
    }
    if (thresholds.checkIntervalMs != 0 && (thresholds.checkIntervalMs < kMinDurationMs ||
                                            thresholds.checkIntervalMs > kMaxCheckIntervalMs)) {
        return "thresholds.check_interval: " + formatDurationMs(thresholds.checkIntervalMs) +
               " is not between 1s and 1h";
    }
    return std::nullopt;
}

std::optional<int64_t> parseDurationMs(std::string_view text) {
    text = trim(text);
    if (text.empty()) {
        return std::nullopt;
    }
    int64_t total = 0;
    while (!text.empty()) {
        int64_t value = 0;
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (ec != std::errc{} || end == text.data() || value < 0 || value > kMaxDurationMs) {
            return std::nullopt;
        }
        text.remove_prefix(static_cast<size_t>(end - text.data()));
        int64_t unit = 0;
        if (text.starts_with("ms")) {
            unit = 1;
            text.remove_prefix(2);
        } else if (!text.empty() && (text[0] == 's' || text[0] == 'm' || text[0] == 'h')) {
            unit = text[0] == 's' ? 1000 : text[0] == 'm' ? 60'000 : 3'600'000;
            text.remove_prefix(1);
        } else {
            return std::nullopt;
        }
        total += value * unit;
        if (total > 10 * kMaxDurationMs) {
            return std::nullopt;
        }
    }
    return total;
}

std::string formatDurationMs(int64_t ms) {
    if (ms <= 0) {
        return "0s";
    }
    if (ms % 1000 != 0) {
        return std::to_string(ms) + "ms";
    }
    int64_t seconds = ms / 1000;
    std::string out;
    if (seconds >= 3600) {
        out += std::to_string(seconds / 3600) + "h";
        seconds %= 3600;
    }
    if (seconds >= 60) {
        out += std::to_string(seconds / 60) + "m";
        seconds %= 60;
    }
    if (seconds > 0) {
        out += std::to_string(seconds) + "s";
    }
    return out;
}

std::optional<std::vector<CanaryStep>> parseSteps(std::string_view text, std::string* error) {
    std::vector<CanaryStep> steps;
    text = trim(text);
    size_t index = 0;
    while (!text.empty()) {
        const size_t comma = text.find(',');
        const std::string_view item = trim(text.substr(0, comma));
        text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
        const std::string where =
            "step " + std::to_string(index + 1) + " '" + std::string(item) + "'";
        CanaryStep step;
        const size_t colon = item.find(':');
        std::string_view percent = trim(item.substr(0, colon));
        if (percent.ends_with('%')) {
            percent.remove_suffix(1);
        }
        const auto [end, ec] =
            std::from_chars(percent.data(), percent.data() + percent.size(), step.percent);
        if (percent.empty() || ec != std::errc{} || end != percent.data() + percent.size()) {
            *error = where + ": expected a percentage such as 10% before ':'";
            return std::nullopt;
        }
        if (colon != std::string_view::npos) {
            const std::string_view gate = trim(item.substr(colon + 1));
            const size_t equals = gate.find('=');
            const std::string_view kind = trim(gate.substr(0, equals));
            if (kind == "manual" && equals == std::string_view::npos) {
                step.gate = Gate::Manual;
            } else if ((kind == "pause" || kind == "analysis") &&
                       equals != std::string_view::npos) {
                step.gate = kind == "pause" ? Gate::Pause : Gate::Analysis;
                const auto duration = parseDurationMs(gate.substr(equals + 1));
                if (!duration) {
                    *error = where + ": '" + std::string(gate.substr(equals + 1)) +
                             "' is not a duration such as 30s, 5m or 1h";
                    return std::nullopt;
                }
                step.durationMs = *duration;
            } else {
                *error = where + ": the gate must be manual, pause=DURATION or analysis=DURATION";
                return std::nullopt;
            }
        }
        steps.push_back(step);
        if (++index > kMaxSteps) {
            *error = "at most " + std::to_string(kMaxSteps) + " steps are allowed";
            return std::nullopt;
        }
    }
    if (auto problem = checkPlan(steps, Thresholds{})) {
        *error = *problem;
        return std::nullopt;
    }
    return steps;
}

std::string formatSteps(const std::vector<CanaryStep>& steps) {
    std::string out;
    for (const auto& step : steps) {
        if (!out.empty()) {
            out += ',';
        }
        out += std::to_string(step.percent) + "%:" + std::string(toString(step.gate));
        if (step.gate != Gate::Manual) {
            out += "=" + formatDurationMs(step.durationMs);
        }
    }
    return out;
}

AnalysisResult analyze(const Thresholds& thresholds, const VariantMetrics& canary,
                       const VariantMetrics& stable, int64_t windowStartMs, int64_t windowEndMs) {
    AnalysisResult result{windowStartMs, windowEndMs, Verdict::Pass, canary, stable, {}};
    const auto check = [&](const char* name, const std::optional<double>& limit, double observed) {
        if (limit) {
            result.checks.push_back({name, *limit, observed, observed <= *limit});
        }
    };
    check("max_error_rate", thresholds.maxErrorRate, canary.errorRate);
    check("max_p95_latency_ms", thresholds.maxP95LatencyMs, canary.p95LatencyMs);
    check("max_fallback_rate", thresholds.maxFallbackRate, canary.fallbackRate);
    if (canary.messages < thresholds.effectiveMinMessages()) {
        result.verdict = Verdict::Inconclusive;
        return result;
    }
    for (const auto& c : result.checks) {
        if (!c.passed) {
            result.verdict = Verdict::Fail;
        }
    }
    return result;
}

std::string describeBreach(const AnalysisResult& result) {
    std::string out;
    for (const auto& c : result.checks) {
        if (!c.passed) {
            out += (out.empty() ? "" : "; ") + c.name + " " + number(c.observed) + " > " +
                   number(c.limit);
        }
    }
    return out;
}

} // namespace flowdeck::engine::release
