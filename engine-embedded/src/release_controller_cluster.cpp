// ReleaseController in cluster mode: following rollouts that other nodes start and move, with
// the shared store as the truth (release_controller.h, ReleaseCoordinator).
#include "flowdeck/engine/flow_registry.h"
#include "flowdeck/engine/flow_version_store.h"
#include "release_controller_internal.h"

namespace flowdeck::engine::release {

ReleaseController::EditLock ReleaseController::lockEdits(bool cluster) {
    return EditLock(m_deps.editMutex, cluster ? m_deps.coordinator : nullptr);
}

void ReleaseController::setDriving(bool driving) {
    m_driving = driving;
}

std::vector<std::string> ReleaseController::refresh() {
    std::vector<std::string> problems;
    if (m_deps.coordinator == nullptr) {
        return problems;
    }
    Pending pending;
    {
        const auto edits = lockEdits(false); // reads only: no cluster-wide turn needed
        std::lock_guard lock(m_mutex);
        refreshLocked(pending, &problems);
    }
    announce(pending);
    return problems;
}

// ---- Following the cluster -------------------------------------------------------------------

void ReleaseController::refreshLocked(Pending& pending, std::vector<std::string>* problems) {
    if (m_deps.coordinator == nullptr) {
        return;
    }
    std::map<Key, Rollout> fresh;
    for (Rollout& r : m_deps.store.inProgress()) {
        Key key{r.tenantId, r.flowId};
        fresh.emplace(std::move(key), std::move(r));
    }
    for (auto it = m_active.begin(); it != m_active.end();) {
        const auto next = fresh.find(it->first);
        if (next != fresh.end() && next->second.rolloutId == it->second.rolloutId) {
            ++it;
            continue;
        }
        if (next == fresh.end()) {
            // Absent from a read that may have failed proves nothing; its own row must say so.
            const auto stored = m_deps.store.rollout(it->second.rolloutId);
            if (!stored || stored->inProgress()) {
                ++it;
                continue;
            }
        }
        const auto& [tenantId, flowId] = it->first;
        m_deps.registry.clearSplit(flowId);
        if (m_deps.reloadFlow) {
            m_deps.reloadFlow(tenantId, flowId); // it may have completed: a new active version
        }
        pending.steps.emplace_back(flowId, 0);
        it = m_active.erase(it);
    }
    for (auto& [key, r] : fresh) {
        const Rollout* known = activeLocked(key.first, key.second);
        if (!known || known->version != r.version || known->currentPercent != r.currentPercent) {
            std::string problem;
            if (!followRollout(r, !known || known->version != r.version, &problem)) {
                if (problems != nullptr && m_reported.insert(r.rolloutId).second) {
                    problems->push_back("rollout " + r.rolloutId + " of " + r.flowId +
                                        " cannot be followed on this node: " + problem);
                }
                continue;
            }
            pending.steps.emplace_back(r.flowId, r.currentStep + 1);
        }
        m_active[key] = std::move(r);
    }
}

bool ReleaseController::followRollout(const Rollout& r, bool load, std::string* problem) {
    if (load) {
        const auto version = m_deps.flows.version(r.tenantId, r.flowId, r.version);
        if (!version) {
            *problem = "version " + r.version + " is not in the flow store";
            return false;
        }
        if (!m_deps.load(*version, problem)) {
            return false;
        }
    }
    if (!m_deps.registry.setSplit(r.flowId, r.version, r.currentPercent)) {
        *problem = "the registry refused the split to version " + r.version;
        return false;
    }
    return true;
}

} // namespace flowdeck::engine::release
