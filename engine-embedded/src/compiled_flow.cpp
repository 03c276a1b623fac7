#include "compiled_flow.h"

#include <algorithm>
#include <climits>

namespace flowdeck::engine {
namespace {

std::vector<std::pair<std::string, std::vector<std::string>>> unionOfIntents(const Flow& flow) {
    std::vector<std::pair<std::string, std::vector<std::string>>> all;
    for (const auto& state : flow.states) {
        if (state.type != StateType::Intent) {
            continue;
        }
        for (auto& [name, examples] : intentExamples(state)) {
            auto it = std::find_if(all.begin(), all.end(),
                                   [&key = name](const auto& entry) { return entry.first == key; });
            if (it == all.end()) {
                all.emplace_back(name, std::move(examples));
            } else {
                it->second.insert(it->second.end(), examples.begin(), examples.end());
            }
        }
    }
    return all;
}

bool mentionsIntent(const std::string& expression) {
    return expression.find("intent") != std::string::npos ||
           expression.find("confidence") != std::string::npos;
}

void compileTemplates(CompiledState& state) {
    for (const auto& [variant, text] : responseTemplates(*state.source)) {
        if (variant == "default" && state.defaultTemplate < 0) {
            state.defaultTemplate = static_cast<int>(state.templates.size());
        }
        state.templates.emplace_back(variant, CompiledTemplate::compile(text));
    }
    if (state.defaultTemplate < 0 && !state.templates.empty()) {
        state.defaultTemplate = 0;
    }
    const auto noMatch = state.source->config.find("no_match");
    if (noMatch != state.source->config.end() && noMatch->is_string()) {
        state.noMatch = CompiledTemplate::compile(noMatch->get_ref<const std::string&>());
    }
}

void compileSlots(CompiledState& state) {
    for (auto& spec : slotSpecs(*state.source)) {
        CompiledSlot slot;
        slot.type = slotTypeFromString(spec.type).value_or(SlotType::Text);
        std::string prompt = spec.prompt;
        if (prompt.empty()) {
            // A slot without a prompt still has to be asked for in words.
            std::string label = spec.name;
            std::replace(label.begin(), label.end(), '_', ' ');
            prompt = "Please provide " + label + ".";
        }
        slot.prompt = CompiledTemplate::compile(prompt);
        if (slot.type == SlotType::Regex) {
            slot.regex = std::make_unique<SlotRegex>(spec.pattern);
        }
        slot.spec = std::move(spec);
        state.slots.push_back(std::move(slot));
    }
}

void compileConfig(CompiledState& state, const Json& config) {
    if (const auto it = config.find("timeout_ms");
        it != config.end() && it->is_number() && it->get<double>() > 0) {
        const double ms = std::min(it->get<double>(), 86400000.0);
        state.timeout = std::chrono::milliseconds(static_cast<int64_t>(ms));
    }
    // Only intent states have a threshold of their own; intent_match elsewhere, and global
    // handlers, use the engine's (EngineLimits::intentThreshold).
    if (const auto it = config.find("confidence_threshold");
        state.type == StateType::Intent && it != config.end() && it->is_number()) {
        state.threshold = std::clamp(it->get<double>(), 0.0, 1.0);
        state.hasThreshold = true;
    }
    if (const auto it = config.find("script"); it != config.end() && it->is_string()) {
        state.script = it->get<std::string>();
    }
    state.queue = "default";
    if (const auto it = config.find("queue"); it != config.end() && it->is_string()) {
        state.queue = it->get<std::string>();
    }
}

} // namespace

CompiledFlow::CompiledFlow(const Flow& flow)
    : m_flow(flow)
    , m_flowClassifier(unionOfIntents(flow)) {
    m_states.reserve(m_flow.states.size());
    for (size_t i = 0; i < m_flow.states.size(); ++i) {
        // The first of two states with the same name wins, as Flow::findState does.
        m_byName.emplace(m_flow.states[i].name, static_cast<int>(i));
    }
    for (size_t i = 0; i < m_flow.states.size(); ++i) {
        compileState(m_flow.states[i], static_cast<int>(i));
    }
    for (auto& state : m_states) {
        compileTransitions(state);
    }
    m_initial = find(m_flow.initialState);
    m_error = m_flow.errorState.empty() ? -1 : find(m_flow.errorState);
    compileHandlers();
    const auto max = m_flow.settings.find("max_transitions_per_message");
    if (max != m_flow.settings.end() && max->is_number() && max->get<double>() >= 1) {
        m_maxTransitions = static_cast<int>(std::min(max->get<double>(), 1000000.0));
    }
}

int CompiledFlow::find(const std::string& name) const {
    const auto it = m_byName.find(name);
    return it == m_byName.end() ? -1 : it->second;
}

void CompiledFlow::compileState(const State& source, int index) {
    CompiledState& state = m_states.emplace_back();
    state.source = &source;
    state.name = source.name;
    state.type = source.type;
    state.index = index;
    static const Json kEmpty = Json::object();
    const Json& config = source.config.is_object() ? source.config : kEmpty;
    compileTemplates(state);
    compileConfig(state, config);
    if (source.type == StateType::SlotFilling) {
        compileSlots(state);
    }
    if (source.type == StateType::Intent) {
        state.classifier = std::make_unique<IntentClassifier>(intentExamples(source));
    }
    if (source.type == StateType::Integration) {
        state.integration = compileIntegration(source);
    }
}

void CompiledFlow::compileTransitions(CompiledState& state) const {
    const auto& transitions = state.source->transitions;
    std::vector<CompiledTransition> all;
    for (size_t i = 0; i < transitions.size(); ++i) {
        const Transition& source = transitions[i];
        CompiledTransition t;
        t.condition = source.condition;
        t.target = source.target.empty() ? -1 : find(source.target);
        t.index = static_cast<int>(i);
        t.priority = source.priority;
        t.source = &source;
        t.expressionUsesIntent =
            source.condition == ConditionType::Expression && mentionsIntent(source.expression);
        state.hasTimeoutTransition |= source.condition == ConditionType::Timeout;
        all.push_back(t);
    }
    std::stable_sort(all.begin(), all.end(),
                     [](const auto& a, const auto& b) { return a.priority > b.priority; });
    for (const auto& t : all) {
        if (t.condition != ConditionType::Fallback) {
            state.ordered.push_back(t);
        } else if (!state.fallback) {
            state.fallback = t;
        }
    }
}

void CompiledFlow::compileHandlers() {
    for (const auto& [key, target] : m_flow.globalHandlers) {
        GlobalHandler handler;
        handler.key = key;
        handler.normalized = normalizeText(key);
        handler.target = find(target);
        handler.isIntent = m_flowClassifier.indexOf(key) >= 0;
        m_handlersNeedIntent |= handler.isIntent;
        m_handlers.push_back(std::move(handler));
    }
}

const CompiledTemplate* CompiledFlow::responseTemplate(const CompiledState& state,
                                                       std::string_view locale) const {
    if (state.defaultTemplate < 0) {
        return nullptr;
    }
    if (!locale.empty()) {
        const std::string_view language = locale.substr(0, locale.find_first_of("-_"));
        const CompiledTemplate* byLanguage = nullptr;
        for (const auto& [variant, compiled] : state.templates) {
            if (variant == locale) {
                return &compiled;
            }
            if (byLanguage == nullptr && variant == language) {
                byLanguage = &compiled;
            }
        }
        if (byLanguage != nullptr) {
            return byLanguage;
        }
    }
    return &state.templates[static_cast<size_t>(state.defaultTemplate)].second;
}

std::shared_ptr<const CompiledFlow> compileFlow(const Flow& flow) {
    return std::make_shared<const CompiledFlow>(flow);
}

const Flow& sourceFlow(const CompiledFlow& compiled) {
    return compiled.flow();
}

} // namespace flowdeck::engine
