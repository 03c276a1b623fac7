#pragma once

// The flow the server-* tests use around integration calls: "ask" answers "Which order?", every
// message after it goes to "lookup", which calls `url` and answers "Found it (VERSION)" after a
// 2xx or "Sorry (VERSION)" otherwise (a new conversation's first message is evaluated against
// "ask"'s transitions too, so it already calls `url`).
#include <nlohmann/json.hpp>

#include <string>

namespace flowd_test {

inline std::string lookupFlow(const std::string& name, const std::string& version,
                              const std::string& url, int timeoutMs = 2000) {
    const auto reply = [](const std::string& text, const char* next) {
        return nlohmann::json{
            {"type", "response"},
            {"config", {{"response_templates", {{"default", text}}}}},
            {"transitions", {{{"condition", "any_input"}, {"target_state", next}}}}};
    };
    const nlohmann::json flow = {{"name", name},
                                 {"version", version},
                                 {"initial_state", "ask"},
                                 {"states",
                                  {{"ask", reply("Which order?", "lookup")},
                                   {"lookup",
                                    {{"type", "integration"},
                                     {"config",
                                      {{"integration", "orders"},
                                       {"method", "GET"},
                                       {"url", url},
                                       {"timeout_ms", timeoutMs}}},
                                     {"transitions",
                                      {{{"condition", "on_success"}, {"target_state", "ok"}},
                                       {{"condition", "on_failure"}, {"target_state", "failed"}},
                                       {{"condition", "timeout"}, {"target_state", "failed"}}}}}},
                                   {"ok", reply("Found it (" + version + ")", "lookup")},
                                   {"failed", reply("Sorry (" + version + ")", "lookup")}}}};
    return flow.dump();
}

} // namespace flowd_test
