#pragma once

#include <QByteArray>
#include <QCoreApplication>
#include <QDateTime>
#include <QSqlDatabase>
#include <QString>
#include <QStringList>
#include <QVariant>
#include <QVector>

#include <optional>

namespace flowdeck::console {

// A flow document is identified by a key: its canonical absolute file path, or "untitled:<uuid>"
// for a flow never saved to a file (WorkspaceStore::keyForFile / untitledKey make both).

// One explicit save of a document. Immutable once recorded.
struct FlowVersion {
    qint64 id = 0;
    QString documentKey;
    int number = 0; // 1, 2, 3 ... per document; pruning leaves gaps but never reuses a number
    QString flowName;
    QDateTime savedAt;
    QString note;
    QByteArray flowJson;   // empty in WorkspaceStore::versions(), filled by version()
    QByteArray layoutJson; // idem
};

// The unsaved state of one document, replaced on every autosave.
struct AutosaveEntry {
    QString documentKey;
    QString flowName;
    QDateTime savedAt; // invalid: the time of the write
    QByteArray flowJson;
    QByteArray layoutJson;
};

// The console's local workspace database (DESIGN.md §8): autosaves, the version history of each
// flow, per-document layouts, recent files and settings, in one SQLite file through Qt SQL.
//
// Every write is one transaction (a single statement, or BEGIN IMMEDIATE ... COMMIT), in WAL mode
// with synchronous=NORMAL: once a function returned true its data survives the process being
// killed (a power cut may lose the last few commits, never corrupt the file). Several stores, in
// this process or others, may have the same file open; each sees the others' committed writes.
//
// Threading: Qt SQL connections belong to the thread that opened them, so a store is used only from
// the thread that called open().
//
// Errors never throw: functions return false / std::nullopt / an empty value and describe the
// failure with what was being done ("saving version of order_support: database is locked"), in
// *error when given, always in lastError(), and as a qWarning when the caller passed no *error.
class WorkspaceStore final {
    Q_DECLARE_TR_FUNCTIONS(WorkspaceStore)
public:
    static constexpr qsizetype kMaxBlobBytes = 64 * 1024 * 1024;
    static constexpr qsizetype kMaxTextChars = 64 * 1024; // keys, names, notes, setting keys
    static constexpr int kDefaultMaxVersionsPerDocument = 500;
    static constexpr int kMaxRecentFiles = 10;
    static constexpr int kBusyTimeoutMs = 5000;

    WorkspaceStore() = default;
    WorkspaceStore(const WorkspaceStore&) = delete;
    WorkspaceStore& operator=(const WorkspaceStore&) = delete;
    ~WorkspaceStore(); // removes its connection

    // Opens (creating the file and its folder if needed) the workspace database at `path` with its
    // own uniquely named QSqlDatabase connection, and migrates its schema. Refuses a file written
    // by a newer Flowdeck (higher schema version) rather than risk damaging it. Returns false and
    // sets *error (path + SQLite's message) on failure; the store is then closed.
    bool open(const QString& path, QString* error = nullptr);
    void close();
    bool isOpen() const { return m_db.isOpen(); }
    QString path() const { return m_path; }
    QString lastError() const { return m_lastError; }
    // How long a write waits for another connection's write to finish before failing with
    // "database is locked" (kBusyTimeoutMs after open()).
    bool setBusyTimeout(int milliseconds, QString* error = nullptr);

    // QStandardPaths::AppDataLocation + "/workspace.sqlite" (the folder is created).
    static QString defaultPath();
    // The document key of a file: its canonical path if it exists, else its clean absolute path.
    static QString keyForFile(const QString& path);
    static QString untitledKey(); // "untitled:<uuid>", new each call
    static bool isUntitledKey(const QString& documentKey);

    // Autosave: one row per document, replaced on every write, so a crash loses at most the edits
    // made since the last write. Clear it on an explicit save or on close-without-saving; what
    // remains at start-up is what the console offers to restore.
    bool writeAutosave(const AutosaveEntry& entry, QString* error = nullptr);
    bool clearAutosave(const QString& documentKey, QString* error = nullptr);
    QVector<AutosaveEntry> pendingAutosaves() const; // newest first
    std::optional<AutosaveEntry> autosave(const QString& documentKey) const;

    // Versions: every explicit save records an immutable version numbered 1, 2, 3 ... per document.
    // Content identical (flow and layout) to the latest version records nothing and returns the
    // latest. Past maxVersionsPerDocument() the oldest are pruned, except the first. A non-empty
    // layout also becomes the document's layout() in the same transaction.
    std::optional<FlowVersion> saveVersion(const QString& documentKey, const QString& flowName,
                                           const QByteArray& flowJson, const QByteArray& layoutJson,
                                           const QString& note, QString* error = nullptr);
    QVector<FlowVersion> versions(const QString& documentKey) const; // newest first, no blobs
    std::optional<FlowVersion> version(qint64 id) const;             // with blobs
    std::optional<FlowVersion> latestVersion(const QString& documentKey) const; // with blobs
    int maxVersionsPerDocument() const { return m_maxVersions; }
    void setMaxVersionsPerDocument(int count); // at least 2 (the first and the latest)

    // Layout kept per document: the latest positions, also for files opened from disk whose JSON
    // carries no layout. Empty if none is known.
    bool saveLayout(const QString& documentKey, const QByteArray& layoutJson,
                    QString* error = nullptr);
    QByteArray layout(const QString& documentKey) const;

    // Recent files: most recent first, unique (by keyForFile), at most kMaxRecentFiles.
    bool addRecentFile(const QString& path, QString* error = nullptr);
    QStringList recentFiles() const;
    bool removeRecentFile(const QString& path, QString* error = nullptr);

    // Key/value settings; the value keeps its type (QDataStream). An invalid value removes the key.
    bool setSetting(const QString& key, const QVariant& value, QString* error = nullptr);
    QVariant setting(const QString& key, const QVariant& fallback = {}) const;

    // "ok", or SQLite's list of problems (PRAGMA integrity_check), or the error running it.
    QString checkIntegrity() const;

private:
    bool fail(QString* error, const QString& message) const;
    bool checkKey(const QString& purpose, const QString& documentKey, QString* error) const;
    bool checkText(const QString& what, const QString& text, QString* error) const;
    bool checkBlob(const QString& what, const QByteArray& blob, QString* error) const;
    bool checkOpen(const QString& purpose, QString* error) const;
    bool pruneVersions(const QString& documentKey, const QString& purpose, QString* error);
    bool storeLayout(const QString& documentKey, const QByteArray& layoutJson,
                     const QString& purpose, QString* error);
    std::optional<FlowVersion> findVersion(const QString& where, const QVariantList& binds,
                                           const QString& purpose) const;

    QSqlDatabase m_db;
    QString m_connectionName;
    QString m_path;
    int m_maxVersions = kDefaultMaxVersionsPerDocument;
    mutable QString m_lastError;
};

} // namespace flowdeck::console
