// ProcessResult <-> JSON. The field names are the API's (ProcessMessageResponse), so the stored
// answer of a message, flowctl's output and the HTTP API's body read the same.
#include "flowdeck/engine/engine.h"

namespace flowdeck::engine {

namespace {

Json errorToJson(const EngineError& error) {
    Json details = Json::object();
    for (const auto& [key, value] : error.details) {
        details[key] = value;
    }
    return {{"code", toString(error.code)},
            {"message", error.message},
            {"details", std::move(details)},
            {"trace_id", error.traceId}};
}

template <typename T> T field(const Json& object, const char* key, T fallback) {
    const auto it = object.find(key);
    if (it == object.end() || it->is_null()) {
        return fallback;
    }
    return it->template get<T>();
}

EngineError errorFromJson(const Json& j) {
    EngineError error;
    error.code =
        errorCodeFromString(field<std::string>(j, "code", "")).value_or(ErrorCode::StateError);
    error.message = field<std::string>(j, "message", "");
    error.traceId = field<std::string>(j, "trace_id", "");
    if (const auto it = j.find("details"); it != j.end() && it->is_object()) {
        for (const auto& [key, value] : it->items()) {
            error.details[key] = value.is_string() ? value.get<std::string>() : value.dump();
        }
    }
    return error;
}

} // namespace

std::string encodeProcessResult(const ProcessResult& result) {
    Json j = {{"conversation_id", result.conversationId},
              {"flow_id", result.flowId},
              {"flow_version", result.flowVersion},
              {"current_state", result.currentState},
              {"response", result.response},
              {"context_updates", result.contextUpdates},
              {"actions_performed", result.actionsPerformed},
              {"processing_time_ms", result.processingTimeMs},
              {"ab_variant", result.abVariant},
              {"version", result.version},
              {"errors", Json::array()}};
    for (const auto& error : result.errors) {
        j["errors"].push_back(errorToJson(error));
    }
    return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::optional<ProcessResult> decodeProcessResult(const std::string& json) {
    const Json j = Json::parse(json, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
        return std::nullopt;
    }
    try {
        ProcessResult result;
        result.conversationId = field<std::string>(j, "conversation_id", "");
        result.flowId = field<std::string>(j, "flow_id", "");
        result.flowVersion = field<std::string>(j, "flow_version", "");
        result.currentState = field<std::string>(j, "current_state", "");
        result.response = field<std::string>(j, "response", "");
        result.contextUpdates = field<std::map<std::string, std::string>>(j, "context_updates", {});
        result.actionsPerformed = field<std::vector<std::string>>(j, "actions_performed", {});
        result.processingTimeMs = field<double>(j, "processing_time_ms", 0.0);
        result.abVariant = field<std::string>(j, "ab_variant", "");
        result.version = field<int64_t>(j, "version", 0);
        if (const auto it = j.find("errors"); it != j.end() && it->is_array()) {
            for (const auto& error : *it) {
                result.errors.push_back(errorFromJson(error));
            }
        }
        result.ok = result.errors.empty();
        return result;
    } catch (const Json::exception&) {
        return std::nullopt; // a field of the wrong type: not something we wrote
    }
}

} // namespace flowdeck::engine
