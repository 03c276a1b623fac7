#include "telemetry_convert.h"

#include "flowdeck/engine/metrics.h"
#include "release_convert.h"

#include <algorithm>

namespace flowdeck::server {

namespace {

namespace latency = engine::latency;

v1::MetricType toProto(engine::MetricType type) {
    switch (type) {
    case engine::MetricType::Counter:
        return v1::METRIC_TYPE_COUNTER;
    case engine::MetricType::Gauge:
        return v1::METRIC_TYPE_GAUGE;
    case engine::MetricType::Histogram:
        return v1::METRIC_TYPE_HISTOGRAM;
    }
    return v1::METRIC_TYPE_UNSPECIFIED;
}

void toProto(const engine::HistogramSnapshot& histogram, bool omitBuckets, v1::Histogram& out) {
    out.set_count(histogram.count);
    out.set_sum(histogram.sum);
    out.set_min(histogram.min);
    out.set_max(histogram.max);
    if (!omitBuckets) {
        out.mutable_buckets()->Reserve(static_cast<int>(histogram.buckets.size()));
        for (const auto& [index, count] : histogram.buckets) {
            auto* bucket = out.add_buckets();
            bucket->set_index(index);
            bucket->set_count(count);
        }
    }
    for (const uint64_t count : histogram.cumulative) {
        out.add_cumulative(count);
    }
}

void toProto(const engine::MetricFamilySnapshot& family, bool omitBuckets, v1::MetricFamily& out) {
    out.set_name(family.name);
    out.set_help(family.help);
    out.set_type(toProto(family.type));
    for (const auto& label : family.labelNames) {
        out.add_label_names(label);
    }
    for (const auto& sample : family.samples) {
        auto* item = out.add_samples();
        for (const auto& value : sample.labelValues) {
            item->add_label_values(value);
        }
        if (family.type == engine::MetricType::Histogram) {
            toProto(sample.histogram, omitBuckets, *item->mutable_histogram());
        } else {
            item->set_number(sample.value);
        }
    }
}

bool wanted(const std::string& name, const v1::WatchMetricsRequest& request) {
    if (request.families().empty()) {
        return true;
    }
    return std::any_of(request.families().begin(), request.families().end(),
                       [&](const std::string& prefix) { return name.starts_with(prefix); });
}

void fillFamilies(const engine::MetricsSnapshot& metrics, const v1::WatchMetricsRequest& request,
                  bool omitBuckets, v1::MetricsSnapshot& out) {
    out.clear_families();
    for (const auto& family : metrics) {
        if (wanted(family.name, request)) {
            toProto(family, omitBuckets, *out.add_families());
        }
    }
}

v1::EventKind toProto(EventKind kind) {
    switch (kind) {
    case EventKind::AlertFiring:
        return v1::EVENT_KIND_ALERT_FIRING;
    case EventKind::AlertResolved:
        return v1::EVENT_KIND_ALERT_RESOLVED;
    case EventKind::Release:
        return v1::EVENT_KIND_RELEASE;
    case EventKind::NodeUp:
        return v1::EVENT_KIND_NODE_UP;
    case EventKind::NodeDown:
        return v1::EVENT_KIND_NODE_DOWN;
    case EventKind::Fault:
        return v1::EVENT_KIND_FAULT;
    case EventKind::Capture:
        return v1::EVENT_KIND_CAPTURE;
    }
    return v1::EVENT_KIND_UNSPECIFIED;
}

v1::EventSeverity toProto(EventSeverity severity) {
    switch (severity) {
    case EventSeverity::Info:
        return v1::EVENT_SEVERITY_INFO;
    case EventSeverity::Warning:
        return v1::EVENT_SEVERITY_WARNING;
    case EventSeverity::Critical:
        return v1::EVENT_SEVERITY_CRITICAL;
    }
    return v1::EVENT_SEVERITY_UNSPECIFIED;
}

} // namespace

void toProto(std::chrono::system_clock::time_point time, google::protobuf::Timestamp& out) {
    const auto since =
        std::chrono::duration_cast<std::chrono::nanoseconds>(time.time_since_epoch());
    const auto seconds = std::chrono::floor<std::chrono::seconds>(since);
    out.set_seconds(seconds.count());
    out.set_nanos(static_cast<int32_t>((since - seconds).count()));
}

void fillHistogramLayout(v1::HistogramLayout& out) {
    out.set_exact_below(latency::kExactBelow);
    out.set_sub_buckets(latency::kSubBuckets);
    out.set_max_exponent(latency::kMaxExponent);
    out.set_bucket_count(latency::kBucketCount);
    for (const uint64_t bound : latency::kBoundsMicros) {
        out.add_bounds_us(bound);
    }
}

bool fillSnapshot(const engine::MetricsSnapshot& metrics, const v1::WatchMetricsRequest& request,
                  v1::MetricsSnapshot& out) {
    fillFamilies(metrics, request, request.omit_buckets(), out);
    if (out.ByteSizeLong() <= kMaxSnapshotBytes) {
        return true;
    }
    if (!request.omit_buckets()) {
        fillFamilies(metrics, request, true, out);
    }
    while (out.ByteSizeLong() > kMaxSnapshotBytes && out.families_size() > 0) {
        out.mutable_families()->RemoveLast();
    }
    return false;
}

void fillNodeInfo(Node& node, v1::NodeInfo& out) {
    const Node::Identity self = node.identity();
    out.set_node_id(self.nodeId);
    out.set_version(node.options().version);
    out.set_address(self.address);
    toProto(node.startedAt(), *out.mutable_started_at());
    out.set_store_kind(node.clustered() ? v1::STORE_KIND_POSTGRES : v1::STORE_KIND_SQLITE);
    out.set_store_detail(node.storePath());
    for (const auto& peer : node.peers()) {
        auto* p = out.add_peers();
        p->set_node_id(peer.nodeId);
        p->set_address(peer.address);
        p->set_version(peer.version);
        p->mutable_last_seen()->set_seconds(peer.lastSeenMs / 1000);
        p->mutable_last_seen()->set_nanos(static_cast<int32_t>(peer.lastSeenMs % 1000) * 1'000'000);
        p->set_up(peer.alive);
    }
    for (const std::string& flowId : node.flows().flowIds()) {
        const auto active = node.flows().active(flowId);
        if (!active) {
            continue;
        }
        auto* flow = out.add_flows();
        // Flows are loaded for every tenant alike (no tenant scoping yet): tenant_id stays empty.
        flow->set_flow_id(active->flowId);
        flow->set_stable_version(active->version);
        if (const auto split = node.flows().split(flowId)) {
            flow->set_canary_version(split->canaryVersion);
            flow->set_canary_percent(split->percent);
        }
    }
    fillHistogramLayout(*out.mutable_histogram_layout());
    out.set_api_version("flowdeck.v1");
    out.set_ready(node.phase() == Node::Phase::Serving);
}

void toProto(const NodeEvent& event, const std::string& nodeId, const std::string& idPrefix,
             v1::Event& out) {
    out.set_event_id(idPrefix + std::to_string(event.sequence));
    toProto(event.time, *out.mutable_time());
    out.set_node_id(nodeId);
    out.set_kind(toProto(event.kind));
    out.set_severity(toProto(event.severity));
    out.set_summary(event.summary);
    if (event.alert) {
        auto* alert = out.mutable_alert();
        alert->set_name(event.alert->name);
        alert->mutable_labels()->insert(event.alert->labels.begin(), event.alert->labels.end());
        alert->set_summary(event.summary);
        alert->set_value(event.alert->value);
        alert->set_threshold(event.alert->threshold);
        toProto(event.time, *alert->mutable_active_since());
        alert->set_runbook(event.alert->runbook);
    } else if (event.node) {
        auto* change = out.mutable_node();
        auto* peer = change->mutable_node();
        peer->set_node_id(event.node->nodeId);
        peer->set_address(event.node->address);
        peer->set_version(event.node->version);
        toProto(event.time, *peer->mutable_last_seen());
        peer->set_up(event.node->up);
        change->set_reason(event.node->reason);
    } else if (event.release) {
        protoconv::toProto(*event.release, *out.mutable_release());
    }
}

void fillMissedNotice(uint64_t missed, const std::string& nodeId, const std::string& id,
                      v1::Event& out) {
    const auto now = std::chrono::system_clock::now();
    out.set_event_id(id);
    toProto(now, *out.mutable_time());
    out.set_node_id(nodeId);
    out.set_kind(v1::EVENT_KIND_ALERT_FIRING);
    out.set_severity(v1::EVENT_SEVERITY_WARNING);
    out.set_summary("this watcher fell behind: " + std::to_string(missed) +
                    " events were dropped before it read them");
    auto* alert = out.mutable_alert();
    alert->set_name("EventsDropped");
    alert->set_summary(out.summary());
    alert->set_value(static_cast<double>(missed));
    toProto(now, *alert->mutable_active_since());
}

std::string eventIdPrefix(const Node& node) {
    const auto started =
        std::chrono::duration_cast<std::chrono::milliseconds>(node.startedAt().time_since_epoch());
    return node.identity().nodeId + "/" + std::to_string(started.count()) + "/";
}

} // namespace flowdeck::server
