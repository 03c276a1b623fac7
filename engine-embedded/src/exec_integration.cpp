#include "exec_steps.h"
#include "flowdeck/engine/integration_gateway.h"

#include <algorithm>

namespace flowdeck::engine::exec {
namespace {

constexpr size_t kTracedBodyBytes = 4096;

std::string lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; });
    return out;
}

// Header values that are credentials never reach the trace, which the console shows and flowd
// returns to API clients.
bool isSecretHeader(std::string_view name) {
    const std::string key = lower(name);
    for (const char* word : {"authorization", "apikey", "api-key", "api_key", "token", "secret",
                             "cookie", "password"}) {
        if (key.find(word) != std::string::npos) {
            return true;
        }
    }
    return false;
}

std::string renderBody(const CompiledIntegration& spec, const TemplateScope& scope) {
    if (!spec.hasBody) {
        return {};
    }
    if (!spec.jsonBody) {
        return spec.bodyText.render(scope);
    }
    Json body = spec.bodyJson;
    for (const auto& [pointer, text] : spec.bodyTemplates) {
        // "{{slots.size}}" alone sends the slot's own JSON value (a number stays a number).
        if (const TemplatePiece* single = text.singleReference()) {
            Json scratch;
            const Json* value = resolveReference(*single, scope, scratch);
            body[pointer] = value != nullptr ? *value : Json();
        } else {
            body[pointer] = text.render(scope);
        }
    }
    return body.dump(-1, ' ', false, Json::error_handler_t::replace);
}

IntegrationRequest buildRequest(Run& run, const CompiledState& state) {
    const CompiledIntegration& spec = *state.integration;
    const TemplateScope scope = run.scope();
    IntegrationRequest request;
    request.integration = spec.name;
    request.method = spec.method;
    request.url = spec.url.render(scope, nullptr, TemplateEncoding::Url);
    bool hasContentType = false;
    for (const auto& [name, value] : spec.headers) {
        request.headers[name] = value.render(scope);
        hasContentType |= lower(name) == "content-type";
    }
    request.body = renderBody(spec, scope);
    if (spec.jsonBody && !hasContentType) {
        request.headers["Content-Type"] = "application/json";
    }
    request.retries = spec.retries;
    return request;
}

struct Mapped {
    const CompiledMapping* mapping;
    Json value;
};

// All or nothing: every path is evaluated before anything is written.
std::string evaluateMappings(const CompiledIntegration& spec, const std::string& body,
                             std::vector<Mapped>& out) {
    for (const auto& mapping : spec.mappings) {
        if (mapping.root == TemplateRoot::Unknown) {
            return "response_mapping key '" + mapping.key +
                   "' must name a target under vars. or slots.";
        }
        std::string error;
        const std::string text = evaluateJsonPath(body, mapping.jsonPath, &error);
        if (!error.empty()) {
            return "response_mapping '" + mapping.key + "' (" + mapping.jsonPath + "): " + error;
        }
        Json value = Json::parse(text, nullptr, false);
        if (value.is_discarded()) {
            return "response_mapping '" + mapping.key + "': unreadable value";
        }
        out.push_back({&mapping, std::move(value)});
    }
    return {};
}

void store(Run& run, const Mapped& mapped) {
    Json* target = mapped.mapping->root == TemplateRoot::Vars ? &run.conversation.vars
                                                              : &run.conversation.slots;
    const auto& path = mapped.mapping->path;
    for (size_t i = 0; i + 1 < path.size(); ++i) {
        if (!target->is_object()) {
            *target = Json::object();
        }
        target = &(*target)[path[i]];
    }
    if (!target->is_object()) {
        *target = Json::object();
    }
    (*target)[path.back()] = mapped.value;
}

Json requestTrace(const IntegrationRequest& request) {
    Json headers = Json::object();
    for (const auto& [name, value] : request.headers) {
        headers[name] = isSecretHeader(name) ? "***" : value;
    }
    return {{"integration", request.integration},
            {"method", request.method},
            {"url", request.url},
            {"headers", headers},
            {"body", excerpt(request.body, kTracedBodyBytes)},
            {"timeout_ms", request.timeout.count()},
            {"retries", request.retries}};
}

Json responseTrace(const IntegrationResponse& response) {
    return {{"status", response.status},
            {"body", excerpt(response.body, kTracedBodyBytes)},
            {"elapsed_ms", static_cast<double>(response.elapsed.count()) / 1000.0},
            {"attempts", response.attempts},
            {"timed_out", response.timedOut},
            {"error", response.error}};
}

const char* outcomeName(CallOutcome outcome) {
    switch (outcome) {
    case CallOutcome::Success:
        return "success";
    case CallOutcome::TimedOut:
        return "timeout";
    case CallOutcome::Failure:
    case CallOutcome::None:
        break;
    }
    return "failure";
}

void traceCall(Run& run, const CompiledState& state, const IntegrationRequest& request,
               const IntegrationResponse& response, CallOutcome outcome, const Json& mapped,
               const std::string& mappingError, int64_t start) {
    std::string detail = request.method + " " + excerpt(request.url, 300) + " -> ";
    detail += response.timedOut         ? "timed out"
              : !response.error.empty() ? response.error
                                        : std::to_string(response.status);
    if (!mappingError.empty()) {
        detail += "; " + mappingError;
    }
    run.traceJson(TraceKind::IntegrationCall, state.index, -1, std::move(detail),
                  {{"request", requestTrace(request)},
                   {"response", responseTrace(response)},
                   {"outcome", outcomeName(outcome)},
                   {"mapping", mapped},
                   {"mapping_error", mappingError}},
                  start, run.elapsedUs() - start);
}

} // namespace

CallOutcome callIntegration(Run& run, const CompiledState& state) {
    if (!run.options.mayBlock) {
        throw WouldBlock{};
    }
    run.checkDeadline(state);
    const CompiledIntegration& spec = *state.integration;
    IntegrationRequest request = buildRequest(run, state);
    bool onDeadline = false;
    request.timeout = run.stateBudget(state, &onDeadline);
    run.result.actions.push_back("integration:" + spec.name);
    const int64_t start = run.elapsedUs();
    IntegrationResponse response;
    try {
        response = run.gateway.call(request);
    } catch (const std::exception& e) {
        response.error = std::string("the gateway failed: ") + e.what();
    }
    CallOutcome outcome = response.timedOut ? CallOutcome::TimedOut
                          : response.ok()   ? CallOutcome::Success
                                            : CallOutcome::Failure;
    std::string mappingError;
    Json mappedTrace = Json::object();
    if (outcome == CallOutcome::Success) {
        std::vector<Mapped> mapped;
        mappingError = evaluateMappings(spec, response.body, mapped);
        if (!mappingError.empty()) {
            outcome = CallOutcome::Failure;
        } else if (!mapped.empty()) {
            run.beginMutation();
            for (const auto& m : mapped) {
                store(run, m);
                mappedTrace[m.mapping->key] = m.value;
            }
        }
    }
    if (outcome != CallOutcome::Success) {
        run.result.failedIntegrations.push_back(spec.name);
    }
    if (run.tracing()) {
        traceCall(run, state, request, response, outcome, mappedTrace, mappingError, start);
    }
    if (outcome == CallOutcome::TimedOut) {
        run.checkDeadline(state, onDeadline); // the message's deadline, not the state's, ran out
    }
    return outcome;
}

} // namespace flowdeck::engine::exec
