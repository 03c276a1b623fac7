#include "compiled_flow.h"

#include <algorithm>

namespace flowdeck::engine {
namespace {

std::string stringOf(const Json& config, const char* key, std::string fallback) {
    const auto it = config.find(key);
    return it != config.end() && it->is_string() ? it->get<std::string>() : std::move(fallback);
}

// Every string leaf holding "{{" becomes a template, addressed by its JSON pointer, so a message
// only copies the body and replaces those leaves.
void collectBodyTemplates(const Json& value, const Json::json_pointer& pointer,
                          CompiledIntegration& integration) {
    if (value.is_string()) {
        const auto& text = value.get_ref<const std::string&>();
        if (text.find("{{") != std::string::npos) {
            integration.bodyTemplates.emplace_back(pointer, CompiledTemplate::compile(text));
        }
    } else if (value.is_object()) {
        for (auto it = value.begin(); it != value.end(); ++it) {
            collectBodyTemplates(*it, pointer / it.key(), integration);
        }
    } else if (value.is_array()) {
        for (size_t i = 0; i < value.size(); ++i) {
            collectBodyTemplates(value[i], pointer / i, integration);
        }
    }
}

CompiledMapping compileMapping(const std::string& key, const std::string& jsonPath) {
    CompiledMapping mapping;
    mapping.key = key;
    mapping.jsonPath = jsonPath;
    const size_t dot = key.find('.');
    const std::string root = key.substr(0, dot);
    if (dot == std::string::npos) {
        return mapping; // root stays Unknown: reported when the mapping is applied
    }
    size_t start = dot + 1;
    while (start <= key.size()) {
        const size_t next = std::min(key.find('.', start), key.size());
        if (next == start) {
            mapping.path.clear();
            return mapping;
        }
        mapping.path.push_back(key.substr(start, next - start));
        start = next + 1;
    }
    if (root == "vars") {
        mapping.root = TemplateRoot::Vars;
    } else if (root == "slots") {
        mapping.root = TemplateRoot::Slots;
    }
    return mapping;
}

} // namespace

std::unique_ptr<CompiledIntegration> compileIntegration(const State& state) {
    static const Json kEmpty = Json::object();
    const Json& config = state.config.is_object() ? state.config : kEmpty;
    auto integration = std::make_unique<CompiledIntegration>();
    integration->name = stringOf(config, "integration", state.name);
    integration->url = CompiledTemplate::compile(stringOf(config, "url", {}));
    if (const auto it = config.find("headers"); it != config.end() && it->is_object()) {
        for (auto h = it->begin(); h != it->end(); ++h) {
            if (h->is_string()) {
                integration->headers.emplace_back(
                    h.key(), CompiledTemplate::compile(h->get_ref<const std::string&>()));
            }
        }
    }
    if (const auto it = config.find("body"); it != config.end() && !it->is_null()) {
        integration->hasBody = true;
        if (it->is_string()) {
            integration->bodyText = CompiledTemplate::compile(it->get_ref<const std::string&>());
        } else {
            integration->jsonBody = true;
            integration->bodyJson = *it;
            collectBodyTemplates(*it, Json::json_pointer(), *integration);
        }
    }
    std::string method = stringOf(config, "method", integration->hasBody ? "POST" : "GET");
    std::transform(method.begin(), method.end(), method.begin(),
                   [](char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 32) : c; });
    integration->method = method;
    if (const auto it = config.find("retries"); it != config.end() && it->is_number()) {
        integration->retries = static_cast<int>(std::clamp(it->get<double>(), 0.0, 10.0));
    }
    if (const auto it = config.find("response_mapping"); it != config.end() && it->is_object()) {
        for (auto m = it->begin(); m != it->end(); ++m) {
            if (m->is_string()) {
                integration->mappings.push_back(compileMapping(m.key(), m->get<std::string>()));
            }
        }
    }
    return integration;
}

} // namespace flowdeck::engine
