#include "sqlite_schema.h"

#include "sqlite_db.h"

#include <string_view>

namespace flowdeck::engine::sqlite {

namespace {

// Version 2 is shaped for the writer, which applies every message as two B-tree writes: the
// message row appended at the end of `messages` (its integer id grows, so a batch fills whole
// pages), and the conversation row rewritten in place. The only index a message adds to is the
// idempotency index, keyed by the conversation's small integer id rather than its two strings.
// There is no index on seq: a conversation's messages are in id order, which is seq order, so
// history reads the idempotency index for the conversation and sorts its ids.
//
// Small columns come first: a big context or reply spills into overflow pages, and the columns
// the writer and the version check read must not be behind it.
//
// No foreign key from messages to conversations: the store deletes both in one transaction, and
// a per-insert parent lookup would cost throughput for no protection the writer needs.
constexpr std::string_view kConversationsV2 = R"sql(
CREATE TABLE conversations (
    id INTEGER PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    message_count INTEGER NOT NULL,
    flow_id TEXT NOT NULL,
    flow_version TEXT NOT NULL,
    current_state TEXT NOT NULL,
    ab_variant TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    context TEXT NOT NULL,
    UNIQUE (tenant_id, conversation_id)
);
)sql";

constexpr std::string_view kMessagesV2 = R"sql(
CREATE TABLE messages (
    id INTEGER PRIMARY KEY,
    conversation_ref INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    idempotency_key TEXT,
    state_before TEXT NOT NULL,
    state_after TEXT NOT NULL,
    input TEXT NOT NULL,
    reply TEXT NOT NULL,
    result_json TEXT NOT NULL
);
)sql";

constexpr std::string_view kMessagesIndexV2 =
    "CREATE UNIQUE INDEX messages_by_key ON messages (conversation_ref, idempotency_key);";

// Version 1 (2026-11-23): both tables keyed by (tenant_id, conversation_id), messages by seq
// too, with a second unique index on the idempotency key. Copied into the version 2 tables in
// one transaction; message ids follow each conversation's seq order, which history relies on.
constexpr std::string_view kMigrateV1ToV2 = R"sql(
ALTER TABLE conversations RENAME TO conversations_v1;
ALTER TABLE messages RENAME TO messages_v1;
)sql";

constexpr std::string_view kCopyV1 = R"sql(
INSERT INTO conversations (tenant_id, conversation_id, version, message_count, flow_id,
    flow_version, current_state, ab_variant, created_at, updated_at, context)
SELECT tenant_id, conversation_id, version, message_count, flow_id, flow_version, current_state,
    ab_variant, created_at, updated_at, context
FROM conversations_v1 ORDER BY tenant_id, conversation_id;
INSERT INTO messages (conversation_ref, seq, created_at, idempotency_key, state_before,
    state_after, input, reply, result_json)
SELECT c.id, m.seq, m.created_at, m.idempotency_key, m.state_before, m.state_after, m.input,
    m.reply, m.result_json
FROM messages_v1 AS m JOIN conversations AS c
    ON c.tenant_id = m.tenant_id AND c.conversation_id = m.conversation_id
ORDER BY m.tenant_id, m.conversation_id, m.seq;
DROP TABLE messages_v1;
DROP TABLE conversations_v1;
)sql";

bool queryInteger(sqlite3* db, std::string_view sql, int64_t* value, std::string* error) {
    Statement statement(db, sql, error);
    if (!statement.valid()) {
        return false;
    }
    const int rc = statement.step();
    if (rc != SQLITE_ROW) {
        *error = describe(db, rc, sql);
        return false;
    }
    *value = statement.integer(0);
    return true;
}

bool createV2(sqlite3* db, std::string* error) {
    return exec(db, kConversationsV2, error) && exec(db, kMessagesV2, error) &&
           exec(db, kMessagesIndexV2, error);
}

bool migrateV1(sqlite3* db, std::string* error) {
    std::string detail;
    if (exec(db, kMigrateV1ToV2, &detail) && createV2(db, &detail) && exec(db, kCopyV1, &detail)) {
        return true;
    }
    *error = "migrating the conversation store from schema 1 to 2: " + detail;
    return false;
}

bool createSchema(sqlite3* db, std::string* error) {
    int64_t version = 0;
    int64_t foreignTables = 0;
    if (!queryInteger(db, "PRAGMA user_version", &version, error) ||
        !queryInteger(db,
                      "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT IN "
                      "('conversations', 'messages') AND name NOT LIKE 'sqlite_%'",
                      &foreignTables, error)) {
        return false;
    }
    if (version > kSchemaVersion) {
        *error = "database schema version " + std::to_string(version) +
                 " is newer than this program supports (" + std::to_string(kSchemaVersion) +
                 "); upgrade Flowdeck";
        return false;
    }
    if (version == 0 && foreignTables > 0) {
        *error = "not a Flowdeck conversation database (it has other tables)";
        return false;
    }
    if (version == kSchemaVersion) {
        return true;
    }
    const bool ok = version == 0 ? createV2(db, error) : migrateV1(db, error);
    return ok && exec(db, "PRAGMA user_version = " + std::to_string(kSchemaVersion), error);
}

} // namespace

bool createOrMigrateSchema(sqlite3* db, std::string* error) {
    if (!exec(db, "BEGIN IMMEDIATE", error)) {
        return false;
    }
    if (!createSchema(db, error)) {
        std::string ignored;
        exec(db, "ROLLBACK", &ignored);
        return false;
    }
    return exec(db, "COMMIT", error);
}

} // namespace flowdeck::engine::sqlite
