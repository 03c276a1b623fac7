#include "telemetry_proto.h"

namespace flowdeck::client::detail {

namespace {

std::chrono::system_clock::time_point fromProto(const google::protobuf::Timestamp& time) {
    return std::chrono::system_clock::time_point(
        std::chrono::duration_cast<std::chrono::system_clock::duration>(
            std::chrono::seconds(time.seconds()) + std::chrono::nanoseconds(time.nanos())));
}

MetricKind fromProto(v1::MetricType type) {
    switch (type) {
    case v1::METRIC_TYPE_GAUGE:
        return MetricKind::Gauge;
    case v1::METRIC_TYPE_HISTOGRAM:
        return MetricKind::Histogram;
    default:
        return MetricKind::Counter;
    }
}

HistogramData fromProto(const v1::Histogram& histogram) {
    HistogramData out;
    out.count = histogram.count();
    out.sum = histogram.sum();
    out.min = histogram.min();
    out.max = histogram.max();
    out.buckets.reserve(static_cast<size_t>(histogram.buckets_size()));
    for (const auto& bucket : histogram.buckets()) {
        out.buckets.emplace_back(bucket.index(), bucket.count());
    }
    out.cumulative.assign(histogram.cumulative().begin(), histogram.cumulative().end());
    return out;
}

MetricFamily fromProto(const v1::MetricFamily& family) {
    MetricFamily out;
    out.name = family.name();
    out.help = family.help();
    out.kind = fromProto(family.type());
    out.labelNames.assign(family.label_names().begin(), family.label_names().end());
    out.points.reserve(static_cast<size_t>(family.samples_size()));
    for (const auto& sample : family.samples()) {
        MetricPoint point;
        point.labelValues.assign(sample.label_values().begin(), sample.label_values().end());
        if (sample.has_histogram()) {
            point.histogram = fromProto(sample.histogram());
        } else {
            point.value = sample.number();
        }
        out.points.push_back(std::move(point));
    }
    return out;
}

std::string storeKindName(v1::StoreKind kind) {
    switch (kind) {
    case v1::STORE_KIND_MEMORY:
        return "memory";
    case v1::STORE_KIND_SQLITE:
        return "sqlite";
    case v1::STORE_KIND_POSTGRES:
        return "postgres";
    default:
        return "unknown";
    }
}

EventKind fromProto(v1::EventKind kind) {
    return kind >= v1::EVENT_KIND_ALERT_FIRING && kind <= v1::EVENT_KIND_CAPTURE
               ? static_cast<EventKind>(static_cast<int>(kind))
               : EventKind::Unspecified;
}

EventSeverity fromProto(v1::EventSeverity severity) {
    return severity >= v1::EVENT_SEVERITY_INFO && severity <= v1::EVENT_SEVERITY_CRITICAL
               ? static_cast<EventSeverity>(static_cast<int>(severity))
               : EventSeverity::Unspecified;
}

} // namespace

HistogramLayout fromProto(const v1::HistogramLayout& layout) {
    HistogramLayout out;
    out.exactBelow = layout.exact_below();
    out.subBuckets = layout.sub_buckets();
    out.maxExponent = layout.max_exponent();
    out.bucketCount = layout.bucket_count();
    out.boundsUs.assign(layout.bounds_us().begin(), layout.bounds_us().end());
    return out;
}

MetricsSnapshot fromProto(const v1::MetricsSnapshot& snapshot) {
    MetricsSnapshot out;
    out.nodeId = snapshot.node_id();
    out.takenAt = fromProto(snapshot.taken_at());
    out.sequence = snapshot.sequence();
    out.families.reserve(static_cast<size_t>(snapshot.families_size()));
    for (const auto& family : snapshot.families()) {
        out.families.push_back(fromProto(family));
    }
    if (snapshot.has_histogram_layout()) {
        out.layout = fromProto(snapshot.histogram_layout());
    }
    return out;
}

NodeInfo fromProto(const v1::NodeInfo& info) {
    NodeInfo out;
    out.nodeId = info.node_id();
    out.version = info.version();
    out.address = info.address();
    out.startedAt = fromProto(info.started_at());
    out.storeKind = storeKindName(info.store_kind());
    out.storeDetail = info.store_detail();
    for (const auto& flow : info.flows()) {
        out.flows.push_back({flow.tenant_id(), flow.flow_id(), flow.stable_version(),
                             flow.canary_version(), flow.canary_percent()});
    }
    out.layout = fromProto(info.histogram_layout());
    out.apiVersion = info.api_version();
    out.ready = info.ready();
    for (const auto& peer : info.peers()) {
        out.peers.push_back({peer.node_id(), peer.address(), peer.version(), peer.up()});
    }
    return out;
}

ClusterEvent fromProto(const v1::Event& event) {
    ClusterEvent out;
    out.id = event.event_id();
    out.time = fromProto(event.time());
    out.nodeId = event.node_id();
    out.kind = fromProto(event.kind());
    out.severity = fromProto(event.severity());
    out.summary = event.summary();
    if (event.has_alert()) {
        const auto& alert = event.alert();
        out.alertName = alert.name();
        out.labels.insert(alert.labels().begin(), alert.labels().end());
        out.value = alert.value();
        out.threshold = alert.threshold();
        out.runbook = alert.runbook();
    } else if (event.has_node()) {
        out.subjectNodeId = event.node().node().node_id();
        out.subjectAddress = event.node().node().address();
        out.reason = event.node().reason();
    } else if (event.has_release()) {
        out.releaseEntryId = event.release().entry_id();
    }
    return out;
}

v1::EventKind toProto(EventKind kind) {
    return kind == EventKind::Unspecified ? v1::EVENT_KIND_UNSPECIFIED
                                          : static_cast<v1::EventKind>(static_cast<int>(kind));
}

} // namespace flowdeck::client::detail
