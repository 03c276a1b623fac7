#include "models/workspace_sql.h"

#include <QSqlError>

namespace flowdeck::console::workspace_sql {

QString messageOf(const QSqlError& error) {
    const QString database = error.databaseText().trimmed();
    return database.isEmpty() ? error.driverText().trimmed() : database;
}

bool exec(QSqlQuery& query, const QString& sql, const QVariantList& binds, const QString& purpose,
          QString* error) {
    // Statements are prepared once per call: the store's traffic is a few statements per user
    // action, so caching prepared queries would buy nothing measurable.
    if (!query.prepare(sql)) {
        *error = QStringLiteral("%1: %2").arg(purpose, messageOf(query.lastError()));
        return false;
    }
    for (const QVariant& value : binds) {
        query.addBindValue(value);
    }
    if (!query.exec()) {
        *error = QStringLiteral("%1: %2").arg(purpose, messageOf(query.lastError()));
        return false;
    }
    return true;
}

bool run(const QSqlDatabase& db, const QString& sql, const QVariantList& binds,
         const QString& purpose, QString* error) {
    QSqlQuery query(db);
    return exec(query, sql, binds, purpose, error);
}

WriteTransaction::~WriteTransaction() {
    if (m_active) {
        QString ignored; // the failure that led here was already reported
        run(m_db, QStringLiteral("ROLLBACK"), {}, {}, &ignored);
    }
}

bool WriteTransaction::begin(const QString& purpose, QString* error) {
    m_active = run(m_db, QStringLiteral("BEGIN IMMEDIATE"), {}, purpose, error);
    return m_active;
}

bool WriteTransaction::commit(const QString& purpose, QString* error) {
    if (!run(m_db, QStringLiteral("COMMIT"), {}, purpose, error)) {
        return false; // still active: the destructor rolls back
    }
    m_active = false;
    return true;
}

} // namespace flowdeck::console::workspace_sql
