#include "flow_version_store_internal.h"
#include "sqlite_db.h"

#include <mutex>
#include <variant>

namespace flowdeck::engine {

namespace {

// The trigger makes immutability a property of the file, not only of this code: a later tool or
// migration that tries to rewrite a stored document fails loudly.
constexpr std::string_view kSchema = R"sql(
CREATE TABLE IF NOT EXISTS flows (
    tenant_id TEXT NOT NULL,
    flow_id TEXT NOT NULL,
    name TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    active_version TEXT NOT NULL DEFAULT '',
    archived INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, flow_id)
);
CREATE TABLE IF NOT EXISTS flow_versions (
    tenant_id TEXT NOT NULL,
    flow_id TEXT NOT NULL,
    revision INTEGER NOT NULL,
    version TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    created_by TEXT NOT NULL,
    change_note TEXT NOT NULL,
    base_version TEXT NOT NULL,
    error_count INTEGER NOT NULL,
    warning_count INTEGER NOT NULL,
    digest TEXT NOT NULL,
    published INTEGER NOT NULL DEFAULT 0,
    flow_json TEXT NOT NULL,
    PRIMARY KEY (tenant_id, flow_id, revision),
    UNIQUE (tenant_id, flow_id, version)
);
CREATE TABLE IF NOT EXISTS flow_last_used (
    flow_id TEXT PRIMARY KEY,
    last_used INTEGER NOT NULL
);
CREATE TRIGGER IF NOT EXISTS flow_versions_immutable
BEFORE UPDATE OF tenant_id, flow_id, revision, version, flow_json, digest ON flow_versions
BEGIN SELECT RAISE(ABORT, 'flow versions are immutable'); END;
)sql";

constexpr std::string_view kVersionColumns =
    "tenant_id, flow_id, version, revision, created_at, created_by, change_note, base_version, "
    "error_count, warning_count, digest, published";

constexpr std::string_view kFlowSelect = R"sql(
SELECT f.tenant_id, f.flow_id, f.active_version, f.archived, f.created_at, f.updated_at,
       (SELECT COUNT(*) FROM flow_versions v WHERE v.tenant_id = f.tenant_id AND v.flow_id = f.flow_id),
       (SELECT v.version FROM flow_versions v WHERE v.tenant_id = f.tenant_id AND v.flow_id = f.flow_id
        ORDER BY v.revision DESC LIMIT 1),
       (SELECT MAX(v.revision) FROM flow_versions v WHERE v.tenant_id = f.tenant_id AND v.flow_id = f.flow_id)
       , f.name, f.description
FROM flows f )sql";

StoredFlowVersion versionFromRow(const sqlite::Statement& row) {
    StoredFlowVersion v;
    v.tenantId = row.text(0);
    v.flowId = row.text(1);
    v.version = row.text(2);
    v.revision = row.integer(3);
    v.createdAtMs = row.integer(4);
    v.createdBy = row.text(5);
    v.changeNote = row.text(6);
    v.baseVersion = row.text(7);
    v.errorCount = static_cast<uint32_t>(row.integer(8));
    v.warningCount = static_cast<uint32_t>(row.integer(9));
    v.digest = row.text(10);
    v.published = row.integer(11) != 0;
    return v;
}

StoredFlow flowFromRow(const sqlite::Statement& row) {
    StoredFlow f;
    f.tenantId = row.text(0);
    f.flowId = row.text(1);
    f.activeVersion = row.text(2);
    f.archived = row.integer(3) != 0;
    f.createdAtMs = row.integer(4);
    f.updatedAtMs = row.integer(5);
    f.versionCount = row.integer(6);
    f.latestVersion = row.text(7);
    f.latestRevision = row.integer(8);
    f.name = row.text(9);
    f.description = row.text(10);
    return f;
}

// One connection behind a mutex: flow edits are rare and small, and reads are served from the
// FlowRegistry in memory, so a pool would buy nothing.
class SqliteFlowVersionStore final : public FlowVersionStore {
public:
    explicit SqliteFlowVersionStore(sqlite::Connection db)
        : m_db(std::move(db)) {}

    FlowStoreResult append(const StoredFlowVersion& in, int64_t expectedRevision) override {
        std::lock_guard lock(m_mutex);
        std::string error;
        if (!sqlite::exec(m_db.get(), "BEGIN IMMEDIATE", &error)) {
            return {FlowStoreStatus::Failed, error, {}};
        }
        FlowStoreResult result = appendLocked(in, expectedRevision);
        const char* end = result.status == FlowStoreStatus::Ok ? "COMMIT" : "ROLLBACK";
        if (!sqlite::exec(m_db.get(), end, &error) && result.status == FlowStoreStatus::Ok) {
            std::string ignored;
            sqlite::exec(m_db.get(), "ROLLBACK", &ignored);
            return {FlowStoreStatus::Failed, error, {}};
        }
        return result;
    }

    FlowStoreStatus activate(const std::string& tenantId, const std::string& flowId,
                             const std::string& version) override {
        std::lock_guard lock(m_mutex);
        const int64_t now = flowstore::nowMs();
        std::string error;
        if (!sqlite::exec(m_db.get(), "BEGIN IMMEDIATE", &error)) {
            return FlowStoreStatus::Failed;
        }
        const int changed = changes(
            "UPDATE flow_versions SET published = 1 WHERE tenant_id = ?1 AND flow_id = ?2 AND "
            "version = ?3",
            {tenantId, flowId, version});
        const int flowChanged =
            changed == 1 ? changes("UPDATE flows SET active_version = ?3, archived = 0, "
                                   "updated_at = ?4 WHERE tenant_id = ?1 AND flow_id = ?2",
                                   {tenantId, flowId, version, now})
                         : changed;
        const bool ok = flowChanged == 1;
        sqlite::exec(m_db.get(), ok ? "COMMIT" : "ROLLBACK", &error);
        return ok ? FlowStoreStatus::Ok
                  : (flowChanged == 0 ? FlowStoreStatus::NotFound : FlowStoreStatus::Failed);
    }

    FlowStoreStatus archive(const std::string& tenantId, const std::string& flowId) override {
        std::lock_guard lock(m_mutex);
        const int changed = changes("UPDATE flows SET active_version = '', archived = 1, "
                                    "updated_at = ?3 WHERE tenant_id = ?1 AND flow_id = ?2",
                                    {tenantId, flowId, flowstore::nowMs()});
        return changed == 1 ? FlowStoreStatus::Ok
                            : (changed == 0 ? FlowStoreStatus::NotFound : FlowStoreStatus::Failed);
    }

    std::optional<StoredFlow> flow(const std::string& tenantId,
                                   const std::string& flowId) override {
        std::lock_guard lock(m_mutex);
        auto found = flowsWhere("WHERE f.tenant_id = ?1 AND f.flow_id = ?2", {tenantId, flowId});
        return found.empty() ? std::nullopt : std::optional(found.front());
    }

    std::vector<StoredFlow> flows(const std::string& tenantId) override {
        std::lock_guard lock(m_mutex);
        return tenantId.empty()
                   ? flowsWhere("ORDER BY f.flow_id, f.tenant_id", {})
                   : flowsWhere("WHERE f.tenant_id = ?1 ORDER BY f.flow_id", {tenantId});
    }

    std::optional<StoredFlowVersion> version(const std::string& tenantId, const std::string& flowId,
                                             const std::string& version) override {
        std::lock_guard lock(m_mutex);
        std::optional<StoredFlowVersion> out;
        query("SELECT " + std::string(kVersionColumns) +
                  ", flow_json FROM flow_versions WHERE tenant_id = ?1 AND flow_id = ?2 AND "
                  "version = ?3",
              {tenantId, flowId, version}, [&](const sqlite::Statement& row) {
                  out = versionFromRow(row);
                  out->flowJson = row.text(12);
              });
        return out;
    }

    FlowVersionPage versions(const std::string& tenantId, const std::string& flowId, size_t limit,
                             size_t offset) override {
        std::lock_guard lock(m_mutex);
        FlowVersionPage page;
        query("SELECT COUNT(*) FROM flow_versions WHERE tenant_id = ?1 AND flow_id = ?2",
              {tenantId, flowId},
              [&](const sqlite::Statement& row) { page.total = row.integer(0); });
        query("SELECT " + std::string(kVersionColumns) +
                  " FROM flow_versions WHERE tenant_id = ?1 AND flow_id = ?2 ORDER BY revision "
                  "DESC LIMIT ?3 OFFSET ?4",
              {tenantId, flowId, int64_t(limit), int64_t(offset)},
              [&](const sqlite::Statement& row) { page.versions.push_back(versionFromRow(row)); });
        return page;
    }

    bool recordLastUsed(const std::map<std::string, int64_t>& lastUsedMs,
                        std::string* error) override {
        std::lock_guard lock(m_mutex);
        if (!sqlite::exec(m_db.get(), "BEGIN IMMEDIATE", error)) {
            return false;
        }
        for (const auto& [flowId, ms] : lastUsedMs) {
            if (changes("INSERT INTO flow_last_used (flow_id, last_used) VALUES (?1, ?2) "
                        "ON CONFLICT (flow_id) DO UPDATE SET last_used = "
                        "max(last_used, excluded.last_used)",
                        {flowId, ms}) < 0) {
                *error = std::string("cannot record when flow '") + flowId +
                         "' was last used: " + sqlite3_errmsg(m_db.get());
                std::string ignored;
                sqlite::exec(m_db.get(), "ROLLBACK", &ignored);
                return false;
            }
        }
        return sqlite::exec(m_db.get(), "COMMIT", error);
    }

    std::map<std::string, int64_t> lastUsed() override {
        std::lock_guard lock(m_mutex);
        std::map<std::string, int64_t> out;
        query("SELECT flow_id, last_used FROM flow_last_used", {},
              [&](const sqlite::Statement& row) { out[row.text(0)] = row.integer(1); });
        return out;
    }

private:
    using Param = std::variant<std::string, int64_t>;

    // Runs `sql` with parameters ?1..?n, calling onRow per result row. SQLITE_DONE on success.
    template <class OnRow>
    int query(const std::string& sql, const std::vector<Param>& params, OnRow&& onRow) {
        std::string error;
        sqlite::Statement statement(m_db.get(), sql, &error);
        if (!statement.valid()) {
            return SQLITE_ERROR;
        }
        sqlite::StatementUse use(statement);
        for (size_t i = 0; i < params.size(); ++i) {
            if (const auto* text = std::get_if<std::string>(&params[i])) {
                statement.bind(static_cast<int>(i + 1), std::string_view(*text));
            } else {
                statement.bind(static_cast<int>(i + 1), std::get<int64_t>(params[i]));
            }
        }
        int rc = SQLITE_ROW;
        while ((rc = statement.step()) == SQLITE_ROW) {
            onRow(statement);
        }
        return rc;
    }

    // Rows changed by an UPDATE/INSERT, or -1 when it failed.
    int changes(const std::string& sql, const std::vector<Param>& params) {
        const int rc = query(sql, params, [](const sqlite::Statement&) {});
        return rc == SQLITE_DONE ? sqlite3_changes(m_db.get()) : -1;
    }

    std::vector<StoredFlow> flowsWhere(const std::string& where, const std::vector<Param>& params) {
        std::vector<StoredFlow> out;
        query(std::string(kFlowSelect) + where, params,
              [&](const sqlite::Statement& row) { out.push_back(flowFromRow(row)); });
        return out;
    }

    bool versionTaken(const StoredFlowVersion& in, const std::string& id) {
        bool taken = false;
        query("SELECT 1 FROM flow_versions WHERE tenant_id = ?1 AND flow_id = ?2 AND version = ?3",
              {in.tenantId, in.flowId, id}, [&](const sqlite::Statement&) { taken = true; });
        return taken;
    }

    FlowStoreResult appendLocked(const StoredFlowVersion& in, int64_t expectedRevision) {
        const auto existing =
            flowsWhere("WHERE f.tenant_id = ?1 AND f.flow_id = ?2", {in.tenantId, in.flowId});
        const int64_t latest = existing.empty() ? 0 : existing.front().latestRevision;
        StoredFlowVersion stored;
        if (const FlowStoreStatus status =
                flowstore::prepareAppend(in, !existing.empty(), latest, expectedRevision, stored);
            status != FlowStoreStatus::Ok) {
            return {status, {}, {}};
        }
        stored.version =
            flowstore::chooseVersionId(in.version, stored.revision,
                                       [&](const std::string& id) { return versionTaken(in, id); });
        const int64_t now = stored.createdAtMs;
        const int flowRows =
            existing.empty()
                ? changes("INSERT INTO flows (tenant_id, flow_id, created_at, updated_at, name, "
                          "description) VALUES (?1, ?2, ?3, ?3, ?4, ?5)",
                          {in.tenantId, in.flowId, now, in.name, in.description})
                : changes("UPDATE flows SET updated_at = ?3, name = ?4, description = ?5 WHERE "
                          "tenant_id = ?1 AND flow_id = ?2",
                          {in.tenantId, in.flowId, now, in.name, in.description});
        const int versionRows = flowRows == 1 ? insertVersion(stored) : -1;
        if (versionRows != 1) {
            return {FlowStoreStatus::Failed,
                    "cannot store version of flow '" + in.flowId +
                        "': " + sqlite3_errmsg(m_db.get()),
                    {}};
        }
        return {FlowStoreStatus::Ok, {}, stored};
    }

    int insertVersion(const StoredFlowVersion& v) {
        return changes("INSERT INTO flow_versions (tenant_id, flow_id, version, revision, "
                       "created_at, created_by, change_note, base_version, error_count, "
                       "warning_count, digest, published, flow_json) VALUES (?1, ?2, ?3, ?4, ?5, "
                       "?6, ?7, ?8, ?9, ?10, ?11, 0, ?12)",
                       {v.tenantId, v.flowId, v.version, v.revision, v.createdAtMs, v.createdBy,
                        v.changeNote, v.baseVersion, int64_t(v.errorCount), int64_t(v.warningCount),
                        v.digest, v.flowJson});
    }

    std::mutex m_mutex;
    sqlite::Connection m_db;
};

} // namespace

std::unique_ptr<FlowVersionStore> openSqliteFlowVersionStore(const std::string& path,
                                                             std::string* error) {
    sqlite::Connection db = sqlite::openDurableDatabase(path, kSchema, error);
    if (!db) {
        return nullptr;
    }
    return std::make_unique<SqliteFlowVersionStore>(std::move(db));
}

} // namespace flowdeck::engine
