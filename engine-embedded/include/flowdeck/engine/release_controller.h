#pragma once

#include "flowdeck/engine/release.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <variant>
#include <vector>

namespace flowdeck::engine {
class FlowRegistry;
class FlowVersionStore;
struct StoredFlowVersion;
} // namespace flowdeck::engine

namespace flowdeck::engine::release {

class VariantStats;
struct StatsSecond;

// Why a release call was refused; the server maps each kind to one API status.
struct ReleaseError {
    enum class Kind {
        InvalidArgument,
        NotFound,
        FailedPrecondition,
        Aborted,
        Unavailable,
        Internal
    };
    Kind kind = Kind::Internal;
    std::string message;
};

template <class T> using ReleaseResult = std::variant<T, ReleaseError>;

// Cluster mode: several nodes share one ReleaseStore and FlowVersionStore, and any of them may
// take a release call. The coordinator makes those changes take turns across the cluster (on
// PostgreSQL, an advisory lock); under it the controller re-reads the store, which is the truth
// every node shares, before it changes anything.
class ReleaseCoordinator {
public:
    virtual ~ReleaseCoordinator() = default;
    // Waits, bounded, for the cluster-wide turn to change releases. False with *error when it
    // cannot be had: the call then fails as Unavailable and changes nothing.
    virtual bool acquire(std::string* error) = 0;
    virtual void release() = 0;
};

// Drives rollouts on the server: splits new conversations between a flow's stable and canary
// versions in the FlowRegistry, moves through the plan's steps on its own (pause and analysis
// gates, threshold checks during every step, automatic abort on a breach), and records every
// change in the ReleaseStore's history. Rollouts are persisted on every change and resumed by
// resume(), so they outlive the console that started them and the node that ran them.
// Thread-safe: API calls and tick() are serialised by one mutex (they are rare and short).
class ReleaseController final {
public:
    struct Dependencies {
        FlowRegistry& registry;
        FlowVersionStore& flows;
        ReleaseStore& store;
        VariantStats& stats;
        // Puts a stored version into the registry without making it active. False with *error
        // when the document no longer parses.
        std::function<bool(const StoredFlowVersion&, std::string* error)> load;
        // Wall-clock ms; tests step it by hand.
        std::function<int64_t()> clock;
        // Called (outside no lock; keep it short) after each history entry is stored.
        std::function<void(const HistoryEntry&, const Rollout*)> onHistory;
        // Called with the step in force (1-based; 0 without a rollout in progress) whenever a
        // flow's rollout moves: flowdeck_rollout_step{flow}.
        std::function<void(const std::string& flowId, int step)> onStep;
        // Called when a rollout could not be saved (the node logs it; the rollout goes on).
        std::function<void(const std::string& message)> onError;
        // Called after every tick of the driver thread, outside any lock (the node refreshes its
        // time-based gauges there). May be empty.
        std::function<void()> onTick;
        // Held (before the controller's own lock) while a call may change which version is
        // active, so the controller and other editors of the flow store never interleave.
        std::mutex* editMutex = nullptr;
        // Cluster mode (both null/empty on a single node). See ReleaseCoordinator.
        ReleaseCoordinator* coordinator = nullptr;
        // Re-reads the flow's active version from the flow store into the registry: called when
        // a rollout this node followed ended on another node.
        std::function<void(const std::string& tenantId, const std::string& flowId)> reloadFlow =
            nullptr;
        // Cluster mode: the other nodes' seconds of (flow, version) in [fromMs, toMs], which the
        // analysis adds to this node's own `stats`, so a canary is judged on the whole cluster's
        // traffic. False with *error when they cannot be read: the analysis is then inconclusive
        // (see measure()). Empty on a single node, which judges on its own numbers.
        std::function<bool(const std::string& flowId, const std::string& version, int64_t fromMs,
                           int64_t toMs, std::vector<StatsSecond>* out, std::string* error)>
            peerSeconds = nullptr;
    };

    explicit ReleaseController(Dependencies deps);
    ~ReleaseController(); // stops the driver thread
    ReleaseController(const ReleaseController&) = delete;
    ReleaseController& operator=(const ReleaseController&) = delete;

    // Re-applies the splits of every rollout still in progress (after a restart). Returns the
    // problems met (a version that no longer loads aborts its rollout), for the log.
    std::vector<std::string> resume();
    // Runs tick() every `period` on a thread of its own until stop() or destruction.
    void start(std::chrono::milliseconds period);
    void stop();
    // One pass over the rollouts in progress: threshold checks, gates that opened. In cluster
    // mode only the node that drives (the cluster's leader) moves rollouts; the others refresh().
    void tick();
    // Cluster mode: whether this node's tick() moves rollouts. True by default (one node).
    void setDriving(bool driving);
    bool driving() const { return m_driving.load(); }
    // Cluster mode: re-reads the rollouts in progress from the shared store, splitting traffic for
    // those started elsewhere and dropping those that ended elsewhere. A no-op on a single node.
    // Returns the problems met, for the log.
    std::vector<std::string> refresh();

    ReleaseResult<Rollout> deploy(const DeployPlan& plan, const std::string& who);
    // The rollout with this id, or the flow's rollout in progress, or its latest one.
    ReleaseResult<Rollout> rollout(const std::string& tenantId, const std::string& flowId,
                                   const std::string& rolloutId);
    ReleaseResult<Rollout> promote(const std::string& tenantId, const std::string& flowId,
                                   const std::string& rolloutId, bool toFull,
                                   const std::string& reason, const std::string& who);
    ReleaseResult<Rollout> abort(const std::string& tenantId, const std::string& flowId,
                                 const std::string& rolloutId, const std::string& reason,
                                 const std::string& who);
    ReleaseResult<RollbackOutcome> rollback(const std::string& tenantId, const std::string& flowId,
                                            const std::string& toVersion, const std::string& reason,
                                            const std::string& who);
    HistoryPage history(const HistoryQuery& query);

    // Records a publish made through the Flows API (from -> to) in the history.
    void recordPublished(const std::string& tenantId, const std::string& flowId,
                         const std::string& fromVersion, const std::string& toVersion,
                         const std::string& who, const std::string& why);
    // Whether the flow has a rollout progressing or paused (Flows refuses to publish then).
    bool inProgress(const std::string& tenantId, const std::string& flowId);
    // The (flow, version) pairs of the rollouts in progress, stable and canary, as this node last
    // saw them (tick() re-reads the shared store every period in cluster mode): no store read.
    std::vector<std::pair<std::string, std::string>> versionsInRollout();

private:
    struct Pending; // what to announce once the lock is released
    class EditLock;
    using Key = std::pair<std::string, std::string>;

    Rollout* activeLocked(const std::string& tenantId, const std::string& flowId);
    // Runs `move` on the flow's rollout in progress under the locks, then drops the rollout from
    // the active set when it ended and announces what it recorded (Promote and Abort).
    ReleaseResult<Rollout>
    moveInProgress(const std::string& tenantId, const std::string& flowId,
                   const std::string& rolloutId,
                   const std::function<void(Rollout&, int64_t, Pending&)>& move);
    std::optional<ReleaseError> inProgressTarget(const std::string& tenantId,
                                                 const std::string& flowId,
                                                 const std::string& rolloutId, Rollout** out);
    std::optional<ReleaseError> checkDeploy(const DeployPlan& plan, StoredFlowVersion* version,
                                            std::string* stable);
    void checkThresholds(Rollout& rollout, int64_t now, Pending& pending);
    void openGate(Rollout& rollout, int64_t now, Pending& pending);
    void enterStep(Rollout& rollout, size_t step, int64_t now);
    void advance(Rollout& rollout, int64_t now, HistoryAction action, const std::string& who,
                 const std::string& why, std::optional<AnalysisResult> metrics, Pending& pending);
    void complete(Rollout& rollout, int64_t now, const std::string& who, const std::string& why,
                  Pending& pending);
    void finish(Rollout& rollout, RolloutState state, int64_t now, const std::string& why,
                Pending& pending);
    void autoAbort(Rollout& rollout, int64_t now, const AnalysisResult& analysis, Pending& pending);
    // *complete (when given) is false when the other nodes' numbers could not be read.
    AnalysisResult measure(const Rollout& rollout, int64_t now, bool* complete = nullptr) const;
    void record(const Rollout& rollout, HistoryAction action, const std::string& who, int64_t now,
                const std::string& why, std::optional<AnalysisResult> metrics, Pending& pending);
    void persist(const Rollout& rollout);
    void appendEntry(HistoryEntry entry, const Rollout* rollout, Pending& pending);
    std::string previousActive(const std::string& tenantId, const std::string& flowId,
                               const std::string& active);
    void announce(Pending& pending);
    std::string newId(std::string_view prefix);
    // Holds the node's edit mutex and, when `cluster` (and in cluster mode), the cluster's turn.
    EditLock lockEdits(bool cluster = true);
    // Cluster mode: makes m_active and the registry's splits agree with the shared store.
    void refreshLocked(Pending& pending, std::vector<std::string>* problems);
    // Loads (when `load`) and splits traffic to a rollout another node started or moved.
    bool followRollout(const Rollout& rollout, bool load, std::string* problem);

    Dependencies m_deps;
    std::mutex m_mutex;
    std::map<Key, Rollout> m_active; // rollouts in progress, by (tenant, flow)
    uint64_t m_idSeed = 0;
    uint64_t m_idCounter = 0;
    std::atomic<bool> m_driving{true};
    std::set<std::string> m_reported; // rollouts whose refresh problem was logged once

    std::mutex m_threadMutex;
    std::condition_variable m_wake;
    bool m_stopping = false;
    std::thread m_thread;
};

} // namespace flowdeck::engine::release
