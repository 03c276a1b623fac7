#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace flowdeck::engine::sqlite {

// What the writer needs of a conversation row to append a message to it.
struct ConversationRow {
    int64_t id = 0; // conversations.id, the messages' conversation_ref
    int64_t version = 0;
    int64_t messageCount = 0;
};

// The rows the writer wrote most recently, so that the next commit to the same conversation
// needs no lookup: its version check becomes a comparison here, confirmed by the UPDATE's WHERE
// clause. Bounded (least recently used entries go first). Writer thread only.
//
// The writer must clear it whenever the file may hold something else than what it says: after
// a rolled-back transaction (the entries were updated as its statements ran) and when another
// connection has written (PRAGMA data_version changed).
class ConversationCache final {
public:
    explicit ConversationCache(size_t capacity);

    // The cached row, marked as most recently used; null when not cached. The pointer stays
    // valid until the next put/erase/clear.
    ConversationRow* find(std::string_view tenantId, std::string_view conversationId);
    ConversationRow& put(std::string_view tenantId, std::string_view conversationId,
                         const ConversationRow& row);
    void erase(std::string_view tenantId, std::string_view conversationId);
    void clear();
    size_t size() const { return m_index.size(); }

private:
    using Entry = std::pair<std::string, ConversationRow>; // key, row
    // Unambiguous for any ids: the tenant's length, then both ids. Reuses m_key's buffer.
    std::string_view makeKey(std::string_view tenantId, std::string_view conversationId);

    size_t m_capacity;
    std::string m_key;
    std::list<Entry> m_entries; // most recently used first
    // Keys are views of the strings in m_entries (list nodes never move).
    std::unordered_map<std::string_view, std::list<Entry>::iterator> m_index;
};

} // namespace flowdeck::engine::sqlite
