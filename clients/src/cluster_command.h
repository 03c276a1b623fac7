#pragma once

#include "commands.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace flowdeck::client {

// The options of `flowctl cluster up|down|status`, filled by CLI11.
struct ClusterCommandLine {
    std::string dir;
    size_t nodes = 3;
    std::string postgres;
    std::string flowd;
    std::string flows;
    uint16_t basePort = 0;
    std::vector<std::string> nodeArgs;
    bool json = false;
    CLI::App* up = nullptr;
    CLI::App* down = nullptr;
    CLI::App* status = nullptr;
};

void addClusterCommands(CLI::App& app, ClusterCommandLine& commandLine);
// The exit code when a cluster subcommand was given, else nullopt.
std::optional<int> runClusterCommand(const ClusterCommandLine& commandLine, Streams& io);

} // namespace flowdeck::client
