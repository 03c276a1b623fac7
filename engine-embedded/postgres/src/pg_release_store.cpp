// ReleaseStore on PostgreSQL: rollouts and history entries as JSON documents (release_codec)
// beside the few columns the queries filter and sort on, as in the SQLite store.
#include "pg_database_impl.h"

#include <algorithm>

namespace flowdeck::engine::pgstore {

namespace {

using Access = PostgresDatabase::Impl::Access;
using namespace release;

int64_t bounded(size_t n) {
    return static_cast<int64_t>(std::min<size_t>(n, size_t{1} << 62));
}

class PgReleaseStore final : public ReleaseStore {
public:
    explicit PgReleaseStore(std::shared_ptr<PostgresDatabase::Impl> db)
        : m_db(std::move(db)) {}

    // Replacing keeps first_saved, which breaks ties between rollouts started the same
    // millisecond in the order they were first saved (as the in-memory store does).
    bool saveRollout(const Rollout& r, std::string* error) override {
        return write("saving rollout " + r.rolloutId,
                     "INSERT INTO rollouts (rollout_id, tenant_id, flow_id, in_progress, "
                     "started_at, doc) VALUES ($1, $2, $3, $4::boolean, $5::bigint, $6::json) "
                     "ON CONFLICT (rollout_id) DO UPDATE SET tenant_id = excluded.tenant_id, "
                     "flow_id = excluded.flow_id, in_progress = excluded.in_progress, "
                     "started_at = excluded.started_at, doc = excluded.doc",
                     {r.rolloutId, r.tenantId, r.flowId, pg::param(r.inProgress()),
                      pg::param(r.startedAtMs), encodeRollout(r)},
                     error);
    }

    std::optional<Rollout> rollout(const std::string& rolloutId) override {
        auto found = rollouts("WHERE rollout_id = $1", {rolloutId});
        return found.empty() ? std::nullopt : std::optional<Rollout>(std::move(found.front()));
    }

    std::optional<Rollout> latestRollout(const std::string& tenantId,
                                         const std::string& flowId) override {
        auto found = rollouts("WHERE tenant_id = $1 AND flow_id = $2 "
                              "ORDER BY started_at DESC, first_saved DESC LIMIT 1",
                              {tenantId, flowId});
        return found.empty() ? std::nullopt : std::optional<Rollout>(std::move(found.front()));
    }

    std::vector<Rollout> inProgress() override {
        return rollouts("WHERE in_progress ORDER BY first_saved", {});
    }

    bool appendHistory(const HistoryEntry& e, std::string* error) override {
        return write("appending history entry " + e.entryId,
                     "INSERT INTO release_history (entry_id, tenant_id, flow_id, at, doc) "
                     "VALUES ($1, $2, $3, $4::bigint, $5::json)",
                     {e.entryId, e.tenantId, e.flowId, pg::param(e.atMs), encodeHistoryEntry(e)},
                     error);
    }

    HistoryPage history(const HistoryQuery& q) override {
        return m_db->read<HistoryPage>([&](pg::Connection& c, std::string* error) {
            HistoryPage page;
            const std::string where = " FROM release_history WHERE tenant_id = $1 AND "
                                      "($2 = '' OR flow_id = $2) AND at >= $3::bigint";
            const pg::Params filter{q.tenantId, q.flowId, pg::param(q.sinceMs)};
            const std::string what = "reading release history of tenant '" + q.tenantId + "'";
            const pg::QueryResult count = c.exec("SELECT count(*)" + where, filter);
            if (!count.ok()) {
                *error = failed(what, count.error());
                return page;
            }
            pg::Params paged = filter;
            paged.push_back(pg::param(bounded(q.limit)));
            paged.push_back(pg::param(bounded(q.offset)));
            const pg::QueryResult rows =
                c.exec("SELECT doc" + where + " ORDER BY seq DESC LIMIT $4 OFFSET $5", paged);
            if (!rows.ok()) {
                *error = failed(what, rows.error());
                return page;
            }
            page.total = static_cast<size_t>(count.integer(0, 0));
            for (int row = 0; row < rows.rows(); ++row) {
                if (auto entry = decodeHistoryEntry(rows.text(row, 0))) {
                    page.entries.push_back(std::move(*entry));
                }
            }
            return page;
        });
    }

private:
    bool write(const std::string& what, const std::string& sql, const pg::Params& params,
               std::string* error) {
        std::string failure;
        const bool ok =
            m_db->run<bool>(Access::Write, &failure, [&](pg::Connection& c, std::string* out) {
                const pg::QueryResult r = c.exec(sql, params);
                if (!r.ok()) {
                    *out = failed(what, r.error());
                }
                return r.ok();
            });
        if (!ok && error != nullptr) {
            *error = failure;
        }
        return ok;
    }

    std::vector<Rollout> rollouts(const std::string& clause, const pg::Params& params) {
        return m_db->read<std::vector<Rollout>>([&](pg::Connection& c, std::string* error) {
            std::vector<Rollout> out;
            const pg::QueryResult r = c.exec("SELECT doc FROM rollouts " + clause, params);
            if (!r.ok()) {
                *error = failed("reading rollouts", r.error());
            }
            for (int row = 0; row < r.rows(); ++row) {
                if (auto rollout = decodeRollout(r.text(row, 0))) {
                    out.push_back(std::move(*rollout));
                }
            }
            return out;
        });
    }

    std::shared_ptr<PostgresDatabase::Impl> m_db;
};

} // namespace

std::unique_ptr<release::ReleaseStore>
makeReleaseStore(std::shared_ptr<PostgresDatabase::Impl> db) {
    return std::make_unique<PgReleaseStore>(std::move(db));
}

} // namespace flowdeck::engine::pgstore
