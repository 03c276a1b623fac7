#pragma once

// The steps LocalPostgres takes (find the programs, prepare the directory, initdb, pg_ctl
// start/stop, create the database), each reporting a clear error. Internal to
// flowdeck_local_cluster.

#include <chrono>
#include <cstdint>
#include <string>
#include <sys/types.h>
#include <vector>

namespace flowdeck::cluster {

struct PostgresSetup {
    std::string dir;
    std::string database = "flowdeck";
    std::string user = "flowdeck";
    uint16_t port = 0;
    std::string binDir;
    // Non-empty when the caller is root: PostgreSQL's programs then run as the `postgres`
    // system user through this runuser.
    std::string runuser;
    uid_t ownerUid = 0;
    gid_t ownerGid = 0;

    std::string dataDir() const { return dir + "/data"; }
    std::string logPath() const { return dir + "/postgres.log"; }
    // argv running `program` from binDir, as the postgres user when needed.
    std::vector<std::string> command(const std::string& program,
                                     const std::vector<std::string>& args) const;
};

struct PostmasterInfo {
    pid_t pid = 0;
    uint16_t port = 0;
};

std::string locatePostgresBinDir();
// A port on 127.0.0.1 free at the time of the call, 0 when none could be bound.
uint16_t pickFreeLoopbackPort();
// The pid and port dataDir/postmaster.pid records; zeros when absent or unreadable.
PostmasterInfo readPostmasterPid(const std::string& dataDir);

using Deadline = std::chrono::steady_clock::time_point;

bool resolvePrograms(PostgresSetup& setup, std::string* error);
bool prepareDirectory(const PostgresSetup& setup, std::string* error);
// Fails when postmaster.pid names a live server: that one is not ours to start or stop.
bool refuseRunningServer(const PostgresSetup& setup, std::string* error);
bool initCluster(const PostgresSetup& setup, Deadline deadline, std::string* error);
// pg_ctl start -w on setup.port; on failure any postmaster it left behind is killed.
bool startServer(const PostgresSetup& setup, bool durable, Deadline deadline, std::string* error);
void stopServer(const PostgresSetup& setup, std::chrono::milliseconds timeout);
bool createDatabase(const PostgresSetup& setup, Deadline deadline, std::string* error);

} // namespace flowdeck::cluster
