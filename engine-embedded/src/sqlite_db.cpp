#include "sqlite_db.h"

#include "sqlite_page_cache.h"
#include "sqlite_schema.h"
#include "sqlite_wal_vfs.h"

#include <chrono>
#include <utility>

namespace flowdeck::engine::sqlite {

namespace {

bool applyPragmas(sqlite3* db, const SqliteOptions& options, Role role, std::string* error) {
    sqlite3_busy_timeout(db, static_cast<int>(options.busyTimeout.count()));
    const bool full = options.durability == SqliteOptions::Durability::Full;
    std::string pragmas = full ? "PRAGMA synchronous = FULL;" : "PRAGMA synchronous = NORMAL;";
    // The WAL is truncated back to 64 MiB after checkpoints so it cannot grow without bound.
    pragmas += "PRAGMA journal_size_limit = 67108864; PRAGMA temp_store = MEMORY;";
    // Bigger page caches than SQLite's 2 MiB default: the writer's index lookups (version and
    // idempotency checks) would otherwise pay a pread per miss. Readers get less: there are
    // several. No mmap: on this kind of VM remapping as the file grows cost more than it saved
    // (whole messages through the engine ran 1.7x faster without it).
    pragmas += role == Role::Writer ? "PRAGMA cache_size = -65536;" : "PRAGMA cache_size = -16384;";
    if (role == Role::Writer) {
        // WAL is what lets readers run beside the writer and makes NORMAL durable across a
        // killed process; refuse to run in any other mode (e.g. on a filesystem without shm).
        Statement walMode(db, "PRAGMA journal_mode = WAL", error);
        if (!walMode.valid()) {
            return false;
        }
        const int rc = walMode.step();
        if (rc != SQLITE_ROW) {
            *error = describe(db, rc, "enabling WAL", options.busyTimeout);
            return false;
        }
        if (walMode.text(0) != "wal") {
            *error = "the database cannot use WAL mode (journal mode is '" + walMode.text(0) + "')";
            return false;
        }
    } else if (role == Role::Reader) {
        pragmas += "PRAGMA query_only = 1;";
    }
    return exec(db, pragmas, error);
}

} // namespace

Statement::Statement(sqlite3* db, std::string_view sql, std::string* error) {
    const int rc = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()),
                                      SQLITE_PREPARE_PERSISTENT, &m_stmt, nullptr);
    if (rc != SQLITE_OK) {
        if (error) {
            *error = describe(db, rc, "preparing statement");
        }
        sqlite3_finalize(m_stmt);
        m_stmt = nullptr;
    }
}

Statement::Statement(Statement&& other) noexcept
    : m_stmt(std::exchange(other.m_stmt, nullptr)) {}

Statement& Statement::operator=(Statement&& other) noexcept {
    if (this != &other) {
        sqlite3_finalize(m_stmt);
        m_stmt = std::exchange(other.m_stmt, nullptr);
    }
    return *this;
}

Statement::~Statement() {
    sqlite3_finalize(m_stmt);
}

void Statement::bind(int index, std::string_view text) {
    // Static: the bound text outlives the step that reads it (reset() clears the bindings).
    sqlite3_bind_text(m_stmt, index, text.data(), static_cast<int>(text.size()), SQLITE_STATIC);
}

void Statement::bind(int index, int64_t value) {
    sqlite3_bind_int64(m_stmt, index, value);
}

void Statement::bindNull(int index) {
    sqlite3_bind_null(m_stmt, index);
}

int Statement::step() {
    return sqlite3_step(m_stmt);
}

void Statement::reset() {
    sqlite3_reset(m_stmt);
    sqlite3_clear_bindings(m_stmt);
}

std::string Statement::text(int column) const {
    const auto* data = reinterpret_cast<const char*>(sqlite3_column_text(m_stmt, column));
    const int size = sqlite3_column_bytes(m_stmt, column);
    return data ? std::string(data, static_cast<size_t>(size)) : std::string();
}

int64_t Statement::integer(int column) const {
    return sqlite3_column_int64(m_stmt, column);
}

Connection openConnection(const std::string& path, const SqliteOptions& options, Role role,
                          std::string* error) {
    sqlite3* raw = nullptr;
    // NOMUTEX: every connection is used by one thread at a time (the writer's, or a pooled
    // reader handed out under the pool's lock).
    const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, coalescingWalVfs());
    Connection db(raw);
    if (rc != SQLITE_OK) {
        *error = "cannot open '" + path + "': " + (raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc));
        return nullptr;
    }
    sqlite3_extended_result_codes(raw, 1);
    std::string detail;
    if (!applyPragmas(raw, options, role, &detail) ||
        (role == Role::Writer && !createOrMigrateSchema(raw, &detail))) {
        *error = "cannot open '" + path + "': " + detail;
        return nullptr;
    }
    return db;
}

bool exec(sqlite3* db, std::string_view sql, std::string* error) {
    char* message = nullptr;
    const std::string text(sql);
    const int rc = sqlite3_exec(db, text.c_str(), nullptr, nullptr, &message);
    if (rc != SQLITE_OK) {
        *error = std::string(sql.substr(0, 40)) + ": " + (message ? message : sqlite3_errstr(rc));
        sqlite3_free(message);
        return false;
    }
    return true;
}

std::string describe(sqlite3* db, int code, std::string_view what,
                     std::chrono::milliseconds busyTimeout) {
    std::string message(what);
    message += ": ";
    if ((code & 0xff) == SQLITE_BUSY) {
        const auto ms = busyTimeout.count();
        message += "database is locked for more than " +
                   (ms % 1000 == 0 ? std::to_string(ms / 1000) + " s" : std::to_string(ms) + " ms");
    } else {
        message += db ? sqlite3_errmsg(db) : sqlite3_errstr(code);
    }
    return message;
}

Connection openDurableDatabase(const std::string& path, std::string_view schema,
                               std::string* error) {
    installPageCache(); // before SQLite's first use in the process, or never
    sqlite3* raw = nullptr;
    const int rc =
        sqlite3_open_v2(path.c_str(), &raw,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
    Connection db(raw);
    if (rc != SQLITE_OK) {
        *error = "cannot open " + path + ": " + (raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc));
        return nullptr;
    }
    sqlite3_busy_timeout(db.get(), 5000);
    if (!exec(db.get(), "PRAGMA journal_mode=WAL", error) ||
        !exec(db.get(), "PRAGMA synchronous=FULL", error) || !exec(db.get(), schema, error)) {
        *error = path + ": " + *error;
        return nullptr;
    }
    return db;
}

int64_t nowMs() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

StoredMessage messageFromRow(const Statement& row) {
    StoredMessage message;
    message.idempotencyKey = row.text(0);
    message.seq = row.integer(1);
    message.input = row.text(2);
    message.reply = row.text(3);
    message.stateBefore = row.text(4);
    message.stateAfter = row.text(5);
    message.resultJson = row.text(6);
    message.createdAtMs = row.integer(7);
    return message;
}

} // namespace flowdeck::engine::sqlite
