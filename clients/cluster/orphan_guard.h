#pragma once

// The servers a LocalCluster or LocalPostgres starts must not outlive the process that owns them
// when it dies without stopping them: a test binary that aborts or crashes left its flowd nodes
// and PostgreSQL running. Neither a process group nor PR_SET_PDEATHSIG reaches them (each node
// runs in its own session, and pg_ctl makes the postmaster a grandchild), so one small guard
// process, forked on first use and in its own session, holds one end of a socket whose other end
// only this process holds. When this process ends, however it ends, the guard reads end of file
// and sends each process still watched its signal, then exits.
//
// A process is known by its pid and its start time (from /proc), so a pid that the kernel has
// since given to another process is never signalled.

#include <string>
#include <sys/types.h>

namespace flowdeck::cluster {

// Sends `signal` to `pid` if this process ends while it is still watched. False with *error when
// the guard cannot run (no fork, no /proc); the caller then carries on without it.
bool watchProcess(pid_t pid, int signal, std::string* error);

// Lets `pid` outlive this process (a cluster `flowctl cluster up` leaves running).
void unwatchProcess(pid_t pid);

} // namespace flowdeck::cluster
