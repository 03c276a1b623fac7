#pragma once

#include "flowdeck/engine/executor.h"
#include "flowdeck/engine/flow.h"
#include "intent_classifier.h"
#include "slot_extractors.h"
#include "template_renderer.h"

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

// The runtime form of a flow (see executor.h). Everything a message needs is resolved here once:
// states are addressed by index, transition targets are indices (-1 when the target is unknown),
// transitions are pre-sorted, templates pre-split, classifier examples tokenised and slot
// regexes compiled. Immutable after construction, so any number of threads may share it.
namespace flowdeck::engine {

struct CompiledTransition {
    ConditionType condition = ConditionType::AnyInput;
    int target = -1; // state index; -1 when the target is missing or unknown
    int index = 0;   // position in the state's transitions as written (for the trace)
    int priority = 0;
    const Transition* source = nullptr; // condition_value, expression, target name
    bool expressionUsesIntent = false;  // the Lua expression mentions intent/confidence
};

struct CompiledSlot {
    SlotSpec spec;
    SlotType type = SlotType::Text; // unknown type names are treated as text
    CompiledTemplate prompt;
    std::unique_ptr<SlotRegex> regex; // regex slots only
};

// "vars.order.status": "$.order.status"
struct CompiledMapping {
    std::string key;
    TemplateRoot root = TemplateRoot::Unknown; // Slots or Vars; anything else is an error
    std::vector<std::string> path;
    std::string jsonPath;
};

struct CompiledIntegration {
    std::string name;
    std::string method = "GET";
    CompiledTemplate url;
    std::vector<std::pair<std::string, CompiledTemplate>> headers;
    bool hasBody = false;
    bool jsonBody = false;
    CompiledTemplate bodyText;
    Json bodyJson;
    std::vector<std::pair<Json::json_pointer, CompiledTemplate>> bodyTemplates; // string leaves
    int retries = 0;
    std::vector<CompiledMapping> mappings;
};

struct CompiledState {
    const State* source = nullptr;
    std::string name;
    StateType type = StateType::Response;
    int index = 0;
    std::vector<CompiledTransition> ordered; // every non-fallback, priority desc, then as written
    std::optional<CompiledTransition> fallback; // the first fallback in that order
    bool hasTimeoutTransition = false;
    std::vector<std::pair<std::string, CompiledTemplate>> templates; // response_templates
    int defaultTemplate = -1; // "default", else the first; -1 when there is none
    std::optional<CompiledTemplate> noMatch;
    std::vector<CompiledSlot> slots;
    std::unique_ptr<IntentClassifier> classifier; // intent states
    double threshold = 0.0;                       // intent states: confidence_threshold or limit
    bool hasThreshold = false;
    std::optional<std::chrono::milliseconds> timeout; // config timeout_ms
    std::unique_ptr<CompiledIntegration> integration;
    std::string script;
    std::string queue;
};

class CompiledFlow {
public:
    struct GlobalHandler {
        std::string key;        // as written
        std::string normalized; // normalizeText(key), compared with the normalised input
        int target = -1;
        bool isIntent = false; // the key names an intent defined somewhere in the flow
    };

    explicit CompiledFlow(const Flow& flow);
    CompiledFlow(const CompiledFlow&) = delete;
    CompiledFlow& operator=(const CompiledFlow&) = delete;

    const Flow& flow() const { return m_flow; }
    const std::vector<CompiledState>& states() const { return m_states; }
    const CompiledState& state(int index) const { return m_states[static_cast<size_t>(index)]; }
    int find(const std::string& name) const;
    int initialState() const { return m_initial; }
    int errorState() const { return m_error; }
    const std::vector<GlobalHandler>& globalHandlers() const { return m_handlers; }
    bool handlersNeedIntent() const { return m_handlersNeedIntent; }
    // Over the union of every intent state's intents, for intent_match outside intent states.
    const IntentClassifier& flowClassifier() const { return m_flowClassifier; }
    // settings.max_transitions_per_message, when the flow sets it (it then replaces the limit).
    std::optional<int> maxTransitions() const { return m_maxTransitions; }

    // response_templates variant for a locale: exact, then its language ("es-MX" -> "es"),
    // then "default", then the first. Null when the state has no template.
    const CompiledTemplate* responseTemplate(const CompiledState& state,
                                             std::string_view locale) const;

private:
    void compileState(const State& source, int index);
    void compileTransitions(CompiledState& state) const;
    void compileHandlers();

    Flow m_flow; // the states below point into it
    std::vector<CompiledState> m_states;
    std::unordered_map<std::string, int> m_byName;
    int m_initial = -1;
    int m_error = -1;
    std::vector<GlobalHandler> m_handlers;
    bool m_handlersNeedIntent = false;
    IntentClassifier m_flowClassifier;
    std::optional<int> m_maxTransitions;
};

// An integration state's config in runtime form (exec_integration_config.cpp).
std::unique_ptr<CompiledIntegration> compileIntegration(const State& state);

} // namespace flowdeck::engine
