#pragma once

// What release_controller.cpp and release_controller_cluster.cpp share.

#include "flowdeck/engine/release_controller.h"

#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace flowdeck::engine::release {

using Kind = ReleaseError::Kind;

inline ReleaseError fail(Kind kind, std::string message) {
    return ReleaseError{kind, std::move(message)};
}

struct ReleaseController::Pending {
    std::vector<std::pair<HistoryEntry, std::optional<Rollout>>> entries;
    std::vector<std::pair<std::string, int>> steps;
};

// The node's edit mutex, then (cluster mode) the cluster-wide turn: every change to releases
// holds both, so neither a Flows edit on this node nor a release call on another interleaves.
class ReleaseController::EditLock {
public:
    EditLock(std::mutex* local, ReleaseCoordinator* coordinator) {
        if (local != nullptr) {
            m_local = std::unique_lock(*local);
        }
        if (coordinator != nullptr) {
            m_ok = coordinator->acquire(&m_error);
            m_coordinator = m_ok ? coordinator : nullptr;
        }
    }
    ~EditLock() {
        if (m_coordinator != nullptr) {
            m_coordinator->release();
        }
    }
    EditLock(const EditLock&) = delete;
    EditLock& operator=(const EditLock&) = delete;

    bool ok() const { return m_ok; }
    ReleaseError failure() const {
        return fail(Kind::Unavailable,
                    "release changes cannot take their turn in the cluster now (" + m_error +
                        "); try again");
    }

private:
    std::unique_lock<std::mutex> m_local;
    ReleaseCoordinator* m_coordinator = nullptr;
    bool m_ok = true;
    std::string m_error;
};

} // namespace flowdeck::engine::release
