// The JSON side of release_format.h: what `flowctl ... --json` prints.
#include "release_format.h"

namespace flowdeck::client::release_text {

namespace {

namespace rel = engine::release;
using Json = nlohmann::ordered_json;

void putTime(Json& out, const char* key, int64_t ms) {
    if (ms != 0) {
        out[key] = utcTime(ms);
    }
}

void putIfSet(Json& out, const char* key, const std::optional<double>& value) {
    if (value) {
        out[key] = *value;
    }
}

Json toJson(const rel::CanaryStep& step) {
    Json out{{"percent", step.percent}, {"gate", std::string(rel::toString(step.gate))}};
    if (step.gate != rel::Gate::Manual) {
        out["duration_ms"] = step.durationMs;
    }
    return out;
}

Json toJson(const rel::Thresholds& thresholds) {
    Json out = Json::object();
    putIfSet(out, "max_error_rate", thresholds.maxErrorRate);
    putIfSet(out, "max_p95_latency_ms", thresholds.maxP95LatencyMs);
    putIfSet(out, "max_fallback_rate", thresholds.maxFallbackRate);
    out["min_messages"] = thresholds.effectiveMinMessages();
    out["check_interval_ms"] = thresholds.effectiveCheckIntervalMs();
    return out;
}

Json toJson(const rel::VariantMetrics& metrics) {
    return Json{{"version", metrics.version},
                {"messages", metrics.messages},
                {"errors", metrics.errors},
                {"error_rate", metrics.errorRate},
                {"p95_latency_ms", metrics.p95LatencyMs},
                {"fallback_rate", metrics.fallbackRate}};
}

} // namespace

Json toJson(const rel::AnalysisResult& analysis) {
    Json out = Json::object();
    putTime(out, "window_start", analysis.windowStartMs);
    putTime(out, "window_end", analysis.windowEndMs);
    out["verdict"] = std::string(rel::toString(analysis.verdict));
    out["canary"] = toJson(analysis.canary);
    out["stable"] = toJson(analysis.stable);
    out["checks"] = Json::array();
    for (const auto& c : analysis.checks) {
        out["checks"].push_back(Json{
            {"name", c.name}, {"limit", c.limit}, {"observed", c.observed}, {"passed", c.passed}});
    }
    return out;
}

Json toJson(const rel::Rollout& rollout) {
    Json out{{"rollout_id", rollout.rolloutId},
             {"tenant_id", rollout.tenantId},
             {"flow_id", rollout.flowId},
             {"version", rollout.version},
             {"stable_version", rollout.stableVersion},
             {"state", std::string(rel::toString(rollout.state))},
             {"steps", Json::array()},
             {"thresholds", toJson(rollout.thresholds)},
             {"current_step", rollout.currentStep},
             {"current_percent", rollout.currentPercent}};
    for (const auto& step : rollout.steps) {
        out["steps"].push_back(toJson(step));
    }
    putTime(out, "started_at", rollout.startedAtMs);
    putTime(out, "step_started_at", rollout.stepStartedAtMs);
    putTime(out, "next_step_at", rollout.nextStepAtMs);
    putTime(out, "finished_at", rollout.finishedAtMs);
    out["started_by"] = rollout.startedBy;
    out["reason"] = rollout.reason;
    if (rollout.lastAnalysis) {
        out["last_analysis"] = toJson(*rollout.lastAnalysis);
    }
    out["state_reason"] = rollout.stateReason;
    return out;
}

Json toJson(const rel::HistoryEntry& entry) {
    Json out{{"entry_id", entry.entryId},
             {"tenant_id", entry.tenantId},
             {"flow_id", entry.flowId},
             {"rollout_id", entry.rolloutId},
             {"action", std::string(rel::toString(entry.action))},
             {"from_version", entry.fromVersion},
             {"to_version", entry.toVersion},
             {"percent", entry.percent},
             {"who", entry.who}};
    putTime(out, "when", entry.atMs);
    out["why"] = entry.why;
    out["automatic"] = entry.automatic;
    if (entry.metrics) {
        out["metrics"] = toJson(*entry.metrics);
    }
    return out;
}

Json toJson(const RemoteFlow& flow) {
    Json out{{"flow_id", flow.flowId},
             {"name", flow.name},
             {"description", flow.description},
             {"active_version", flow.activeVersion},
             {"canary_version", flow.canaryVersion},
             {"latest_version", flow.latestVersion},
             {"version_count", flow.versionCount}};
    putTime(out, "updated_at", flow.updatedAtMs);
    return out;
}

Json toJson(const RemoteFlowVersion& version) {
    Json out{{"flow_id", version.flowId},
             {"version", version.version},
             {"revision", version.revision},
             {"state", version.state}};
    putTime(out, "created_at", version.createdAtMs);
    out["created_by"] = version.createdBy;
    out["change_note"] = version.changeNote;
    out["base_version"] = version.baseVersion;
    out["digest"] = version.digest;
    out["error_count"] = version.errorCount;
    out["warning_count"] = version.warningCount;
    if (!version.flowJson.empty()) {
        out["flow_json"] = version.flowJson;
    }
    return out;
}

} // namespace flowdeck::client::release_text
