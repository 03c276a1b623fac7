#include "node_cluster.h"

#include "node.h"

#include <nlohmann/json.hpp>

#include <map>

namespace flowdeck::server {

namespace {

// How long a node may go without a heartbeat before peers call it down: three missed beats.
constexpr std::chrono::milliseconds kLiveness{3500};
constexpr std::chrono::milliseconds kBeat{1000};
// How long a release call waits for another node's change to finish.
constexpr std::chrono::milliseconds kTurnWait{5000};

} // namespace

ClusterLink::ClusterLink(std::shared_ptr<engine::PostgresDatabase> database)
    : m_database(std::move(database))
    , m_turn(m_database->options().conninfo, engine::kReleaseTurnLockKey, kTurnWait)
    , m_roster(m_database->options().conninfo, kLiveness)
    , m_variantSeconds(engine::PostgresVariantStats::Options{m_database->options().conninfo}) {}

bool ClusterLink::listen(Callbacks callbacks, std::string* error) {
    m_callbacks = std::move(callbacks);
    engine::PostgresListener::Options options;
    options.conninfo = m_database->options().conninfo;
    options.channels = {kFlowsChannel, kReleasesChannel};
    options.leaderLockKey = engine::kLeaderLockKey;
    ClusterLink* self = this;
    engine::PostgresListener::Callbacks listen;
    listen.onNotify = [self](const std::string& channel, const std::string& payload) {
        self->handleNotify(channel, payload);
    };
    listen.onConnection = [self](bool connected, const std::string& why) {
        if (!connected) {
            logLine("cluster: lost the PostgreSQL listener connection: " + why);
            self->m_hadConnection = false;
        } else if (!self->m_hadConnection.exchange(true)) {
            logLine("cluster: listener reconnected; re-reading flows and rollouts");
            if (self->m_callbacks.onResync) {
                self->m_callbacks.onResync();
            }
        }
    };
    listen.onLeadership = [self](bool leader) {
        logLine(leader ? "cluster: this node now drives rollouts (leader)"
                       : "cluster: this node no longer drives rollouts");
        if (self->m_callbacks.onLeadership) {
            self->m_callbacks.onLeadership(leader);
        }
    };
    m_listener = engine::PostgresListener::start(std::move(options), std::move(listen), error);
    return m_listener != nullptr;
}

ClusterLink::~ClusterLink() {
    {
        std::lock_guard lock(m_stopMutex);
        m_stopping = true;
    }
    m_stopWake.notify_all();
    if (m_heartbeat.joinable()) {
        m_heartbeat.join();
    }
    if (m_statsThread.joinable()) {
        m_statsThread.join();
    }
    std::string self;
    {
        std::lock_guard lock(m_peersMutex);
        self = m_selfId;
    }
    if (!self.empty()) {
        m_roster.leave(self); // peers see a clean shutdown at once
    }
    m_listener.reset(); // closes its connection: leadership passes on
}

void ClusterLink::startHeartbeat(std::function<Identity()> identity) {
    m_heartbeat = std::thread([this, identity = std::move(identity)] { heartbeatLoop(identity); });
}

void ClusterLink::heartbeatLoop(const std::function<Identity()>& identity) {
    std::unique_lock lock(m_stopMutex);
    do {
        lock.unlock();
        beat(identity());
        lock.lock();
    } while (!m_stopWake.wait_for(lock, kBeat, [this] { return m_stopping; }));
}

void ClusterLink::beat(const Identity& self) {
    engine::RosterEntry entry{self.nodeId, self.address, self.version, self.startedAtMs, 0, true};
    std::string error;
    if (!m_roster.heartbeat(entry, &error)) {
        logLine("cluster: heartbeat failed: " + error);
        return;
    }
    std::vector<engine::RosterEntry> others;
    for (auto& node : m_roster.nodes(&error)) {
        if (node.nodeId != self.nodeId) {
            others.push_back(std::move(node));
        }
    }
    if (!error.empty()) {
        logLine("cluster: cannot read the roster: " + error);
        return;
    }
    std::vector<std::pair<engine::RosterEntry, bool>> changes;
    {
        std::lock_guard lock(m_peersMutex);
        m_selfId = self.nodeId;
        std::map<std::string, bool> before;
        for (const auto& peer : m_peers) {
            before[peer.nodeId] = peer.alive;
        }
        for (const auto& peer : others) {
            const auto it = before.find(peer.nodeId);
            if ((it == before.end() && peer.alive) ||
                (it != before.end() && it->second != peer.alive)) {
                changes.emplace_back(peer, peer.alive);
            }
            before.erase(peer.nodeId);
        }
        for (const auto& peer : m_peers) {
            if (before.count(peer.nodeId) > 0 && peer.alive) { // left the roster (clean stop)
                changes.emplace_back(peer, false);
            }
        }
        m_peers = std::move(others);
    }
    if (m_callbacks.onPeer) {
        for (const auto& [peer, up] : changes) {
            m_callbacks.onPeer(peer, up);
        }
    }
}

void ClusterLink::announce(const char* channel, const std::string& tenantId,
                           const std::string& flowId) {
    std::string self;
    {
        std::lock_guard lock(m_peersMutex);
        self = m_selfId;
    }
    const nlohmann::json payload = {{"node", self}, {"tenant", tenantId}, {"flow", flowId}};
    std::string error;
    if (!m_database->notify(channel, payload.dump(), &error)) {
        logLine(std::string("cluster: cannot notify ") + channel + ": " + error);
    }
}

void ClusterLink::handleNotify(const std::string& channel, const std::string& payload) {
    const auto json = nlohmann::json::parse(payload, nullptr, false);
    if (!json.is_object() || !json.contains("flow") || !json["flow"].is_string()) {
        logLine("cluster: ignored a malformed notice on " + channel + ": " +
                payload.substr(0, 200));
        return;
    }
    const auto field = [&json](const char* key) {
        const auto it = json.find(key);
        return it != json.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    ChangeNotice notice{field("node"), field("tenant"), field("flow")};
    {
        std::lock_guard lock(m_peersMutex);
        if (!m_selfId.empty() && notice.node == m_selfId) {
            return; // this node made the change and already applied it
        }
    }
    if (m_callbacks.onChange) {
        m_callbacks.onChange(notice);
    }
}

bool ClusterLink::isLeader() const {
    return m_listener && m_listener->isLeader();
}

std::vector<engine::RosterEntry> ClusterLink::peers() const {
    std::lock_guard lock(m_peersMutex);
    return m_peers;
}

} // namespace flowdeck::server
