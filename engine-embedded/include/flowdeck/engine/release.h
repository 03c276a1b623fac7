#pragma once

// Flow releases in engine terms (proto/flowdeck/v1/releases.proto mirrors these field for field):
// canary plans, rollouts, analysis verdicts and the release history, plus where they are stored.
// Plain C++ so the server, libflowdeck_client and the console share one set of types; the
// conversions to and from protobuf live in proto/convert/.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace flowdeck::engine::release {

// What ends a canary step.
enum class Gate {
    Manual,   // wait for Promote
    Pause,    // wait durationMs, then go on
    Analysis, // wait durationMs, then judge the canary's metrics over the step
};

struct CanaryStep {
    uint32_t percent = 0; // 1-100, not lower than the previous step's
    Gate gate = Gate::Manual;
    int64_t durationMs = 0; // Pause and Analysis
    bool operator==(const CanaryStep&) const = default;
};

// Limits on the canary's metrics; an unset limit is not checked.
struct Thresholds {
    std::optional<double> maxErrorRate;    // 0-1
    std::optional<double> maxP95LatencyMs; // > 0
    std::optional<double> maxFallbackRate; // 0-1
    uint64_t minMessages = 0;              // 0 means kDefaultMinMessages
    int64_t checkIntervalMs = 0;           // 0 means kDefaultCheckIntervalMs

    static constexpr uint64_t kDefaultMinMessages = 100;
    static constexpr int64_t kDefaultCheckIntervalMs = 10'000;
    uint64_t effectiveMinMessages() const {
        return minMessages == 0 ? kDefaultMinMessages : minMessages;
    }
    int64_t effectiveCheckIntervalMs() const {
        return checkIntervalMs <= 0 ? kDefaultCheckIntervalMs : checkIntervalMs;
    }
    bool any() const { return maxErrorRate || maxP95LatencyMs || maxFallbackRate; }
    bool operator==(const Thresholds&) const = default;
};

// The longest window an analysis or a threshold check looks back over.
inline constexpr int64_t kMaxWindowMs = 5 * 60 * 1000;

enum class RolloutState { Unspecified, Progressing, Paused, Succeeded, Aborted, RolledBack };
enum class Verdict { Unspecified, Pass, Fail, Inconclusive };

// One version's numbers over a window. A message counts as an error when it ended with an engine
// error or one of its integration calls failed (a flow may recover from the failure, but a
// version whose integration fails is what a canary is there to catch).
struct VariantMetrics {
    std::string version;
    uint64_t messages = 0;
    uint64_t errors = 0;
    double errorRate = 0.0;
    double p95LatencyMs = 0.0;
    double fallbackRate = 0.0;
    bool operator==(const VariantMetrics&) const = default;
};

struct ThresholdCheck {
    std::string name; // "max_error_rate", "max_p95_latency_ms", "max_fallback_rate"
    double limit = 0.0;
    double observed = 0.0;
    bool passed = false;
    bool operator==(const ThresholdCheck&) const = default;
};

struct AnalysisResult {
    int64_t windowStartMs = 0;
    int64_t windowEndMs = 0;
    Verdict verdict = Verdict::Unspecified;
    VariantMetrics canary;
    VariantMetrics stable;
    std::vector<ThresholdCheck> checks;
    bool operator==(const AnalysisResult&) const = default;
};

// Every time is wall-clock milliseconds since the epoch; 0 means unset.
struct Rollout {
    std::string rolloutId;
    std::string tenantId;
    std::string flowId;
    std::string version;
    std::string stableVersion;
    RolloutState state = RolloutState::Unspecified;
    std::vector<CanaryStep> steps;
    Thresholds thresholds;
    int32_t currentStep = -1;
    uint32_t currentPercent = 0;
    int64_t startedAtMs = 0;
    int64_t stepStartedAtMs = 0;
    int64_t nextStepAtMs = 0; // 0 for a manual gate
    int64_t finishedAtMs = 0;
    std::string startedBy;
    std::string reason;
    std::optional<AnalysisResult> lastAnalysis;
    std::string stateReason;
    int64_t lastCheckAtMs = 0; // when thresholds were last checked (not in the proto)

    bool inProgress() const {
        return state == RolloutState::Progressing || state == RolloutState::Paused;
    }
    bool operator==(const Rollout&) const = default;
};

enum class HistoryAction {
    Unspecified,
    Published,
    DeployStarted,
    StepAdvanced,
    Paused,
    Promoted,
    Completed,
    Aborted,
    RolledBack
};

struct HistoryEntry {
    std::string entryId;
    std::string tenantId;
    std::string flowId;
    std::string rolloutId;
    HistoryAction action = HistoryAction::Unspecified;
    std::string fromVersion;
    std::string toVersion;
    uint32_t percent = 0;
    std::string who; // the caller, or "flowd" when the server decided
    int64_t atMs = 0;
    std::string why;
    bool automatic = false;
    std::optional<AnalysisResult> metrics;
    bool operator==(const HistoryEntry&) const = default;
};

// What Deploy asks for.
struct DeployPlan {
    std::string tenantId;
    std::string flowId;
    std::string version;
    std::vector<CanaryStep> steps; // empty: straight to 100%
    Thresholds thresholds;
    std::string reason;
};

struct RollbackOutcome {
    std::string flowId;
    std::string activeVersion;
    std::string previousVersion;
    HistoryEntry entry;
};

// "PROGRESSING", "PASS", "manual", "ROLLED_BACK", ... (the proto's names without prefixes; gates
// lower case as in a plan).
std::string_view toString(RolloutState state);
std::string_view toString(Verdict verdict);
std::string_view toString(HistoryAction action);
std::string_view toString(Gate gate);

// ---- Plans ------------------------------------------------------------------------------------

// Why a plan cannot run, naming the field ("steps[2].percent: 30 is lower than the previous
// step's 50"); nullopt when it can. Limits: at most 20 steps, durations 1 s - 24 h, check
// interval 1 s - 1 h.
std::optional<std::string> checkPlan(const std::vector<CanaryStep>& steps,
                                     const Thresholds& thresholds);

// Parses a plan written the way people say it: "10%:pause=30s,50%:analysis=5m,100%" (a step
// without a gate is manual). nullopt with *error naming the faulty step.
std::optional<std::vector<CanaryStep>> parseSteps(std::string_view text, std::string* error);
// The inverse of parseSteps, e.g. "10%:pause=30s,50%:manual".
std::string formatSteps(const std::vector<CanaryStep>& steps);
// "30s", "5m", "1h30m", "250ms"; nullopt for anything else.
std::optional<int64_t> parseDurationMs(std::string_view text);
std::string formatDurationMs(int64_t ms);

// The verdict on a window: Inconclusive below thresholds.effectiveMinMessages() canary messages,
// else Fail when any set threshold is exceeded, else Pass. Every set threshold gets a check.
AnalysisResult analyze(const Thresholds& thresholds, const VariantMetrics& canary,
                       const VariantMetrics& stable, int64_t windowStartMs, int64_t windowEndMs);
// "max_error_rate 0.034 > 0.01; max_p95_latency_ms 2300 > 2000" for the failed checks.
std::string describeBreach(const AnalysisResult& result);

// ---- Storage ----------------------------------------------------------------------------------

// JSON documents, as the stores keep them. The decoders return nullopt for text that is not one.
std::string encodeRollout(const Rollout& rollout);
std::optional<Rollout> decodeRollout(std::string_view json);
std::string encodeHistoryEntry(const HistoryEntry& entry);
std::optional<HistoryEntry> decodeHistoryEntry(std::string_view json);

struct HistoryQuery {
    std::string tenantId;
    std::string flowId; // empty: every flow of the tenant
    int64_t sinceMs = 0;
    size_t limit = 50;
    size_t offset = 0;
};

struct HistoryPage {
    std::vector<HistoryEntry> entries; // newest first
    size_t total = 0;
};

// Where rollouts and the release history live (DATA/releases.sqlite on one node; PostgreSQL in
// cluster mode). Contract: thread-safe; a write is durable once the call returns; history
// entries are never changed once appended.
class ReleaseStore {
public:
    virtual ~ReleaseStore() = default;

    // Inserts or replaces the rollout with this id.
    virtual bool saveRollout(const Rollout& rollout, std::string* error) = 0;
    virtual std::optional<Rollout> rollout(const std::string& rolloutId) = 0;
    // The flow's newest rollout by start time.
    virtual std::optional<Rollout> latestRollout(const std::string& tenantId,
                                                 const std::string& flowId) = 0;
    // Every rollout still progressing or paused (what a restarted node resumes).
    virtual std::vector<Rollout> inProgress() = 0;

    virtual bool appendHistory(const HistoryEntry& entry, std::string* error) = 0;
    virtual HistoryPage history(const HistoryQuery& query) = 0;
};

std::unique_ptr<ReleaseStore> makeMemoryReleaseStore();
// Null with *error when the file cannot be opened or is not a release store.
std::unique_ptr<ReleaseStore> openSqliteReleaseStore(const std::string& path, std::string* error);

} // namespace flowdeck::engine::release
