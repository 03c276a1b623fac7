// ReleaseController in cluster mode: two controllers (two nodes) over one shared flow store and
// release store, as flowd nodes share PostgreSQL. Only the driving node moves rollouts; the other
// follows what the store says, and release calls on either take turns through the coordinator.
#include "flowdeck/engine/flow_json.h"
#include "flowdeck/engine/flow_registry.h"
#include "flowdeck/engine/flow_version_store.h"
#include "flowdeck/engine/release.h"
#include "flowdeck/engine/release_controller.h"
#include "flowdeck/engine/variant_stats.h"

#include <QtTest>

#include <memory>
#include <mutex>
#include <set>
#include <string>

using namespace flowdeck::engine;
using namespace flowdeck::engine::release;

namespace {

std::string echoFlow(const std::string& reply) {
    return "{\"name\":\"echo\",\"initial_state\":\"ask\",\"states\":{\"ask\":{"
           "\"type\":\"response\",\"config\":{\"response_templates\":{\"default\":\"" +
           reply +
           "\"}},\"transitions\":[{\"condition\":\"any_input\",\"target_state\":\"ask\"}]}}}";
}

// A cluster-wide mutex, as the PostgreSQL advisory lock is; `refuse` simulates a lost database.
class TestCoordinator final : public ReleaseCoordinator {
public:
    bool acquire(std::string* error) override {
        if (refuse) {
            *error = "database unreachable";
            return false;
        }
        m_mutex.lock();
        ++acquired;
        return true;
    }
    void release() override { m_mutex.unlock(); }

    bool refuse = false;
    int acquired = 0;

private:
    std::mutex m_mutex;
};

struct Shared {
    std::unique_ptr<FlowVersionStore> flows = makeMemoryFlowVersionStore();
    std::unique_ptr<ReleaseStore> store = makeMemoryReleaseStore();
    TestCoordinator coordinator;
    int64_t now = 1'700'000'000'000;
};

// One node: its own registry, stats and controller over the shared stores.
struct TestNode {
    Shared& shared;
    FlowRegistry registry;
    VariantStats stats;
    std::set<std::string> reloaded;
    std::unique_ptr<ReleaseController> controller;

    explicit TestNode(Shared& s)
        : shared(s) {
        ReleaseController::Dependencies deps{
            registry,
            *shared.flows,
            *shared.store,
            stats,
            [this](const StoredFlowVersion& v, std::string* error) { return serve(v, error); },
            [this] { return shared.now; },
            {},
            {},
            {},
            {},
            nullptr};
        deps.coordinator = &shared.coordinator;
        deps.reloadFlow = [this](const std::string& tenantId, const std::string& flowId) {
            reloaded.insert(flowId);
            const auto flow = shared.flows->flow(tenantId, flowId);
            if (flow && !flow->activeVersion.empty()) {
                if (auto v = shared.flows->version(tenantId, flowId, flow->activeVersion)) {
                    std::string error;
                    serve(*v, &error);
                    registry.activate(flowId, flow->activeVersion);
                }
            }
        };
        controller = std::make_unique<ReleaseController>(std::move(deps));
    }

    bool serve(const StoredFlowVersion& v, std::string* error) {
        auto parsed = parseFlow(v.flowJson);
        if (!parsed.flow) {
            *error = "does not parse";
            return false;
        }
        parsed.flow->version = v.version;
        registry.add(*parsed.flow, v.flowId, false);
        return true;
    }

    uint32_t canaryPercent() const {
        const auto split = registry.split("echo");
        return split ? split->percent : 0;
    }
    std::string activeVersion() const {
        const auto entry = registry.active("echo");
        return entry ? entry->version : std::string();
    }
};

template <class T> T valueOf(ReleaseResult<T> result) {
    if (auto* error = std::get_if<ReleaseError>(&result)) {
        qWarning("release call refused: %s", error->message.c_str());
        return T{};
    }
    return std::get<T>(std::move(result));
}

} // namespace

class tst_ReleaseCluster : public QObject {
    Q_OBJECT

    Shared m_shared;
    std::unique_ptr<TestNode> m_leader;
    std::unique_ptr<TestNode> m_follower;

    void storeVersion(const std::string& version, bool activate) {
        StoredFlowVersion v;
        v.tenantId = "default";
        v.flowId = "echo";
        v.version = version;
        v.flowJson = echoFlow("reply " + version);
        QVERIFY(m_shared.flows->append(v, -1).status == FlowStoreStatus::Ok);
        if (activate) {
            QVERIFY(m_shared.flows->activate("default", "echo", version) == FlowStoreStatus::Ok);
            for (TestNode* node : {m_leader.get(), m_follower.get()}) {
                std::string error;
                QVERIFY(node->serve(*m_shared.flows->version("default", "echo", version), &error));
                node->registry.activate("echo", version);
            }
        }
    }

    DeployPlan plan(const std::string& steps) {
        std::string error;
        auto parsed = parseSteps(steps, &error);
        if (!parsed) {
            qFatal("bad plan %s: %s", steps.c_str(), error.c_str());
        }
        return DeployPlan{"default", "echo", "2", *parsed, {}, "try v2"};
    }

private Q_SLOTS:
    void init() {
        m_shared.flows = makeMemoryFlowVersionStore();
        m_shared.store = makeMemoryReleaseStore();
        m_shared.coordinator.refuse = false;
        m_leader = std::make_unique<TestNode>(m_shared);
        m_follower = std::make_unique<TestNode>(m_shared);
        m_follower->controller->setDriving(false);
        storeVersion("1", true);
        storeVersion("2", false);
    }

    void cleanup() {
        m_leader.reset();
        m_follower.reset();
    }

    void aFollowerSplitsTrafficForARolloutStartedElsewhere() {
        const Rollout r = valueOf(m_leader->controller->deploy(plan("10%:manual, 100%"), "ana"));
        QCOMPARE(r.currentPercent, 10u);
        QCOMPARE(m_leader->canaryPercent(), 10u);
        QCOMPARE(m_follower->canaryPercent(), 0u); // it has not looked yet

        QVERIFY(m_follower->controller->refresh().empty());
        QCOMPARE(m_follower->canaryPercent(), 10u);
        QVERIFY(m_follower->registry.find("echo", "2")); // the canary was loaded to serve it
        QVERIFY(m_follower->controller->inProgress("default", "echo"));
    }

    void aFollowerDoesNotMoveRolloutsOnItsOwn() {
        valueOf(m_leader->controller->deploy(plan("10%:pause=1m"), "ana"));
        m_follower->controller->refresh();
        m_shared.now += 61'000;
        m_follower->controller->tick(); // the pause is over, but the follower only follows
        QCOMPARE(m_follower->canaryPercent(), 10u);
        QCOMPARE(m_shared.store->latestRollout("default", "echo")->currentPercent, 10u);

        m_leader->controller->tick(); // the leader opens the gate, the last: it completes
        QVERIFY(!m_leader->controller->inProgress("default", "echo"));
        QCOMPARE(m_leader->activeVersion(), std::string("2"));

        m_follower->controller->tick();
        QCOMPARE(m_follower->canaryPercent(), 0u);
        QCOMPARE(m_follower->activeVersion(), std::string("2"));
        QVERIFY(m_follower->reloaded.count("echo") == 1);
    }

    void aReleaseCallOnAFollowerActsOnTheSharedRollout() {
        const Rollout started =
            valueOf(m_leader->controller->deploy(plan("10%:manual, 50%:manual, 100%"), "ana"));
        // The follower has never refreshed: it must read the store before it refuses or acts.
        const Rollout promoted = valueOf(m_follower->controller->promote(
            "default", "echo", started.rolloutId, false, "looks fine", "bo"));
        QCOMPARE(promoted.rolloutId, started.rolloutId);
        QCOMPARE(promoted.currentPercent, 50u);
        QCOMPARE(m_follower->canaryPercent(), 50u);

        // The leader picks the change up from the store on its next look.
        QCOMPARE(valueOf(m_leader->controller->rollout("default", "echo", "")).currentPercent, 50u);
        QCOMPARE(m_leader->canaryPercent(), 50u);

        valueOf(m_leader->controller->abort("default", "echo", "", "enough", "ana"));
        m_follower->controller->refresh();
        QCOMPARE(m_follower->canaryPercent(), 0u);
        QCOMPARE(m_follower->activeVersion(), std::string("1"));
        const auto history = m_shared.store->history(HistoryQuery{"default", "echo", 0, 50, 0});
        QCOMPARE(history.entries.size(), size_t{3}); // deploy, promote, abort; each once
    }

    void aSecondDeployOnAnotherNodeIsRefused() {
        valueOf(m_leader->controller->deploy(plan("10%:manual, 100%"), "ana"));
        StoredFlowVersion v3;
        v3.tenantId = "default";
        v3.flowId = "echo";
        v3.version = "3";
        v3.flowJson = echoFlow("reply 3");
        QVERIFY(m_shared.flows->append(v3, -1).status == FlowStoreStatus::Ok);
        DeployPlan second = plan("10%:manual, 100%");
        second.version = "3";
        const auto refused = m_follower->controller->deploy(second, "bo");
        const auto* error = std::get_if<ReleaseError>(&refused);
        QVERIFY(error != nullptr);
        QVERIFY(error->kind == ReleaseError::Kind::FailedPrecondition);
        QVERIFY2(error->message.find("before deploying again") != std::string::npos,
                 error->message.c_str());
    }

    void changesFailAsUnavailableWithoutTheClusterTurn() {
        m_shared.coordinator.refuse = true;
        const auto refused = m_leader->controller->deploy(plan("10%:manual, 100%"), "ana");
        const auto* error = std::get_if<ReleaseError>(&refused);
        QVERIFY(error != nullptr);
        QVERIFY(error->kind == ReleaseError::Kind::Unavailable);
        QVERIFY(error->message.find("database unreachable") != std::string::npos);
        QVERIFY(!m_shared.store->latestRollout("default", "echo").has_value());
        QCOMPARE(m_leader->canaryPercent(), 0u);
    }

    void everyChangeTakesTheClusterTurn() {
        const int before = m_shared.coordinator.acquired;
        valueOf(m_leader->controller->deploy(plan("10%:manual, 100%"), "ana"));
        valueOf(m_follower->controller->abort("default", "echo", "", "no", "bo"));
        QCOMPARE(m_shared.coordinator.acquired - before, 2);
        m_follower->controller->refresh(); // reads take no turn
        m_follower->controller->tick();    // nor does a follower's tick
        QCOMPARE(m_shared.coordinator.acquired - before, 2);
    }
};

QTEST_GUILESS_MAIN(tst_ReleaseCluster)
#include "tst_release_cluster.moc"
