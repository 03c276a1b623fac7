#pragma once

// What PostgresDatabase and its stores share: the pool, the options, and one way to run work on
// a pooled connection with the retry rule below. Internal to flowdeck_engine_pg.

#include "pg_pool.h"

#include "flowdeck/engine/postgres_store.h"

#include <memory>
#include <mutex>
#include <string>

namespace flowdeck::engine {

struct PostgresDatabase::Impl {
    explicit Impl(const PostgresOptions& options);

    enum class Access { Read, Write };

    // Runs `work(connection, &error)` on a pooled connection. When the connection turns out to
    // be dead, `work` runs once more on a fresh one if that cannot apply anything twice: always
    // for reads, for writes only when the server never applied the failed statement (it was not
    // sent, or the server said it ended the session). So a restarted PostgreSQL, or a connection
    // killed under the pool, costs the next call nothing but a reconnect.
    template <class Result, class Work> Result run(Access access, std::string* error, Work&& work) {
        for (int attempt = 0;; ++attempt) {
            std::string failure;
            pg::ConnectionPool::Lease lease = pool.acquire(&failure);
            if (!lease) {
                *error = std::move(failure);
                return Result{};
            }
            Result result = work(*lease, &failure);
            if (failure.empty()) {
                return result;
            }
            const bool retry = lease->lastFailureNotApplied() ||
                               (access == Access::Read && lease->lastFailureLostConnection());
            if (attempt > 0 || !retry) {
                *error = std::move(failure);
                return result;
            }
        }
    }

    // A read through an interface that cannot report errors: a failure is kept for
    // lastReadError() and the empty result returned.
    template <class Result, class Work> Result read(Work&& work) {
        std::string error;
        Result result = run<Result>(Access::Read, &error, std::forward<Work>(work));
        if (!error.empty()) {
            std::lock_guard lock(errorMutex);
            lastReadError = std::move(error);
        }
        return result;
    }

    const PostgresOptions options;
    pg::ConnectionPool pool;
    mutable std::mutex errorMutex;
    std::string lastReadError;
};

namespace pgstore {

// The schema this build writes; open() refuses a database whose schema_version is newer.
inline constexpr int kSchemaVersion = 1;

// Creates or checks the schema in one transaction under an advisory lock, so nodes starting
// together take turns. False with *error (naming the versions when the database is newer).
bool ensureSchema(pg::Connection& connection, std::string* error);

std::unique_ptr<ConversationStore>
makeConversationStore(std::shared_ptr<PostgresDatabase::Impl> db);
std::unique_ptr<FlowVersionStore> makeFlowVersionStore(std::shared_ptr<PostgresDatabase::Impl> db);
std::unique_ptr<release::ReleaseStore> makeReleaseStore(std::shared_ptr<PostgresDatabase::Impl> db);

// "<what>: <error>", for messages that name the call that failed.
inline std::string failed(const std::string& what, const std::string& error) {
    return what + ": " + error;
}

} // namespace pgstore

} // namespace flowdeck::engine
