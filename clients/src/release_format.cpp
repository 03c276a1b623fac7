// The text side of release_format.h: tables, numbers, times and rollout reports.
#include "release_format.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <iomanip>
#include <sstream>

namespace flowdeck::client::release_text {

namespace {

namespace rel = engine::release;

std::string formatTime(int64_t ms, const char* format) {
    if (ms == 0) {
        return "-";
    }
    const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
    std::tm local{};
    localtime_r(&seconds, &local);
    char text[32];
    std::strftime(text, sizeof text, format, &local);
    return text;
}

std::string orDash(const std::string& text) {
    return text.empty() ? "-" : text;
}

std::string percentOf(double rate) {
    std::ostringstream out;
    out << std::fixed << std::setprecision(2) << rate * 100.0 << "%";
    return out.str();
}

// What holds the current step: "manual gate", "pause 30s", "analysis 5m".
std::string gateText(const rel::Rollout& rollout) {
    if (rollout.currentStep < 0 ||
        static_cast<size_t>(rollout.currentStep) >= rollout.steps.size()) {
        return {};
    }
    const rel::CanaryStep& step = rollout.steps[static_cast<size_t>(rollout.currentStep)];
    if (step.gate == rel::Gate::Manual) {
        return "manual gate";
    }
    return std::string(rel::toString(step.gate)) + " " + rel::formatDurationMs(step.durationMs);
}

std::string variantLine(const char* label, const rel::VariantMetrics& metrics) {
    std::ostringstream out;
    out << label << " " << orDash(metrics.version) << ": " << metrics.messages << " messages, "
        << metrics.errors << " errors (" << percentOf(metrics.errorRate) << "), p95 "
        << number(metrics.p95LatencyMs) << " ms, fallback " << percentOf(metrics.fallbackRate);
    return out.str();
}

// "2.0 at 50%, stable 1.0" while in progress; what serves now once it ended.
std::string versionsText(const rel::Rollout& rollout) {
    const std::string stable = orDash(rollout.stableVersion);
    switch (rollout.state) {
    case rel::RolloutState::Succeeded:
        return rollout.version + " serves 100%" +
               (rollout.stableVersion.empty() ? "" : " (was " + rollout.stableVersion + ")");
    case rel::RolloutState::Aborted:
        return rollout.version + " stopped, " + stable + " serves 100%";
    case rel::RolloutState::RolledBack:
        return rollout.version + " rolled back";
    default:
        return rollout.version + " at " + std::to_string(rollout.currentPercent) + "%, stable " +
               stable;
    }
}

std::string startedText(const rel::Rollout& rollout) {
    std::string text = localTime(rollout.startedAtMs);
    if (!rollout.startedBy.empty()) {
        text += " by " + rollout.startedBy;
    }
    if (!rollout.reason.empty()) {
        text += ": " + rollout.reason;
    }
    return text;
}

void addLine(std::ostringstream& out, const char* label, const std::string& value) {
    out << "  " << std::left << std::setw(11) << label << value << "\n";
}

} // namespace

std::string table(const std::vector<std::vector<std::string>>& rows) {
    std::vector<size_t> widths;
    for (const auto& row : rows) {
        widths.resize(std::max(widths.size(), row.size()), 0);
        for (size_t i = 0; i < row.size(); ++i) {
            widths[i] = std::max(widths[i], row[i].size());
        }
    }
    std::ostringstream out;
    for (const auto& row : rows) {
        std::string line;
        for (size_t i = 0; i < row.size(); ++i) {
            line += row[i];
            if (i + 1 < row.size()) {
                line += std::string(widths[i] - row[i].size() + 2, ' ');
            }
        }
        out << line << "\n";
    }
    return out.str();
}

std::string number(double value) {
    if (!std::isfinite(value)) {
        return std::isnan(value) ? "nan" : (value > 0 ? "inf" : "-inf");
    }
    std::ostringstream out;
    if (std::fabs(value) >= 1000.0 && std::fabs(value) < 1e15) {
        out << std::llround(value);
    } else {
        out << std::setprecision(3) << value;
    }
    return out.str();
}

std::string check(const rel::ThresholdCheck& check) {
    return check.name + " " + number(check.observed) + (check.passed ? " <= " : " > ") +
           number(check.limit) + (check.passed ? " ok" : " FAIL");
}

std::string localTime(int64_t ms) {
    return formatTime(ms, "%Y-%m-%d %H:%M:%S");
}

std::string clockTime(int64_t ms) {
    return formatTime(ms, "%H:%M:%S");
}

std::string utcTime(int64_t ms) {
    const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &utc);
    char millis[8];
    std::snprintf(millis, sizeof millis, ".%03dZ", static_cast<int>(ms % 1000));
    return std::string(text) + millis;
}

std::string stepText(const rel::Rollout& rollout) {
    if (rollout.steps.empty()) {
        return "no steps";
    }
    const std::string current =
        rollout.currentStep < 0 ? "-" : std::to_string(rollout.currentStep + 1);
    return "step " + current + "/" + std::to_string(rollout.steps.size());
}

std::string progressLine(const rel::Rollout& rollout) {
    std::string line = std::string(rel::toString(rollout.state)) + "  " + stepText(rollout) + "  " +
                       std::to_string(rollout.currentPercent) + "%";
    if (rollout.state == rel::RolloutState::Paused) {
        line += "  waiting for promote";
    } else if (rollout.inProgress()) {
        if (const std::string gate = gateText(rollout); !gate.empty()) {
            line += "  " + gate;
        }
        if (rollout.nextStepAtMs != 0) {
            line += " until " + clockTime(rollout.nextStepAtMs);
        }
    } else {
        line += "  " + versionsText(rollout);
    }
    if (!rollout.stateReason.empty()) {
        line += ": " + rollout.stateReason;
    }
    return line;
}

std::string analysisReport(const rel::AnalysisResult& analysis) {
    std::ostringstream out;
    addLine(out, "analysis",
            std::string(rel::toString(analysis.verdict)) + " at " +
                clockTime(analysis.windowEndMs) + " (window from " +
                clockTime(analysis.windowStartMs) + ")");
    const std::string indent(13, ' ');
    out << indent << variantLine("canary", analysis.canary) << "\n";
    out << indent << variantLine("stable", analysis.stable) << "\n";
    for (const auto& c : analysis.checks) {
        out << indent << check(c) << "\n";
    }
    return out.str();
}

std::string rolloutReport(const rel::Rollout& rollout, int64_t nowMs) {
    std::ostringstream out;
    out << "flow " << rollout.flowId << ", rollout " << orDash(rollout.rolloutId) << ": "
        << rel::toString(rollout.state) << "\n";
    addLine(out, "version", versionsText(rollout));
    // stepText() without its "step " (the label says it).
    std::string step = rollout.steps.empty() ? "none" : stepText(rollout).substr(5);
    if (const std::string gate = gateText(rollout); !gate.empty() && rollout.inProgress()) {
        step += ", " + gate;
        if (rollout.state == rel::RolloutState::Paused) {
            step += " (waiting for promote)";
        }
    }
    addLine(out, "step", step);
    addLine(out, "plan",
            rollout.steps.empty() ? "straight to 100%" : rel::formatSteps(rollout.steps));
    addLine(out, "started", startedText(rollout));
    if (rollout.inProgress() && rollout.nextStepAtMs != 0) {
        // Whole seconds: "in 39s", not "in 39512ms".
        const int64_t left = std::max<int64_t>(0, rollout.nextStepAtMs - nowMs + 500) / 1000 * 1000;
        addLine(out, "next step",
                localTime(rollout.nextStepAtMs) + " (in " + rel::formatDurationMs(left) + ")");
    }
    if (rollout.finishedAtMs != 0) {
        addLine(out, "finished", localTime(rollout.finishedAtMs));
    }
    if (!rollout.stateReason.empty()) {
        addLine(out, "why", rollout.stateReason);
    }
    if (rollout.lastAnalysis) {
        out << analysisReport(*rollout.lastAnalysis);
    }
    return out.str();
}

std::string flowsTable(const std::vector<RemoteFlow>& flows) {
    std::vector<std::vector<std::string>> rows{
        {"FLOW", "ACTIVE", "CANARY", "LATEST", "VERSIONS", "UPDATED"}};
    for (const auto& flow : flows) {
        rows.push_back({flow.flowId, orDash(flow.activeVersion), orDash(flow.canaryVersion),
                        orDash(flow.latestVersion), std::to_string(flow.versionCount),
                        localTime(flow.updatedAtMs)});
    }
    return table(rows);
}

std::string versionsTable(const std::vector<RemoteFlowVersion>& versions) {
    std::vector<std::vector<std::string>> rows{
        {"VERSION", "REV", "STATE", "CREATED", "BY", "ERR/WARN", "NOTE"}};
    for (const auto& v : versions) {
        rows.push_back({v.version, std::to_string(v.revision), orDash(v.state),
                        localTime(v.createdAtMs), orDash(v.createdBy),
                        std::to_string(v.errorCount) + "/" + std::to_string(v.warningCount),
                        v.changeNote});
    }
    return table(rows);
}

std::string historyTable(const std::vector<rel::HistoryEntry>& entries) {
    std::vector<std::vector<std::string>> rows{
        {"TIME", "FLOW", "ACTION", "FROM", "TO", "SHARE", "WHO", "WHY"}};
    for (const auto& e : entries) {
        const std::string who = orDash(e.who) + (e.automatic && e.who != "flowd" ? " (auto)" : "");
        rows.push_back({localTime(e.atMs), e.flowId, std::string(rel::toString(e.action)),
                        orDash(e.fromVersion), orDash(e.toVersion), std::to_string(e.percent) + "%",
                        who, e.why});
    }
    return table(rows);
}

} // namespace flowdeck::client::release_text
