#pragma once

#include <QSqlDatabase>
#include <QString>

// The workspace database's schema and connection settings, kept apart from WorkspaceStore so
// that a migration is one place to read.
namespace flowdeck::console::workspace_schema {

// Bumped by each migration appended in workspace_schema.cpp.
constexpr int kCurrentVersion = 1;

// WAL, synchronous=NORMAL (a commit survives the process being killed, and costs no fsync),
// busy_timeout, foreign keys. The first statement that reads the file, so a file that is not a
// database fails here.
bool configure(const QSqlDatabase& db, int busyTimeoutMs, QString* error);

// Brings the schema from the version recorded in schema_version (0 for a new file) to
// kCurrentVersion in one transaction. Idempotent: statements are written to be harmless when
// re-run, and an up-to-date file is left as it is. Fails on a file newer than this build.
bool migrate(const QSqlDatabase& db, QString* error);

// The version recorded in the file, or -1 (and *error) if it cannot be read.
int recordedVersion(const QSqlDatabase& db, QString* error);

} // namespace flowdeck::console::workspace_schema
