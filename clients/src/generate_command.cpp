#include "commands.h"

#include "flowdeck/engine/flow_generator.h"
#include "flowdeck/engine/flow_json.h"

#include <fstream>
#include <ostream>

namespace flowdeck::client {

int runGenerate(const GenerateOptions& options, Streams& io) {
    const std::string text =
        engine::serializeFlow(engine::generateBlockFlow(options.states)) + "\n";
    if (options.output.empty() || options.output == "-") {
        io.out << text;
        return kExitOk;
    }
    // Write beside the target and rename, so an interrupted run never leaves half a flow behind.
    const std::string temporary = options.output + ".tmp";
    {
        std::ofstream file(temporary, std::ios::binary | std::ios::trunc);
        file << text;
        file.close();
        if (!file) {
            io.err << "flowctl generate: cannot write '" << temporary << "'\n";
            std::remove(temporary.c_str());
            return kExitFailed;
        }
    }
    if (std::rename(temporary.c_str(), options.output.c_str()) != 0) {
        io.err << "flowctl generate: cannot move '" << temporary << "' to '" << options.output
               << "'\n";
        std::remove(temporary.c_str());
        return kExitFailed;
    }
    io.err << "wrote " << options.output << "\n";
    return kExitOk;
}

} // namespace flowdeck::client
