// Rollouts and history entries as JSON documents: what the release stores keep, so a new field
// needs no schema migration. Decoding tolerates missing fields (older documents) and refuses
// anything that is not an object of the right shape.
#include "flowdeck/engine/release.h"

#include <nlohmann/json.hpp>

namespace flowdeck::engine::release {

namespace {

using Json = nlohmann::json;

template <class T> T get(const Json& j, const char* key, T fallback) {
    const auto it = j.find(key);
    return it == j.end() || it->is_null() ? fallback : it->get<T>();
}

// An enum stored as its number; anything out of range reads as the enum's first (unspecified)
// value rather than as an invalid enumerator.
template <class E> E enumFrom(const Json& j, const char* key, E last) {
    const int value = get<int>(j, key, 0);
    return value >= 0 && value <= static_cast<int>(last) ? static_cast<E>(value) : E{};
}

std::optional<double> getOptional(const Json& j, const char* key) {
    const auto it = j.find(key);
    return it == j.end() || it->is_null() ? std::nullopt : std::optional<double>(it->get<double>());
}

Json toJson(const std::optional<double>& value) {
    return value ? Json(*value) : Json(nullptr);
}

Json toJson(const VariantMetrics& m) {
    return {{"version", m.version},
            {"messages", m.messages},
            {"errors", m.errors},
            {"error_rate", m.errorRate},
            {"p95_latency_ms", m.p95LatencyMs},
            {"fallback_rate", m.fallbackRate}};
}

VariantMetrics variantFromJson(const Json& j) {
    return {get<std::string>(j, "version", ""),    get<uint64_t>(j, "messages", 0),
            get<uint64_t>(j, "errors", 0),         get<double>(j, "error_rate", 0.0),
            get<double>(j, "p95_latency_ms", 0.0), get<double>(j, "fallback_rate", 0.0)};
}

Json toJson(const AnalysisResult& a) {
    Json checks = Json::array();
    for (const auto& c : a.checks) {
        checks.push_back(
            {{"name", c.name}, {"limit", c.limit}, {"observed", c.observed}, {"passed", c.passed}});
    }
    return {{"window_start", a.windowStartMs},
            {"window_end", a.windowEndMs},
            {"verdict", static_cast<int>(a.verdict)},
            {"canary", toJson(a.canary)},
            {"stable", toJson(a.stable)},
            {"checks", checks}};
}

AnalysisResult analysisFromJson(const Json& j) {
    AnalysisResult a;
    a.windowStartMs = get<int64_t>(j, "window_start", 0);
    a.windowEndMs = get<int64_t>(j, "window_end", 0);
    a.verdict = enumFrom(j, "verdict", Verdict::Inconclusive);
    a.canary = variantFromJson(j.value("canary", Json::object()));
    a.stable = variantFromJson(j.value("stable", Json::object()));
    for (const auto& c : j.value("checks", Json::array())) {
        a.checks.push_back({get<std::string>(c, "name", ""), get<double>(c, "limit", 0.0),
                            get<double>(c, "observed", 0.0), get<bool>(c, "passed", false)});
    }
    return a;
}

Json toJson(const std::optional<AnalysisResult>& a) {
    return a ? toJson(*a) : Json(nullptr);
}

std::optional<AnalysisResult> optionalAnalysis(const Json& j, const char* key) {
    const auto it = j.find(key);
    return it == j.end() || it->is_null() ? std::nullopt
                                          : std::optional<AnalysisResult>(analysisFromJson(*it));
}

Json toJson(const Thresholds& t) {
    return {{"max_error_rate", toJson(t.maxErrorRate)},
            {"max_p95_latency_ms", toJson(t.maxP95LatencyMs)},
            {"max_fallback_rate", toJson(t.maxFallbackRate)},
            {"min_messages", t.minMessages},
            {"check_interval_ms", t.checkIntervalMs}};
}

Thresholds thresholdsFromJson(const Json& j) {
    Thresholds t;
    t.maxErrorRate = getOptional(j, "max_error_rate");
    t.maxP95LatencyMs = getOptional(j, "max_p95_latency_ms");
    t.maxFallbackRate = getOptional(j, "max_fallback_rate");
    t.minMessages = get<uint64_t>(j, "min_messages", 0);
    t.checkIntervalMs = get<int64_t>(j, "check_interval_ms", 0);
    return t;
}

template <class Decode> auto decode(std::string_view text, Decode&& fn) -> decltype(fn(Json{})) {
    try {
        const Json j = Json::parse(text);
        if (!j.is_object()) {
            return std::nullopt;
        }
        return fn(j);
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

} // namespace

std::string encodeRollout(const Rollout& r) {
    Json steps = Json::array();
    for (const auto& s : r.steps) {
        steps.push_back({{"percent", s.percent},
                         {"gate", std::string(toString(s.gate))},
                         {"duration_ms", s.durationMs}});
    }
    const Json j = {{"rollout_id", r.rolloutId},
                    {"tenant_id", r.tenantId},
                    {"flow_id", r.flowId},
                    {"version", r.version},
                    {"stable_version", r.stableVersion},
                    {"state", static_cast<int>(r.state)},
                    {"steps", steps},
                    {"thresholds", toJson(r.thresholds)},
                    {"current_step", r.currentStep},
                    {"current_percent", r.currentPercent},
                    {"started_at", r.startedAtMs},
                    {"step_started_at", r.stepStartedAtMs},
                    {"next_step_at", r.nextStepAtMs},
                    {"finished_at", r.finishedAtMs},
                    {"started_by", r.startedBy},
                    {"reason", r.reason},
                    {"last_analysis", toJson(r.lastAnalysis)},
                    {"state_reason", r.stateReason},
                    {"last_check_at", r.lastCheckAtMs}};
    return j.dump();
}

std::optional<Rollout> decodeRollout(std::string_view json) {
    return decode(json, [](const Json& j) -> std::optional<Rollout> {
        Rollout r;
        r.rolloutId = get<std::string>(j, "rollout_id", "");
        if (r.rolloutId.empty()) {
            return std::nullopt;
        }
        r.tenantId = get<std::string>(j, "tenant_id", "");
        r.flowId = get<std::string>(j, "flow_id", "");
        r.version = get<std::string>(j, "version", "");
        r.stableVersion = get<std::string>(j, "stable_version", "");
        r.state = enumFrom(j, "state", RolloutState::RolledBack);
        for (const auto& s : j.value("steps", Json::array())) {
            const std::string gate = get<std::string>(s, "gate", "manual");
            r.steps.push_back({get<uint32_t>(s, "percent", 0),
                               gate == "pause"      ? Gate::Pause
                               : gate == "analysis" ? Gate::Analysis
                                                    : Gate::Manual,
                               get<int64_t>(s, "duration_ms", 0)});
        }
        r.thresholds = thresholdsFromJson(j.value("thresholds", Json::object()));
        r.currentStep = get<int32_t>(j, "current_step", -1);
        r.currentPercent = get<uint32_t>(j, "current_percent", 0);
        r.startedAtMs = get<int64_t>(j, "started_at", 0);
        r.stepStartedAtMs = get<int64_t>(j, "step_started_at", 0);
        r.nextStepAtMs = get<int64_t>(j, "next_step_at", 0);
        r.finishedAtMs = get<int64_t>(j, "finished_at", 0);
        r.startedBy = get<std::string>(j, "started_by", "");
        r.reason = get<std::string>(j, "reason", "");
        r.lastAnalysis = optionalAnalysis(j, "last_analysis");
        r.stateReason = get<std::string>(j, "state_reason", "");
        r.lastCheckAtMs = get<int64_t>(j, "last_check_at", 0);
        return r;
    });
}

std::string encodeHistoryEntry(const HistoryEntry& e) {
    const Json j = {{"entry_id", e.entryId},
                    {"tenant_id", e.tenantId},
                    {"flow_id", e.flowId},
                    {"rollout_id", e.rolloutId},
                    {"action", static_cast<int>(e.action)},
                    {"from_version", e.fromVersion},
                    {"to_version", e.toVersion},
                    {"percent", e.percent},
                    {"who", e.who},
                    {"at", e.atMs},
                    {"why", e.why},
                    {"automatic", e.automatic},
                    {"metrics", toJson(e.metrics)}};
    return j.dump();
}

std::optional<HistoryEntry> decodeHistoryEntry(std::string_view json) {
    return decode(json, [](const Json& j) -> std::optional<HistoryEntry> {
        HistoryEntry e;
        e.entryId = get<std::string>(j, "entry_id", "");
        if (e.entryId.empty()) {
            return std::nullopt;
        }
        e.tenantId = get<std::string>(j, "tenant_id", "");
        e.flowId = get<std::string>(j, "flow_id", "");
        e.rolloutId = get<std::string>(j, "rollout_id", "");
        e.action = enumFrom(j, "action", HistoryAction::RolledBack);
        e.fromVersion = get<std::string>(j, "from_version", "");
        e.toVersion = get<std::string>(j, "to_version", "");
        e.percent = get<uint32_t>(j, "percent", 0);
        e.who = get<std::string>(j, "who", "");
        e.atMs = get<int64_t>(j, "at", 0);
        e.why = get<std::string>(j, "why", "");
        e.automatic = get<bool>(j, "automatic", false);
        e.metrics = optionalAnalysis(j, "metrics");
        return e;
    });
}

} // namespace flowdeck::engine::release
