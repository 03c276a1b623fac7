#include "flowdeck/engine/sqlite_store.h"

#include "conversation_codec.h"
#include "sqlite_readers.h"
#include "sqlite_writer.h"

#include <mutex>

namespace flowdeck::engine {

using sqlite::ReaderPool;
using sqlite::SqliteWriter;
using sqlite::WriteRequest;

struct SqliteStore::Impl {
    Impl(std::unique_ptr<SqliteWriter> w, const std::string& path, const SqliteOptions& options)
        : writer(std::move(w))
        , readers(path, options) {}

    // Runs `read` on a pooled connection; a failure is kept for lastReadError().
    template <typename Result, typename Read> Result withReader(Read&& read) {
        std::string error;
        Result result{};
        if (auto reader = readers.acquire(&error)) {
            result = read(reader, &error);
        }
        if (!error.empty()) {
            std::lock_guard lock(errorMutex);
            lastReadError = std::move(error);
        }
        return result;
    }

    std::unique_ptr<SqliteWriter> writer;
    ReaderPool readers;
    mutable std::mutex errorMutex;
    std::string lastReadError;
};

namespace {

const char* const kClosed = "the conversation store is closed";

} // namespace

std::unique_ptr<SqliteStore> SqliteStore::open(const std::string& path, SqliteOptions options,
                                               std::string* error) {
    std::string ignored;
    std::string& message = error ? *error : ignored;
    if (path.empty()) {
        message = "no database path given";
        return nullptr;
    }
    auto writer = SqliteWriter::start(path, options, &message);
    if (!writer) {
        return nullptr;
    }
    auto impl = std::make_unique<Impl>(std::move(writer), path, options);
    return std::unique_ptr<SqliteStore>(new SqliteStore(std::move(impl)));
}

SqliteStore::SqliteStore(std::unique_ptr<Impl> impl)
    : m_impl(std::move(impl)) {}

SqliteStore::~SqliteStore() {
    close();
}

void SqliteStore::close() {
    m_impl->writer->stop();
    m_impl->readers.close();
}

std::optional<ConversationState> SqliteStore::load(const std::string& tenantId,
                                                   const std::string& conversationId) {
    return m_impl->withReader<std::optional<ConversationState>>(
        [&](ReaderPool::Lease& reader, std::string* error) {
            return reader->load(tenantId, conversationId, error);
        });
}

std::optional<StoredMessage> SqliteStore::findMessage(const std::string& tenantId,
                                                      const std::string& conversationId,
                                                      const std::string& idempotencyKey) {
    return m_impl->withReader<std::optional<StoredMessage>>(
        [&](ReaderPool::Lease& reader, std::string* error) {
            return reader->findMessage(tenantId, conversationId, idempotencyKey, error);
        });
}

std::vector<StoredMessage> SqliteStore::history(const std::string& tenantId,
                                                const std::string& conversationId, size_t limit) {
    if (limit == 0) {
        return {};
    }
    return m_impl->withReader<std::vector<StoredMessage>>(
        [&](ReaderPool::Lease& reader, std::string* error) {
            return reader->history(tenantId, conversationId, limit, error);
        });
}

int64_t SqliteStore::conversationCount() {
    return m_impl->withReader<int64_t>([](ReaderPool::Lease& reader, std::string* error) {
        return reader->conversationCount(error).value_or(0);
    });
}

std::string SqliteStore::checkIntegrity() {
    std::string error;
    std::string report;
    if (auto reader = m_impl->readers.acquire(&error)) {
        report = reader->integrityCheck(&error);
    }
    return error.empty() ? report : "integrity check failed: " + error;
}

std::string SqliteStore::lastReadError() const {
    std::lock_guard lock(m_impl->errorMutex);
    return m_impl->lastReadError;
}

CommitResult SqliteStore::commit(const ConversationState& next, int64_t expectedVersion,
                                 const StoredMessage& message) {
    if (next.tenantId.empty() || next.conversationId.empty()) {
        return {CommitStatus::Failed, std::nullopt, "commit needs a tenant and conversation id"};
    }
    if (expectedVersion < 0) {
        return {CommitStatus::Failed, std::nullopt,
                "expected version of conversation '" + next.conversationId + "' is negative"};
    }
    WriteRequest request;
    request.tenantId = &next.tenantId;
    request.conversationId = &next.conversationId;
    request.next = &next;
    request.message = &message;
    request.expectedVersion = expectedVersion;
    request.context = encodeContext(next);
    request.nowMs = sqlite::nowMs();
    if (!m_impl->writer->submit(request)) {
        return {CommitStatus::Failed, std::nullopt, kClosed};
    }
    return std::move(request.result);
}

bool SqliteStore::remove(const std::string& tenantId, const std::string& conversationId) {
    WriteRequest request;
    request.kind = WriteRequest::Kind::Remove;
    request.tenantId = &tenantId;
    request.conversationId = &conversationId;
    return m_impl->writer->submit(request) && request.removed;
}

} // namespace flowdeck::engine
