#include "lua_bridge.h"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>

namespace flowdeck::engine::lua {
namespace {

// Deeper than any sensible context; also what stops a table that contains itself.
constexpr int kMaxDepth = 64;
const char kArrayMetaKey = 0; // registry key (by address) of the metatable marking JSON arrays
const char kProxyMetaKey = 0; // registry key of the proxies' metatable

bool validUtf8(const char* text, size_t size) {
    const auto* s = reinterpret_cast<const unsigned char*>(text);
    size_t i = 0;
    while (i < size) {
        const unsigned char c = s[i];
        size_t extra = 0;
        uint32_t min = 0;
        if (c < 0x80) {
            ++i;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            extra = 1, min = 0x80;
        } else if ((c & 0xF0) == 0xE0) {
            extra = 2, min = 0x800;
        } else if ((c & 0xF8) == 0xF0) {
            extra = 3, min = 0x10000;
        } else {
            return false;
        }
        if (i + extra >= size) {
            return false;
        }
        uint32_t code = c & (0x3F >> extra);
        for (size_t k = 1; k <= extra; ++k) {
            if ((s[i + k] & 0xC0) != 0x80) {
                return false;
            }
            code = (code << 6) | (s[i + k] & 0x3F);
        }
        if (code < min || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) {
            return false;
        }
        i += extra + 1;
    }
    return true;
}

const Json* findMember(const Json* root, std::string_view key) {
    if (root == nullptr || !root->is_object()) {
        return nullptr;
    }
    for (const auto& member : *root->get_ptr<const Json::object_t*>()) {
        if (member.first == key) {
            return &member.second;
        }
    }
    return nullptr;
}

// What converting between JSON and Lua costs, in approximate bytes of JSON and in instructions:
// the conversion runs in C, where neither the allocator's cap nor the count hook sees it, so a
// loop re-reading or re-storing one large value would otherwise escape both.
constexpr size_t kNodeBytes = 32;
constexpr size_t kBytesPerInstruction = 64;

size_t stringWork(size_t size) {
    return 1 + size / kBytesPerInstruction;
}

// JSON -> Lua. May raise (it allocates), so it holds no C++ object with a destructor: only
// references into the JSON and vector iterators.
void pushJson(lua_State* L, const Json& value, int depth) {
    if (depth > kMaxDepth) {
        luaL_error(L, "a JSON value is nested more than %d levels deep", kMaxDepth);
    }
    luaL_checkstack(L, 4, "JSON value nested too deeply");
    chargeInstructions(L, value.is_string() ? stringWork(value.get_ref<const std::string&>().size())
                                            : 1);
    switch (value.type()) {
    case Json::value_t::boolean:
        lua_pushboolean(L, *value.get_ptr<const Json::boolean_t*>());
        return;
    case Json::value_t::number_integer:
        lua_pushinteger(L, *value.get_ptr<const Json::number_integer_t*>());
        return;
    case Json::value_t::number_unsigned: {
        const auto number = *value.get_ptr<const Json::number_unsigned_t*>();
        if (number <= static_cast<uint64_t>(std::numeric_limits<lua_Integer>::max())) {
            lua_pushinteger(L, static_cast<lua_Integer>(number));
        } else {
            lua_pushnumber(L, static_cast<lua_Number>(number));
        }
        return;
    }
    case Json::value_t::number_float:
        lua_pushnumber(L, *value.get_ptr<const Json::number_float_t*>());
        return;
    case Json::value_t::string: {
        const auto& text = *value.get_ptr<const Json::string_t*>();
        lua_pushlstring(L, text.data(), text.size());
        return;
    }
    case Json::value_t::array: {
        const auto& items = *value.get_ptr<const Json::array_t*>();
        lua_createtable(L, static_cast<int>(std::min<size_t>(items.size(), 1 << 20)), 0);
        lua_Integer index = 1;
        for (const auto& item : items) {
            pushJson(L, item, depth + 1);
            lua_rawseti(L, -2, index++);
        }
        // Marks the table as an array, so that emptying it keeps it an array when written back.
        lua_rawgetp(L, LUA_REGISTRYINDEX, &kArrayMetaKey);
        lua_setmetatable(L, -2);
        return;
    }
    case Json::value_t::object: {
        const auto& members = *value.get_ptr<const Json::object_t*>();
        lua_createtable(L, 0, static_cast<int>(std::min<size_t>(members.size(), 1 << 20)));
        for (const auto& member : members) {
            lua_pushlstring(L, member.first.data(), member.first.size());
            pushJson(L, member.second, depth + 1);
            lua_rawset(L, -3);
        }
        return;
    }
    default: // null, discarded, binary
        lua_pushnil(L);
        return;
    }
}

class Converter final {
public:
    Converter(lua_State* L, const std::string& where, std::string& error)
        : m_state(L)
        , m_where(where)
        , m_error(error) {}

    bool convert(int index, Json& out, int depth) {
        switch (lua_type(m_state, index)) {
        case LUA_TNIL:
            out = nullptr;
            return true;
        case LUA_TBOOLEAN:
            out = lua_toboolean(m_state, index) != 0;
            return charge(kNodeBytes, 1);
        case LUA_TNUMBER:
            return charge(kNodeBytes, 1) && convertNumber(index, out);
        case LUA_TSTRING: {
            size_t size = 0;
            const char* text = lua_tolstring(m_state, index, &size);
            if (!charge(kNodeBytes + size, stringWork(size))) {
                return false;
            }
            if (!validUtf8(text, size)) {
                return fail("a string that is not valid UTF-8 cannot be stored");
            }
            out = std::string(text, size);
            return true;
        }
        case LUA_TTABLE:
            return convertTable(index, out, depth);
        default:
            return fail(std::string("a ") + lua_typename(m_state, lua_type(m_state, index)) +
                        " value cannot be stored");
        }
    }

private:
    bool fail(const std::string& what) {
        m_error = m_where + ": " + what;
        return false;
    }

    // Counts the JSON being built against the evaluation's allowance. Never raises: the work is
    // added to the instruction count, and the count hook stops the code at its next check.
    bool charge(size_t bytes, size_t work) {
        StateContext* context = contextOf(m_state);
        context->instructionsRun += work;
        context->jsonBytesStored += bytes;
        if (context->memoryLimit != 0 && context->jsonBytesStored > context->memoryLimit) {
            context->memoryRefused = true;
            return fail("the value is too large to store (it would pass the memory limit)");
        }
        return true;
    }

    bool convertNumber(int index, Json& out) {
        if (lua_isinteger(m_state, index)) {
            out = static_cast<int64_t>(lua_tointeger(m_state, index));
            return true;
        }
        const double number = lua_tonumber(m_state, index);
        if (!std::isfinite(number)) {
            return fail("NaN and infinity cannot be stored");
        }
        out = number;
        return true;
    }

    bool hasArrayMarker(int index) {
        if (!lua_getmetatable(m_state, index)) {
            return false;
        }
        lua_rawgetp(m_state, LUA_REGISTRYINDEX, &kArrayMetaKey);
        const bool marked = lua_rawequal(m_state, -1, -2) != 0;
        lua_pop(m_state, 2);
        return marked;
    }

    // A table is an array when its keys are exactly 1..n (n > 0), or when it came from a JSON
    // array and is now empty.
    bool isSequence(int index, lua_Unsigned length) {
        size_t keys = 0;
        bool sequence = true;
        lua_pushnil(m_state);
        while (lua_next(m_state, index) != 0) {
            ++keys;
            if (!lua_isinteger(m_state, -2)) {
                sequence = false;
            } else {
                const lua_Integer key = lua_tointeger(m_state, -2);
                sequence = sequence && key >= 1 && static_cast<lua_Unsigned>(key) <= length;
            }
            lua_pop(m_state, 1);
        }
        return sequence && keys == length;
    }

    bool convertTable(int index, Json& out, int depth) {
        if (depth >= kMaxDepth) {
            return fail("a table nested more than 64 levels deep (or containing itself) "
                        "cannot be stored");
        }
        if (!lua_checkstack(m_state, 6)) {
            return fail("out of Lua stack");
        }
        if (!charge(kNodeBytes, 1)) {
            return false;
        }
        index = lua_absindex(m_state, index);
        const lua_Unsigned length = lua_rawlen(m_state, index);
        if (isSequence(index, length) && (length > 0 || hasArrayMarker(index))) {
            out = Json::array();
            for (lua_Unsigned i = 1; i <= length; ++i) {
                lua_rawgeti(m_state, index, static_cast<lua_Integer>(i));
                Json item;
                const bool ok = convert(lua_gettop(m_state), item, depth + 1);
                lua_pop(m_state, 1);
                if (!ok) {
                    return false;
                }
                out.push_back(std::move(item));
            }
            return true;
        }
        return convertObject(index, out, depth);
    }

    bool keyText(int keyIndex, std::string& key) {
        if (lua_type(m_state, keyIndex) == LUA_TSTRING) {
            size_t size = 0;
            const char* text = lua_tolstring(m_state, keyIndex, &size);
            if (!validUtf8(text, size)) {
                return fail("a key that is not valid UTF-8 cannot be stored");
            }
            key.assign(text, size);
            return true;
        }
        if (lua_isinteger(m_state, keyIndex)) {
            key = std::to_string(lua_tointeger(m_state, keyIndex));
            return true;
        }
        if (lua_type(m_state, keyIndex) == LUA_TNUMBER) {
            char text[64];
            std::snprintf(text, sizeof text, "%.14g", lua_tonumber(m_state, keyIndex));
            key = text;
            return true;
        }
        return fail(std::string("a table with a ") +
                    lua_typename(m_state, lua_type(m_state, keyIndex)) +
                    " key cannot be stored (keys must be strings or numbers)");
    }

    bool convertObject(int index, Json& out, int depth) {
        out = Json::object();
        lua_pushnil(m_state);
        while (lua_next(m_state, index) != 0) {
            std::string key;
            Json value;
            if (!keyText(lua_gettop(m_state) - 1, key) ||
                !charge(kNodeBytes + key.size(), stringWork(key.size())) ||
                !convert(lua_gettop(m_state), value, depth + 1)) {
                lua_pop(m_state, 2);
                return false;
            }
            out[std::move(key)] = std::move(value);
            lua_pop(m_state, 1);
        }
        return true;
    }

    lua_State* m_state;
    const std::string& m_where;
    std::string& m_error;
};

int proxyRoot(lua_State* L) {
    return *static_cast<int*>(lua_touserdata(L, 1));
}

// Remembers (or with nil, forgets) the table behind root[key] for the rest of the evaluation.
void cacheStore(lua_State* L, StateContext* context, int root, int key, int value) {
    if (!context->cacheInUse[root]) {
        if (lua_isnil(L, value)) {
            return;
        }
        lua_newtable(L);
        lua_setiuservalue(L, 1, 1);
        context->cacheInUse[root] = true;
    }
    lua_getiuservalue(L, 1, 1);
    lua_pushvalue(L, key);
    lua_pushvalue(L, value);
    lua_rawset(L, -3);
    lua_pop(L, 1);
}

// Pushes root[key]: the cached table if there is one, else the converted JSON member.
void pushMember(lua_State* L, StateContext* context, int root, int key) {
    if (context->cacheInUse[root]) {
        lua_getiuservalue(L, 1, 1);
        lua_pushvalue(L, key);
        if (lua_rawget(L, -2) != LUA_TNIL) {
            lua_remove(L, -2);
            return;
        }
        lua_pop(L, 2);
    }
    size_t size = 0;
    const char* text = lua_tolstring(L, key, &size);
    const Json* member = findMember(context->roots[root], std::string_view(text, size));
    if (member == nullptr) {
        lua_pushnil(L);
        return;
    }
    pushJson(L, *member, 0);
    if (member->is_structured()) {
        cacheStore(L, context, root, key, lua_gettop(L));
    }
}

int proxyIndex(lua_State* L) {
    if (lua_type(L, 2) != LUA_TSTRING) {
        lua_pushnil(L);
        return 1;
    }
    pushMember(L, contextOf(L), proxyRoot(L), 2);
    return 1;
}

// Writes root[key] = value into the JSON. Builds C++ objects, so it never raises: failure comes
// back as a message for the caller to raise once they are gone.
bool storeMember(lua_State* L, int root, char* message, size_t size) noexcept {
    StateContext* context = contextOf(L);
    const char* name = kRootNames[root];
    if (!context->writable) {
        std::snprintf(message, size,
                      "an expression cannot change %s (assign it in a script state instead)", name);
        return false;
    }
    if (lua_type(L, 2) != LUA_TSTRING) {
        std::snprintf(message, size, "%s can only be given string keys", name);
        return false;
    }
    Json* target = context->roots[root];
    if (target == nullptr) {
        std::snprintf(message, size, "%s is not available here", name);
        return false;
    }
    const int top = lua_gettop(L);
    try {
        size_t keySize = 0;
        const char* keyText = lua_tolstring(L, 2, &keySize);
        const std::string key(keyText, keySize);
        const std::string where = std::string(name) + "." + key.substr(0, 64);
        std::string error;
        Json value;
        if (target->is_null()) {
            *target = Json::object();
        }
        if (!target->is_object()) {
            error = std::string(name) + " is not an object";
        } else if (!validUtf8(keyText, keySize)) {
            error = where + ": a key that is not valid UTF-8 cannot be stored";
        } else if (lua_isnil(L, 3)) {
            target->erase(key);
        } else if (Converter(L, where, error).convert(3, value, 0)) {
            (*target)[key] = std::move(value);
        }
        lua_settop(L, top);
        std::snprintf(message, size, "%s", error.c_str());
        return error.empty();
    } catch (const std::exception& e) {
        lua_settop(L, top);
        std::snprintf(message, size, "%s could not be changed: %s", name, e.what());
        return false;
    }
}

int proxyNewIndex(lua_State* L) {
    char message[512];
    const int root = proxyRoot(L);
    if (!storeMember(L, root, message, sizeof message)) {
        return luaL_error(L, "%s", message);
    }
    // Tables stay cached so later in-place changes (t[#t+1] = x) reach the JSON at the end.
    if (lua_type(L, 3) != LUA_TTABLE) {
        lua_pushnil(L);
        lua_replace(L, 3);
    }
    cacheStore(L, contextOf(L), root, 2, 3);
    return 0;
}

int rawNext(lua_State* L) {
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_settop(L, 2);
    if (lua_next(L, 1) != 0) {
        return 2;
    }
    lua_pushnil(L);
    return 1;
}

// pairs(vars): iterates a snapshot whose tables are the cached ones, so changes made through
// the loop variable are kept like any other.
int proxyPairs(lua_State* L) {
    StateContext* context = contextOf(L);
    const int root = proxyRoot(L);
    lua_pushcfunction(L, rawNext);
    lua_newtable(L);
    const Json* object = context->roots[root];
    if (object != nullptr && object->is_object()) {
        for (const auto& member : *object->get_ptr<const Json::object_t*>()) {
            lua_pushlstring(L, member.first.data(), member.first.size());
            pushMember(L, context, root, lua_gettop(L));
            lua_rawset(L, -3);
        }
    }
    lua_pushnil(L);
    return 3;
}

int proxyToString(lua_State* L) {
    lua_pushstring(L, kRootNames[proxyRoot(L)]);
    return 1;
}

} // namespace

void createRootProxies(lua_State* L, int globals) {
    globals = lua_absindex(L, globals);
    lua_createtable(L, 0, 1);
    lua_pushliteral(L, "array");
    lua_setfield(L, -2, "__metatable");
    lua_rawsetp(L, LUA_REGISTRYINDEX, &kArrayMetaKey);

    const luaL_Reg methods[] = {{"__index", proxyIndex},
                                {"__newindex", proxyNewIndex},
                                {"__pairs", proxyPairs},
                                {"__tostring", proxyToString},
                                {nullptr, nullptr}};
    lua_createtable(L, 0, 6);
    luaL_setfuncs(L, methods, 0);
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_pushvalue(L, -1);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &kProxyMetaKey);

    StateContext* context = contextOf(L);
    for (int root = 0; root < kRootCount; ++root) {
        *static_cast<int*>(lua_newuserdatauv(L, sizeof(int), 1)) = root;
        lua_pushvalue(L, -2);
        lua_setmetatable(L, -2);
        lua_pushvalue(L, -1);
        context->proxyRefs[root] = luaL_ref(L, LUA_REGISTRYINDEX);
        lua_setfield(L, globals, kRootNames[root]);
    }
    lua_pop(L, 1);
}

void resetRootCaches(lua_State* L, StateContext& context) {
    for (int root = 0; root < kRootCount; ++root) {
        if (context.cacheInUse[root]) {
            lua_rawgeti(L, LUA_REGISTRYINDEX, context.proxyRefs[root]);
            lua_pushnil(L);
            lua_setiuservalue(L, -2, 1);
            lua_pop(L, 1);
            context.cacheInUse[root] = false;
        }
    }
}

std::string syncRootCaches(lua_State* L, StateContext& context) {
    std::string firstError;
    const int top = lua_gettop(L);
    // Writing back gets an allowance of its own: the cached tables were counted once already
    // when they were assigned, and counting them again would halve what a script may store.
    context.jsonBytesStored = 0;
    for (int root = 0; root < kRootCount; ++root) {
        Json* target = context.roots[root];
        if (!context.cacheInUse[root] || target == nullptr || !target->is_object() ||
            !lua_checkstack(L, 4)) {
            continue;
        }
        lua_rawgeti(L, LUA_REGISTRYINDEX, context.proxyRefs[root]);
        lua_getiuservalue(L, -1, 1);
        const int cache = lua_gettop(L);
        lua_pushnil(L);
        while (lua_next(L, cache) != 0) {
            size_t size = 0;
            const char* key = lua_tolstring(L, -2, &size);
            const std::string name(key, size);
            std::string error;
            Json value;
            try {
                if (Converter(L, std::string(kRootNames[root]) + "." + name.substr(0, 64), error)
                        .convert(lua_gettop(L), value, 0)) {
                    (*target)[name] = std::move(value);
                }
            } catch (const std::exception& e) {
                error = std::string(kRootNames[root]) + " could not be changed: " + e.what();
            }
            if (firstError.empty()) {
                firstError = error;
            }
            lua_pop(L, 1);
        }
        lua_settop(L, top);
    }
    return firstError;
}

bool luaToJson(lua_State* L, int index, Json& out, const std::string& where, std::string& error) {
    const int top = lua_gettop(L);
    index = lua_absindex(L, index);
    bool ok = false;
    try {
        ok = Converter(L, where, error).convert(index, out, 0);
    } catch (const std::exception& e) {
        error = where + ": " + e.what();
    }
    lua_settop(L, top);
    return ok;
}

} // namespace flowdeck::engine::lua
