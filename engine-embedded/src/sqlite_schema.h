#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <string>

// The conversation store's schema: creating it in a new file and migrating older files.
namespace flowdeck::engine::sqlite {

// user_version of a database this program writes.
inline constexpr int64_t kSchemaVersion = 2;

// Creates the schema in a new file, or migrates an older one, in one IMMEDIATE transaction (so
// two processes opening the same new file cannot both create it half-way). False with `error`
// when the file has a newer schema or is not a Flowdeck conversation database.
bool createOrMigrateSchema(sqlite3* db, std::string* error);

} // namespace flowdeck::engine::sqlite
