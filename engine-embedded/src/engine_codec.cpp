// ProcessResult <-> JSON. The field names are the API's (ProcessMessageResponse), so the stored
// answer of a message, flowctl's output and the HTTP API's body read the same.
#include "flowdeck/engine/engine.h"

#include <algorithm>
#include <string_view>

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

// Written straight into one string rather than through a JSON document: it runs for every
// message, and building the document cost as much as running a simple flow. Strings that need
// more than copying (quotes, control characters, anything outside ASCII, where invalid UTF-8 is
// replaced) go through nlohmann's serializer, so the text is the same as a document's dump.
std::string encodeProcessResult(const ProcessResult& result) {
    std::string out;
    out.reserve(256 + result.response.size());
    const auto string = [&out](std::string_view text) {
        const bool plain = std::all_of(text.begin(), text.end(), [](char c) {
            const auto byte = static_cast<unsigned char>(c);
            return byte >= 0x20 && byte < 0x80 && c != '"' && c != '\\';
        });
        if (plain) {
            out += '"';
            out += text;
            out += '"';
        } else {
            out += Json(std::string(text)).dump(-1, ' ', false, Json::error_handler_t::replace);
        }
    };
    // A comma before every element but the first of an object or array.
    const auto separate = [&out](bool& first) {
        if (!first) {
            out += ',';
        }
        first = false;
    };
    const auto key = [&out, &string, &separate](std::string_view name, bool first = false) {
        separate(first);
        string(name);
        out += ':';
    };
    out += '{';
    key("conversation_id", true);
    string(result.conversationId);
    key("flow_id");
    string(result.flowId);
    key("flow_version");
    string(result.flowVersion);
    key("current_state");
    string(result.currentState);
    key("response");
    string(result.response);
    key("context_updates");
    out += '{';
    for (bool first = true; const auto& [name, value] : result.contextUpdates) {
        separate(first);
        string(name);
        out += ':';
        string(value);
    }
    out += '}';
    key("actions_performed");
    out += '[';
    for (bool first = true; const auto& action : result.actionsPerformed) {
        separate(first);
        string(action);
    }
    out += ']';
    key("processing_time_ms");
    out += Json(result.processingTimeMs).dump(); // nlohmann's shortest round-trip form
    key("ab_variant");
    string(result.abVariant);
    key("version");
    out += std::to_string(result.version);
    key("errors");
    out += '[';
    for (bool first = true; const auto& error : result.errors) {
        separate(first);
        out += errorToJson(error).dump(-1, ' ', false, Json::error_handler_t::replace);
    }
    out += "]}";
    return out;
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
