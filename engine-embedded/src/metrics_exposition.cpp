// The Prometheus text exposition format 0.0.4:
// https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format
#include "flowdeck/engine/metrics.h"

#include "metrics_internal.h"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace flowdeck::engine {

namespace {

// HELP text escapes backslash and newline; label values also escape the double quote.
void appendEscaped(std::string& out, std::string_view text, bool quotes) {
    for (const char c : text) {
        if (c == '\\') {
            out += "\\\\";
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '"' && quotes) {
            out += "\\\"";
        } else {
            out += c;
        }
    }
}

// Go's ParseFloat reads all of these; whole numbers print as integers.
void appendNumber(std::string& out, double value) {
    if (std::isnan(value)) {
        out += "NaN";
        return;
    }
    if (std::isinf(value)) {
        out += value > 0 ? "+Inf" : "-Inf";
        return;
    }
    char buffer[32];
    std::to_chars_result result{};
    if (value == std::trunc(value) && std::fabs(value) < 9007199254740992.0) { // 2^53
        result = std::to_chars(buffer, buffer + sizeof buffer, static_cast<int64_t>(value));
    } else if (std::fabs(value) >= 1e-5 && std::fabs(value) < 1e15) {
        // Shortest round-trip digits, without the exponent to_chars would pick for 0.0003.
        result = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed);
    } else {
        result = std::to_chars(buffer, buffer + sizeof buffer, value);
    }
    out.append(buffer, result.ptr);
}

void appendInteger(std::string& out, uint64_t value) {
    char buffer[24];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    out.append(buffer, result.ptr);
}

struct ExtraLabel {
    std::string_view name;
    std::string_view value;
};

void appendLabels(std::string& out, const MetricFamilySnapshot& family, const MetricSample& sample,
                  ExtraLabel extra = {}) {
    const size_t count = std::min(family.labelNames.size(), sample.labelValues.size());
    if (count == 0 && extra.name.empty()) {
        return;
    }
    out += '{';
    for (size_t i = 0; i < count; ++i) {
        if (i != 0) {
            out += ',';
        }
        out += family.labelNames[i];
        out += "=\"";
        appendEscaped(out, sample.labelValues[i], true);
        out += '"';
    }
    if (!extra.name.empty()) {
        out += count == 0 ? "" : ",";
        out += extra.name;
        out += "=\"";
        out += extra.value;
        out += '"';
    }
    out += '}';
}

void appendHistogram(std::string& out, const MetricFamilySnapshot& family,
                     const MetricSample& sample) {
    const HistogramSnapshot& h = sample.histogram;
    for (size_t b = 0; b < latency::kBoundCount; ++b) {
        out += family.name;
        out += "_bucket";
        appendLabels(out, family, sample, {"le", latency::kBoundLabels[b]});
        out += ' ';
        appendInteger(out, h.cumulative[b]);
        out += '\n';
    }
    out += family.name;
    out += "_bucket";
    appendLabels(out, family, sample, {"le", "+Inf"});
    out += ' ';
    appendInteger(out, h.count);
    out += '\n';
    out += family.name;
    out += "_sum";
    appendLabels(out, family, sample);
    out += ' ';
    appendNumber(out, static_cast<double>(h.sum) / 1e6); // microseconds to seconds
    out += '\n';
    out += family.name;
    out += "_count";
    appendLabels(out, family, sample);
    out += ' ';
    appendInteger(out, h.count);
    out += '\n';
}

} // namespace

std::string toPrometheusText(const MetricsSnapshot& snapshot) {
    std::string out;
    for (const MetricFamilySnapshot& family : snapshot) {
        out += "# HELP ";
        out += family.name;
        out += ' ';
        appendEscaped(out, family.help, false);
        out += "\n# TYPE ";
        out += family.name;
        out += ' ';
        out += metrics_internal::typeName(family.type);
        out += '\n';
        for (const MetricSample& sample : family.samples) {
            if (family.type == MetricType::Histogram) {
                appendHistogram(out, family, sample);
                continue;
            }
            out += family.name;
            appendLabels(out, family, sample);
            out += ' ';
            appendNumber(out, sample.value);
            out += '\n';
        }
    }
    return out;
}

} // namespace flowdeck::engine
