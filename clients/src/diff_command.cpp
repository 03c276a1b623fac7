#include "commands.h"

#include "flowdeck/engine/flow_diff.h"
#include "flowdeck/engine/flow_json.h"

#include <ostream>

namespace flowdeck::client {

namespace {

// diff(1)'s convention, which scripts and CI expect: 0 same, 1 different, 2 trouble.
constexpr int kExitSame = 0;
constexpr int kExitDifferent = 1;
constexpr int kExitTrouble = 2;

// Prints the parse errors of one file, each with its JSON pointer, the way validate does.
bool parseOrReport(const std::string& file, engine::ParseResult& parsed, Streams& io) {
    parsed = engine::parseFlowFile(file);
    if (parsed.ok()) {
        return true;
    }
    for (const auto& d : parsed.diagnostics) {
        if (d.severity == engine::Severity::Error) {
            io.err << file << ": " << engine::formatDiagnostic(d) << "\n";
        }
    }
    return false;
}

} // namespace

int runDiff(const DiffOptions& options, Streams& io) {
    engine::ParseResult before;
    engine::ParseResult after;
    const bool beforeOk = parseOrReport(options.before, before, io);
    const bool afterOk = parseOrReport(options.after, after, io);
    if (!beforeOk || !afterOk) {
        return kExitTrouble;
    }
    engine::DiffOptions diffOptions;
    diffOptions.detectRenames = !options.noRenames;
    const engine::FlowDiff diff = engine::diffFlows(*before.flow, *after.flow, diffOptions);
    if (!diff.error.empty()) {
        io.err << "flowctl diff: " << diff.error << "\n";
        return kExitTrouble;
    }
    if (options.json) {
        io.out << engine::diffToJson(diff).dump(2, ' ', false,
                                                engine::Json::error_handler_t::replace)
               << "\n";
    } else if (diff.empty()) {
        io.out << options.before << " and " << options.after << ": no differences\n";
    } else {
        io.out << engine::formatDiff(diff);
    }
    return diff.empty() ? kExitSame : kExitDifferent;
}

} // namespace flowdeck::client
