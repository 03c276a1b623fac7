#pragma once

// Internal to the release commands (release_commands.cpp, rollout_commands.cpp): the run
// functions runReleaseCommand() dispatches to, and what they share.

#include "commands.h"

#include "flowdeck/client/releases_client.h"

namespace flowdeck::client::release_cli {

// deploy --wait: the rollout is paused at a gate and waits for promote.
inline constexpr int kExitPaused = 3;

ReleasesClient makeClient(const RemoteOptions& options);
// Prints "flowctl COMMAND: what failed [CODE, trace ID]" on stderr; returns kExitFailed.
int reportFailure(const std::string& command, const CallError& error, Streams& io);
// False (after a usage message on stderr) when --reason is missing or blank.
bool requireReason(const std::string& command, const std::string& reason, Streams& io);

int runFlows(const ReleaseCommandLine& line, Streams& io);
int runVersions(const ReleaseCommandLine& line, Streams& io);
int runPush(const ReleaseCommandLine& line, Streams& io);
int runRollback(const ReleaseCommandLine& line, Streams& io);
int runHistory(const ReleaseCommandLine& line, Streams& io);

int runDeploy(const ReleaseCommandLine& line, Streams& io);
int runRolloutStatus(const ReleaseCommandLine& line, Streams& io);
int runPromote(const ReleaseCommandLine& line, Streams& io);
int runAbort(const ReleaseCommandLine& line, Streams& io);

} // namespace flowdeck::client::release_cli
