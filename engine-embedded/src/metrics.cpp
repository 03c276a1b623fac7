#include "flowdeck/engine/metrics.h"

#include "metrics_internal.h"

#include <algorithm>
#include <cmath>

namespace flowdeck::engine {

using namespace metrics_internal;

std::string_view metrics_internal::typeName(MetricType type) {
    switch (type) {
    case MetricType::Counter:
        return "counter";
    case MetricType::Gauge:
        return "gauge";
    case MetricType::Histogram:
        return "histogram";
    }
    return "untyped";
}

namespace {

template <class A, class B> bool labelsLess(const A& a, const B& b) {
    return std::lexicographical_compare(
        a.begin(), a.end(), b.begin(), b.end(),
        [](std::string_view x, std::string_view y) { return x < y; });
}

std::string inQuotes(std::string_view text) {
    return "'" + std::string(text) + "'";
}

} // namespace

// ---- Counter ----------------------------------------------------------------------------------

void Counter::add(double amount) noexcept {
    if (!(amount > 0.0) || std::isinf(amount)) {
        return;
    }
    if (amount == std::trunc(amount) && amount < 9007199254740992.0) { // 2^53: exact as an integer
        inc(static_cast<uint64_t>(amount));
    } else {
        m_fraction.fetch_add(amount, std::memory_order_relaxed);
    }
}

double Counter::value() const noexcept {
    return static_cast<double>(m_whole.load(std::memory_order_relaxed)) +
           m_fraction.load(std::memory_order_relaxed);
}

// ---- FamilyBase -------------------------------------------------------------------------------

bool FamilyBase::LabelsLess::operator()(const std::vector<std::string>& a,
                                        const std::vector<std::string>& b) const {
    return labelsLess(a, b);
}

bool FamilyBase::LabelsLess::operator()(const std::vector<std::string>& a,
                                        std::span<const std::string_view> b) const {
    return labelsLess(a, b);
}

bool FamilyBase::LabelsLess::operator()(std::span<const std::string_view> a,
                                        const std::vector<std::string>& b) const {
    return labelsLess(a, b);
}

FamilyBase::FamilyBase(Definition definition)
    : m_name(std::move(definition.name))
    , m_help(std::move(definition.help))
    , m_type(definition.type)
    , m_labelNames(std::move(definition.labelNames))
    , m_maxChildren(std::max<size_t>(definition.maxChildren, 1))
    , m_maxLabelValueBytes(definition.maxLabelValueBytes) {}

FamilyBase::~FamilyBase() = default;

size_t FamilyBase::childCount() const {
    std::shared_lock lock(m_mutex);
    return m_children.size();
}

bool FamilyBase::isClean(std::span<const std::string_view> values) const {
    return std::all_of(values.begin(), values.end(), [this](std::string_view value) {
        return isCleanLabelValue(value, m_maxLabelValueBytes);
    });
}

void* FamilyBase::childFor(std::span<const std::string> values) {
    if (values.size() > kMaxLabels) {
        return overflowChild();
    }
    std::array<std::string_view, kMaxLabels> views;
    std::copy(values.begin(), values.end(), views.begin());
    return childFor(std::span<const std::string_view>(views.data(), values.size()));
}

void* FamilyBase::childFor(std::span<const std::string_view> values) {
    if (values.size() != m_labelNames.size()) {
        return overflowChild();
    }
    if (!isClean(values)) {
        // Cleaned before the lookup, so two raw values that clean alike share one child and the
        // exposition never shows the same series twice.
        std::array<std::string, kMaxLabels> cleaned;
        std::array<std::string_view, kMaxLabels> views;
        for (size_t i = 0; i < values.size(); ++i) {
            cleaned[i] = cleanLabelValue(values[i], m_maxLabelValueBytes);
            views[i] = cleaned[i];
        }
        return childFor(std::span<const std::string_view>(views.data(), values.size()));
    }
    {
        std::shared_lock lock(m_mutex);
        if (const auto it = m_children.find(values); it != m_children.end()) {
            return it->second;
        }
        if (m_overflow != nullptr && m_children.size() - 1 >= m_maxChildren) {
            m_overflowed.fetch_add(1, std::memory_order_relaxed);
            return m_overflow;
        }
    }
    std::unique_lock lock(m_mutex);
    if (const auto it = m_children.find(values); it != m_children.end()) {
        return it->second;
    }
    const size_t regular = m_children.size() - (m_overflow != nullptr ? 1 : 0);
    if (regular >= m_maxChildren) {
        lock.unlock();
        return overflowChild();
    }
    return insertChild(std::vector<std::string>(values.begin(), values.end()));
}

void* FamilyBase::insertChild(std::vector<std::string> values) {
    void* child = createChild();
    m_children.emplace(std::move(values), child);
    return child;
}

void* FamilyBase::overflowChild() {
    m_overflowed.fetch_add(1, std::memory_order_relaxed);
    std::unique_lock lock(m_mutex);
    if (m_overflow == nullptr) {
        std::vector<std::string> other(m_labelNames.size(), std::string(kOverflowLabelValue));
        const auto it = m_children.find(other);
        m_overflow = it != m_children.end() ? it->second : insertChild(std::move(other));
    }
    return m_overflow;
}

void FamilyBase::snapshotInto(MetricFamilySnapshot& out) const {
    out.name = m_name;
    out.help = m_help;
    out.type = m_type;
    out.labelNames = m_labelNames;
    std::shared_lock lock(m_mutex);
    out.samples.reserve(m_children.size());
    for (const auto& [values, child] : m_children) { // a map: sorted by label values
        MetricSample& sample = out.samples.emplace_back();
        sample.labelValues = values;
        switch (m_type) {
        case MetricType::Counter:
            sample.value = static_cast<const Counter*>(child)->value();
            break;
        case MetricType::Gauge:
            sample.value = static_cast<const Gauge*>(child)->value();
            break;
        case MetricType::Histogram:
            sample.histogram = static_cast<const Histogram*>(child)->snapshot();
            break;
        }
    }
}

// ---- MetricsRegistry --------------------------------------------------------------------------

MetricsRegistry::MetricsRegistry(MetricsOptions options)
    : m_options(options) {}

MetricsRegistry::~MetricsRegistry() = default;

std::string MetricsRegistry::invalidReason(MetricType type, std::string_view name,
                                           std::string_view help,
                                           const std::vector<std::string>& labelNames) const {
    const std::string what = std::string(typeName(type)) + " " + inQuotes(name);
    if (!isValidMetricName(name)) {
        return what + ": not a valid metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)";
    }
    if (name == kOverflowFamilyName) {
        return what + ": the name is reserved for the registry";
    }
    if ((type == MetricType::Counter) != name.ends_with("_total")) {
        return what + (type == MetricType::Counter ? ": a counter's name must end in _total"
                                                   : ": only a counter's name ends in _total");
    }
    for (const std::string_view suffix : {"_bucket", "_sum", "_count"}) {
        if (name.ends_with(suffix)) {
            return what + ": " + std::string(suffix) + " is reserved for histogram series";
        }
    }
    if (help.empty()) {
        return what + ": the help text is empty";
    }
    if (labelNames.size() > FamilyBase::kMaxLabels) {
        return what + ": more than " + std::to_string(FamilyBase::kMaxLabels) + " labels";
    }
    for (size_t i = 0; i < labelNames.size(); ++i) {
        const std::string& label = labelNames[i];
        if (!isValidLabelName(label)) {
            return what + ": label " + inQuotes(label) + " is not a valid label name";
        }
        if (type == MetricType::Histogram && label == "le") {
            return what + ": label 'le' is reserved for histogram buckets";
        }
        if (std::find(labelNames.begin(), labelNames.begin() + i, label) !=
            labelNames.begin() + i) {
            return what + ": label " + inQuotes(label) + " appears twice";
        }
    }
    return {};
}

std::unique_ptr<FamilyBase> MetricsRegistry::makeFamily(MetricType type, std::string_view name,
                                                        std::string_view help,
                                                        std::vector<std::string> labelNames) const {
    FamilyBase::Definition definition{std::string(name),
                                      std::string(help),
                                      type,
                                      std::move(labelNames),
                                      m_options.maxChildrenPerFamily,
                                      m_options.maxLabelValueBytes};
    switch (type) {
    case MetricType::Counter:
        return std::make_unique<MetricFamily<Counter>>(std::move(definition));
    case MetricType::Gauge:
        return std::make_unique<MetricFamily<Gauge>>(std::move(definition));
    case MetricType::Histogram:
        definition.maxChildren = m_options.maxHistogramChildrenPerFamily;
        return std::make_unique<MetricFamily<Histogram>>(std::move(definition));
    }
    return nullptr;
}

FamilyBase* MetricsRegistry::registerFamily(MetricType type, std::string_view name,
                                            std::string_view help,
                                            std::vector<std::string> labelNames,
                                            std::string* error) {
    const auto fail = [error](std::string why) -> FamilyBase* {
        if (error != nullptr) {
            *error = std::move(why);
        }
        return nullptr;
    };
    if (std::string why = invalidReason(type, name, help, labelNames); !why.empty()) {
        return fail(std::move(why));
    }
    std::unique_lock lock(m_mutex);
    if (const auto it = m_families.find(name); it != m_families.end()) {
        FamilyBase& existing = *it->second;
        if (existing.type() != type || existing.labelNames() != labelNames) {
            return fail(std::string(typeName(type)) + " " + inQuotes(name) +
                        ": already registered as a " + std::string(typeName(existing.type())) +
                        " with other labels or another type");
        }
        return &existing;
    }
    if (m_families.size() >= m_options.maxFamilies) {
        return fail(std::string(typeName(type)) + " " + inQuotes(name) + ": the registry holds " +
                    std::to_string(m_options.maxFamilies) + " families already");
    }
    const bool unlabelled = labelNames.empty();
    auto family = makeFamily(type, name, help, std::move(labelNames));
    FamilyBase* raw = family.get();
    m_families.emplace(std::string(name), std::move(family));
    if (unlabelled) {
        raw->childFor(std::span<const std::string_view>{}); // shown as 0 from the start
    }
    return raw;
}

MetricFamily<Counter>* MetricsRegistry::counterFamily(std::string_view name, std::string_view help,
                                                      std::vector<std::string> labelNames,
                                                      std::string* error) {
    return static_cast<MetricFamily<Counter>*>(
        registerFamily(MetricType::Counter, name, help, std::move(labelNames), error));
}

MetricFamily<Gauge>* MetricsRegistry::gaugeFamily(std::string_view name, std::string_view help,
                                                  std::vector<std::string> labelNames,
                                                  std::string* error) {
    return static_cast<MetricFamily<Gauge>*>(
        registerFamily(MetricType::Gauge, name, help, std::move(labelNames), error));
}

MetricFamily<Histogram>* MetricsRegistry::histogramFamily(std::string_view name,
                                                          std::string_view help,
                                                          std::vector<std::string> labelNames,
                                                          std::string* error) {
    return static_cast<MetricFamily<Histogram>*>(
        registerFamily(MetricType::Histogram, name, help, std::move(labelNames), error));
}

Counter* MetricsRegistry::counter(std::string_view name, std::string_view help,
                                  std::string* error) {
    auto* family = counterFamily(name, help, {}, error);
    return family != nullptr ? &family->withLabels({}) : nullptr;
}

Gauge* MetricsRegistry::gauge(std::string_view name, std::string_view help, std::string* error) {
    auto* family = gaugeFamily(name, help, {}, error);
    return family != nullptr ? &family->withLabels({}) : nullptr;
}

Histogram* MetricsRegistry::histogram(std::string_view name, std::string_view help,
                                      std::string* error) {
    auto* family = histogramFamily(name, help, {}, error);
    return family != nullptr ? &family->withLabels({}) : nullptr;
}

void MetricsRegistry::addCollector(std::function<void()> collect) {
    if (collect) {
        std::lock_guard lock(m_collectMutex);
        m_collectors.push_back(std::move(collect));
    }
}

void MetricsRegistry::runCollectors() const {
    std::lock_guard lock(m_collectMutex);
    for (const auto& collect : m_collectors) {
        collect();
    }
}

MetricsSnapshot MetricsRegistry::snapshot() const {
    runCollectors();
    MetricFamilySnapshot overflow{std::string(kOverflowFamilyName),
                                  "Label lookups folded into a family's \"other\" child by its "
                                  "cap on children (label cardinality).",
                                  MetricType::Counter,
                                  {"metric"},
                                  {}};
    MetricsSnapshot out;
    std::shared_lock lock(m_mutex);
    out.reserve(m_families.size() + 1);
    for (const auto& [name, family] : m_families) {
        MetricFamilySnapshot snapshot;
        family->snapshotInto(snapshot);
        if (!snapshot.samples.empty()) {
            out.push_back(std::move(snapshot));
        }
        if (const uint64_t folded = family->overflowCount(); folded != 0) {
            overflow.samples.push_back({{name}, static_cast<double>(folded), {}});
        }
    }
    if (!overflow.samples.empty()) {
        const auto at =
            std::lower_bound(out.begin(), out.end(), overflow.name,
                             [](const MetricFamilySnapshot& family, const std::string& name) {
                                 return family.name < name;
                             });
        out.insert(at, std::move(overflow));
    }
    return out;
}

} // namespace flowdeck::engine
