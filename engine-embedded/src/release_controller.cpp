#include "flowdeck/engine/release_controller.h"

#include "release_controller_internal.h"

#include "flowdeck/engine/flow_registry.h"
#include "flowdeck/engine/flow_version_store.h"
#include "flowdeck/engine/variant_stats.h"

#include <algorithm>
#include <cstdio>
#include <random>

namespace flowdeck::engine::release {

namespace {

std::string tenantOf(const std::string& tenantId) {
    return tenantId.empty() ? "default" : tenantId;
}

std::string stepLabel(const Rollout& r) {
    return "step " + std::to_string(r.currentStep + 1) + " of " + std::to_string(r.steps.size()) +
           " (" + std::to_string(r.currentPercent) + "%)";
}

} // namespace

ReleaseController::ReleaseController(Dependencies deps)
    : m_deps(std::move(deps)) {
    std::random_device device;
    m_idSeed = (uint64_t{device()} << 32) ^ device();
}

ReleaseController::~ReleaseController() {
    stop();
}

std::string ReleaseController::newId(std::string_view prefix) {
    // Time, a per-process random seed and a counter: unique across restarts and nodes.
    std::mt19937_64 mix(m_idSeed + ++m_idCounter);
    char buffer[48];
    std::snprintf(buffer, sizeof buffer, "%.*s%llx-%08llx", static_cast<int>(prefix.size()),
                  prefix.data(), static_cast<unsigned long long>(m_deps.clock()),
                  static_cast<unsigned long long>(mix() & 0xffffffffULL));
    return buffer;
}

// ---- Lifecycle --------------------------------------------------------------------------------

std::vector<std::string> ReleaseController::resume() {
    if (m_deps.coordinator != nullptr) {
        // In a cluster the leader judges what cannot be served; every node first follows.
        return refresh();
    }
    std::vector<std::string> problems;
    Pending pending;
    {
        const auto edits = lockEdits();
        std::lock_guard lock(m_mutex);
        const int64_t now = m_deps.clock();
        for (Rollout& r : m_deps.store.inProgress()) {
            auto version = m_deps.flows.version(r.tenantId, r.flowId, r.version);
            std::string error = version ? "" : "the version is no longer stored";
            if (!version || !m_deps.load(*version, &error) ||
                !m_deps.registry.setSplit(r.flowId, r.version, r.currentPercent)) {
                const std::string why = "version " + r.version +
                                        " could not be served after a "
                                        "restart: " +
                                        error;
                problems.push_back("rollout " + r.rolloutId + " of " + r.flowId + ": " + why);
                finish(r, RolloutState::Aborted, now, why, pending);
                record(r, HistoryAction::Aborted, "flowd", now, why, std::nullopt, pending);
                continue;
            }
            pending.steps.emplace_back(r.flowId, r.currentStep + 1);
            m_active[{r.tenantId, r.flowId}] = std::move(r);
        }
    }
    announce(pending);
    return problems;
}

void ReleaseController::start(std::chrono::milliseconds period) {
    stop();
    {
        std::lock_guard lock(m_threadMutex);
        m_stopping = false;
    }
    m_thread = std::thread([this, period] {
        std::unique_lock lock(m_threadMutex);
        while (!m_wake.wait_for(lock, period, [this] { return m_stopping; })) {
            lock.unlock();
            tick();
            if (m_deps.onTick) {
                m_deps.onTick();
            }
            lock.lock();
        }
    });
}

void ReleaseController::stop() {
    {
        std::lock_guard lock(m_threadMutex);
        m_stopping = true;
    }
    m_wake.notify_all();
    if (m_thread.joinable()) {
        m_thread.join();
    }
}

void ReleaseController::tick() {
    if (m_deps.coordinator != nullptr && !m_driving) {
        for (const auto& problem : refresh()) {
            if (m_deps.onError) {
                m_deps.onError(problem);
            }
        }
        return;
    }
    Pending pending;
    {
        const auto edits = lockEdits();
        if (!edits.ok()) {
            return; // the next tick tries again
        }
        std::lock_guard lock(m_mutex);
        std::vector<std::string> problems;
        refreshLocked(pending, &problems);
        const int64_t now = m_deps.clock();
        for (auto it = m_active.begin(); it != m_active.end();) {
            Rollout& r = it->second;
            checkThresholds(r, now, pending);
            if (r.state == RolloutState::Progressing && r.nextStepAtMs > 0 &&
                now >= r.nextStepAtMs) {
                openGate(r, now, pending);
            }
            it = r.inProgress() ? std::next(it) : m_active.erase(it);
        }
    }
    announce(pending);
}

// ---- Calls ------------------------------------------------------------------------------------

std::optional<ReleaseError> ReleaseController::checkDeploy(const DeployPlan& plan,
                                                           StoredFlowVersion* version,
                                                           std::string* stable) {
    if (plan.flowId.empty() || plan.version.empty()) {
        return fail(Kind::InvalidArgument, "flow_id and version are required");
    }
    if (auto problem = checkPlan(plan.steps, plan.thresholds)) {
        return fail(Kind::InvalidArgument, *problem);
    }
    const std::string tenant = tenantOf(plan.tenantId);
    const auto flow = m_deps.flows.flow(tenant, plan.flowId);
    if (!flow) {
        return fail(Kind::NotFound, "flow '" + plan.flowId +
                                        "' is not stored on this node; store it with "
                                        "Flows.CreateFlow (flowctl push) first");
    }
    auto stored = m_deps.flows.version(tenant, plan.flowId, plan.version);
    if (!stored) {
        return fail(Kind::NotFound,
                    "flow '" + plan.flowId + "' has no version '" + plan.version + "'");
    }
    if (stored->errorCount > 0) {
        return fail(Kind::FailedPrecondition, "version " + plan.version + " has " +
                                                  std::to_string(stored->errorCount) +
                                                  " linter errors and cannot be deployed");
    }
    if (const Rollout* r = activeLocked(tenant, plan.flowId)) {
        return fail(Kind::FailedPrecondition,
                    "rollout " + r->rolloutId + " of version " + r->version + " is " +
                        std::string(toString(r->state)) +
                        "; promote, abort or roll it back before deploying again");
    }
    if (flow->activeVersion == plan.version) {
        return fail(Kind::FailedPrecondition, "version " + plan.version + " is already active");
    }
    if (!plan.steps.empty() && flow->activeVersion.empty()) {
        return fail(Kind::FailedPrecondition,
                    "flow '" + plan.flowId +
                        "' has no active version for a canary to share traffic with; deploy "
                        "without steps");
    }
    *version = std::move(*stored);
    *stable = flow->activeVersion;
    return std::nullopt;
}

ReleaseResult<Rollout> ReleaseController::deploy(const DeployPlan& plan, const std::string& who) {
    Pending pending;
    Rollout r;
    {
        const auto edits = lockEdits();
        if (!edits.ok()) {
            return edits.failure();
        }
        std::lock_guard lock(m_mutex);
        refreshLocked(pending, nullptr);
        StoredFlowVersion version;
        std::string stable;
        if (auto problem = checkDeploy(plan, &version, &stable)) {
            return *problem;
        }
        std::string error;
        if (!m_deps.load(version, &error)) {
            return fail(Kind::FailedPrecondition,
                        "version " + plan.version + " cannot be served: " + error);
        }
        const int64_t now = m_deps.clock();
        r.rolloutId = newId("ro-");
        r.tenantId = tenantOf(plan.tenantId);
        r.flowId = plan.flowId;
        r.version = plan.version;
        r.stableVersion = stable;
        r.steps = plan.steps;
        r.thresholds = plan.thresholds;
        r.startedAtMs = now;
        r.startedBy = who;
        r.reason = plan.reason;
        if (r.steps.empty()) {
            r.currentPercent = 100;
            record(r, HistoryAction::DeployStarted, who, now, plan.reason, std::nullopt, pending);
            complete(r, now, who, plan.reason, pending);
        } else {
            enterStep(r, 0, now);
            record(r, HistoryAction::DeployStarted, who, now, plan.reason, std::nullopt, pending);
            persist(r);
            pending.steps.emplace_back(r.flowId, 1);
            m_active[{r.tenantId, r.flowId}] = r;
        }
    }
    announce(pending);
    return r;
}

ReleaseResult<Rollout> ReleaseController::rollout(const std::string& tenantId,
                                                  const std::string& flowId,
                                                  const std::string& rolloutId) {
    const std::string tenant = tenantOf(tenantId);
    if (m_deps.coordinator != nullptr) {
        refresh(); // another node may have moved it since this node's last look
    }
    std::lock_guard lock(m_mutex);
    if (!rolloutId.empty()) {
        auto r = m_deps.store.rollout(rolloutId);
        if (!r || r->tenantId != tenant) {
            return fail(Kind::NotFound, "no rollout '" + rolloutId + "'");
        }
        if (const Rollout* live = activeLocked(tenant, r->flowId);
            live && live->rolloutId == rolloutId) {
            return *live;
        }
        return *r;
    }
    if (flowId.empty()) {
        return fail(Kind::InvalidArgument, "flow_id or rollout_id is required");
    }
    if (const Rollout* live = activeLocked(tenant, flowId)) {
        return *live;
    }
    if (auto latest = m_deps.store.latestRollout(tenant, flowId)) {
        return *latest;
    }
    return fail(Kind::NotFound, "flow '" + flowId + "' has never been deployed with Releases");
}

ReleaseResult<Rollout>
ReleaseController::moveInProgress(const std::string& tenantId, const std::string& flowId,
                                  const std::string& rolloutId,
                                  const std::function<void(Rollout&, int64_t, Pending&)>& move) {
    Pending pending;
    Rollout result;
    {
        const auto edits = lockEdits();
        if (!edits.ok()) {
            return edits.failure();
        }
        std::lock_guard lock(m_mutex);
        refreshLocked(pending, nullptr);
        Rollout* r = nullptr;
        if (auto problem = inProgressTarget(tenantOf(tenantId), flowId, rolloutId, &r)) {
            return *problem;
        }
        move(*r, m_deps.clock(), pending);
        result = *r;
        if (!r->inProgress()) {
            m_active.erase({r->tenantId, r->flowId});
        }
    }
    announce(pending);
    return result;
}

ReleaseResult<Rollout> ReleaseController::promote(const std::string& tenantId,
                                                  const std::string& flowId,
                                                  const std::string& rolloutId, bool toFull,
                                                  const std::string& reason,
                                                  const std::string& who) {
    return moveInProgress(tenantId, flowId, rolloutId, [&](Rollout& r, int64_t now, Pending& p) {
        if (!toFull) {
            advance(r, now, HistoryAction::Promoted, who, reason, std::nullopt, p);
            return;
        }
        r.currentPercent = 100;
        record(r, HistoryAction::Promoted, who, now, reason, std::nullopt, p);
        complete(r, now, who, reason, p);
    });
}

ReleaseResult<Rollout> ReleaseController::abort(const std::string& tenantId,
                                                const std::string& flowId,
                                                const std::string& rolloutId,
                                                const std::string& reason, const std::string& who) {
    return moveInProgress(tenantId, flowId, rolloutId, [&](Rollout& r, int64_t now, Pending& p) {
        finish(r, RolloutState::Aborted, now,
               "aborted by " + who + (reason.empty() ? "" : ": " + reason), p);
        record(r, HistoryAction::Aborted, who, now, reason, r.lastAnalysis, p);
    });
}

ReleaseResult<RollbackOutcome> ReleaseController::rollback(const std::string& tenantId,
                                                           const std::string& flowId,
                                                           const std::string& toVersion,
                                                           const std::string& reason,
                                                           const std::string& who) {
    const std::string tenant = tenantOf(tenantId);
    Pending pending;
    RollbackOutcome outcome;
    {
        const auto edits = lockEdits();
        if (!edits.ok()) {
            return edits.failure();
        }
        std::lock_guard lock(m_mutex);
        refreshLocked(pending, nullptr);
        const auto flow = m_deps.flows.flow(tenant, flowId);
        if (!flow) {
            return fail(Kind::NotFound, "flow '" + flowId + "' is not stored on this node");
        }
        const std::string current = flow->activeVersion;
        const std::string target =
            toVersion.empty() ? previousActive(tenant, flowId, current) : toVersion;
        if (target.empty()) {
            return fail(Kind::FailedPrecondition,
                        "flow '" + flowId +
                            "' has no earlier active version to roll back to; "
                            "name one with to_version");
        }
        const auto version = m_deps.flows.version(tenant, flowId, target);
        if (!version) {
            return fail(Kind::NotFound, "flow '" + flowId + "' has no version '" + target + "'");
        }
        if (version->errorCount > 0) {
            return fail(Kind::FailedPrecondition,
                        "version " + target + " has linter errors and cannot serve traffic");
        }
        Rollout* live = activeLocked(tenant, flowId);
        if (target == current && live == nullptr) {
            return fail(Kind::FailedPrecondition, "version " + target + " is already active");
        }
        std::string error;
        if (!m_deps.load(*version, &error)) {
            return fail(Kind::FailedPrecondition,
                        "version " + target + " cannot be served: " + error);
        }
        if (m_deps.flows.activate(tenant, flowId, target) != FlowStoreStatus::Ok) {
            return fail(Kind::Internal, "version " + target + " could not be made active");
        }
        m_deps.registry.activate(flowId, target);
        m_deps.registry.clearSplit(flowId);
        const int64_t now = m_deps.clock();
        HistoryEntry entry;
        entry.entryId = newId("h-");
        entry.tenantId = tenant;
        entry.flowId = flowId;
        entry.action = HistoryAction::RolledBack;
        entry.fromVersion = current;
        entry.toVersion = target;
        entry.percent = 100;
        entry.who = who;
        entry.atMs = now;
        entry.why = reason;
        if (live != nullptr) {
            entry.rolloutId = live->rolloutId;
            finish(*live, RolloutState::RolledBack, now,
                   "rolled back to " + target + " by " + who +
                       (reason.empty() ? "" : ": " + reason),
                   pending);
            m_active.erase({tenant, flowId});
        }
        appendEntry(entry, nullptr, pending);
        outcome = RollbackOutcome{flowId, target, current, entry};
    }
    announce(pending);
    return outcome;
}

HistoryPage ReleaseController::history(const HistoryQuery& query) {
    HistoryQuery q = query;
    q.tenantId = tenantOf(q.tenantId);
    q.limit = q.limit == 0 ? 50 : std::min<size_t>(q.limit, 1000);
    return m_deps.store.history(q);
}

void ReleaseController::recordPublished(const std::string& tenantId, const std::string& flowId,
                                        const std::string& fromVersion,
                                        const std::string& toVersion, const std::string& who,
                                        const std::string& why) {
    Pending pending;
    {
        std::lock_guard lock(m_mutex);
        HistoryEntry entry;
        entry.entryId = newId("h-");
        entry.tenantId = tenantOf(tenantId);
        entry.flowId = flowId;
        entry.action = HistoryAction::Published;
        entry.fromVersion = fromVersion;
        entry.toVersion = toVersion;
        entry.percent = 100;
        entry.who = who;
        entry.atMs = m_deps.clock();
        entry.why = why;
        appendEntry(std::move(entry), nullptr, pending);
    }
    announce(pending);
}

std::vector<std::pair<std::string, std::string>> ReleaseController::versionsInRollout() {
    std::lock_guard lock(m_mutex);
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& [key, rollout] : m_active) {
        out.emplace_back(rollout.flowId, rollout.version);
        out.emplace_back(rollout.flowId, rollout.stableVersion);
    }
    return out;
}

bool ReleaseController::inProgress(const std::string& tenantId, const std::string& flowId) {
    Pending pending;
    bool found = false;
    {
        std::lock_guard lock(m_mutex);
        refreshLocked(pending, nullptr); // callers hold the edit mutex already
        found = activeLocked(tenantOf(tenantId), flowId) != nullptr;
    }
    announce(pending);
    return found;
}

// ---- Moving a rollout -------------------------------------------------------------------------

Rollout* ReleaseController::activeLocked(const std::string& tenantId, const std::string& flowId) {
    const auto it = m_active.find({tenantId, flowId});
    return it == m_active.end() ? nullptr : &it->second;
}

std::optional<ReleaseError> ReleaseController::inProgressTarget(const std::string& tenantId,
                                                                const std::string& flowId,
                                                                const std::string& rolloutId,
                                                                Rollout** out) {
    if (flowId.empty()) {
        return fail(Kind::InvalidArgument, "flow_id is required");
    }
    Rollout* r = activeLocked(tenantId, flowId);
    if (r == nullptr) {
        return fail(Kind::FailedPrecondition, "flow '" + flowId + "' has no rollout in progress");
    }
    if (!rolloutId.empty() && rolloutId != r->rolloutId) {
        return fail(Kind::Aborted, "rollout " + rolloutId + " is not the one in progress (" +
                                       r->rolloutId + "); refresh and try again");
    }
    *out = r;
    return std::nullopt;
}

void ReleaseController::enterStep(Rollout& r, size_t step, int64_t now) {
    const CanaryStep& s = r.steps[step];
    r.currentStep = static_cast<int32_t>(step);
    r.currentPercent = s.percent;
    r.stepStartedAtMs = now;
    r.lastCheckAtMs = now;
    r.nextStepAtMs = s.gate == Gate::Manual ? 0 : now + s.durationMs;
    r.state = s.gate == Gate::Manual ? RolloutState::Paused : RolloutState::Progressing;
    r.stateReason = s.gate == Gate::Manual ? stepLabel(r) + " waits for Promote" : "";
    m_deps.registry.setSplit(r.flowId, r.version, r.currentPercent);
}

// In cluster mode the numbers are this node's plus the other nodes' (peerSeconds), so the leader
// judges the canary on all the traffic even when the load balancer sends it none. When the other
// nodes' numbers cannot be read, the verdict is Inconclusive rather than one made on this node's
// share as if it were the whole cluster: a breach then waits for the next check and a gate pauses
// the rollout for a person (the node logs why). Never aborting or promoting on part of the
// traffic is the safe side; and a node that lost PostgreSQL altogether has lost the release turn
// and leadership too, so this only covers a read that failed on its own.
AnalysisResult ReleaseController::measure(const Rollout& r, int64_t now, bool* complete) const {
    const int64_t from = std::max(r.stepStartedAtMs, now - kMaxWindowMs);
    std::vector<StatsSecond> canaryPeers;
    std::vector<StatsSecond> stablePeers;
    std::string error;
    const bool peersRead =
        !m_deps.peerSeconds ||
        (m_deps.peerSeconds(r.flowId, r.version, from, now, &canaryPeers, &error) &&
         m_deps.peerSeconds(r.flowId, r.stableVersion, from, now, &stablePeers, &error));
    AnalysisResult result =
        analyze(r.thresholds, m_deps.stats.measure(r.flowId, r.version, from, now, canaryPeers),
                m_deps.stats.measure(r.flowId, r.stableVersion, from, now, stablePeers), from, now);
    if (!peersRead) {
        result.verdict = Verdict::Inconclusive;
    }
    if (complete != nullptr) {
        *complete = peersRead;
    }
    return result;
}

void ReleaseController::checkThresholds(Rollout& r, int64_t now, Pending& pending) {
    if (!r.thresholds.any() || now - r.lastCheckAtMs < r.thresholds.effectiveCheckIntervalMs()) {
        return;
    }
    r.lastCheckAtMs = now;
    r.lastAnalysis = measure(r, now);
    if (r.lastAnalysis->verdict == Verdict::Fail) {
        autoAbort(r, now, *r.lastAnalysis, pending);
    } else {
        persist(r);
    }
}

void ReleaseController::openGate(Rollout& r, int64_t now, Pending& pending) {
    const CanaryStep& step = r.steps[static_cast<size_t>(r.currentStep)];
    if (step.gate == Gate::Pause) {
        advance(r, now, HistoryAction::StepAdvanced, "flowd",
                "pause of " + formatDurationMs(step.durationMs) + " ended", std::nullopt, pending);
        return;
    }
    bool complete = true;
    const AnalysisResult analysis = measure(r, now, &complete);
    if (!complete) {
        // Judging on this node's share would be wrong and pausing would need a person for what
        // is a passing outage: the gate stays open and is tried again on the next tick.
        const std::string waiting = "analysis at " + stepLabel(r) +
                                    " waits for the other nodes' numbers, which cannot be read "
                                    "now (see the node's log)";
        if (r.stateReason != waiting) {
            r.stateReason = waiting;
            persist(r);
        }
        return;
    }
    r.lastAnalysis = analysis;
    r.lastCheckAtMs = now;
    if (analysis.verdict == Verdict::Fail) {
        autoAbort(r, now, analysis, pending);
    } else if (analysis.verdict == Verdict::Pass) {
        advance(r, now, HistoryAction::StepAdvanced, "flowd", "analysis passed", analysis, pending);
    } else {
        r.state = RolloutState::Paused;
        r.nextStepAtMs = 0;
        r.stateReason = "analysis inconclusive at " + stepLabel(r) + ": " +
                        std::to_string(analysis.canary.messages) + " canary messages, " +
                        std::to_string(r.thresholds.effectiveMinMessages()) +
                        " needed; promote to go on";
        record(r, HistoryAction::Paused, "flowd", now, r.stateReason, analysis, pending);
        persist(r);
    }
}

void ReleaseController::advance(Rollout& r, int64_t now, HistoryAction action,
                                const std::string& who, const std::string& why,
                                std::optional<AnalysisResult> metrics, Pending& pending) {
    const size_t next = static_cast<size_t>(r.currentStep + 1);
    if (next >= r.steps.size()) {
        r.currentPercent = 100;
        record(r, action, who, now, why, std::move(metrics), pending);
        complete(r, now, who, why, pending);
        return;
    }
    enterStep(r, next, now);
    record(r, action, who, now, why, std::move(metrics), pending);
    persist(r);
    pending.steps.emplace_back(r.flowId, r.currentStep + 1);
}

void ReleaseController::complete(Rollout& r, int64_t now, const std::string& who,
                                 const std::string& why, Pending& pending) {
    if (m_deps.flows.activate(r.tenantId, r.flowId, r.version) != FlowStoreStatus::Ok ||
        !m_deps.registry.activate(r.flowId, r.version)) {
        const std::string problem = "version " + r.version + " could not be made active";
        finish(r, RolloutState::Aborted, now, problem, pending);
        record(r, HistoryAction::Aborted, "flowd", now, problem, std::nullopt, pending);
        return;
    }
    r.currentPercent = 100;
    finish(r, RolloutState::Succeeded, now, "", pending);
    record(r, HistoryAction::Completed, who, now, why, r.lastAnalysis, pending);
}

void ReleaseController::finish(Rollout& r, RolloutState state, int64_t now, const std::string& why,
                               Pending& pending) {
    r.state = state;
    r.finishedAtMs = now;
    r.nextStepAtMs = 0;
    r.stateReason = why;
    if (state != RolloutState::Succeeded) {
        r.currentPercent = 0;
    }
    m_deps.registry.clearSplit(r.flowId);
    persist(r);
    pending.steps.emplace_back(r.flowId, 0);
}

void ReleaseController::autoAbort(Rollout& r, int64_t now, const AnalysisResult& analysis,
                                  Pending& pending) {
    const std::string why = describeBreach(analysis);
    finish(r, RolloutState::Aborted, now, "threshold breached: " + why, pending);
    record(r, HistoryAction::Aborted, "flowd", now, why, analysis, pending);
}

// ---- Records ----------------------------------------------------------------------------------

void ReleaseController::record(const Rollout& r, HistoryAction action, const std::string& who,
                               int64_t now, const std::string& why,
                               std::optional<AnalysisResult> metrics, Pending& pending) {
    HistoryEntry entry;
    entry.entryId = newId("h-");
    entry.tenantId = r.tenantId;
    entry.flowId = r.flowId;
    entry.rolloutId = r.rolloutId;
    entry.action = action;
    entry.fromVersion = r.stableVersion;
    entry.toVersion = r.version;
    entry.percent = r.currentPercent;
    entry.who = who;
    entry.atMs = now;
    entry.why = why;
    entry.automatic = who == "flowd";
    entry.metrics = std::move(metrics);
    appendEntry(std::move(entry), &r, pending);
}

void ReleaseController::appendEntry(HistoryEntry entry, const Rollout* rollout, Pending& pending) {
    std::string error;
    if (!m_deps.store.appendHistory(entry, &error) && m_deps.onError) {
        m_deps.onError("release history entry not saved: " + error);
    }
    pending.entries.emplace_back(std::move(entry),
                                 rollout ? std::optional<Rollout>(*rollout) : std::nullopt);
}

void ReleaseController::persist(const Rollout& r) {
    std::string error;
    if (!m_deps.store.saveRollout(r, &error) && m_deps.onError) {
        m_deps.onError("rollout " + r.rolloutId + " not saved: " + error);
    }
}

std::string ReleaseController::previousActive(const std::string& tenantId,
                                              const std::string& flowId,
                                              const std::string& active) {
    // The newest entry that made `active` the flow's version says what was active before it.
    HistoryQuery query{tenantId, flowId, 0, 1000, 0};
    for (const HistoryEntry& e : m_deps.store.history(query).entries) {
        const bool activated = e.action == HistoryAction::Published ||
                               e.action == HistoryAction::Completed ||
                               e.action == HistoryAction::RolledBack;
        if (activated && e.toVersion == active && e.fromVersion != active) {
            return e.fromVersion;
        }
    }
    return {};
}

void ReleaseController::announce(Pending& pending) {
    if (m_deps.onHistory) {
        for (const auto& [entry, rollout] : pending.entries) {
            m_deps.onHistory(entry, rollout ? &*rollout : nullptr);
        }
    }
    if (m_deps.onStep) {
        for (const auto& [flowId, step] : pending.steps) {
            m_deps.onStep(flowId, step);
        }
    }
}

} // namespace flowdeck::engine::release
