#include "sqlite_checkpointer.h"

#include <pthread.h>

namespace flowdeck::engine::sqlite {

std::unique_ptr<Checkpointer>
Checkpointer::start(const std::string& path, const SqliteOptions& options, std::string* error) {
    Connection db = openConnection(path, options, Role::Checkpointer, error);
    if (!db) {
        return nullptr;
    }
    std::unique_ptr<Checkpointer> checkpointer(new Checkpointer(std::move(db)));
    checkpointer->m_thread = std::thread([c = checkpointer.get()] {
        pthread_setname_np(pthread_self(), "flowdeck-sqlckp");
        c->run();
    });
    return checkpointer;
}

Checkpointer::Checkpointer(Connection db)
    : m_db(std::move(db)) {}

Checkpointer::~Checkpointer() {
    stop();
}

void Checkpointer::request() {
    {
        std::lock_guard lock(m_mutex);
        m_requested = true;
    }
    m_wake.notify_one();
}

void Checkpointer::stop() {
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_one();
    if (m_thread.joinable()) {
        m_thread.join();
    }
}

void Checkpointer::run() {
    for (;;) {
        {
            std::unique_lock lock(m_mutex);
            m_wake.wait(lock, [this] { return m_stopping || m_requested; });
            if (m_stopping) {
                return;
            }
            m_requested = false;
        }
        // Passive: copies what no reader still needs and never blocks the writer. A failure
        // (e.g. SQLITE_BUSY while the writer restarts the WAL) is retried at the next request.
        sqlite3_wal_checkpoint_v2(m_db.get(), nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    }
}

} // namespace flowdeck::engine::sqlite
