#pragma once

#include "sqlite_db.h"

#include "flowdeck/engine/conversation_store.h"

#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace flowdeck::engine::sqlite {

// One read connection with its prepared statements. Each call runs one statement in autocommit
// mode, so it sees every transaction committed before it started (WAL snapshot).
class ReadConnection final {
public:
    static std::unique_ptr<ReadConnection> open(const std::string& path,
                                                const SqliteOptions& options, std::string* error);

    std::optional<ConversationState> load(const std::string& tenantId,
                                          const std::string& conversationId, std::string* error);
    std::optional<StoredMessage> findMessage(const std::string& tenantId,
                                             const std::string& conversationId,
                                             const std::string& idempotencyKey, std::string* error);
    std::vector<StoredMessage> history(const std::string& tenantId,
                                       const std::string& conversationId, size_t limit,
                                       std::string* error);
    std::optional<int64_t> conversationCount(std::string* error);
    std::string integrityCheck(std::string* error);

private:
    explicit ReadConnection(Connection db, const SqliteOptions& options);
    bool prepare(std::string* error);
    std::string failure(int rc, std::string_view what) const;

    Connection m_db;
    SqliteOptions m_options;
    Statement m_load, m_findMessage, m_history, m_count;
};

// Read connections opened on demand up to a maximum and reused; callers beyond the maximum wait
// for one to be returned.
class ReaderPool final {
public:
    class Lease final {
    public:
        Lease(ReaderPool* pool, std::unique_ptr<ReadConnection> connection);
        Lease(Lease&& other) noexcept = default;
        Lease(const Lease&) = delete;
        Lease& operator=(const Lease&) = delete;
        Lease& operator=(Lease&&) = delete;
        ~Lease();
        explicit operator bool() const { return m_connection != nullptr; }
        ReadConnection* operator->() const { return m_connection.get(); }

    private:
        ReaderPool* m_pool;
        std::unique_ptr<ReadConnection> m_connection;
    };

    ReaderPool(std::string path, const SqliteOptions& options);
    // An empty lease (with `error`) once closed or when a new connection cannot be opened.
    Lease acquire(std::string* error);
    // Closes idle connections; leased ones close when returned.
    void close();

private:
    void release(std::unique_ptr<ReadConnection> connection);

    const std::string m_path;
    const SqliteOptions m_options;
    std::mutex m_mutex;
    std::condition_variable m_returned;
    std::vector<std::unique_ptr<ReadConnection>> m_idle;
    size_t m_open = 0;
    bool m_closed = false;
};

} // namespace flowdeck::engine::sqlite
