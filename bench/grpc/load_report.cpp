#include "load_report.h"

#include <cstdio>

namespace flowdeck::bench {

namespace {

double millis(const engine::HistogramSnapshot& latency, double q) {
    return latency.count == 0 ? 0.0 : latency.quantile(q) / 1000.0;
}

double perMessageMicros(double cpuSeconds, uint64_t messages) {
    return messages == 0 ? 0.0 : cpuSeconds * 1e6 / static_cast<double>(messages);
}

std::string format(const char* pattern, double value) {
    char text[64];
    std::snprintf(text, sizeof text, pattern, value);
    return text;
}

std::string codes(const std::map<std::string, uint64_t>& counts) {
    std::string out;
    for (const auto& [code, count] : counts) {
        out += (out.empty() ? "" : ", ") + code + " " + std::to_string(count);
    }
    return out;
}

} // namespace

double LoadReport::messagesPerSecond() const {
    return windowSeconds > 0 ? static_cast<double>(counts.ok) / windowSeconds : 0.0;
}

nlohmann::ordered_json LoadReport::toJson() const {
    const auto& latency = counts.latency;
    nlohmann::ordered_json out = {
        {"target", options->target},
        {"flow", options->flow},
        {"tenant", options->tenant},
        {"script", scriptOrigin},
        {"mode", options->rate > 0 ? "open" : "closed"},
        {"rate", options->rate},
        {"send_tick_ms", options->sendTick.count()},
        {"concurrency", options->concurrency},
        {"conversations", options->conversations},
        {"threads", options->threads},
        {"duration_s", options->duration.count() / 1000.0},
        {"warmup_s", options->warmup.count() / 1000.0},
        {"scheduled", counts.scheduled},
        {"sent", counts.sent},
        {"ok", counts.ok},
        {"errors", counts.errorCount()},
        {"errors_by_code", counts.errors},
        {"first_error", counts.firstError},
        {"flow_errors", counts.flowErrors},
        {"duplicates", counts.duplicates},
        {"warmup_sent", counts.warmupSent},
        {"warmup_ok", counts.warmupOk},
        {"conversations_started", counts.conversationsStarted},
        {"window_s", windowSeconds},
        {"msg_per_s", messagesPerSecond()},
        {"latency_ms",
         {{"p50", millis(latency, 0.5)},
          {"p90", millis(latency, 0.9)},
          {"p99", millis(latency, 0.99)},
          {"p999", millis(latency, 0.999)},
          {"max", latency.max / 1000.0},
          {"mean", latency.count == 0 ? 0.0 : latency.sum / 1000.0 / latency.count}}},
        {"max_send_lag_ms", counts.maxSendLagMs},
        {"client_cpu_s", clientCpuSeconds},
        {"client_cpu_us_per_msg", perMessageMicros(clientCpuSeconds, counts.sent)},
    };
    if (watched) {
        out["watch"] = {
            {"pid", watchedPid},
            {"samples", watched->samples},
            {"rss_start_mib", watched->rssStartMib},
            {"rss_end_mib", watched->rssEndMib},
            {"rss_min_mib", watched->rssMinMib},
            {"rss_max_mib", watched->rssMaxMib},
            {"rss_slope_mib_per_min", watched->rssSlopeMibPerMinute},
            {"rss_slope_second_half_mib_per_min", watched->rssSlopeSecondHalfMibPerMinute},
            {"cpu_s", watched->cpuSeconds},
            {"cpu_us_per_msg", perMessageMicros(watched->cpuSeconds, counts.sent)},
            {"exited", watched->exited}};
    }
    return out;
}

std::string LoadReport::toText() const {
    const auto& latency = counts.latency;
    std::string out = "target " + options->target + ", flow " +
                      (options->flow.empty() ? "(default)" : options->flow) + ", " + scriptOrigin +
                      "\n";
    const std::string tick =
        options->sendTick.count() > 0
            ? " (sent in " + std::to_string(options->sendTick.count()) + " ms ticks)"
            : "";
    out += (options->rate > 0 ? "open loop at " + format("%.0f", options->rate) + " msg/s" + tick
                              : std::string("closed loop")) +
           ", " + std::to_string(options->concurrency) + " in flight at most over " +
           std::to_string(options->conversations) + " conversations, " +
           std::to_string(options->threads) + " thread(s); measured " +
           format("%.1f", windowSeconds) + " s after " +
           format("%.1f", options->warmup.count() / 1000.0) + " s of warm-up\n";
    out += "sent " + std::to_string(counts.sent) + "  ok " + std::to_string(counts.ok) +
           "  errors " + std::to_string(counts.errorCount()) +
           (counts.errors.empty() ? "" : " (" + codes(counts.errors) + ")") + "\n";
    if (options->rate > 0 && counts.sent < counts.scheduled) {
        out += "behind schedule: " + std::to_string(counts.scheduled - counts.sent) +
               " scheduled messages were never sent\n";
    }
    if (!counts.firstError.empty()) {
        out += "first error: " + counts.firstError + "\n";
    }
    if (!counts.flowErrors.empty()) {
        out += "errors inside OK answers: " + codes(counts.flowErrors) + "\n";
    }
    out += "throughput " + format("%.1f", messagesPerSecond()) + " msg/s\n";
    out += "latency ms  p50 " + format("%.3f", millis(latency, 0.5)) + "  p90 " +
           format("%.3f", millis(latency, 0.9)) + "  p99 " + format("%.3f", millis(latency, 0.99)) +
           "  p99.9 " + format("%.3f", millis(latency, 0.999)) + "  max " +
           format("%.3f", latency.max / 1000.0) + "\n";
    out += "client CPU " + format("%.2f", clientCpuSeconds) + " s (" +
           format("%.1f", perMessageMicros(clientCpuSeconds, counts.sent)) + " µs/msg)";
    out += options->rate > 0 ? ", send lag max " + format("%.2f", counts.maxSendLagMs) + " ms\n"
                             : "\n";
    if (watched) {
        out += "pid " + std::to_string(watchedPid) + ": CPU " +
               format("%.2f", watched->cpuSeconds) + " s (" +
               format("%.1f", perMessageMicros(watched->cpuSeconds, counts.sent)) +
               " µs/msg), RSS start " + format("%.1f", watched->rssStartMib) + " MiB, end " +
               format("%.1f", watched->rssEndMib) + ", min " + format("%.1f", watched->rssMinMib) +
               ", max " + format("%.1f", watched->rssMaxMib) + ", slope " +
               format("%+.2f", watched->rssSlopeMibPerMinute) + " MiB/min (second half " +
               format("%+.2f", watched->rssSlopeSecondHalfMibPerMinute) + ", " +
               std::to_string(watched->samples) + " samples)" +
               (watched->exited ? "; the process exited during the run" : "") + "\n";
    }
    return out;
}

} // namespace flowdeck::bench
