#include "exec_run.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

namespace flowdeck::engine::exec {
namespace {

std::optional<double> parseConfidence(const std::string& text) {
    char* end = nullptr;
    const double value = std::strtod(text.c_str(), &end);
    if (text.empty() || end != text.c_str() + text.size() || !(value == value)) {
        return std::nullopt;
    }
    return std::clamp(value, 0.0, 1.0);
}

// Keys of `after` that are new or changed, then keys of `before` that are gone. ordered_json
// looks keys up by a linear search, and contexts hold hundreds of keys, so `before` is walked
// alongside `after` and searched only where the two drift apart: a message changes values in
// place or appends keys, which keeps this linear in the context's size instead of quadratic.
void diffInto(const Json& before, const Json& after, const char* prefix,
              std::map<std::string, std::string>& updates) {
    static const Json kEmpty = Json::object();
    const Json& old = before.is_object() ? before : kEmpty;
    const Json& now = after.is_object() ? after : kEmpty;
    auto cursor = old.begin();
    size_t matched = 0;
    for (auto it = now.begin(); it != now.end(); ++it) {
        auto found = cursor != old.end() && cursor.key() == it.key() ? cursor : old.find(it.key());
        if (found != old.end()) {
            ++matched;
            cursor = found;
            ++cursor;
            if (*found == *it) {
                continue;
            }
        }
        updates[prefix + it.key()] = it->dump(-1, ' ', false, Json::error_handler_t::replace);
    }
    if (matched == old.size()) {
        return; // keys are unique: every key of `before` is still there
    }
    for (auto it = old.begin(); it != old.end(); ++it) {
        if (!now.contains(it.key())) {
            updates[prefix + it.key()] = "null";
        }
    }
}

} // namespace

Run::Run(const CompiledFlow& flow, const EngineLimits& limits, IntegrationGateway& gateway,
         ConversationState& conversation, const InboundMessage* message,
         const ExecutionOptions& options, ExecutionResult& result)
    : flow(flow)
    , limits(limits)
    , gateway(gateway)
    , conversation(conversation)
    , message(message)
    , options(options)
    , result(result) {
    if (options.trace) {
        m_start = Clock::now();
    }
    maxTransitions = std::max(1, flow.maxTransitions().value_or(limits.maxTransitionsPerMessage));
    if (message == nullptr) {
        return;
    }
    m_timeoutEvent = message->type == "timeout";
    m_hasInput = !m_timeoutEvent;
    if (message->attributes.empty()) {
        return;
    }
    const auto intent = message->attributes.find("intent");
    if (intent != message->attributes.end() && !intent->second.empty()) {
        m_external = true;
        m_externalIntent.intent = intent->second;
        m_externalIntent.confidence = 1.0;
        // An unreadable confidence counts as 0: an NLU that cannot say how sure it is does not
        // get to pass any threshold.
        const auto confidence = message->attributes.find("intent_confidence");
        if (confidence != message->attributes.end()) {
            m_externalIntent.confidence = parseConfidence(confidence->second).value_or(0.0);
        }
        result.intent = m_externalIntent.intent;
        result.confidence = m_externalIntent.confidence;
    }
}

std::string_view Run::input() const {
    return m_hasInput ? std::string_view(message->text) : std::string_view();
}

int64_t Run::elapsedUs() const {
    if (!options.trace) {
        return 0;
    }
    return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - m_start).count();
}

void Run::trace(TraceKind kind, int state, int transition, std::string detail, std::string data,
                int64_t startUs, int64_t durationUs) {
    TraceEvent event;
    event.kind = kind;
    if (state >= 0) {
        event.state = flow.state(state).name;
    }
    event.transition = transition;
    event.detail = std::move(detail);
    event.data = std::move(data);
    event.startUs = startUs >= 0 ? startUs : elapsedUs();
    event.durationUs = durationUs;
    result.trace.push_back(std::move(event));
}

void Run::traceJson(TraceKind kind, int state, int transition, std::string detail, const Json& data,
                    int64_t startUs, int64_t durationUs) {
    trace(kind, state, transition, std::move(detail),
          data.dump(-1, ' ', false, Json::error_handler_t::replace), startUs, durationUs);
}

const IntentInfo& Run::intentFor(const CompiledState& state) {
    if (m_external) {
        return m_externalIntent;
    }
    const bool own = state.type == StateType::Intent && state.classifier != nullptr;
    const IntentClassifier& classifier = own ? *state.classifier : flow.flowClassifier();
    return cachedIntent(state.index, classifier, thresholdFor(state), !own);
}

const IntentInfo& Run::flowIntent() {
    if (m_external) {
        return m_externalIntent;
    }
    return cachedIntent(current, flow.flowClassifier(), limits.intentThreshold, true);
}

const IntentInfo& Run::cachedIntent(int state, const IntentClassifier& classifier, double threshold,
                                    bool flowWide) {
    for (const auto& cached : m_intents) {
        if (cached.classifier == &classifier) {
            return cached.info;
        }
    }
    IntentInfo info = classify(state, classifier, threshold, flowWide);
    m_intents.push_back({&classifier, std::move(info)});
    return m_intents.back().info;
}

IntentInfo Run::classify(int state, const IntentClassifier& classifier, double threshold,
                         bool flowWide) {
    IntentInfo info;
    const int64_t start = elapsedUs();
    IntentClassifier::Score best;
    std::vector<IntentClassifier::Score> ranking;
    if (m_hasInput && !classifier.empty()) {
        if (tracing()) {
            ranking = classifier.rank(input());
            best = ranking.empty() || ranking.front().score <= 0.0 ? IntentClassifier::Score{}
                                                                   : ranking.front();
        } else {
            best = classifier.classify(input());
        }
    }
    info.confidence = best.score;
    if (best.intent >= 0 && best.score >= threshold) {
        info.intent = classifier.names()[static_cast<size_t>(best.intent)];
    }
    result.intent = info.intent;
    result.confidence = info.confidence;
    if (tracing()) {
        Json ranked = Json::array();
        for (size_t i = 0; i < ranking.size() && i < 5; ++i) {
            ranked.push_back(
                {{"intent", classifier.names()[static_cast<size_t>(ranking[i].intent)]},
                 {"score", ranking[i].score}});
        }
        const std::string best_name =
            best.intent >= 0 ? classifier.names()[static_cast<size_t>(best.intent)] : "";
        char line[160];
        std::snprintf(line, sizeof line, "%.2f %s threshold %.2f", best.score,
                      best.score >= threshold ? ">=" : "<", threshold);
        traceJson(
            TraceKind::IntentClassified, state, -1,
            (info.intent.empty()
                 ? "no intent (best: " + (best_name.empty() ? "none" : best_name) + " " + line + ")"
                 : "intent " + info.intent + " " + line),
            {{"intent", info.intent},
             {"confidence", info.confidence},
             {"threshold", threshold},
             {"best", best_name},
             {"source", "builtin"},
             {"scope", flowWide ? "flow" : "state"},
             {"ranking", ranked}},
            start, elapsedUs() - start);
    }
    return info;
}

const IntentInfo* Run::knownIntent() const {
    if (m_external) {
        return &m_externalIntent;
    }
    return m_intents.empty() ? nullptr : &m_intents.back().info;
}

double Run::thresholdFor(const CompiledState& state) const {
    return state.hasThreshold ? state.threshold : limits.intentThreshold;
}

void Run::beginMutation() {
    if (!m_snapshot) {
        m_snapshot = Snapshot{conversation.slots, conversation.vars, conversation.user};
    }
}

void Run::restoreContext() {
    if (m_snapshot) {
        conversation.slots = std::move(m_snapshot->slots);
        conversation.vars = std::move(m_snapshot->vars);
        conversation.user = std::move(m_snapshot->user);
        m_snapshot.reset();
    }
}

void Run::collectContextUpdates() {
    if (m_snapshot) {
        diffInto(m_snapshot->slots, conversation.slots, "slots.", result.contextUpdates);
        diffInto(m_snapshot->vars, conversation.vars, "vars.", result.contextUpdates);
    }
}

TemplateScope Run::scope() const {
    TemplateScope scope;
    scope.slots = &conversation.slots;
    scope.vars = &conversation.vars;
    scope.user = &conversation.user;
    if (const IntentInfo* intent = knownIntent()) {
        scope.intent = intent->intent;
        scope.confidence = intent->confidence;
    }
    scope.input = input();
    return scope;
}

void Run::renderReply(const CompiledState& state, const CompiledTemplate& text,
                      std::string_view what) {
    std::string& reply = result.reply;
    const size_t separator = reply.size();
    if (!reply.empty()) {
        reply.push_back('\n');
    }
    const size_t start = reply.size();
    std::vector<std::string> missing;
    text.renderInto(scope(), reply, tracing() ? &missing : nullptr);
    if (reply.size() == start) {
        reply.resize(separator); // nothing rendered: no empty line either
    }
    if (!tracing()) {
        return;
    }
    const std::string rendered = reply.size() > start ? reply.substr(start) : std::string();
    std::string detail = excerpt(rendered);
    if (!missing.empty()) {
        detail += " (rendered empty: ";
        for (size_t i = 0; i < missing.size(); ++i) {
            detail += (i ? ", {{" : "{{") + missing[i] + "}}";
        }
        detail += ")";
    }
    traceJson(TraceKind::TemplateRendered, state.index, -1, std::move(detail),
              {{"text", rendered}, {"template", what}, {"missing", missing}});
}

Clock::time_point Run::deadline() const {
    if (options.deadline == Clock::time_point::max() ||
        Clock::time_point::max() - options.deadline <= m_paused) {
        return Clock::time_point::max();
    }
    return options.deadline + m_paused;
}

void Run::callStepHook(int target, int from, int transition) {
    StepPoint point;
    point.state = flow.state(target).name;
    if (from >= 0) {
        point.fromState = flow.state(from).name;
    }
    point.transition = transition;
    point.step = transitions;
    point.conversation = &conversation;
    const auto before = Clock::now();
    const StepDecision decision = options.onStep(point);
    const auto spent = Clock::now() - before;
    m_paused += spent;
    m_start += spent; // trace times count engine work only
    if (decision == StepDecision::Abort) {
        ExecFailure failure{ErrorCode::StateError,
                            "stopped before entering state '" + flow.state(target).name + "'",
                            flow.state(target).name,
                            {{"aborted", "true"}}};
        failure.aborted = true;
        throw failure;
    }
}

std::chrono::milliseconds Run::stateBudget(const CompiledState& state, bool* cutByDeadline) const {
    std::chrono::milliseconds budget = state.timeout.value_or(limits.stateTimeout);
    bool cut = false;
    const Clock::time_point end = deadline();
    if (end != Clock::time_point::max()) {
        const auto remaining =
            std::max(std::chrono::duration_cast<std::chrono::milliseconds>(end - Clock::now()),
                     std::chrono::milliseconds(0));
        cut = remaining < budget;
        budget = std::min(budget, remaining);
    }
    if (cutByDeadline != nullptr) {
        *cutByDeadline = cut;
    }
    return budget;
}

void Run::checkDeadline(const CompiledState& state, bool timedOutOnDeadline) const {
    const Clock::time_point end = deadline();
    if (end == Clock::time_point::max()) {
        return;
    }
    if (timedOutOnDeadline || Clock::now() >= end) {
        throw ExecFailure{ErrorCode::TimeoutError,
                          "the message ran out of time in state '" + state.name + "' after " +
                              std::to_string(transitions) + " transition(s)",
                          state.name,
                          {}};
    }
}

void Run::noteVisited(int state) {
    m_recent[static_cast<size_t>(m_recentCount % static_cast<int>(m_recent.size()))] = state;
    ++m_recentCount;
}

std::string Run::recentStates() const {
    const int size = static_cast<int>(m_recent.size());
    std::string text;
    for (int i = std::max(0, m_recentCount - size); i < m_recentCount; ++i) {
        if (!text.empty()) {
            text += " -> ";
        }
        text += flow.state(m_recent[static_cast<size_t>(i % size)]).name;
    }
    return text;
}

std::string excerpt(std::string_view text, size_t max) {
    if (text.size() <= max) {
        return std::string(text);
    }
    size_t cut = max;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) {
        --cut; // never split a UTF-8 sequence
    }
    return std::string(text.substr(0, cut)) + "…";
}

} // namespace flowdeck::engine::exec
