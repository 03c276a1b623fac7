#pragma once

#include "sqlite_db.h"

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace flowdeck::engine::sqlite {

// Copies the WAL back into the database on its own thread and connection. SQLite would
// otherwise checkpoint inside the commit that crossed the threshold, on the writer thread, and
// a checkpoint fsyncs twice: every commit queued behind it would wait milliseconds.
class Checkpointer final {
public:
    // WAL size (in frames, ~32 MiB) at which a background checkpoint is requested. Rarer
    // checkpoints copy a page rewritten by many commits once; at 1000 frames the checkpointer
    // took a quarter of the CPU from the writer on 2 cores.
    static constexpr int kBackgroundFrames = 8000;
    // Under sustained writes a passive checkpoint never catches up with the end of the WAL, so
    // the WAL cannot restart and would grow without bound; past this size (64 MiB of 4 KiB
    // pages) the writer checkpoints and restarts it itself.
    static constexpr int kMaxFrames = 16384;
    // Past kBackgroundFrames, the writer asks again once the WAL has grown by this much.
    static constexpr int kFramesBetweenRequests = 1000;

    static std::unique_ptr<Checkpointer> start(const std::string& path,
                                               const SqliteOptions& options, std::string* error);
    ~Checkpointer();
    Checkpointer(const Checkpointer&) = delete;
    Checkpointer& operator=(const Checkpointer&) = delete;

    // Never blocks: the writer calls this from its commit hook.
    void request();
    void stop();

private:
    explicit Checkpointer(Connection db);
    void run();

    Connection m_db;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_requested = false;
    bool m_stopping = false;
    std::thread m_thread;
};

} // namespace flowdeck::engine::sqlite
