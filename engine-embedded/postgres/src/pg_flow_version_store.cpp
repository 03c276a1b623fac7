// FlowVersionStore on PostgreSQL. append() locks the flow's row (or creates it) before reading
// the latest revision, so two nodes appending to one flow take turns and the second sees the
// first's version: its expected revision then conflicts, exactly as on one node.
#include "pg_database_impl.h"

#include "../../src/flow_version_store_internal.h"

#include <set>

namespace flowdeck::engine::pgstore {

namespace {

using Access = PostgresDatabase::Impl::Access;

constexpr std::string_view kVersionColumns =
    "tenant_id, flow_id, version, revision, created_at, created_by, change_note, base_version, "
    "error_count, warning_count, digest, published";

constexpr std::string_view kFlowSelect = R"sql(
SELECT f.tenant_id, f.flow_id, f.active_version, f.archived, f.created_at, f.updated_at,
       (SELECT count(*) FROM flow_versions v WHERE v.tenant_id = f.tenant_id AND v.flow_id = f.flow_id),
       (SELECT v.version FROM flow_versions v WHERE v.tenant_id = f.tenant_id AND v.flow_id = f.flow_id
        ORDER BY v.revision DESC LIMIT 1),
       (SELECT max(v.revision) FROM flow_versions v WHERE v.tenant_id = f.tenant_id AND v.flow_id = f.flow_id),
       f.name, f.description
FROM flows f )sql";

// The latest revision and which of the ids chooseVersionId may try are taken: the label, the
// next revision's number, and "<number>-<n>".
constexpr std::string_view kLatestAndTaken = R"sql(
WITH latest AS (
    SELECT coalesce(max(revision), 0) AS revision FROM flow_versions
    WHERE tenant_id = $1 AND flow_id = $2
)
SELECT latest.revision, v.version FROM latest LEFT JOIN flow_versions v
    ON v.tenant_id = $1 AND v.flow_id = $2
   AND (v.version = $3::text OR v.version = (latest.revision + 1)::text
        OR v.version LIKE (latest.revision + 1)::text || '-%'))sql";

StoredFlowVersion versionFrom(const pg::QueryResult& r, int row) {
    StoredFlowVersion v;
    v.tenantId = r.text(row, 0);
    v.flowId = r.text(row, 1);
    v.version = r.text(row, 2);
    v.revision = r.integer(row, 3);
    v.createdAtMs = r.integer(row, 4);
    v.createdBy = r.text(row, 5);
    v.changeNote = r.text(row, 6);
    v.baseVersion = r.text(row, 7);
    v.errorCount = static_cast<uint32_t>(r.integer(row, 8));
    v.warningCount = static_cast<uint32_t>(r.integer(row, 9));
    v.digest = r.text(row, 10);
    v.published = r.boolean(row, 11);
    return v;
}

StoredFlow flowFrom(const pg::QueryResult& r, int row) {
    StoredFlow f;
    f.tenantId = r.text(row, 0);
    f.flowId = r.text(row, 1);
    f.activeVersion = r.text(row, 2);
    f.archived = r.boolean(row, 3);
    f.createdAtMs = r.integer(row, 4);
    f.updatedAtMs = r.integer(row, 5);
    f.versionCount = r.integer(row, 6);
    f.latestVersion = r.text(row, 7);
    f.latestRevision = r.integer(row, 8);
    f.name = r.text(row, 9);
    f.description = r.text(row, 10);
    return f;
}

std::string describe(const std::string& tenantId, const std::string& flowId) {
    return "flow '" + flowId + "' of tenant '" + tenantId + "'";
}

FlowStoreStatus statusOf(const pg::QueryResult& r) {
    if (!r.ok()) {
        return FlowStoreStatus::Failed;
    }
    return r.affected() == 1 ? FlowStoreStatus::Ok : FlowStoreStatus::NotFound;
}

// The state of append()'s transaction between its steps.
struct AppendStep {
    FlowStoreStatus status = FlowStoreStatus::Ok;
    bool exists = false;
    std::string error;
};

class PgFlowVersionStore final : public FlowVersionStore {
public:
    explicit PgFlowVersionStore(std::shared_ptr<PostgresDatabase::Impl> db)
        : m_db(std::move(db)) {}

    FlowStoreResult append(const StoredFlowVersion& in, int64_t expectedRevision) override {
        std::string error;
        FlowStoreResult result = m_db->run<FlowStoreResult>(
            Access::Write, &error, [&](pg::Connection& c, std::string* failure) {
                FlowStoreResult out = appendOn(c, in, expectedRevision);
                const bool ok = out.status == FlowStoreStatus::Ok;
                const pg::QueryResult end = c.execScript(ok ? "COMMIT" : "ROLLBACK");
                if (out.status == FlowStoreStatus::Failed || (ok && !end.ok())) {
                    *failure =
                        !out.error.empty()
                            ? out.error
                            : failed("storing a version of " + describe(in.tenantId, in.flowId),
                                     end.error());
                }
                return out;
            });
        if (!error.empty()) {
            return {FlowStoreStatus::Failed, error, {}};
        }
        return result;
    }

    FlowStoreStatus activate(const std::string& tenantId, const std::string& flowId,
                             const std::string& version) override {
        const pg::Params params{tenantId, flowId, version, pg::param(flowstore::nowMs())};
        return write(
            "activating version '" + version + "' of " + describe(tenantId, flowId),
            "WITH v AS (UPDATE flow_versions SET published = true WHERE tenant_id = $1 "
            "AND flow_id = $2 AND version = $3 RETURNING 1) "
            "UPDATE flows SET active_version = $3, archived = false, updated_at = "
            "$4::bigint WHERE tenant_id = $1 AND flow_id = $2 AND EXISTS (SELECT 1 FROM v)",
            params);
    }

    FlowStoreStatus archive(const std::string& tenantId, const std::string& flowId) override {
        return write("archiving " + describe(tenantId, flowId),
                     "UPDATE flows SET active_version = '', archived = true, updated_at = "
                     "$3::bigint WHERE tenant_id = $1 AND flow_id = $2",
                     {tenantId, flowId, pg::param(flowstore::nowMs())});
    }

    std::optional<StoredFlow> flow(const std::string& tenantId,
                                   const std::string& flowId) override {
        auto found = flowsWhere("WHERE f.tenant_id = $1 AND f.flow_id = $2", {tenantId, flowId});
        return found.empty() ? std::nullopt : std::optional(std::move(found.front()));
    }

    std::vector<StoredFlow> flows(const std::string& tenantId) override {
        return tenantId.empty()
                   ? flowsWhere("ORDER BY f.flow_id, f.tenant_id", {})
                   : flowsWhere("WHERE f.tenant_id = $1 ORDER BY f.flow_id", {tenantId});
    }

    std::optional<StoredFlowVersion> version(const std::string& tenantId, const std::string& flowId,
                                             const std::string& version) override {
        return m_db->read<std::optional<StoredFlowVersion>>(
            [&](pg::Connection& c, std::string* error) -> std::optional<StoredFlowVersion> {
                const pg::QueryResult r = c.exec(
                    "SELECT " + std::string(kVersionColumns) +
                        ", flow_json FROM flow_versions WHERE tenant_id = $1 AND flow_id = $2 "
                        "AND version = $3",
                    {tenantId, flowId, version});
                if (!r.ok() || r.rows() == 0) {
                    *error = r.ok() ? ""
                                    : failed("reading version '" + version + "' of " +
                                                 describe(tenantId, flowId),
                                             r.error());
                    return std::nullopt;
                }
                StoredFlowVersion out = versionFrom(r, 0);
                out.flowJson = r.text(0, 12);
                return out;
            });
    }

    FlowVersionPage versions(const std::string& tenantId, const std::string& flowId, size_t limit,
                             size_t offset) override {
        return m_db->read<FlowVersionPage>([&](pg::Connection& c, std::string* error) {
            FlowVersionPage page;
            const std::string where = " FROM flow_versions WHERE tenant_id = $1 AND flow_id = $2";
            const pg::QueryResult count = c.exec("SELECT count(*)" + where, {tenantId, flowId});
            if (!count.ok()) {
                *error = failed("listing versions of " + describe(tenantId, flowId), count.error());
                return page;
            }
            const pg::QueryResult rows =
                c.exec("SELECT " + std::string(kVersionColumns) + where +
                           " ORDER BY revision DESC LIMIT $3 OFFSET $4",
                       {tenantId, flowId, pg::param(bounded(limit)), pg::param(bounded(offset))});
            if (!rows.ok()) {
                *error = failed("listing versions of " + describe(tenantId, flowId), rows.error());
                return page;
            }
            page.total = count.integer(0, 0);
            for (int row = 0; row < rows.rows(); ++row) {
                page.versions.push_back(versionFrom(rows, row));
            }
            return page;
        });
    }

    bool recordLastUsed(const std::map<std::string, int64_t>& lastUsedMs,
                        std::string* error) override {
        if (lastUsedMs.empty()) {
            return true;
        }
        // One statement for them all: two arrays unnested side by side.
        std::string ids = "{";
        std::string times = "{";
        for (const auto& [flowId, ms] : lastUsedMs) {
            ids += (ids.size() > 1 ? "," : "") + arrayElement(flowId);
            times += (times.size() > 1 ? "," : "") + std::to_string(ms);
        }
        ids += "}";
        times += "}";
        std::string failure;
        m_db->run<bool>(Access::Write, &failure, [&](pg::Connection& c, std::string* why) {
            const pg::QueryResult r =
                c.exec("INSERT INTO flowdeck_flow_last_used (flow_id, last_used) "
                       "SELECT * FROM unnest($1::text[], $2::bigint[]) "
                       "ON CONFLICT (flow_id) DO UPDATE SET last_used = "
                       "greatest(flowdeck_flow_last_used.last_used, excluded.last_used)",
                       {ids, times});
            if (!r.ok()) {
                *why = failed("recording when flows were last used", r.error());
            }
            return r.ok();
        });
        if (!failure.empty() && error) {
            *error = failure;
        }
        return failure.empty();
    }

    std::map<std::string, int64_t> lastUsed() override {
        return m_db->read<std::map<std::string, int64_t>>(
            [&](pg::Connection& c, std::string* error) {
                std::map<std::string, int64_t> out;
                const pg::QueryResult r =
                    c.exec("SELECT flow_id, last_used FROM flowdeck_flow_last_used", {});
                if (!r.ok()) {
                    *error = failed("reading when flows were last used", r.error());
                }
                for (int row = 0; row < r.rows(); ++row) {
                    out[r.text(row, 0)] = r.integer(row, 1);
                }
                return out;
            });
    }

private:
    // A text[] literal element: quoted, with backslash and double quote escaped.
    static std::string arrayElement(const std::string& text) {
        std::string out = "\"";
        for (const char c : text) {
            if (c == '"' || c == '\\') {
                out += '\\';
            }
            out += c;
        }
        return out + "\"";
    }

    static int64_t bounded(size_t n) {
        return static_cast<int64_t>(std::min<size_t>(n, size_t{1} << 62));
    }

    FlowStoreStatus write(const std::string& what, const std::string& sql,
                          const pg::Params& params) {
        std::string error;
        return m_db->run<FlowStoreStatus>(Access::Write, &error,
                                          [&](pg::Connection& c, std::string* failure) {
                                              const pg::QueryResult r = c.exec(sql, params);
                                              if (!r.ok()) {
                                                  *failure = failed(what, r.error());
                                              }
                                              return statusOf(r);
                                          });
    }

    std::vector<StoredFlow> flowsWhere(const std::string& where, const pg::Params& params) {
        return m_db->read<std::vector<StoredFlow>>([&](pg::Connection& c, std::string* error) {
            std::vector<StoredFlow> out;
            const pg::QueryResult r = c.exec(std::string(kFlowSelect) + where, params);
            if (!r.ok()) {
                *error = failed("listing flows", r.error());
            }
            for (int row = 0; row < r.rows(); ++row) {
                out.push_back(flowFrom(r, row));
            }
            return out;
        });
    }

    // Inside a transaction, holding the flow's row lock when it returns Ok: whether the flow
    // exists. Creates the flow's row (created at in.createdAtMs) when it does not and the
    // append may create it.
    static AppendStep lockFlow(pg::Connection& c, const StoredFlowVersion& in,
                               int64_t expectedRevision) {
        const std::string what = "storing a version of " + describe(in.tenantId, in.flowId);
        for (int pass = 0; pass < 2; ++pass) {
            const pg::QueryResult locked =
                c.exec("SELECT 1 FROM flows WHERE tenant_id = $1 AND flow_id = $2 FOR UPDATE",
                       {in.tenantId, in.flowId});
            if (!locked.ok()) {
                return {FlowStoreStatus::Failed, false, failed(what, locked.error())};
            }
            if (locked.rows() == 1) {
                return {FlowStoreStatus::Ok, true, {}};
            }
            if (expectedRevision > 0) {
                return {FlowStoreStatus::NotFound, false, {}};
            }
            const pg::QueryResult created = c.exec(
                "INSERT INTO flows (tenant_id, flow_id, created_at, updated_at, name, description) "
                "VALUES ($1, $2, $3::bigint, $3::bigint, $4, $5) ON CONFLICT DO NOTHING",
                {in.tenantId, in.flowId, pg::param(in.createdAtMs), in.name, in.description});
            if (!created.ok()) {
                return {FlowStoreStatus::Failed, false, failed(what, created.error())};
            }
            if (created.affected() == 1) {
                return {FlowStoreStatus::Ok, false, {}};
            }
            if (expectedRevision == 0) {
                return {FlowStoreStatus::AlreadyExists, false, {}}; // another node just made it
            }
            // -1: another node created it meanwhile; lock its row and append after it.
        }
        return {FlowStoreStatus::Failed, false, what + ": the flow's row vanished while locking"};
    }

    static FlowStoreResult appendOn(pg::Connection& c, StoredFlowVersion in,
                                    int64_t expectedRevision) {
        // One time for the version and, when it creates the flow, the flow (as on one node).
        in.createdAtMs = in.createdAtMs != 0 ? in.createdAtMs : flowstore::nowMs();
        const std::string what = "storing a version of " + describe(in.tenantId, in.flowId);
        if (const pg::QueryResult begun = c.execScript("BEGIN"); !begun.ok()) {
            return {FlowStoreStatus::Failed, failed(what, begun.error()), {}};
        }
        const AppendStep step = lockFlow(c, in, expectedRevision);
        if (step.status != FlowStoreStatus::Ok) {
            return {step.status, step.error, {}};
        }
        const pg::QueryResult latest =
            c.exec(kLatestAndTaken, {in.tenantId, in.flowId, in.version});
        if (!latest.ok()) {
            return {FlowStoreStatus::Failed, failed(what, latest.error()), {}};
        }
        std::set<std::string, std::less<>> taken;
        for (int row = 0; row < latest.rows(); ++row) {
            taken.insert(latest.text(row, 1));
        }
        StoredFlowVersion stored;
        const FlowStoreStatus status = flowstore::prepareAppend(
            in, step.exists, latest.integer(0, 0), expectedRevision, stored);
        if (status != FlowStoreStatus::Ok) {
            return {status, {}, {}};
        }
        stored.version = flowstore::chooseVersionId(
            in.version, stored.revision, [&](const std::string& id) { return taken.contains(id); });
        const pg::QueryResult written = insertVersion(c, stored);
        if (!written.ok()) {
            return {FlowStoreStatus::Failed, failed(what, written.error()), {}};
        }
        return {FlowStoreStatus::Ok, {}, stored};
    }

    // The version, and the flow's name, description and time from it, in one statement.
    static pg::QueryResult insertVersion(pg::Connection& c, const StoredFlowVersion& v) {
        return c.execPrepared(
            "flow_append",
            "WITH f AS (UPDATE flows SET updated_at = $5::bigint, name = $13, description = $14 "
            "WHERE tenant_id = $1 AND flow_id = $2) "
            "INSERT INTO flow_versions (tenant_id, flow_id, version, revision, created_at, "
            "created_by, change_note, base_version, error_count, warning_count, digest, "
            "published, flow_json) VALUES ($1, $2, $3, $4::bigint, $5::bigint, $6, $7, $8, "
            "$9::bigint, $10::bigint, $11, false, $12)",
            {v.tenantId, v.flowId, v.version, pg::param(v.revision), pg::param(v.createdAtMs),
             v.createdBy, v.changeNote, v.baseVersion, pg::param(int64_t(v.errorCount)),
             pg::param(int64_t(v.warningCount)), v.digest, v.flowJson, v.name, v.description});
    }

    std::shared_ptr<PostgresDatabase::Impl> m_db;
};

} // namespace

std::unique_ptr<FlowVersionStore> makeFlowVersionStore(std::shared_ptr<PostgresDatabase::Impl> db) {
    return std::make_unique<PgFlowVersionStore>(std::move(db));
}

} // namespace flowdeck::engine::pgstore
