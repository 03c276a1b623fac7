#pragma once

#include "pg_connection.h"

#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace flowdeck::engine::pg {

// At most `size` connections to one database, opened on demand and shared by every store.
// A connection that died (server restart, pg_terminate_backend, a missed deadline) is dropped
// when it comes back or when it is found dead while idle, and a new one is opened on next use.
class ConnectionPool final {
public:
    class Lease final {
    public:
        Lease() = default;
        Lease(ConnectionPool* pool, std::unique_ptr<Connection> connection);
        Lease(Lease&& other) noexcept = default;
        Lease& operator=(Lease&& other) noexcept;
        Lease(const Lease&) = delete;
        Lease& operator=(const Lease&) = delete;
        ~Lease();

        explicit operator bool() const { return m_connection != nullptr; }
        Connection* operator->() const { return m_connection.get(); }
        Connection& operator*() const { return *m_connection; }

    private:
        void giveBack();
        ConnectionPool* m_pool = nullptr;
        std::unique_ptr<Connection> m_connection;
    };

    ConnectionPool(ConnectionOptions options, size_t size);
    ~ConnectionPool();
    ConnectionPool(const ConnectionPool&) = delete;
    ConnectionPool& operator=(const ConnectionPool&) = delete;

    // A live connection, waiting up to the statement timeout for one to come free. Empty with
    // *error when none came free or none could be opened.
    Lease acquire(std::string* error);
    // Puts an already open connection (open()'s first) in the pool.
    void adopt(std::unique_ptr<Connection> connection);
    const ConnectionOptions& options() const { return m_options; }

private:
    void release(std::unique_ptr<Connection> connection);

    const ConnectionOptions m_options;
    const size_t m_size;
    std::mutex m_mutex;
    std::condition_variable m_returned;
    std::vector<std::unique_ptr<Connection>> m_idle;
    size_t m_open = 0; // idle + leased + being opened
};

} // namespace flowdeck::engine::pg
