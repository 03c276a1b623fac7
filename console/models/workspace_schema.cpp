#include "models/workspace_schema.h"

#include "models/workspace_sql.h"

#include <QCoreApplication>
#include <QLoggingCategory>
#include <QSqlError>
#include <QSqlQuery>

namespace flowdeck::console::workspace_schema {

namespace {

Q_LOGGING_CATEGORY(lcSchema, "flowdeck.console.workspace")

QString tr(const char* text) {
    return QCoreApplication::translate("WorkspaceStore", text);
}

struct Migration {
    int version;
    QStringList statements;
};

// Append only: a released migration is never edited, a change is a new migration. Times are
// milliseconds since the epoch (UTC); JSON is stored as the bytes the console wrote.
const QVector<Migration>& migrations() {
    static const QVector<Migration> s_migrations = {
        {1,
         {
             QStringLiteral("CREATE TABLE IF NOT EXISTS autosaves ("
                            " document_key TEXT PRIMARY KEY,"
                            " flow_name TEXT NOT NULL DEFAULT '',"
                            " saved_at INTEGER NOT NULL,"
                            " flow_json BLOB,"
                            " layout_json BLOB)"),
             // AUTOINCREMENT: ids are never reused, so an id held by the UI never names
             // another version after pruning.
             QStringLiteral("CREATE TABLE IF NOT EXISTS versions ("
                            " id INTEGER PRIMARY KEY AUTOINCREMENT,"
                            " document_key TEXT NOT NULL,"
                            " number INTEGER NOT NULL,"
                            " flow_name TEXT NOT NULL DEFAULT '',"
                            " saved_at INTEGER NOT NULL,"
                            " note TEXT NOT NULL DEFAULT '',"
                            " content_hash BLOB NOT NULL,"
                            " flow_json BLOB,"
                            " layout_json BLOB,"
                            " UNIQUE (document_key, number))"),
             QStringLiteral("CREATE TABLE IF NOT EXISTS layouts ("
                            " document_key TEXT PRIMARY KEY,"
                            " updated_at INTEGER NOT NULL,"
                            " layout_json BLOB)"),
             QStringLiteral("CREATE TABLE IF NOT EXISTS recent_files ("
                            " path TEXT PRIMARY KEY,"
                            " position INTEGER NOT NULL)"),
             QStringLiteral("CREATE TABLE IF NOT EXISTS settings ("
                            " key TEXT PRIMARY KEY,"
                            " value BLOB)"),
             // The other workspaces' tables, empty until they are written; their columns may
             // still change through a later migration.
             QStringLiteral("CREATE TABLE IF NOT EXISTS cluster_profiles ("
                            " id INTEGER PRIMARY KEY AUTOINCREMENT,"
                            " name TEXT NOT NULL UNIQUE,"
                            " endpoint TEXT NOT NULL DEFAULT '',"
                            " updated_at INTEGER NOT NULL,"
                            " profile_json BLOB)"),
             QStringLiteral("CREATE TABLE IF NOT EXISTS scenarios ("
                            " id INTEGER PRIMARY KEY AUTOINCREMENT,"
                            " name TEXT NOT NULL,"
                            " document_key TEXT NOT NULL DEFAULT '',"
                            " updated_at INTEGER NOT NULL,"
                            " scenario_json BLOB)"),
             QStringLiteral("CREATE TABLE IF NOT EXISTS runs ("
                            " id INTEGER PRIMARY KEY AUTOINCREMENT,"
                            " scenario_id INTEGER REFERENCES scenarios(id) ON DELETE SET NULL,"
                            " started_at INTEGER NOT NULL,"
                            " finished_at INTEGER,"
                            " status TEXT NOT NULL DEFAULT '',"
                            " summary_json BLOB)"),
             QStringLiteral("CREATE TABLE IF NOT EXISTS incidents ("
                            " id INTEGER PRIMARY KEY AUTOINCREMENT,"
                            " title TEXT NOT NULL,"
                            " runbook TEXT NOT NULL DEFAULT '',"
                            " opened_at INTEGER NOT NULL,"
                            " closed_at INTEGER,"
                            " timeline_json BLOB)"),
         }},
    };
    return s_migrations;
}

bool recordVersion(const QSqlDatabase& db, int version, QString* error) {
    const QString purpose = tr("recording the schema version");
    return workspace_sql::run(db, QStringLiteral("DELETE FROM schema_version"), {}, purpose,
                              error) &&
           workspace_sql::run(db, QStringLiteral("INSERT INTO schema_version (version) VALUES (?)"),
                              {version}, purpose, error);
}

bool applyMigrations(const QSqlDatabase& db, int from, QString* error) {
    for (const Migration& migration : migrations()) {
        if (migration.version <= from) {
            continue;
        }
        const QString purpose = tr("migrating the schema to version %1").arg(migration.version);
        for (const QString& statement : migration.statements) {
            if (!workspace_sql::run(db, statement, {}, purpose, error)) {
                return false;
            }
        }
    }
    return recordVersion(db, kCurrentVersion, error);
}

} // namespace

bool configure(const QSqlDatabase& db, int busyTimeoutMs, QString* error) {
    using workspace_sql::run;
    if (!run(db, QStringLiteral("PRAGMA busy_timeout = %1").arg(busyTimeoutMs), {},
             tr("setting the busy timeout"), error)) {
        return false;
    }
    QSqlQuery journal(db);
    if (!workspace_sql::exec(journal, QStringLiteral("PRAGMA journal_mode = WAL"), {},
                             tr("setting up the journal"), error)) {
        return false;
    }
    // Some file systems (network shares) cannot hold a WAL; SQLite then keeps its rollback
    // journal, which is slower but just as safe, so this is worth a warning, not a failure.
    if (journal.next() && journal.value(0).toString().compare(u"wal", Qt::CaseInsensitive) != 0) {
        qCWarning(lcSchema, "workspace %s: journal mode is %s, not WAL",
                  qUtf8Printable(db.databaseName()), qUtf8Printable(journal.value(0).toString()));
    }
    return run(db, QStringLiteral("PRAGMA synchronous = NORMAL"), {},
               tr("setting the synchronous mode"), error) &&
           run(db, QStringLiteral("PRAGMA foreign_keys = ON"), {}, tr("enabling foreign keys"),
               error);
}

int recordedVersion(const QSqlDatabase& db, QString* error) {
    QSqlQuery query(db);
    if (!workspace_sql::exec(query,
                             QStringLiteral("SELECT COALESCE(MAX(version), 0) FROM schema_version"),
                             {}, tr("reading the schema version"), error)) {
        return -1;
    }
    if (!query.next()) {
        *error =
            tr("reading the schema version: %1").arg(workspace_sql::messageOf(query.lastError()));
        return -1;
    }
    return query.value(0).toInt();
}

bool migrate(const QSqlDatabase& db, QString* error) {
    // One transaction, so that two consoles starting on a new file do not both migrate it and a
    // crash mid-migration leaves the previous schema.
    workspace_sql::WriteTransaction transaction(db);
    if (!transaction.begin(tr("starting the schema migration"), error) ||
        !workspace_sql::run(db,
                            QStringLiteral("CREATE TABLE IF NOT EXISTS schema_version"
                                           " (version INTEGER NOT NULL)"),
                            {}, tr("creating the schema_version table"), error)) {
        return false;
    }
    const int from = recordedVersion(db, error);
    if (from < 0) {
        return false;
    }
    if (from > kCurrentVersion) {
        *error = tr("the workspace was written by a newer Flowdeck (schema version %1, this "
                    "version knows up to %2)")
                     .arg(from)
                     .arg(kCurrentVersion);
        return false;
    }
    if (from < kCurrentVersion && !applyMigrations(db, from, error)) {
        return false;
    }
    return transaction.commit(tr("committing the schema migration"), error);
}

} // namespace flowdeck::console::workspace_schema
