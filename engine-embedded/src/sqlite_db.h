#pragma once

#include "flowdeck/engine/conversation_store.h"
#include "flowdeck/engine/sqlite_store.h"

#include <sqlite3.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

// Thin RAII over the SQLite C API, shared by the store's writer and readers.
namespace flowdeck::engine::sqlite {

struct ConnectionCloser {
    void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using Connection = std::unique_ptr<sqlite3, ConnectionCloser>;

// A prepared statement, reset and cleared of bindings after each use so it can be reused.
class Statement final {
public:
    Statement() = default;
    Statement(sqlite3* db, std::string_view sql, std::string* error);
    Statement(Statement&& other) noexcept;
    Statement& operator=(Statement&& other) noexcept;
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;
    ~Statement();

    bool valid() const { return m_stmt != nullptr; }
    void bind(int index, std::string_view text);
    void bind(int index, int64_t value);
    void bindNull(int index);
    // SQLITE_ROW, SQLITE_DONE or an error code.
    int step();
    void reset();

    std::string text(int column) const;
    int64_t integer(int column) const;

private:
    sqlite3_stmt* m_stmt = nullptr;
};

// Resets the statement when the scope ends, whatever way it ends.
class StatementUse final {
public:
    explicit StatementUse(Statement& statement)
        : m_statement(statement) {}
    ~StatementUse() { m_statement.reset(); }
    StatementUse(const StatementUse&) = delete;
    StatementUse& operator=(const StatementUse&) = delete;

private:
    Statement& m_statement;
};

enum class Role { Writer, Reader, Checkpointer };

// Opens a connection with the store's pragmas (WAL, synchronous, busy timeout). The writer also
// creates or migrates the schema, so it must be opened first.
Connection openConnection(const std::string& path, const SqliteOptions& options, Role role,
                          std::string* error);

// One connection for a small store of rare, precious writes (flow versions, releases): WAL,
// synchronous=FULL (an acknowledged write survives power loss), a 5 s busy timeout, and `schema`
// applied. Null with *error naming the file.
Connection openDurableDatabase(const std::string& path, std::string_view schema,
                               std::string* error);

// Runs SQL without results. False with `error` ("<what>: <sqlite message>") on failure.
bool exec(sqlite3* db, std::string_view sql, std::string* error);

// A readable message for a failed call on `db`, naming what was being done ("database is locked
// for more than 5 s" when another process held the lock past the busy timeout).
std::string describe(sqlite3* db, int code, std::string_view what,
                     std::chrono::milliseconds busyTimeout = std::chrono::milliseconds{5000});

int64_t nowMs();

// The columns of a message row, in the order messageFromRow() reads them.
inline constexpr std::string_view kMessageColumns =
    "idempotency_key, seq, input, reply, state_before, state_after, result_json, created_at";
StoredMessage messageFromRow(const Statement& row);

} // namespace flowdeck::engine::sqlite
