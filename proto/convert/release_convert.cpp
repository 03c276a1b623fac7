#include "release_convert.h"

#include <google/protobuf/duration.pb.h>
#include <google/protobuf/timestamp.pb.h>

namespace flowdeck::protoconv {

namespace rel = engine::release;

namespace {

void toProto(int64_t ms, google::protobuf::Duration& out) {
    out.set_seconds(ms / 1000);
    out.set_nanos(static_cast<int32_t>((ms % 1000) * 1'000'000));
}

int64_t msFromProto(const google::protobuf::Duration& in) {
    return in.seconds() * 1000 + in.nanos() / 1'000'000;
}

v1::RolloutState toProto(rel::RolloutState state) {
    switch (state) {
    case rel::RolloutState::Progressing:
        return v1::ROLLOUT_STATE_PROGRESSING;
    case rel::RolloutState::Paused:
        return v1::ROLLOUT_STATE_PAUSED;
    case rel::RolloutState::Succeeded:
        return v1::ROLLOUT_STATE_SUCCEEDED;
    case rel::RolloutState::Aborted:
        return v1::ROLLOUT_STATE_ABORTED;
    case rel::RolloutState::RolledBack:
        return v1::ROLLOUT_STATE_ROLLED_BACK;
    case rel::RolloutState::Unspecified:
        break;
    }
    return v1::ROLLOUT_STATE_UNSPECIFIED;
}

rel::RolloutState fromProto(v1::RolloutState state) {
    switch (state) {
    case v1::ROLLOUT_STATE_PROGRESSING:
        return rel::RolloutState::Progressing;
    case v1::ROLLOUT_STATE_PAUSED:
        return rel::RolloutState::Paused;
    case v1::ROLLOUT_STATE_SUCCEEDED:
        return rel::RolloutState::Succeeded;
    case v1::ROLLOUT_STATE_ABORTED:
        return rel::RolloutState::Aborted;
    case v1::ROLLOUT_STATE_ROLLED_BACK:
        return rel::RolloutState::RolledBack;
    default:
        return rel::RolloutState::Unspecified;
    }
}

v1::Verdict toProto(rel::Verdict verdict) {
    switch (verdict) {
    case rel::Verdict::Pass:
        return v1::VERDICT_PASS;
    case rel::Verdict::Fail:
        return v1::VERDICT_FAIL;
    case rel::Verdict::Inconclusive:
        return v1::VERDICT_INCONCLUSIVE;
    case rel::Verdict::Unspecified:
        break;
    }
    return v1::VERDICT_UNSPECIFIED;
}

rel::Verdict fromProto(v1::Verdict verdict) {
    switch (verdict) {
    case v1::VERDICT_PASS:
        return rel::Verdict::Pass;
    case v1::VERDICT_FAIL:
        return rel::Verdict::Fail;
    case v1::VERDICT_INCONCLUSIVE:
        return rel::Verdict::Inconclusive;
    default:
        return rel::Verdict::Unspecified;
    }
}

// HistoryAction and v1::HistoryAction list the same actions in the same order.
v1::HistoryAction toProto(rel::HistoryAction action) {
    const int value = static_cast<int>(action);
    return v1::HistoryAction_IsValid(value) ? static_cast<v1::HistoryAction>(value)
                                            : v1::HISTORY_ACTION_UNSPECIFIED;
}

rel::HistoryAction fromProto(v1::HistoryAction action) {
    const int value = static_cast<int>(action);
    return value >= 0 && value <= static_cast<int>(rel::HistoryAction::RolledBack)
               ? static_cast<rel::HistoryAction>(value)
               : rel::HistoryAction::Unspecified;
}

void toProto(const rel::VariantMetrics& metrics, v1::VariantMetrics& out) {
    out.set_version(metrics.version);
    out.set_messages(metrics.messages);
    out.set_errors(metrics.errors);
    out.set_error_rate(metrics.errorRate);
    out.set_p95_latency_ms(metrics.p95LatencyMs);
    out.set_fallback_rate(metrics.fallbackRate);
}

rel::VariantMetrics fromProto(const v1::VariantMetrics& in) {
    return {in.version(),    in.messages(),       in.errors(),
            in.error_rate(), in.p95_latency_ms(), in.fallback_rate()};
}

} // namespace

void toProto(int64_t ms, google::protobuf::Timestamp& out) {
    out.set_seconds(ms / 1000);
    out.set_nanos(static_cast<int32_t>((ms % 1000) * 1'000'000));
}

int64_t msFromProto(const google::protobuf::Timestamp& in) {
    return in.seconds() * 1000 + in.nanos() / 1'000'000;
}

void toProto(const rel::CanaryStep& step, v1::CanaryStep& out) {
    out.set_percent(step.percent);
    switch (step.gate) {
    case rel::Gate::Manual:
        out.set_manual(true);
        break;
    case rel::Gate::Pause:
        toProto(step.durationMs, *out.mutable_pause());
        break;
    case rel::Gate::Analysis:
        toProto(step.durationMs, *out.mutable_analysis());
        break;
    }
}

rel::CanaryStep fromProto(const v1::CanaryStep& in) {
    rel::CanaryStep step;
    step.percent = in.percent();
    switch (in.gate_case()) {
    case v1::CanaryStep::kPause:
        step.gate = rel::Gate::Pause;
        step.durationMs = msFromProto(in.pause());
        break;
    case v1::CanaryStep::kAnalysis:
        step.gate = rel::Gate::Analysis;
        step.durationMs = msFromProto(in.analysis());
        break;
    default: // manual, or unset (which means manual)
        step.gate = rel::Gate::Manual;
        break;
    }
    return step;
}

void toProto(const rel::Thresholds& thresholds, v1::AnalysisThresholds& out) {
    if (thresholds.maxErrorRate) {
        out.set_max_error_rate(*thresholds.maxErrorRate);
    }
    if (thresholds.maxP95LatencyMs) {
        out.set_max_p95_latency_ms(*thresholds.maxP95LatencyMs);
    }
    if (thresholds.maxFallbackRate) {
        out.set_max_fallback_rate(*thresholds.maxFallbackRate);
    }
    out.set_min_messages(thresholds.minMessages);
    if (thresholds.checkIntervalMs > 0) {
        toProto(thresholds.checkIntervalMs, *out.mutable_check_interval());
    }
}

rel::Thresholds fromProto(const v1::AnalysisThresholds& in) {
    rel::Thresholds thresholds;
    if (in.has_max_error_rate()) {
        thresholds.maxErrorRate = in.max_error_rate();
    }
    if (in.has_max_p95_latency_ms()) {
        thresholds.maxP95LatencyMs = in.max_p95_latency_ms();
    }
    if (in.has_max_fallback_rate()) {
        thresholds.maxFallbackRate = in.max_fallback_rate();
    }
    thresholds.minMessages = in.min_messages();
    if (in.has_check_interval()) {
        thresholds.checkIntervalMs = msFromProto(in.check_interval());
    }
    return thresholds;
}

void toProto(const rel::AnalysisResult& result, v1::AnalysisResult& out) {
    toProto(result.windowStartMs, *out.mutable_window_start());
    toProto(result.windowEndMs, *out.mutable_window_end());
    out.set_verdict(toProto(result.verdict));
    toProto(result.canary, *out.mutable_canary());
    toProto(result.stable, *out.mutable_stable());
    for (const auto& check : result.checks) {
        auto& c = *out.add_checks();
        c.set_name(check.name);
        c.set_limit(check.limit);
        c.set_observed(check.observed);
        c.set_passed(check.passed);
    }
}

rel::AnalysisResult fromProto(const v1::AnalysisResult& in) {
    rel::AnalysisResult result;
    result.windowStartMs = msFromProto(in.window_start());
    result.windowEndMs = msFromProto(in.window_end());
    result.verdict = fromProto(in.verdict());
    result.canary = fromProto(in.canary());
    result.stable = fromProto(in.stable());
    for (const auto& c : in.checks()) {
        result.checks.push_back({c.name(), c.limit(), c.observed(), c.passed()});
    }
    return result;
}

void toProto(const rel::Rollout& rollout, v1::Rollout& out) {
    out.set_rollout_id(rollout.rolloutId);
    out.set_tenant_id(rollout.tenantId);
    out.set_flow_id(rollout.flowId);
    out.set_version(rollout.version);
    out.set_stable_version(rollout.stableVersion);
    out.set_state(toProto(rollout.state));
    for (const auto& step : rollout.steps) {
        toProto(step, *out.add_steps());
    }
    toProto(rollout.thresholds, *out.mutable_thresholds());
    out.set_current_step(rollout.currentStep);
    out.set_current_percent(rollout.currentPercent);
    toProto(rollout.startedAtMs, *out.mutable_started_at());
    if (rollout.stepStartedAtMs > 0) {
        toProto(rollout.stepStartedAtMs, *out.mutable_step_started_at());
    }
    if (rollout.nextStepAtMs > 0) {
        toProto(rollout.nextStepAtMs, *out.mutable_next_step_at());
    }
    if (rollout.finishedAtMs > 0) {
        toProto(rollout.finishedAtMs, *out.mutable_finished_at());
    }
    out.set_started_by(rollout.startedBy);
    out.set_reason(rollout.reason);
    if (rollout.lastAnalysis) {
        toProto(*rollout.lastAnalysis, *out.mutable_last_analysis());
    }
    out.set_state_reason(rollout.stateReason);
}

rel::Rollout fromProto(const v1::Rollout& in) {
    rel::Rollout rollout;
    rollout.rolloutId = in.rollout_id();
    rollout.tenantId = in.tenant_id();
    rollout.flowId = in.flow_id();
    rollout.version = in.version();
    rollout.stableVersion = in.stable_version();
    rollout.state = fromProto(in.state());
    for (const auto& step : in.steps()) {
        rollout.steps.push_back(fromProto(step));
    }
    rollout.thresholds = fromProto(in.thresholds());
    rollout.currentStep = in.current_step();
    rollout.currentPercent = in.current_percent();
    rollout.startedAtMs = msFromProto(in.started_at());
    rollout.stepStartedAtMs = msFromProto(in.step_started_at());
    rollout.nextStepAtMs = msFromProto(in.next_step_at());
    rollout.finishedAtMs = msFromProto(in.finished_at());
    rollout.startedBy = in.started_by();
    rollout.reason = in.reason();
    if (in.has_last_analysis()) {
        rollout.lastAnalysis = fromProto(in.last_analysis());
    }
    rollout.stateReason = in.state_reason();
    return rollout;
}

void toProto(const rel::HistoryEntry& entry, v1::HistoryEntry& out) {
    out.set_entry_id(entry.entryId);
    out.set_tenant_id(entry.tenantId);
    out.set_flow_id(entry.flowId);
    out.set_rollout_id(entry.rolloutId);
    out.set_action(toProto(entry.action));
    out.set_from_version(entry.fromVersion);
    out.set_to_version(entry.toVersion);
    out.set_percent(entry.percent);
    out.set_who(entry.who);
    toProto(entry.atMs, *out.mutable_when());
    out.set_why(entry.why);
    out.set_automatic(entry.automatic);
    if (entry.metrics) {
        toProto(*entry.metrics, *out.mutable_metrics());
    }
}

rel::HistoryEntry fromProto(const v1::HistoryEntry& in) {
    rel::HistoryEntry entry;
    entry.entryId = in.entry_id();
    entry.tenantId = in.tenant_id();
    entry.flowId = in.flow_id();
    entry.rolloutId = in.rollout_id();
    entry.action = fromProto(in.action());
    entry.fromVersion = in.from_version();
    entry.toVersion = in.to_version();
    entry.percent = in.percent();
    entry.who = in.who();
    entry.atMs = msFromProto(in.when());
    entry.why = in.why();
    entry.automatic = in.automatic();
    if (in.has_metrics()) {
        entry.metrics = fromProto(in.metrics());
    }
    return entry;
}

} // namespace flowdeck::protoconv
