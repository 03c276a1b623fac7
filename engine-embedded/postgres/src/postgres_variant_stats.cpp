// PostgresVariantStats: the per-second canary numbers nodes share through
// flowdeck_variant_seconds (schema in pg_schema.cpp).
#include "flowdeck/engine/postgres_variant_stats.h"

#include "flowdeck/engine/metrics.h"
#include "pg_connection.h"

#include <nlohmann/json.hpp>

#include <charconv>

namespace flowdeck::engine {

namespace {

using Clock = std::chrono::steady_clock;

// A node publishes a few seconds of a few versions; a first publish at most the whole window.
// Past this the read is cut (and the window's numbers with it) rather than the memory unbounded.
constexpr int64_t kMaxRowsRead = 100000;

template <class T> bool parseNumber(std::string_view text, T* out) {
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
    return ec == std::errc() && end == text.data() + text.size();
}

} // namespace

std::string encodeLatencyBuckets(const std::vector<std::pair<uint32_t, uint64_t>>& buckets) {
    std::string out;
    for (const auto& [index, count] : buckets) {
        if (!out.empty()) {
            out += ',';
        }
        out += std::to_string(index) + ':' + std::to_string(count);
    }
    return out;
}

std::optional<std::vector<std::pair<uint32_t, uint64_t>>>
decodeLatencyBuckets(std::string_view text) {
    std::vector<std::pair<uint32_t, uint64_t>> out;
    while (!text.empty()) {
        const size_t comma = text.find(',');
        const std::string_view item = text.substr(0, comma);
        const size_t colon = item.find(':');
        uint32_t index = 0;
        uint64_t count = 0;
        if (colon == std::string_view::npos || !parseNumber(item.substr(0, colon), &index) ||
            !parseNumber(item.substr(colon + 1), &count) || index >= latency::kBucketCount ||
            (!out.empty() && index <= out.back().first)) {
            return std::nullopt;
        }
        out.emplace_back(index, count);
        if (comma == std::string_view::npos) {
            break;
        }
        text = text.substr(comma + 1);
        if (text.empty()) {
            return std::nullopt; // a trailing comma
        }
    }
    return out;
}

struct PostgresVariantStats::Link {
    std::mutex mutex;
    std::unique_ptr<pg::Connection> connection;
    Clock::time_point lastFailedConnect{};
    std::string lastConnectError;
};

PostgresVariantStats::PostgresVariantStats(Options options)
    : m_options(std::move(options))
    , m_writer(std::make_unique<Link>())
    , m_reader(std::make_unique<Link>()) {}

PostgresVariantStats::~PostgresVariantStats() = default;

pg::Connection* PostgresVariantStats::connect(Link& link, std::string* error) {
    if (link.connection && link.connection->alive()) {
        return link.connection.get();
    }
    link.connection.reset();
    if (Clock::now() - link.lastFailedConnect < m_options.retryAfter) {
        *error = link.lastConnectError;
        return nullptr;
    }
    pg::ConnectionOptions options;
    options.conninfo = m_options.conninfo;
    options.connectTimeout = m_options.timeout;
    options.statementTimeout = m_options.timeout;
    options.applicationName = "flowd-variant-stats";
    link.connection = pg::Connection::open(options, error);
    if (!link.connection) {
        link.lastFailedConnect = Clock::now();
        link.lastConnectError = *error;
        return nullptr;
    }
    return link.connection.get();
}

bool PostgresVariantStats::publish(const std::string& nodeId,
                                   const std::vector<PublishedSeries>& series, std::string* error) {
    nlohmann::json rows = nlohmann::json::array();
    for (const auto& s : series) {
        for (const auto& second : s.seconds) {
            rows.push_back({{"flow_id", s.flowId},
                            {"version", s.version},
                            {"at_second", second.second},
                            {"messages", second.messages},
                            {"errors", second.errors},
                            {"fallbacks", second.fallbacks},
                            {"min_micros", second.minMicros},
                            {"max_micros", second.maxMicros},
                            {"latency", encodeLatencyBuckets(second.latency)}});
        }
    }
    if (rows.empty()) {
        return true;
    }
    std::lock_guard lock(m_writer->mutex);
    pg::Connection* connection = connect(*m_writer, error);
    if (connection == nullptr) {
        return false;
    }
    // One statement for every row: json_to_recordset turns the document into rows.
    const pg::QueryResult r = connection->execPrepared(
        "variant_seconds_publish",
        "INSERT INTO flowdeck_variant_seconds (node_id, flow_id, version, at_second, messages, "
        "errors, fallbacks, min_micros, max_micros, latency) "
        "SELECT $1, r.flow_id, r.version, r.at_second, r.messages, r.errors, r.fallbacks, "
        "r.min_micros, r.max_micros, r.latency FROM json_to_recordset($2::json) AS r(flow_id "
        "text, version text, at_second bigint, messages bigint, errors bigint, fallbacks bigint, "
        "min_micros bigint, max_micros bigint, latency text) "
        "ON CONFLICT (flow_id, version, at_second, node_id) DO UPDATE SET "
        "messages = EXCLUDED.messages, errors = EXCLUDED.errors, fallbacks = EXCLUDED.fallbacks, "
        "min_micros = EXCLUDED.min_micros, max_micros = EXCLUDED.max_micros, "
        "latency = EXCLUDED.latency",
        {nodeId, rows.dump()});
    if (!r.ok()) {
        *error = "publishing canary numbers: " + r.error();
    }
    return r.ok();
}

bool PostgresVariantStats::prune(int64_t beforeSecond, std::string* error) {
    std::lock_guard lock(m_writer->mutex);
    pg::Connection* connection = connect(*m_writer, error);
    if (connection == nullptr) {
        return false;
    }
    const pg::QueryResult r = connection->execPrepared(
        "variant_seconds_prune",
        "DELETE FROM flowdeck_variant_seconds WHERE at_second < $1::bigint",
        {pg::param(beforeSecond)});
    if (!r.ok()) {
        *error = "pruning canary numbers: " + r.error();
    }
    return r.ok();
}

bool PostgresVariantStats::peerSeconds(const std::string& selfNodeId, const std::string& flowId,
                                       const std::string& version, int64_t fromMs, int64_t toMs,
                                       std::vector<release::StatsSecond>* out, std::string* error) {
    std::lock_guard lock(m_reader->mutex);
    pg::Connection* connection = connect(*m_reader, error);
    if (connection == nullptr) {
        return false;
    }
    const pg::QueryResult r = connection->execPrepared(
        "variant_seconds_peers",
        "SELECT at_second, messages, errors, fallbacks, min_micros, max_micros, latency "
        "FROM flowdeck_variant_seconds WHERE flow_id = $1 AND version = $2 AND at_second >= "
        "$3::bigint AND at_second <= $4::bigint AND node_id <> $5 ORDER BY at_second LIMIT "
        "$6::bigint",
        {flowId, version, pg::param(fromMs / 1000), pg::param(toMs / 1000), selfNodeId,
         pg::param(kMaxRowsRead)});
    if (!r.ok()) {
        *error = "reading the other nodes' canary numbers: " + r.error();
        return false;
    }
    std::vector<release::StatsSecond> seconds;
    seconds.reserve(static_cast<size_t>(r.rows()));
    for (int row = 0; row < r.rows(); ++row) {
        auto latency = decodeLatencyBuckets(r.text(row, 6));
        if (!latency) {
            *error = "reading the other nodes' canary numbers: a malformed latency column '" +
                     r.text(row, 6).substr(0, 80) + "'";
            return false;
        }
        const auto count = [&](int column) {
            return static_cast<uint64_t>(r.integer(row, column));
        };
        seconds.push_back({r.integer(row, 0), count(1), count(2), count(3), count(4), count(5),
                           std::move(*latency)});
    }
    *out = std::move(seconds);
    return true;
}

} // namespace flowdeck::engine
