#pragma once

// Running PostgreSQL's programs (initdb, pg_ctl, pg_config) from LocalPostgres: a child with
// its output captured, bounded in time and size. Internal to flowdeck_local_cluster.

#include <chrono>
#include <string>
#include <sys/types.h>
#include <vector>

namespace flowdeck::cluster {

struct ProgramResult {
    bool started = false; // false: fork/exec failed (see output)
    bool timedOut = false;
    int exitCode = -1;  // the exit status, or -1 when killed by a signal
    std::string output; // stdout and stderr interleaved, the last 64 KiB at most
};

// Runs argv[0] (an absolute path) with argv, in `workDir` (or "/" when it cannot be entered),
// stdin from /dev/null. Past `timeout` the child's process group is killed with SIGKILL.
ProgramResult runProgram(const std::vector<std::string>& argv, const std::string& workDir,
                         std::chrono::milliseconds timeout);

// The absolute path of `name` found on $PATH or in `extraDirs`, "" when none is executable.
std::string findProgram(const std::string& name, const std::vector<std::string>& extraDirs = {});

// True while `pid` runs; a zombie (exited, not yet reaped by its parent) counts as gone.
bool isProcessAlive(pid_t pid);

// The last `maxLines` lines of a text file (read from at most its last 64 KiB); "" if unreadable.
std::string fileTail(const std::string& path, size_t maxLines);

} // namespace flowdeck::cluster
