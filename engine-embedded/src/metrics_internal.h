#pragma once

#include "flowdeck/engine/metrics.h"

#include <string>
#include <string_view>

// Helpers shared by the metrics_*.cpp files; not part of the engine's API.
namespace flowdeck::engine::metrics_internal {

// [a-zA-Z_:][a-zA-Z0-9_:]* (the Prometheus data model).
bool isValidMetricName(std::string_view name);
// [a-zA-Z_][a-zA-Z0-9_]*, and not reserved (a leading "__").
bool isValidLabelName(std::string_view name);

// True when text is valid UTF-8 of at most maxBytes bytes: usable as a label value as it is.
bool isCleanLabelValue(std::string_view text, size_t maxBytes);
// Invalid UTF-8 replaced by U+FFFD, then cut at a character boundary to at most maxBytes bytes.
std::string cleanLabelValue(std::string_view text, size_t maxBytes);

// The reserved name of the counter of label lookups folded into a family's overflow child.
inline constexpr std::string_view kOverflowFamilyName = "flowdeck_metric_label_overflow_total";

// "counter", "gauge", "histogram": the exposition's # TYPE word, also used in error messages.
std::string_view typeName(MetricType type);

} // namespace flowdeck::engine::metrics_internal
