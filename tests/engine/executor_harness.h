#pragma once

// Shared by the executor tests (tst_executor*.cpp): compiling flows from text or files, a chat
// that keeps one conversation across messages, and readable summaries for failure messages.

#include "flowdeck/engine/executor.h"
#include "flowdeck/engine/flow_json.h"
#include "flowdeck/engine/integration_gateway.h"

#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace flowdeck::engine::test {

// A flow from JSON text. Parse errors throw, which Qt Test reports as the test's failure with
// the diagnostics: a test flow that does not parse is a broken test, not an executor finding.
inline std::shared_ptr<const CompiledFlow> compileText(std::string_view text) {
    ParseResult parsed = parseFlow(text);
    if (!parsed.ok()) {
        std::string why = "test flow does not parse:";
        for (const auto& d : parsed.diagnostics) {
            why += " [" + d.pointer + "] " + d.message;
        }
        throw std::runtime_error(why);
    }
    return compileFlow(*parsed.flow);
}

inline std::string readTextFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw std::runtime_error("cannot read " + path);
    }
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

inline std::shared_ptr<const CompiledFlow> compileFile(const std::string& path) {
    return compileText(readTextFile(path));
}

// Non-empty lines of a *.script.txt file: one user message per line.
inline std::vector<std::string> scriptLines(const std::string& path) {
    std::istringstream in(readTextFile(path));
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) {
        if (!line.empty() && line.back() == '\r') {
            line.pop_back();
        }
        if (!line.empty()) {
            lines.push_back(line);
        }
    }
    return lines;
}

inline InboundMessage textMessage(std::string text) {
    InboundMessage message;
    message.text = std::move(text);
    return message;
}

inline InboundMessage idleEvent() {
    InboundMessage message;
    message.type = "timeout";
    return message;
}

// "CODE: message {key=value, ...}; ..." for QVERIFY2 texts.
inline std::string describeErrors(const ExecutionResult& result) {
    std::string text;
    for (const auto& error : result.errors) {
        text +=
            (text.empty() ? "" : "; ") + std::string(toString(error.code)) + ": " + error.message;
        for (const auto& [key, value] : error.details) {
            text += " {" + key + "=" + value + "}";
        }
    }
    return text.empty() ? "no errors" : text;
}

inline const TraceEvent* findEvent(const Trace& trace, TraceKind kind,
                                   std::string_view state = {}) {
    for (const auto& event : trace) {
        if (event.kind == kind && (state.empty() || event.state == state)) {
            return &event;
        }
    }
    return nullptr;
}

inline int countEvents(const Trace& trace, TraceKind kind) {
    int count = 0;
    for (const auto& event : trace) {
        count += event.kind == kind ? 1 : 0;
    }
    return count;
}

// One conversation with one flow: start() then say() as a user would.
class Chat final {
public:
    Chat(const Executor& executor, std::shared_ptr<const CompiledFlow> flow)
        : m_executor(executor)
        , m_flow(std::move(flow)) {
        conversation.tenantId = "tenant";
        conversation.conversationId = "conversation";
    }

    ExecutionResult start() { return m_executor.start(*m_flow, conversation, options); }
    ExecutionResult say(const std::string& text) { return send(textMessage(text)); }
    ExecutionResult send(const InboundMessage& message) {
        return m_executor.process(*m_flow, conversation, message, options);
    }

    ConversationState conversation;
    ExecutionOptions options;

private:
    const Executor& m_executor;
    std::shared_ptr<const CompiledFlow> m_flow;
};

} // namespace flowdeck::engine::test
