#include "pg_pool.h"

#include <algorithm>

namespace flowdeck::engine::pg {

ConnectionPool::Lease::Lease(ConnectionPool* pool, std::unique_ptr<Connection> connection)
    : m_pool(pool)
    , m_connection(std::move(connection)) {}

ConnectionPool::Lease& ConnectionPool::Lease::operator=(Lease&& other) noexcept {
    if (this != &other) {
        giveBack();
        m_pool = other.m_pool;
        m_connection = std::move(other.m_connection);
    }
    return *this;
}

ConnectionPool::Lease::~Lease() {
    giveBack();
}

void ConnectionPool::Lease::giveBack() {
    if (m_connection) {
        m_pool->release(std::move(m_connection));
    }
}

ConnectionPool::ConnectionPool(ConnectionOptions options, size_t size)
    : m_options(std::move(options))
    , m_size(std::max<size_t>(1, size)) {}

ConnectionPool::~ConnectionPool() = default;

void ConnectionPool::adopt(std::unique_ptr<Connection> connection) {
    std::lock_guard lock(m_mutex);
    ++m_open;
    m_idle.push_back(std::move(connection));
}

ConnectionPool::Lease ConnectionPool::acquire(std::string* error) {
    // Waiting for a free connection counts against the same bound as a statement.
    const auto wait = m_options.statementTimeout.count() > 0 ? m_options.statementTimeout
                                                             : m_options.connectTimeout;
    const auto deadline = std::chrono::steady_clock::now() + wait;
    std::unique_lock lock(m_mutex);
    for (;;) {
        if (!m_returned.wait_until(lock, deadline,
                                   [&] { return !m_idle.empty() || m_open < m_size; })) {
            *error = "no PostgreSQL connection came free within " + std::to_string(wait.count()) +
                     " ms (all " + std::to_string(m_size) + " busy)";
            return {};
        }
        if (m_idle.empty()) {
            break;
        }
        std::unique_ptr<Connection> connection = std::move(m_idle.back());
        m_idle.pop_back();
        if (connection->looksAliveWhileIdle()) {
            return Lease(this, std::move(connection));
        }
        --m_open; // dead while idle: drop it and look again (or open a new one)
        lock.unlock();
        connection.reset(); // PQfinish outside the lock
        lock.lock();
    }
    ++m_open; // reserve the slot, connect outside the lock
    lock.unlock();
    auto connection = Connection::open(m_options, error);
    if (!connection) {
        lock.lock();
        --m_open;
        m_returned.notify_one();
        return {};
    }
    return Lease(this, std::move(connection));
}

void ConnectionPool::release(std::unique_ptr<Connection> connection) {
    // A connection left inside a transaction (a path that failed before its ROLLBACK) would
    // hold locks: it goes like a dead one.
    const bool keep = connection->alive() && !connection->inTransaction();
    if (!keep) {
        connection.reset();
    }
    {
        std::lock_guard lock(m_mutex);
        if (keep) {
            m_idle.push_back(std::move(connection));
        } else {
            --m_open;
        }
    }
    m_returned.notify_one();
}

} // namespace flowdeck::engine::pg
