// The release stores: in memory (tests, the simulator) and one SQLite file per node. Both keep
// rollouts and history entries as JSON documents (release_codec.cpp) beside the few columns the
// queries filter and sort on.
#include "flowdeck/engine/release.h"

#include "sqlite_db.h"

#include <algorithm>
#include <map>
#include <mutex>

namespace flowdeck::engine::release {

namespace {

bool matches(const HistoryEntry& e, const HistoryQuery& q) {
    return e.tenantId == q.tenantId && (q.flowId.empty() || e.flowId == q.flowId) &&
           e.atMs >= q.sinceMs;
}

class MemoryReleaseStore final : public ReleaseStore {
public:
    bool saveRollout(const Rollout& rollout, std::string*) override {
        std::lock_guard lock(m_mutex);
        m_rollouts[rollout.rolloutId] = rollout;
        m_saved.try_emplace(rollout.rolloutId, m_saved.size());
        return true;
    }
    std::optional<Rollout> rollout(const std::string& rolloutId) override {
        std::lock_guard lock(m_mutex);
        const auto it = m_rollouts.find(rolloutId);
        return it == m_rollouts.end() ? std::nullopt : std::optional<Rollout>(it->second);
    }
    std::optional<Rollout> latestRollout(const std::string& tenantId,
                                         const std::string& flowId) override {
        std::lock_guard lock(m_mutex);
        // Newest by start time, then by first save (as SQLite's rowid breaks ties).
        const Rollout* latest = nullptr;
        for (const auto& [id, r] : m_rollouts) {
            if (r.tenantId == tenantId && r.flowId == flowId &&
                (latest == nullptr ||
                 std::pair(r.startedAtMs, m_saved.at(id)) >
                     std::pair(latest->startedAtMs, m_saved.at(latest->rolloutId)))) {
                latest = &r;
            }
        }
        return latest ? std::optional<Rollout>(*latest) : std::nullopt;
    }
    std::vector<Rollout> inProgress() override {
        std::lock_guard lock(m_mutex);
        std::vector<Rollout> out;
        for (const auto& [id, r] : m_rollouts) {
            if (r.inProgress()) {
                out.push_back(r);
            }
        }
        return out;
    }
    bool appendHistory(const HistoryEntry& entry, std::string*) override {
        std::lock_guard lock(m_mutex);
        m_history.push_back(entry);
        return true;
    }
    HistoryPage history(const HistoryQuery& query) override {
        std::lock_guard lock(m_mutex);
        HistoryPage page;
        for (auto it = m_history.rbegin(); it != m_history.rend(); ++it) {
            if (!matches(*it, query)) {
                continue;
            }
            if (page.total >= query.offset && page.entries.size() < query.limit) {
                page.entries.push_back(*it);
            }
            ++page.total;
        }
        return page;
    }

private:
    std::mutex m_mutex;
    std::map<std::string, Rollout> m_rollouts;
    std::map<std::string, size_t> m_saved; // id -> order of first save
    std::vector<HistoryEntry> m_history;   // oldest first
};

constexpr std::string_view kSchema = R"sql(
CREATE TABLE IF NOT EXISTS rollouts (
    rollout_id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    flow_id TEXT NOT NULL,
    in_progress INTEGER NOT NULL,
    started_at INTEGER NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS rollouts_by_flow ON rollouts (tenant_id, flow_id, started_at);
CREATE TABLE IF NOT EXISTS release_history (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    entry_id TEXT NOT NULL UNIQUE,
    tenant_id TEXT NOT NULL,
    flow_id TEXT NOT NULL,
    at INTEGER NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS history_by_flow ON release_history (tenant_id, flow_id, seq);
CREATE TRIGGER IF NOT EXISTS release_history_append_only
BEFORE UPDATE ON release_history
BEGIN SELECT RAISE(ABORT, 'release history is append-only'); END;
)sql";

// One connection behind a mutex: release calls are rare (a few a minute at most).
class SqliteReleaseStore final : public ReleaseStore {
public:
    explicit SqliteReleaseStore(sqlite::Connection db)
        : m_db(std::move(db)) {}

    bool saveRollout(const Rollout& r, std::string* error) override {
        std::lock_guard lock(m_mutex);
        sqlite::Statement s(m_db.get(),
                            "INSERT OR REPLACE INTO rollouts (rollout_id, tenant_id, flow_id, "
                            "in_progress, started_at, doc) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                            error);
        if (!s.valid()) {
            return false;
        }
        s.bind(1, r.rolloutId);
        s.bind(2, r.tenantId);
        s.bind(3, r.flowId);
        s.bind(4, int64_t{r.inProgress() ? 1 : 0});
        s.bind(5, r.startedAtMs);
        const std::string doc = encodeRollout(r); // bound SQLITE_STATIC: must outlive step()
        s.bind(6, doc);
        return done(s, "saving rollout " + r.rolloutId, error);
    }

    std::optional<Rollout> rollout(const std::string& rolloutId) override {
        auto found = rollouts("WHERE rollout_id = ?1", {rolloutId});
        return found.empty() ? std::nullopt : std::optional<Rollout>(std::move(found.front()));
    }

    std::optional<Rollout> latestRollout(const std::string& tenantId,
                                         const std::string& flowId) override {
        auto found = rollouts("WHERE tenant_id = ?1 AND flow_id = ?2 "
                              "ORDER BY started_at DESC, rowid DESC LIMIT 1",
                              {tenantId, flowId});
        return found.empty() ? std::nullopt : std::optional<Rollout>(std::move(found.front()));
    }

    std::vector<Rollout> inProgress() override { return rollouts("WHERE in_progress = 1", {}); }

    bool appendHistory(const HistoryEntry& e, std::string* error) override {
        std::lock_guard lock(m_mutex);
        sqlite::Statement s(m_db.get(),
                            "INSERT INTO release_history (entry_id, tenant_id, flow_id, at, doc) "
                            "VALUES (?1, ?2, ?3, ?4, ?5)",
                            error);
        if (!s.valid()) {
            return false;
        }
        s.bind(1, e.entryId);
        s.bind(2, e.tenantId);
        s.bind(3, e.flowId);
        s.bind(4, e.atMs);
        const std::string doc = encodeHistoryEntry(e); // bound SQLITE_STATIC
        s.bind(5, doc);
        return done(s, "appending history entry " + e.entryId, error);
    }

    HistoryPage history(const HistoryQuery& q) override {
        std::lock_guard lock(m_mutex);
        const std::string where =
            " FROM release_history WHERE tenant_id = ?1 AND (?2 = '' OR flow_id = ?2) AND at >= ?3";
        HistoryPage page;
        std::string error;
        sqlite::Statement count(m_db.get(), "SELECT COUNT(*)" + where, &error);
        sqlite::Statement rows(
            m_db.get(), "SELECT doc" + where + " ORDER BY seq DESC LIMIT ?4 OFFSET ?5", &error);
        if (!count.valid() || !rows.valid()) {
            return page;
        }
        for (auto* s : {&count, &rows}) {
            s->bind(1, q.tenantId);
            s->bind(2, q.flowId);
            s->bind(3, q.sinceMs);
        }
        rows.bind(4, static_cast<int64_t>(q.limit));
        rows.bind(5, static_cast<int64_t>(q.offset));
        if (count.step() == SQLITE_ROW) {
            page.total = static_cast<size_t>(count.integer(0));
        }
        while (rows.step() == SQLITE_ROW) {
            if (auto entry = decodeHistoryEntry(rows.text(0))) {
                page.entries.push_back(std::move(*entry));
            }
        }
        return page;
    }

private:
    bool done(sqlite::Statement& s, const std::string& what, std::string* error) {
        const int rc = s.step();
        if (rc != SQLITE_DONE) {
            *error = sqlite::describe(m_db.get(), rc, what);
            return false;
        }
        return true;
    }

    std::vector<Rollout> rollouts(const std::string& clause, std::vector<std::string> params) {
        std::lock_guard lock(m_mutex);
        std::string error;
        sqlite::Statement s(m_db.get(), "SELECT doc FROM rollouts " + clause, &error);
        std::vector<Rollout> out;
        if (!s.valid()) {
            return out;
        }
        for (size_t i = 0; i < params.size(); ++i) {
            s.bind(static_cast<int>(i + 1), params[i]);
        }
        while (s.step() == SQLITE_ROW) {
            if (auto r = decodeRollout(s.text(0))) {
                out.push_back(std::move(*r));
            }
        }
        return out;
    }

    std::mutex m_mutex;
    sqlite::Connection m_db;
};

} // namespace

std::unique_ptr<ReleaseStore> makeMemoryReleaseStore() {
    return std::make_unique<MemoryReleaseStore>();
}

std::unique_ptr<ReleaseStore> openSqliteReleaseStore(const std::string& path, std::string* error) {
    sqlite::Connection db = sqlite::openDurableDatabase(path, kSchema, error);
    if (!db) {
        return nullptr;
    }
    return std::make_unique<SqliteReleaseStore>(std::move(db));
}

} // namespace flowdeck::engine::release
