#pragma once

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QString>
#include <QVariantList>

// Small helpers over Qt SQL shared by WorkspaceStore's files. Every failure is described as
// "<purpose>: <SQLite's message>" so that the user reads what was being done, not just the SQL.
namespace flowdeck::console::workspace_sql {

// SQLite's own message ("database is locked"), or Qt's when SQLite gave none.
QString messageOf(const QSqlError& error);

// Qt binds a null QString as SQL NULL; the schema's text columns are NOT NULL, so a name or note
// nobody gave is bound as ''.
inline QVariant text(const QString& value) {
    return value.isNull() ? QVariant(QStringLiteral("")) : QVariant(value);
}

// Prepares `sql` on query's connection, binds `binds` in order and runs it. On failure sets
// *error to "<purpose>: <message>" and returns false.
bool exec(QSqlQuery& query, const QString& sql, const QVariantList& binds, const QString& purpose,
          QString* error);

// Runs a statement that returns nothing the caller needs (DDL, PRAGMA, DELETE ...).
bool run(const QSqlDatabase& db, const QString& sql, const QVariantList& binds,
         const QString& purpose, QString* error);

// BEGIN IMMEDIATE ... COMMIT, rolled back on destruction unless committed. IMMEDIATE takes the
// write lock up front: a deferred transaction that reads and then writes can fail with
// SQLITE_BUSY without waiting when another connection committed in between, which is exactly
// the two-stores-on-one-file case.
class WriteTransaction final {
public:
    explicit WriteTransaction(const QSqlDatabase& db)
        : m_db(db) {}
    WriteTransaction(const WriteTransaction&) = delete;
    WriteTransaction& operator=(const WriteTransaction&) = delete;
    ~WriteTransaction();

    bool begin(const QString& purpose, QString* error);
    bool commit(const QString& purpose, QString* error);

private:
    QSqlDatabase m_db;
    bool m_active = false;
};

} // namespace flowdeck::console::workspace_sql
