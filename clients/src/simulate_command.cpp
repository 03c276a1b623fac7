#include "commands.h"

#include "flowdeck/engine/executor.h"
#include "flowdeck/engine/flow_json.h"
#include "flowdeck/engine/integration_gateway.h"
#include "flowdeck/engine/linter.h"
#include "flowdeck/engine/stub_file.h"

#include <filesystem>
#include <fstream>
#include <istream>
#include <memory>
#include <ostream>

namespace flowdeck::client {

namespace {

namespace fs = std::filesystem;
using flowdeck::engine::ExecutionResult;
using flowdeck::engine::Json;

// Longest user line accepted; the engine's own message limit applies after this.
constexpr size_t kMaxLineBytes = 1024 * 1024;

std::string defaultStubPath(const std::string& flowFile) {
    fs::path path(flowFile);
    path.replace_extension(".stubs.json");
    return path.string();
}

// Sets up the gateway the flow's integrations go through: real HTTP with --live, otherwise the
// recorded responses (calls without a stub fail with a message naming the integration).
std::shared_ptr<engine::IntegrationGateway> makeGateway(const SimulateOptions& options, Streams& io,
                                                        bool* ok) {
    auto live = std::make_shared<engine::CurlGateway>();
    *ok = true;
    if (options.live) {
        return live;
    }
    auto stubs = std::make_shared<engine::StubGateway>(live);
    const std::string path = options.stubs.value_or(defaultStubPath(options.file));
    if (!options.stubs && !fs::exists(path)) {
        return stubs; // no recorded responses: fine for flows without integrations
    }
    for (const auto& d : engine::loadStubFile(path, *stubs)) {
        io.err << path << ": " << engine::formatDiagnostic(d) << "\n";
        *ok = false;
    }
    return stubs;
}

void printTrace(const ExecutionResult& result, std::ostream& out) {
    for (const auto& event : result.trace) {
        out << "  · " << engine::toString(event.kind);
        if (!event.state.empty()) {
            out << " [" << event.state;
            if (event.transition >= 0) {
                out << " #" << event.transition;
            }
            out << "]";
        }
        out << " " << event.detail;
        if (!event.data.empty() && event.data.size() <= 200) {
            out << " " << event.data;
        }
        out << " (" << event.durationUs << " µs)\n";
    }
}

// Prints one message's outcome; true when it went through without errors.
bool printResult(const ExecutionResult& result, const SimulateOptions& options, Streams& io) {
    if (options.trace) {
        printTrace(result, io.out);
    }
    if (!result.reply.empty()) {
        io.out << "bot> " << result.reply << "\n";
    }
    for (const auto& error : result.errors) {
        io.out << "error " << engine::toString(error.code) << ": " << error.message << "\n";
    }
    for (const auto& action : result.actions) {
        io.out << "  (" << action << ")\n";
    }
    // A failure the flow handles (on_failure) is not an error, but the designer should see it.
    for (const auto& integration : result.failedIntegrations) {
        io.out << "  (integration " << integration << " failed; --trace shows why)\n";
    }
    return result.ok && result.errors.empty();
}

struct Session {
    const SimulateOptions& options;
    Streams& io;
    engine::Executor& executor;
    const engine::CompiledFlow& flow;
    engine::ConversationState state;
    bool allOk = true;

    engine::ExecutionOptions executionOptions() const {
        engine::ExecutionOptions o;
        o.trace = options.trace;
        o.locale = options.locale;
        return o;
    }
    bool ended() const {
        const auto* current = engine::sourceFlow(flow).findState(state.currentState);
        return current != nullptr && current->type == engine::StateType::End;
    }
    void showState() {
        io.out << "state " << state.currentState << "\nslots " << state.slots.dump() << "\nvars "
               << state.vars.dump() << "\n";
    }
    // False when the conversation is over (an end state or /quit).
    bool send(const std::string& line) {
        if (line == "/quit") {
            return false;
        }
        if (line == "/state") {
            showState();
            return true;
        }
        engine::InboundMessage message;
        if (line == "/timeout") {
            message.type = "timeout";
        } else {
            message.text = line;
        }
        if (!io.interactive) {
            io.out << "you> " << line << "\n";
        }
        allOk =
            printResult(executor.process(flow, state, message, executionOptions()), options, io) &&
            allOk;
        return !ended();
    }
};

bool readUserProfile(const SimulateOptions& options, Json* user, Streams& io) {
    if (options.user.empty()) {
        *user = Json::object();
        return true;
    }
    *user = Json::parse(options.user, nullptr, false);
    if (user->is_discarded() || !user->is_object()) {
        io.err << "flowctl simulate: --user must be a JSON object, e.g. '{\"name\":\"Ada\"}'\n";
        return false;
    }
    return true;
}

// Parses and lints; prints the problems. Null when the flow cannot run.
std::shared_ptr<const engine::CompiledFlow> loadFlow(const std::string& file, Streams& io) {
    auto parsed = engine::parseFlowFile(file);
    if (!parsed.ok()) {
        for (const auto& d : parsed.diagnostics) {
            io.err << file << ": " << engine::formatDiagnostic(d) << "\n";
        }
        return nullptr;
    }
    const auto findings = engine::lintFlow(*parsed.flow);
    if (engine::hasErrors(findings)) {
        for (const auto& d : findings) {
            if (d.severity == engine::Severity::Error) {
                io.err << file << ": " << engine::formatDiagnostic(d) << "\n";
            }
        }
        io.err << file << ": the flow has errors; fix them first (flowctl validate " << file
               << ")\n";
        return nullptr;
    }
    return engine::compileFlow(*parsed.flow);
}

} // namespace

int runSimulate(const SimulateOptions& options, Streams& io) {
    Json user;
    if (!readUserProfile(options, &user, io)) {
        return kExitUsage;
    }
    const auto flow = loadFlow(options.file, io);
    bool gatewayOk = false;
    const auto gateway = makeGateway(options, io, &gatewayOk);
    if (!flow || !gatewayOk) {
        return kExitFailed;
    }
    std::ifstream scriptFile;
    if (options.script) {
        scriptFile.open(*options.script);
        if (!scriptFile) {
            io.err << "flowctl simulate: cannot read script '" << *options.script << "'\n";
            return kExitFailed;
        }
    }
    std::istream& input = options.script ? scriptFile : io.in;
    Streams lines{input, io.out, io.err, options.script ? false : io.interactive};

    engine::Executor executor(*gateway);
    const auto& source = engine::sourceFlow(*flow);
    Session session{options, lines, executor, *flow, {}};
    session.state.tenantId = "local";
    session.state.conversationId = "simulation";
    session.state.flowId = source.name;
    session.state.flowVersion = source.version;
    session.state.user = std::move(user);
    session.allOk = printResult(executor.start(*flow, session.state, session.executionOptions()),
                                options, lines);

    std::string line;
    bool open = !session.ended();
    while (open) {
        if (lines.interactive) {
            io.out << "you> " << std::flush;
        }
        if (!std::getline(input, line)) {
            break;
        }
        if (line.size() > kMaxLineBytes) {
            io.err << "flowctl simulate: skipped a line longer than 1 MiB\n";
            session.allOk = false;
            continue;
        }
        if (!line.empty() && line.back() == '\r') {
            line.pop_back();
        }
        if (line.empty() || line.front() == '#') {
            continue;
        }
        open = session.send(line);
    }
    if (session.ended()) {
        io.out << "(conversation ended in state " << session.state.currentState << ")\n";
    }
    return session.allOk ? kExitOk : kExitFailed;
}

} // namespace flowdeck::client
