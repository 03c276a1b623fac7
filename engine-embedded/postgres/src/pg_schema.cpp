// The cluster schema. Created once, in one transaction, by whichever node gets the advisory lock
// first; the others wait, then find schema_version already set.
#include "pg_database_impl.h"

namespace flowdeck::engine::pgstore {

namespace {

// "Flowdk" + 1: an advisory lock key nothing else in the database is likely to use.
constexpr const char* kSchemaLockKey = "77291736443985";

// Mirrors the SQLite stores column for column, with PostgreSQL types. Contexts and documents
// are `json`, not `jsonb`: json keeps the text as written (key order included), which the
// stores promise to give back. Triggers make immutability a property of the database, so a
// later tool or migration that tries to rewrite history fails loudly.
constexpr const char* kSchemaV1 = R"sql(
CREATE TABLE conversations (
    tenant_id text NOT NULL,
    conversation_id text NOT NULL,
    flow_id text NOT NULL,
    flow_version text NOT NULL,
    current_state text NOT NULL,
    context json NOT NULL,
    ab_variant text NOT NULL,
    version bigint NOT NULL,
    message_count bigint NOT NULL,
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL,
    PRIMARY KEY (tenant_id, conversation_id)
);
CREATE TABLE messages (
    tenant_id text NOT NULL,
    conversation_id text NOT NULL,
    seq bigint NOT NULL,
    idempotency_key text,
    input text NOT NULL,
    reply text NOT NULL,
    state_before text NOT NULL,
    state_after text NOT NULL,
    result_json text NOT NULL,
    created_at bigint NOT NULL,
    PRIMARY KEY (tenant_id, conversation_id, seq),
    UNIQUE (tenant_id, conversation_id, idempotency_key)
);
CREATE TABLE flows (
    tenant_id text NOT NULL,
    flow_id text NOT NULL,
    name text NOT NULL DEFAULT '',
    description text NOT NULL DEFAULT '',
    active_version text NOT NULL DEFAULT '',
    archived boolean NOT NULL DEFAULT false,
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL,
    PRIMARY KEY (tenant_id, flow_id)
);
CREATE TABLE flow_versions (
    tenant_id text NOT NULL,
    flow_id text NOT NULL,
    revision bigint NOT NULL,
    version text NOT NULL,
    created_at bigint NOT NULL,
    created_by text NOT NULL,
    change_note text NOT NULL,
    base_version text NOT NULL,
    error_count bigint NOT NULL,
    warning_count bigint NOT NULL,
    digest text NOT NULL,
    published boolean NOT NULL DEFAULT false,
    flow_json text NOT NULL,
    PRIMARY KEY (tenant_id, flow_id, revision),
    UNIQUE (tenant_id, flow_id, version)
);
CREATE TABLE rollouts (
    rollout_id text PRIMARY KEY,
    tenant_id text NOT NULL,
    flow_id text NOT NULL,
    in_progress boolean NOT NULL,
    started_at bigint NOT NULL,
    first_saved bigserial NOT NULL,
    doc json NOT NULL
);
CREATE INDEX rollouts_by_flow ON rollouts (tenant_id, flow_id, started_at);
CREATE INDEX rollouts_in_progress ON rollouts (rollout_id) WHERE in_progress;
CREATE TABLE release_history (
    seq bigserial PRIMARY KEY,
    entry_id text NOT NULL UNIQUE,
    tenant_id text NOT NULL,
    flow_id text NOT NULL,
    at bigint NOT NULL,
    doc json NOT NULL
);
CREATE INDEX history_by_flow ON release_history (tenant_id, flow_id, seq);
CREATE INDEX history_by_tenant ON release_history (tenant_id, seq);
CREATE TABLE audit (
    seq bigserial PRIMARY KEY,
    at_ms bigint NOT NULL,
    node_id text NOT NULL,
    subject text NOT NULL,
    method text NOT NULL,
    tenant_id text NOT NULL,
    record text NOT NULL
);
CREATE FUNCTION flowdeck_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '%', TG_ARGV[0] USING ERRCODE = 'restrict_violation';
END $$;
CREATE TRIGGER flow_versions_immutable
    BEFORE UPDATE OF tenant_id, flow_id, revision, version, flow_json, digest ON flow_versions
    FOR EACH ROW EXECUTE FUNCTION flowdeck_refuse_change('flow versions are immutable');
CREATE TRIGGER release_history_append_only BEFORE UPDATE OR DELETE ON release_history
    FOR EACH ROW EXECUTE FUNCTION flowdeck_refuse_change('release history is append-only');
CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit
    FOR EACH ROW EXECUTE FUNCTION flowdeck_refuse_change('the audit log is append-only');
)sql";

// Tables added since schema version 1 that builds without them simply never touch: created
// when missing, without a version bump, so a cluster can be upgraded one node at a time.
//
// flowdeck_variant_seconds: each node's per-second numbers of the versions in a rollout
// (PostgresVariantStats), which the leader adds to its own when it judges a canary. One row per
// (flow, version, second, node); `at_second` is seconds since the epoch by the publishing node's
// clock; min/max in microseconds; `latency` the non-empty latency buckets as "INDEX:COUNT,..."
// (latency::bucketIndex, ascending; see encodeLatencyBuckets). Nodes delete rows past the
// longest analysis window, so it stays small. UNLOGGED: numbers that are only wanted for five
// minutes are not worth WAL traffic, and a crash of PostgreSQL only costs the window so far.
constexpr const char* kVariantSecondsTable = "flowdeck_variant_seconds";
constexpr const char* kVariantSecondsSchema = R"sql(
CREATE UNLOGGED TABLE flowdeck_variant_seconds (
    flow_id text NOT NULL,
    version text NOT NULL,
    at_second bigint NOT NULL,
    node_id text NOT NULL,
    messages bigint NOT NULL,
    errors bigint NOT NULL,
    fallbacks bigint NOT NULL,
    min_micros bigint NOT NULL,
    max_micros bigint NOT NULL,
    latency text NOT NULL,
    PRIMARY KEY (flow_id, version, at_second, node_id)
);
)sql";

// flowdeck_flow_last_used: when a message last ran through each flow on any node
// (FlowSummary.last_used); every node adds its own every few seconds, keeping the later time.
constexpr const char* kFlowLastUsedTable = "flowdeck_flow_last_used";
constexpr const char* kFlowLastUsedSchema = R"sql(
CREATE TABLE flowdeck_flow_last_used (
    flow_id text PRIMARY KEY,
    last_used bigint NOT NULL
);
)sql";

bool rollback(pg::Connection& connection, std::string* error, std::string message) {
    connection.execScript("ROLLBACK");
    *error = std::move(message);
    return false;
}

// The version the database holds, 0 when it has no schema yet; -1 with *error on failure.
// Inside ensureSchema's transaction, after the lock.
int64_t storedVersion(pg::Connection& connection, std::string* error) {
    // Looked up rather than CREATE ... IF NOT EXISTS: that needs the CREATE privilege even
    // when the table exists, which a node running as a plain user may not have.
    const pg::QueryResult exists =
        connection.execScript("SELECT to_regclass('schema_version') IS NOT NULL");
    if (!exists.ok() || !exists.boolean(0, 0)) {
        *error = exists.ok() ? "" : failed("checking the schema", exists.error());
        return exists.ok() ? 0 : -1;
    }
    const pg::QueryResult found =
        connection.execScript("SELECT coalesce(max(version), 0) FROM schema_version");
    if (!found.ok()) {
        *error = failed("reading schema_version", found.error());
        return -1;
    }
    return found.integer(0, 0);
}

// Creates the tables added since version 1 that are missing. Inside ensureSchema's transaction,
// after the lock; false with *error.
bool ensureAddedTables(pg::Connection& connection, std::string* error) {
    for (const auto& [table, schema] : {std::pair{kVariantSecondsTable, kVariantSecondsSchema},
                                        std::pair{kFlowLastUsedTable, kFlowLastUsedSchema}}) {
        const pg::QueryResult exists =
            connection.execScript(std::string("SELECT to_regclass('") + table + "') IS NOT NULL");
        if (!exists.ok()) {
            *error = failed("checking the schema", exists.error());
            return false;
        }
        if (exists.boolean(0, 0)) {
            continue;
        }
        const pg::QueryResult created = connection.execScript(schema);
        if (!created.ok()) {
            *error = failed(std::string("creating ") + table, created.error());
            return false;
        }
    }
    return true;
}

} // namespace

bool ensureSchema(pg::Connection& connection, std::string* error) {
    // The lock is taken before anything is read, so exactly one node creates the schema and
    // the others then see it (read committed: each statement sees what committed before it).
    const pg::QueryResult locked = connection.execScript(
        std::string("BEGIN; SELECT pg_advisory_xact_lock(") + kSchemaLockKey + ")");
    if (!locked.ok()) {
        return rollback(connection, error, failed("locking the schema", locked.error()));
    }
    std::string failure;
    const int64_t version = storedVersion(connection, &failure);
    if (version < 0) {
        return rollback(connection, error, failure);
    }
    if (version > kSchemaVersion) {
        return rollback(connection, error,
                        "the database's schema version " + std::to_string(version) +
                            " is newer than this build knows (" + std::to_string(kSchemaVersion) +
                            "): upgrade flowd, or point it at another database");
    }
    if (version == 0) {
        const pg::QueryResult created = connection.execScript(
            std::string(kSchemaV1) +
            "CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL); "
            "INSERT INTO schema_version (version) VALUES (" +
            std::to_string(kSchemaVersion) + ");");
        if (!created.ok()) {
            return rollback(connection, error, failed("creating the schema", created.error()));
        }
    }
    if (!ensureAddedTables(connection, error)) {
        return rollback(connection, error, *error);
    }
    const pg::QueryResult committed = connection.execScript("COMMIT");
    if (!committed.ok()) {
        return rollback(connection, error, failed("creating the schema", committed.error()));
    }
    return true;
}

} // namespace flowdeck::engine::pgstore
