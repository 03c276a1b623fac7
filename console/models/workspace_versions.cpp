// WorkspaceStore: autosaves and the version history of each document (the rest of the store is
// in workspace_store.cpp).
#include "models/workspace_schema.h"
#include "models/workspace_sql.h"
#include "models/workspace_store.h"

#include <QCryptographicHash>
#include <QSqlError>
#include <QSqlQuery>

#include <algorithm>

namespace flowdeck::console {

namespace {

using workspace_sql::WriteTransaction;

const QString kVersionColumns =
    QStringLiteral("id, document_key, number, flow_name, saved_at, note");
const QString kAutosaveColumns =
    QStringLiteral("document_key, flow_name, saved_at, flow_json, layout_json");

// What the user recognises a document by in a message.
QString documentLabel(const QString& documentKey, const QString& flowName) {
    if (!flowName.isEmpty()) {
        return flowName;
    }
    return WorkspaceStore::isUntitledKey(documentKey) ? WorkspaceStore::tr("an untitled flow")
                                                      : documentKey;
}

// Length-prefixed so that moving bytes between flow and layout changes the hash.
QByteArray contentHash(const QByteArray& flowJson, const QByteArray& layoutJson) {
    QCryptographicHash hash(QCryptographicHash::Sha256);
    hash.addData(QByteArray::number(flowJson.size()) + ':');
    hash.addData(flowJson);
    hash.addData(layoutJson);
    return hash.result();
}

QDateTime fromMs(const QVariant& value) {
    return QDateTime::fromMSecsSinceEpoch(value.toLongLong());
}

// Reads kVersionColumns, then the blobs if they were selected.
FlowVersion readVersion(const QSqlQuery& query, bool withBlobs) {
    FlowVersion version;
    version.id = query.value(0).toLongLong();
    version.documentKey = query.value(1).toString();
    version.number = query.value(2).toInt();
    version.flowName = query.value(3).toString();
    version.savedAt = fromMs(query.value(4));
    version.note = query.value(5).toString();
    if (withBlobs) {
        version.flowJson = query.value(6).toByteArray();
        version.layoutJson = query.value(7).toByteArray();
    }
    return version;
}

AutosaveEntry readAutosave(const QSqlQuery& query) {
    return {query.value(0).toString(), query.value(1).toString(), fromMs(query.value(2)),
            query.value(3).toByteArray(), query.value(4).toByteArray()};
}

struct LatestVersion {
    qint64 id = 0;
    int number = 0; // 0: the document has no version yet
    QByteArray contentHash;
};

bool readLatest(const QSqlDatabase& db, const QString& documentKey, const QString& purpose,
                LatestVersion* latest, QString* error) {
    QSqlQuery query(db);
    if (!workspace_sql::exec(query,
                             QStringLiteral("SELECT id, number, content_hash FROM versions"
                                            " WHERE document_key = ? ORDER BY number DESC LIMIT 1"),
                             {documentKey}, purpose, error)) {
        return false;
    }
    if (query.next()) {
        *latest = {query.value(0).toLongLong(), query.value(1).toInt(),
                   query.value(2).toByteArray()};
    }
    return true;
}

// Inserts `version` (all but its id) and sets its id.
bool insertVersion(const QSqlDatabase& db, const QByteArray& contentHash, const QString& purpose,
                   FlowVersion* version, QString* error) {
    QSqlQuery insert(db);
    if (!workspace_sql::exec(
            insert,
            QStringLiteral("INSERT INTO versions (document_key, number, flow_name,"
                           " saved_at, note, content_hash, flow_json, layout_json)"
                           " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"),
            {version->documentKey, version->number, workspace_sql::text(version->flowName),
             version->savedAt.toMSecsSinceEpoch(), workspace_sql::text(version->note), contentHash,
             version->flowJson, version->layoutJson},
            purpose, error)) {
        return false;
    }
    version->id = insert.lastInsertId().toLongLong();
    return true;
}

} // namespace

bool WorkspaceStore::writeAutosave(const AutosaveEntry& entry, QString* error) {
    const QString purpose =
        tr("autosaving %1").arg(documentLabel(entry.documentKey, entry.flowName));
    const qint64 savedAt = entry.savedAt.isValid() ? entry.savedAt.toMSecsSinceEpoch()
                                                   : QDateTime::currentMSecsSinceEpoch();
    QString message;
    // One statement is one implicit transaction: the row is replaced whole or not at all.
    const bool ok =
        checkOpen(purpose, &message) && checkKey(purpose, entry.documentKey, &message) &&
        checkText(tr("%1: the flow name").arg(purpose), entry.flowName, &message) &&
        checkBlob(tr("%1: the flow").arg(purpose), entry.flowJson, &message) &&
        checkBlob(tr("%1: the layout").arg(purpose), entry.layoutJson, &message) &&
        workspace_sql::run(m_db,
                           QStringLiteral("INSERT OR REPLACE INTO autosaves (") + kAutosaveColumns +
                               QStringLiteral(") VALUES (?, ?, ?, ?, ?)"),
                           {entry.documentKey, workspace_sql::text(entry.flowName), savedAt,
                            entry.flowJson, entry.layoutJson},
                           purpose, &message);
    return ok || fail(error, message);
}

bool WorkspaceStore::clearAutosave(const QString& documentKey, QString* error) {
    const QString purpose = tr("clearing the autosave of %1").arg(documentLabel(documentKey, {}));
    QString message;
    const bool ok =
        checkOpen(purpose, &message) &&
        workspace_sql::run(m_db, QStringLiteral("DELETE FROM autosaves WHERE document_key = ?"),
                           {documentKey}, purpose, &message);
    return ok || fail(error, message);
}

QVector<AutosaveEntry> WorkspaceStore::pendingAutosaves() const {
    const QString purpose = tr("reading the autosaved flows");
    QString message;
    QSqlQuery query(m_db);
    if (!checkOpen(purpose, &message) ||
        !workspace_sql::exec(
            query,
            QStringLiteral("SELECT ") + kAutosaveColumns +
                QStringLiteral(" FROM autosaves ORDER BY saved_at DESC, rowid DESC"),
            {}, purpose, &message)) {
        fail(nullptr, message);
        return {};
    }
    QVector<AutosaveEntry> entries;
    while (query.next()) {
        entries.append(readAutosave(query));
    }
    return entries;
}

std::optional<AutosaveEntry> WorkspaceStore::autosave(const QString& documentKey) const {
    const QString purpose = tr("reading the autosave of %1").arg(documentLabel(documentKey, {}));
    QString message;
    QSqlQuery query(m_db);
    if (!checkOpen(purpose, &message) ||
        !workspace_sql::exec(query,
                             QStringLiteral("SELECT ") + kAutosaveColumns +
                                 QStringLiteral(" FROM autosaves WHERE document_key = ?"),
                             {documentKey}, purpose, &message)) {
        fail(nullptr, message);
        return std::nullopt;
    }
    return query.next() ? std::optional(readAutosave(query)) : std::nullopt;
}

std::optional<FlowVersion> WorkspaceStore::saveVersion(const QString& documentKey,
                                                       const QString& flowName,
                                                       const QByteArray& flowJson,
                                                       const QByteArray& layoutJson,
                                                       const QString& note, QString* error) {
    const QString purpose = tr("saving version of %1").arg(documentLabel(documentKey, flowName));
    QString message;
    WriteTransaction transaction(m_db);
    LatestVersion latest;
    if (!checkOpen(purpose, &message) || !checkKey(purpose, documentKey, &message) ||
        !checkText(tr("%1: the flow name").arg(purpose), flowName, &message) ||
        !checkText(tr("%1: the note").arg(purpose), note, &message) ||
        !checkBlob(tr("%1: the flow").arg(purpose), flowJson, &message) ||
        !checkBlob(tr("%1: the layout").arg(purpose), layoutJson, &message) ||
        !transaction.begin(purpose, &message) ||
        !readLatest(m_db, documentKey, purpose, &latest, &message)) {
        fail(error, message);
        return std::nullopt;
    }
    const QByteArray hash = contentHash(flowJson, layoutJson);
    if (latest.number > 0 && latest.contentHash == hash) {
        // Nothing was written; committing only ends the read.
        if (!transaction.commit(purpose, &message)) {
            fail(error, message);
            return std::nullopt;
        }
        return version(latest.id);
    }
    FlowVersion saved{0,
                      documentKey,
                      latest.number + 1,
                      flowName,
                      QDateTime::fromMSecsSinceEpoch(QDateTime::currentMSecsSinceEpoch()),
                      note,
                      flowJson,
                      layoutJson};
    if (!insertVersion(m_db, hash, purpose, &saved, &message) ||
        (!layoutJson.isEmpty() && !storeLayout(documentKey, layoutJson, purpose, &message)) ||
        !pruneVersions(documentKey, purpose, &message) || !transaction.commit(purpose, &message)) {
        fail(error, message);
        return std::nullopt;
    }
    return saved;
}

bool WorkspaceStore::pruneVersions(const QString& documentKey, const QString& purpose,
                                   QString* error) {
    QSqlQuery count(m_db);
    if (!workspace_sql::exec(count,
                             QStringLiteral("SELECT COUNT(*), MIN(number) FROM versions"
                                            " WHERE document_key = ?"),
                             {documentKey}, purpose, error)) {
        return false;
    }
    if (!count.next()) { // an aggregate always has a row; not having one is a driver failure
        *error = QStringLiteral("%1: %2").arg(purpose, workspace_sql::messageOf(count.lastError()));
        return false;
    }
    const qint64 excess = count.value(0).toLongLong() - m_maxVersions;
    if (excess <= 0) {
        return true;
    }
    // The first version stays: it is where the document's history starts.
    return workspace_sql::run(m_db,
                              QStringLiteral("DELETE FROM versions WHERE id IN (SELECT id FROM"
                                             " versions WHERE document_key = ? AND number > ?"
                                             " ORDER BY number ASC LIMIT ?)"),
                              {documentKey, count.value(1), excess}, purpose, error);
}

void WorkspaceStore::setMaxVersionsPerDocument(int count) {
    m_maxVersions = std::max(2, count);
}

QVector<FlowVersion> WorkspaceStore::versions(const QString& documentKey) const {
    const QString purpose = tr("reading the versions of %1").arg(documentLabel(documentKey, {}));
    QString message;
    QSqlQuery query(m_db);
    if (!checkOpen(purpose, &message) ||
        !workspace_sql::exec(query,
                             QStringLiteral("SELECT ") + kVersionColumns +
                                 QStringLiteral(" FROM versions WHERE document_key = ?"
                                                " ORDER BY number DESC"),
                             {documentKey}, purpose, &message)) {
        fail(nullptr, message);
        return {};
    }
    QVector<FlowVersion> result;
    while (query.next()) {
        result.append(readVersion(query, false));
    }
    return result;
}

std::optional<FlowVersion> WorkspaceStore::version(qint64 id) const {
    return findVersion(QStringLiteral("id = ?"), {id}, tr("reading version %1").arg(id));
}

std::optional<FlowVersion> WorkspaceStore::latestVersion(const QString& documentKey) const {
    return findVersion(QStringLiteral("document_key = ? ORDER BY number DESC"), {documentKey},
                       tr("reading the latest version of %1").arg(documentLabel(documentKey, {})));
}

std::optional<FlowVersion> WorkspaceStore::findVersion(const QString& where,
                                                       const QVariantList& binds,
                                                       const QString& purpose) const {
    QString message;
    QSqlQuery query(m_db);
    if (!checkOpen(purpose, &message) ||
        !workspace_sql::exec(query,
                             QStringLiteral("SELECT ") + kVersionColumns +
                                 QStringLiteral(", flow_json, layout_json FROM versions WHERE ") +
                                 where + QStringLiteral(" LIMIT 1"),
                             binds, purpose, &message)) {
        fail(nullptr, message);
        return std::nullopt;
    }
    return query.next() ? std::optional(readVersion(query, true)) : std::nullopt;
}

} // namespace flowdeck::console
