#pragma once

// How flowd's gRPC sync server keeps its threads. One place, so bench-grpc-floor measures gRPC
// with exactly flowd's settings.

#include <grpcpp/server_builder.h>

namespace flowdeck::proto {

// gRPC's sync server ends a thread that finishes a call while MAX_POLLERS others are polling,
// and starts one whenever fewer than MIN_POLLERS are: with the defaults (1, 2), and still with
// 32, calls arriving at a few thousand a second started and ended ~600 threads a second, each
// repeating flowd's per-thread setup (trace id generator, curl handle and its connection).
// With room for every thread the peak needed, none is ended: at 5,000 messages/s flowd's CPU
// per message fell from ~330 to ~245 µs and p99 from ~490 to ~15 ms (docs/benchmarks.md).
// Idle threads wait on the completion queue; beyond 256 of them, a thread ends after
// CQ_TIMEOUT_MSEC (10 s) without work.
inline void keepSyncServerThreads(grpc::ServerBuilder& builder) {
    builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MIN_POLLERS, 4);
    builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MAX_POLLERS, 256);
}

} // namespace flowdeck::proto
