#pragma once

// Canary numbers shared across a cluster: each node publishes its per-second VariantStats of the
// versions in a rollout to table flowdeck_variant_seconds (created with the schema, pg_schema.cpp),
// and the leader reads the other nodes' rows back when it judges a canary
// (ReleaseController::Dependencies::peerSeconds). Only what is needed for the longest analysis
// window is kept: rows older than kMaxWindowMs plus a margin are deleted as nodes publish.

#include "flowdeck/engine/variant_stats.h"

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace flowdeck::engine {

namespace pg {
class Connection;
}

// The `latency` column: the non-empty buckets as "INDEX:COUNT" pairs joined by ',', ascending by
// index (e.g. "1012:3,1020:1"); "" when the second saw no message. Compact, and readable in psql.
std::string encodeLatencyBuckets(const std::vector<std::pair<uint32_t, uint64_t>>& buckets);
// nullopt when `text` is not in that form (or names a bucket past latency::kBucketCount).
std::optional<std::vector<std::pair<uint32_t, uint64_t>>>
decodeLatencyBuckets(std::string_view text);

// One (flow, version) pair's seconds, as a node publishes them.
struct PublishedSeries {
    std::string flowId;
    std::string version;
    std::vector<release::StatsSecond> seconds;
};

// Talks to flowdeck_variant_seconds on connections of its own (publishing and reading happen on
// different threads, and must not wait behind conversation traffic in the pool). Every call is
// bounded by `timeout` (connect and statement); after a failed connect the next attempt waits
// `retryAfter`, failing at once meanwhile, so a lost database costs the analysis no time.
// Thread-safe.
class PostgresVariantStats final {
public:
    struct Options {
        std::string conninfo;
        std::chrono::milliseconds timeout{1000};
        std::chrono::milliseconds retryAfter{2000};
    };

    explicit PostgresVariantStats(Options options);
    ~PostgresVariantStats();
    PostgresVariantStats(const PostgresVariantStats&) = delete;
    PostgresVariantStats& operator=(const PostgresVariantStats&) = delete;

    // Upserts `nodeId`'s seconds (a second published again replaces the row: it may have been
    // still filling) in one statement. False with *error.
    bool publish(const std::string& nodeId, const std::vector<PublishedSeries>& series,
                 std::string* error);
    // Deletes every node's rows for seconds before `beforeSecond`. False with *error.
    bool prune(int64_t beforeSecond, std::string* error);
    // Every node's but `selfNodeId`'s seconds of the version in [fromMs, toMs] (one row per node
    // and second). False with *error, *out then untouched.
    bool peerSeconds(const std::string& selfNodeId, const std::string& flowId,
                     const std::string& version, int64_t fromMs, int64_t toMs,
                     std::vector<release::StatsSecond>* out, std::string* error);

private:
    // One connection and what guards it; reopened when it died.
    struct Link;
    pg::Connection* connect(Link& link, std::string* error);

    const Options m_options;
    std::unique_ptr<Link> m_writer;
    std::unique_ptr<Link> m_reader;
};

} // namespace flowdeck::engine
