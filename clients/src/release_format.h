#pragma once

// How flowctl shows flows, versions, rollouts and the release history: aligned text for people,
// JSON for scripts. Pure functions of their arguments (times in the local time zone), so tests
// can pin them down. Internal to libflowdeck_client.

#include "flowdeck/client/releases_client.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace flowdeck::client::release_text {

// Rows of cells as columns padded to their widest cell, two spaces apart, the last column
// unpadded; every line ends with '\n'.
std::string table(const std::vector<std::vector<std::string>>& rows);

// A measured value or limit in few characters: "0.034", "0.01", "2300", "1.5e-05".
std::string number(double value);
// "max_error_rate 0.034 > 0.01 FAIL" or "max_p95_latency_ms 120 <= 2000 ok".
std::string check(const engine::release::ThresholdCheck& check);

// Wall-clock milliseconds in local time: "2026-11-23 22:31:05"; "-" for 0.
std::string localTime(int64_t ms);
// Only the time of day, "22:31:05"; "-" for 0.
std::string clockTime(int64_t ms);
// RFC 3339 in UTC with milliseconds, "2026-11-23T21:31:05.250Z"; for JSON.
std::string utcTime(int64_t ms);

// "step 2/3" ("step -/3" before the first, "no steps" for a direct deploy).
std::string stepText(const engine::release::Rollout& rollout);
// The rollout in one line, for following it: "PAUSED  step 2/3  50%  manual gate: ...".
std::string progressLine(const engine::release::Rollout& rollout);
// The rollout as `flowctl rollout status` shows it, several lines; `nowMs` for "in 20s".
std::string rolloutReport(const engine::release::Rollout& rollout, int64_t nowMs);
// The analysis block of a report: the verdict, both variants' numbers and every check.
std::string analysisReport(const engine::release::AnalysisResult& analysis);

std::string flowsTable(const std::vector<RemoteFlow>& flows);
std::string versionsTable(const std::vector<RemoteFlowVersion>& versions);
std::string historyTable(const std::vector<engine::release::HistoryEntry>& entries);

// JSON with the proto's field names (snake_case), enums as their short names ("PAUSED"), times
// as utcTime() and left out when unset.
nlohmann::ordered_json toJson(const engine::release::Rollout& rollout);
nlohmann::ordered_json toJson(const engine::release::HistoryEntry& entry);
nlohmann::ordered_json toJson(const engine::release::AnalysisResult& analysis);
nlohmann::ordered_json toJson(const RemoteFlow& flow);
nlohmann::ordered_json toJson(const RemoteFlowVersion& version);

} // namespace flowdeck::client::release_text
