#include "models/workspace_store.h"

#include "models/workspace_schema.h"
#include "models/workspace_sql.h"

#include <QDataStream>
#include <QDir>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QSqlError>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QUuid>

#include <algorithm>
#include <atomic>

namespace flowdeck::console {

namespace {

Q_LOGGING_CATEGORY(lcWorkspace, "flowdeck.console.workspace")

const QString kUntitledPrefix = QStringLiteral("untitled:");

QString nextConnectionName() {
    static std::atomic<quint64> s_counter{0};
    return QStringLiteral("flowdeck-workspace-%1").arg(++s_counter);
}

QByteArray encodeSetting(const QVariant& value, bool* ok) {
    QByteArray bytes;
    QDataStream stream(&bytes, QIODevice::WriteOnly);
    stream.setVersion(QDataStream::Qt_6_0); // fixed, so that a later Qt still reads old files
    stream << value;
    *ok = stream.status() == QDataStream::Ok;
    return bytes;
}

std::optional<QVariant> decodeSetting(const QByteArray& bytes) {
    QDataStream stream(bytes);
    stream.setVersion(QDataStream::Qt_6_0);
    QVariant value;
    stream >> value;
    if (stream.status() != QDataStream::Ok) {
        return std::nullopt;
    }
    return value;
}

} // namespace

using workspace_sql::WriteTransaction;

WorkspaceStore::~WorkspaceStore() {
    close();
}

bool WorkspaceStore::open(const QString& path, QString* error) {
    close();
    m_lastError.clear();
    QString message;
    const QString folder = QFileInfo(path).absolutePath();
    if (path.isEmpty()) {
        return fail(error, tr("opening workspace: no database path given"));
    }
    if (!QDir().mkpath(folder)) {
        return fail(error,
                    tr("opening workspace %1: cannot create the folder %2").arg(path, folder));
    }
    m_connectionName = nextConnectionName();
    m_db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connectionName);
    m_db.setDatabaseName(path);
    m_db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=%1").arg(kBusyTimeoutMs));
    if (!m_db.isValid()) {
        message = tr("Qt's SQLite driver (QSQLITE) is not available");
    } else if (!m_db.open()) {
        message = workspace_sql::messageOf(m_db.lastError());
    } else if (workspace_schema::configure(m_db, kBusyTimeoutMs, &message) &&
               workspace_schema::migrate(m_db, &message)) {
        m_path = path;
        return true;
    }
    close();
    return fail(error, tr("opening workspace %1: %2").arg(path, message));
}

void WorkspaceStore::close() {
    if (m_connectionName.isEmpty()) {
        return;
    }
    m_db.close();
    m_db = QSqlDatabase(); // removeDatabase() needs every handle on the connection gone
    QSqlDatabase::removeDatabase(m_connectionName);
    m_connectionName.clear();
    m_path.clear();
}

bool WorkspaceStore::setBusyTimeout(int milliseconds, QString* error) {
    const QString purpose = tr("setting the busy timeout");
    QString message;
    const bool ok =
        checkOpen(purpose, &message) &&
        workspace_sql::run(
            m_db, QStringLiteral("PRAGMA busy_timeout = %1").arg(std::max(0, milliseconds)), {},
            purpose, &message);
    return ok || fail(error, message);
}

QString WorkspaceStore::defaultPath() {
    const QString folder = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    QDir().mkpath(folder); // a failure shows up, with the path, when open() creates the file
    return folder + QStringLiteral("/workspace.sqlite");
}

QString WorkspaceStore::keyForFile(const QString& path) {
    const QFileInfo info(path);
    const QString canonical = info.canonicalFilePath(); // empty if the file does not exist
    return canonical.isEmpty() ? QDir::cleanPath(info.absoluteFilePath()) : canonical;
}

QString WorkspaceStore::untitledKey() {
    return kUntitledPrefix + QUuid::createUuid().toString(QUuid::WithoutBraces);
}

bool WorkspaceStore::isUntitledKey(const QString& documentKey) {
    return documentKey.startsWith(kUntitledPrefix);
}

bool WorkspaceStore::fail(QString* error, const QString& message) const {
    m_lastError = message;
    if (error) {
        *error = message;
    } else {
        qCWarning(lcWorkspace, "%s", qUtf8Printable(message));
    }
    return false;
}

bool WorkspaceStore::checkOpen(const QString& purpose, QString* error) const {
    if (m_db.isOpen()) {
        return true;
    }
    *error = tr("%1: the workspace database is not open").arg(purpose);
    return false;
}

bool WorkspaceStore::checkKey(const QString& purpose, const QString& documentKey,
                              QString* error) const {
    if (documentKey.isEmpty()) {
        *error = tr("%1: no document key given").arg(purpose);
        return false;
    }
    return checkText(tr("%1: the document key").arg(purpose), documentKey, error);
}

bool WorkspaceStore::checkText(const QString& what, const QString& text, QString* error) const {
    if (text.size() <= kMaxTextChars) {
        return true;
    }
    *error = tr("%1 is %2 characters long, more than the %3 allowed")
                 .arg(what)
                 .arg(text.size())
                 .arg(kMaxTextChars);
    return false;
}

bool WorkspaceStore::checkBlob(const QString& what, const QByteArray& blob, QString* error) const {
    if (blob.size() <= kMaxBlobBytes) {
        return true;
    }
    *error = tr("%1 is %2 bytes, more than the %3 MiB a workspace keeps")
                 .arg(what)
                 .arg(blob.size())
                 .arg(kMaxBlobBytes / (1024 * 1024));
    return false;
}

bool WorkspaceStore::saveLayout(const QString& documentKey, const QByteArray& layoutJson,
                                QString* error) {
    const QString purpose = tr("saving the layout of %1").arg(documentKey);
    QString message;
    WriteTransaction transaction(m_db);
    if (!checkOpen(purpose, &message) || !checkKey(purpose, documentKey, &message) ||
        !checkBlob(tr("%1: the layout").arg(purpose), layoutJson, &message) ||
        !transaction.begin(purpose, &message) ||
        !storeLayout(documentKey, layoutJson, purpose, &message) ||
        !transaction.commit(purpose, &message)) {
        return fail(error, message);
    }
    return true;
}

bool WorkspaceStore::storeLayout(const QString& documentKey, const QByteArray& layoutJson,
                                 const QString& purpose, QString* error) {
    return workspace_sql::run(
        m_db,
        QStringLiteral("INSERT OR REPLACE INTO layouts (document_key, updated_at, layout_json)"
                       " VALUES (?, ?, ?)"),
        {documentKey, QDateTime::currentMSecsSinceEpoch(), layoutJson}, purpose, error);
}

QByteArray WorkspaceStore::layout(const QString& documentKey) const {
    const QString purpose = tr("reading the layout of %1").arg(documentKey);
    QString message;
    QSqlQuery query(m_db);
    if (!checkOpen(purpose, &message) ||
        !workspace_sql::exec(
            query, QStringLiteral("SELECT layout_json FROM layouts WHERE document_key = ?"),
            {documentKey}, purpose, &message)) {
        fail(nullptr, message);
        return {};
    }
    return query.next() ? query.value(0).toByteArray() : QByteArray();
}

bool WorkspaceStore::addRecentFile(const QString& path, QString* error) {
    const QString file = keyForFile(path);
    const QString purpose = tr("adding %1 to the recent files").arg(file);
    QString message;
    WriteTransaction transaction(m_db);
    if (path.isEmpty()) {
        return fail(error, tr("adding to the recent files: no path given"));
    }
    const bool ok =
        checkOpen(purpose, &message) &&
        checkText(tr("%1: the path").arg(purpose), file, &message) &&
        transaction.begin(purpose, &message) &&
        workspace_sql::run(
            m_db,
            QStringLiteral("INSERT INTO recent_files (path, position) VALUES"
                           " (?, (SELECT COALESCE(MAX(position), 0) + 1 FROM recent_files))"
                           " ON CONFLICT (path) DO UPDATE SET position = excluded.position"),
            {file}, purpose, &message) &&
        workspace_sql::run(m_db,
                           QStringLiteral("DELETE FROM recent_files WHERE path NOT IN"
                                          " (SELECT path FROM recent_files"
                                          "  ORDER BY position DESC LIMIT ?)"),
                           {kMaxRecentFiles}, purpose, &message) &&
        transaction.commit(purpose, &message);
    return ok || fail(error, message);
}

QStringList WorkspaceStore::recentFiles() const {
    const QString purpose = tr("reading the recent files");
    QString message;
    QSqlQuery query(m_db);
    if (!checkOpen(purpose, &message) ||
        !workspace_sql::exec(
            query, QStringLiteral("SELECT path FROM recent_files ORDER BY position DESC LIMIT ?"),
            {kMaxRecentFiles}, purpose, &message)) {
        fail(nullptr, message);
        return {};
    }
    QStringList files;
    while (query.next()) {
        files.append(query.value(0).toString());
    }
    return files;
}

bool WorkspaceStore::removeRecentFile(const QString& path, QString* error) {
    const QString file = keyForFile(path);
    const QString purpose = tr("removing %1 from the recent files").arg(file);
    QString message;
    const bool ok =
        checkOpen(purpose, &message) &&
        workspace_sql::run(m_db, QStringLiteral("DELETE FROM recent_files WHERE path = ?"), {file},
                           purpose, &message);
    return ok || fail(error, message);
}

bool WorkspaceStore::setSetting(const QString& key, const QVariant& value, QString* error) {
    const QString purpose = tr("saving the setting %1").arg(key);
    QString message;
    if (!checkOpen(purpose, &message) ||
        !checkText(tr("%1: the key").arg(purpose), key, &message)) {
        return fail(error, message);
    }
    if (!value.isValid()) {
        return workspace_sql::run(m_db, QStringLiteral("DELETE FROM settings WHERE key = ?"), {key},
                                  purpose, &message) ||
               fail(error, message);
    }
    bool encoded = false;
    const QByteArray bytes = encodeSetting(value, &encoded);
    if (!encoded) {
        return fail(error, tr("%1: a value of type %2 cannot be stored")
                               .arg(purpose, QString::fromLatin1(value.typeName())));
    }
    return (checkBlob(tr("%1: the value").arg(purpose), bytes, &message) &&
            workspace_sql::run(m_db,
                               QStringLiteral("INSERT OR REPLACE INTO settings (key, value)"
                                              " VALUES (?, ?)"),
                               {key, bytes}, purpose, &message)) ||
           fail(error, message);
}

QVariant WorkspaceStore::setting(const QString& key, const QVariant& fallback) const {
    const QString purpose = tr("reading the setting %1").arg(key);
    QString message;
    QSqlQuery query(m_db);
    if (!checkOpen(purpose, &message) ||
        !workspace_sql::exec(query, QStringLiteral("SELECT value FROM settings WHERE key = ?"),
                             {key}, purpose, &message)) {
        fail(nullptr, message);
        return fallback;
    }
    if (!query.next()) {
        return fallback;
    }
    const std::optional<QVariant> value = decodeSetting(query.value(0).toByteArray());
    if (!value) {
        fail(nullptr, tr("%1: the stored value is unreadable").arg(purpose));
        return fallback;
    }
    return *value;
}

QString WorkspaceStore::checkIntegrity() const {
    const QString purpose = tr("checking the workspace's integrity");
    QString message;
    QSqlQuery query(m_db);
    if (!checkOpen(purpose, &message) ||
        !workspace_sql::exec(query, QStringLiteral("PRAGMA integrity_check"), {}, purpose,
                             &message)) {
        fail(nullptr, message);
        return message;
    }
    QStringList problems;
    while (query.next()) {
        problems.append(query.value(0).toString());
    }
    return problems.join(QLatin1Char('\n'));
}

} // namespace flowdeck::console
