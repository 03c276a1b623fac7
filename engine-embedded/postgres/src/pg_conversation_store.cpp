// ConversationStore on PostgreSQL. A commit is one statement (one round trip, its own
// transaction): look the idempotency key up, write the conversation only at the expected
// version, add the message, prune old history. Two nodes committing to one conversation are
// serialised by the conversation's row lock: the second one's UPDATE waits, then re-checks the
// version against the committed row and matches nothing (Conflict).
#include "pg_database_impl.h"

#include "../../src/conversation_codec.h"

#include <algorithm>
#include <chrono>
#include <limits>

namespace flowdeck::engine::pgstore {

namespace {

using Access = PostgresDatabase::Impl::Access;

// $1 tenant, $2 conversation, $3 key (NULL: none), $4-$8 input, reply, state before/after,
// result, $9 message time, $10 history limit, $11 prune chunk, $12-$16 flow, version, state,
// context, variant, $17 updated; $18 is the expected version (update) or created (insert).
constexpr std::string_view kFindDuplicate = R"sql(
WITH dup AS (
    SELECT seq, input, reply, state_before, state_after, result_json, created_at FROM messages
    WHERE tenant_id = $1::text AND conversation_id = $2::text AND idempotency_key = $3::text
), )sql";

constexpr std::string_view kUpdate = R"sql(
conv AS (
    UPDATE conversations SET flow_id = $12::text, flow_version = $13::text,
        current_state = $14::text, context = $15::json, ab_variant = $16::text,
        version = version + 1, message_count = message_count + 1, updated_at = $17::bigint
    WHERE tenant_id = $1 AND conversation_id = $2 AND version = $18::bigint
      AND NOT EXISTS (SELECT 1 FROM dup)
    RETURNING message_count
), )sql";

constexpr std::string_view kInsert = R"sql(
conv AS (
    INSERT INTO conversations (tenant_id, conversation_id, flow_id, flow_version, current_state,
        context, ab_variant, version, message_count, created_at, updated_at)
    SELECT $1, $2, $12::text, $13::text, $14::text, $15::json, $16::text, 1, 1, $18::bigint,
        $17::bigint
    WHERE NOT EXISTS (SELECT 1 FROM dup)
    ON CONFLICT (tenant_id, conversation_id) DO NOTHING
    RETURNING message_count
), )sql";

// Pruning mirrors SqliteWriter: every limit/16 messages, down to the newest `limit`.
constexpr std::string_view kAppendMessage = R"sql(
msg AS (
    INSERT INTO messages (tenant_id, conversation_id, seq, idempotency_key, input, reply,
        state_before, state_after, result_json, created_at)
    SELECT $1, $2, message_count, $3, $4::text, $5::text, $6::text, $7::text, $8::text,
        $9::bigint FROM conv
    RETURNING seq
), pruned AS (
    DELETE FROM messages WHERE tenant_id = $1 AND conversation_id = $2
      AND $10::bigint > 0 AND (SELECT seq FROM msg) % $11::bigint = 0
      AND seq <= (SELECT seq FROM msg) - $10::bigint
)
SELECT true, seq, input, reply, state_before, state_after, result_json, created_at FROM dup
UNION ALL
SELECT false, seq, NULL, NULL, NULL, NULL, NULL, NULL FROM msg)sql";

constexpr std::string_view kMessageColumns =
    "idempotency_key, seq, input, reply, state_before, state_after, result_json, created_at";

int64_t nowMs() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

int64_t orNow(int64_t value, int64_t now) {
    return value != 0 ? value : now;
}

// A message from columns `first`.. in kMessageColumns order, without the key.
StoredMessage messageAt(const pg::QueryResult& r, int row, int first) {
    StoredMessage m;
    m.seq = r.integer(row, first);
    m.input = r.text(row, first + 1);
    m.reply = r.text(row, first + 2);
    m.stateBefore = r.text(row, first + 3);
    m.stateAfter = r.text(row, first + 4);
    m.resultJson = r.text(row, first + 5);
    m.createdAtMs = r.integer(row, first + 6);
    return m;
}

std::string describe(const std::string& tenantId, const std::string& conversationId) {
    return "conversation '" + conversationId + "' of tenant '" + tenantId + "'";
}

class PgConversationStore final : public ConversationStore {
public:
    explicit PgConversationStore(std::shared_ptr<PostgresDatabase::Impl> db)
        : m_db(std::move(db))
        , m_sqlUpdate(std::string(kFindDuplicate) + std::string(kUpdate) +
                      std::string(kAppendMessage))
        , m_sqlInsert(std::string(kFindDuplicate) + std::string(kInsert) +
                      std::string(kAppendMessage)) {}

    std::optional<ConversationState> load(const std::string& tenantId,
                                          const std::string& conversationId) override {
        return m_db->read<std::optional<ConversationState>>(
            [&](pg::Connection& c, std::string* error) -> std::optional<ConversationState> {
                const pg::QueryResult r = c.execPrepared(
                    "conv_load",
                    "SELECT flow_id, flow_version, current_state, context, ab_variant, version, "
                    "message_count, created_at, updated_at FROM conversations "
                    "WHERE tenant_id = $1 AND conversation_id = $2",
                    {tenantId, conversationId});
                if (!r.ok() || r.rows() == 0) {
                    *error =
                        r.ok() ? ""
                               : failed("loading " + describe(tenantId, conversationId), r.error());
                    return std::nullopt;
                }
                return stateFrom(r, tenantId, conversationId);
            });
    }

    std::optional<StoredMessage> findMessage(const std::string& tenantId,
                                             const std::string& conversationId,
                                             const std::string& key) override {
        return m_db->read<std::optional<StoredMessage>>([&](pg::Connection& c, std::string* error) {
            return find(c, tenantId, conversationId, key, error);
        });
    }

    CommitResult commit(const ConversationState& next, int64_t expectedVersion,
                        const StoredMessage& message) override {
        if (next.tenantId.empty() || next.conversationId.empty()) {
            return {CommitStatus::Failed, std::nullopt,
                    "commit needs a tenant and conversation id"};
        }
        if (expectedVersion < 0) {
            return {CommitStatus::Failed, std::nullopt,
                    "expected version of conversation '" + next.conversationId + "' is negative"};
        }
        const pg::Params params = commitParams(next, expectedVersion, message);
        std::string error;
        CommitResult result = m_db->run<CommitResult>(
            Access::Write, &error, [&](pg::Connection& c, std::string* failure) {
                return commitOn(c, next, expectedVersion == 0, message, params, failure);
            });
        if (!error.empty()) {
            result = {CommitStatus::Failed, std::nullopt, error};
        }
        return result;
    }

    std::vector<StoredMessage> history(const std::string& tenantId,
                                       const std::string& conversationId, size_t limit) override {
        if (limit == 0) {
            return {};
        }
        constexpr auto kMax = static_cast<size_t>(std::numeric_limits<int64_t>::max());
        const auto bounded = static_cast<int64_t>(std::min(limit, kMax));
        return m_db->read<std::vector<StoredMessage>>([&](pg::Connection& c, std::string* error) {
            std::vector<StoredMessage> out;
            const pg::QueryResult r =
                c.execPrepared("conv_history",
                               "SELECT " + std::string(kMessageColumns) +
                                   " FROM messages WHERE tenant_id = $1 AND conversation_id = $2 "
                                   "ORDER BY seq DESC LIMIT $3",
                               {tenantId, conversationId, pg::param(bounded)});
            if (!r.ok()) {
                *error =
                    failed("reading history of " + describe(tenantId, conversationId), r.error());
                return out;
            }
            for (int row = r.rows() - 1; row >= 0; --row) { // newest first in SQL
                out.push_back(messageAt(r, row, 1));
                out.back().idempotencyKey = r.text(row, 0);
            }
            return out;
        });
    }

    bool remove(const std::string& tenantId, const std::string& conversationId) override {
        std::string error;
        return m_db->run<bool>(Access::Write, &error, [&](pg::Connection& c, std::string* failure) {
            return removeOn(c, tenantId, conversationId, failure);
        });
    }

    int64_t conversationCount() override {
        return m_db->read<int64_t>([](pg::Connection& c, std::string* error) -> int64_t {
            const pg::QueryResult r =
                c.execPrepared("conv_count", "SELECT count(*) FROM conversations", {});
            if (!r.ok()) {
                *error = failed("counting conversations", r.error());
                return 0;
            }
            return r.integer(0, 0);
        });
    }

private:
    static ConversationState stateFrom(const pg::QueryResult& r, const std::string& tenantId,
                                       const std::string& conversationId) {
        ConversationState state;
        state.tenantId = tenantId;
        state.conversationId = conversationId;
        state.flowId = r.text(0, 0);
        state.flowVersion = r.text(0, 1);
        state.currentState = r.text(0, 2);
        // A context that no longer parses does not hide the conversation: its version is
        // still needed to write over it (as in the SQLite store).
        std::string ignored;
        decodeContext(r.text(0, 3), state, &ignored);
        state.abVariant = r.text(0, 4);
        state.version = r.integer(0, 5);
        state.messageCount = r.integer(0, 6);
        state.createdAtMs = r.integer(0, 7);
        state.updatedAtMs = r.integer(0, 8);
        return state;
    }

    static std::optional<StoredMessage> find(pg::Connection& c, const std::string& tenantId,
                                             const std::string& conversationId,
                                             const std::string& key, std::string* error) {
        const pg::QueryResult r =
            c.execPrepared("conv_find",
                           "SELECT " + std::string(kMessageColumns) +
                               " FROM messages WHERE tenant_id = $1 AND conversation_id = $2 AND "
                               "idempotency_key = $3",
                           {tenantId, conversationId, key});
        if (!r.ok() || r.rows() == 0) {
            *error = r.ok() ? "" : failed("finding message '" + key + "'", r.error());
            return std::nullopt;
        }
        StoredMessage found = messageAt(r, 0, 1);
        found.idempotencyKey = r.text(0, 0);
        return found;
    }

    pg::Params commitParams(const ConversationState& next, int64_t expectedVersion,
                            const StoredMessage& message) const {
        const int64_t now = nowMs();
        const auto limit = static_cast<int64_t>(
            std::min<size_t>(m_db->options.historyLimitPerConversation,
                             static_cast<size_t>(std::numeric_limits<int64_t>::max())));
        return {next.tenantId,
                next.conversationId,
                pg::paramOrNull(message.idempotencyKey),
                message.input,
                message.reply,
                message.stateBefore,
                message.stateAfter,
                message.resultJson,
                pg::param(orNow(message.createdAtMs, now)),
                pg::param(limit),
                pg::param(std::max<int64_t>(1, limit / 16)),
                next.flowId,
                next.flowVersion,
                next.currentState,
                encodeContext(next),
                next.abVariant,
                pg::param(orNow(next.updatedAtMs, now)),
                pg::param(expectedVersion == 0 ? orNow(next.createdAtMs, now) : expectedVersion)};
    }

    CommitResult commitOn(pg::Connection& c, const ConversationState& next, bool create,
                          const StoredMessage& message, const pg::Params& params,
                          std::string* error) {
        const pg::QueryResult r = create ? c.execPrepared("conv_insert", m_sqlInsert, params)
                                         : c.execPrepared("conv_update", m_sqlUpdate, params);
        if (r.ok() && r.rows() == 0) {
            return {CommitStatus::Conflict, std::nullopt, {}};
        }
        if (r.ok() && r.boolean(0, 0)) {
            StoredMessage stored = messageAt(r, 0, 1);
            stored.idempotencyKey = message.idempotencyKey;
            return {CommitStatus::Duplicate, std::move(stored), {}};
        }
        if (r.ok()) {
            return {CommitStatus::Committed, std::nullopt, {}};
        }
        const std::string what = "committing message '" + message.idempotencyKey + "' to " +
                                 describe(next.tenantId, next.conversationId);
        if (r.sqlState() == pg::kUniqueViolation && !message.idempotencyKey.empty()) {
            // Another node stored this key after our lookup: the retry it is gets its answer.
            if (auto stored =
                    find(c, next.tenantId, next.conversationId, message.idempotencyKey, error)) {
                return {CommitStatus::Duplicate, std::move(stored), {}};
            }
        }
        *error = failed(what, r.error());
        return {};
    }

    // Conversation first: its row lock waits for a commit in flight, and the messages are then
    // deleted by a later statement that sees that commit's message (no orphan left behind).
    static bool removeOn(pg::Connection& c, const std::string& tenantId,
                         const std::string& conversationId, std::string* error) {
        const std::string what = "removing " + describe(tenantId, conversationId);
        if (const pg::QueryResult begun = c.execScript("BEGIN"); !begun.ok()) {
            *error = failed(what, begun.error());
            return false;
        }
        const pg::QueryResult gone = c.execPrepared(
            "conv_remove",
            "DELETE FROM conversations WHERE tenant_id = $1 AND conversation_id = $2",
            {tenantId, conversationId});
        if (gone.ok()) {
            const pg::QueryResult messages =
                c.execPrepared("conv_remove_messages",
                               "DELETE FROM messages WHERE tenant_id = $1 AND conversation_id = $2",
                               {tenantId, conversationId});
            if (const pg::QueryResult done = c.execScript(messages.ok() ? "COMMIT" : "ROLLBACK");
                messages.ok() && done.ok()) {
                return gone.affected() > 0;
            } else {
                *error = failed(what, messages.ok() ? done.error() : messages.error());
                return false;
            }
        }
        c.execScript("ROLLBACK");
        *error = failed(what, gone.error());
        return false;
    }

    std::shared_ptr<PostgresDatabase::Impl> m_db;
    const std::string m_sqlUpdate;
    const std::string m_sqlInsert;
};

} // namespace

std::unique_ptr<ConversationStore>
makeConversationStore(std::shared_ptr<PostgresDatabase::Impl> db) {
    return std::make_unique<PgConversationStore>(std::move(db));
}

} // namespace flowdeck::engine::pgstore
