// A program that owns a local cluster and then dies without stopping it, for
// server-cluster-orphans: `cluster_crash_probe FLOWD DIR FLOWS [--detach]` starts PostgreSQL and
// one flowd node in DIR, prints their pids and ports, waits for a line on stdin, then kills itself
// with SIGKILL, so that nothing of its own runs on the way out (or, with --detach, leaves the
// cluster running as `flowctl cluster up` does and exits).
#include "cluster/local_cluster.h"

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <unistd.h>

int main(int argc, char** argv) {
    if (argc < 4) {
        std::fprintf(stderr, "usage: cluster_crash_probe FLOWD DIR FLOWS [--detach]\n");
        return 2;
    }
    flowdeck::cluster::LocalClusterOptions options;
    options.flowdPath = argv[1];
    options.dir = argv[2];
    options.flowsDir = argv[3];
    options.nodes = 1;
    options.progress = [](const std::string& text) { std::fprintf(stderr, "%s\n", text.c_str()); };
    const bool detach = argc > 4 && std::string(argv[4]) == "--detach";
    std::string error;
    auto cluster = flowdeck::cluster::LocalCluster::start(options, &error);
    if (!cluster) {
        std::fprintf(stderr, "cluster_crash_probe: %s\n", error.c_str());
        return 1;
    }
    const auto& node = cluster->nodes().front();
    std::printf("pids %d %d\nports %d %d %d\n", static_cast<int>(cluster->postgres()->pid()),
                static_cast<int>(node.pid), cluster->postgres()->port(), node.grpcPort,
                node.httpPort);
    std::fflush(stdout);
    std::string line;
    std::getline(std::cin, line);
    if (detach) {
        cluster->detach();
        return 0;
    }
    kill(getpid(), SIGKILL); // no destructor runs: only the guard can stop what this started
    return 3;
}
