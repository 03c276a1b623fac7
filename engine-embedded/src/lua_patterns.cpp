// Lua's pattern matching (string.find, match, gmatch, gsub) with its work charged to the
// sandbox's instruction budget.
//
// The stock matcher backtracks in C without running VM instructions, so the count hook never
// sees it: ("a"):rep(5000):find(".-.-.-.-b") or a plain find of a long needle in a long haystack
// would run for hours past every budget and deadline. This is lstrlib.c of Lua 5.4.4 (Copyright
// (C) 1994-2022 Lua.org, PUC-Rio, MIT licence), kept as close to the original as C++ allows, with
// one change: every match step and every plain-search candidate counts against the budget.

#include "lua_context.h"

#include <cctype>
#include <cstddef>
#include <cstring>

namespace flowdeck::engine::lua {
namespace {

constexpr int kCapUnfinished = -1;
constexpr int kCapPosition = -2;
constexpr int kMaxCaptures = 32;
constexpr int kMaxCalls = 200;
constexpr char kEscape = '%';
constexpr const char* kSpecials = "^$*+?.([%-";
// Steps are charged in batches: calling into the budget on every step would double the cost.
constexpr size_t kChargeBatch = 64;

inline int uchar(char c) {
    return static_cast<unsigned char>(c);
}

struct MatchState {
    const char* srcInit;
    const char* srcEnd;
    const char* patternEnd;
    lua_State* L;
    int matchDepth;
    unsigned char level;
    size_t steps;
    struct {
        const char* init;
        ptrdiff_t len;
    } capture[kMaxCaptures];
};

void countStep(MatchState* ms, size_t weight = 1) {
    ms->steps += weight;
    if (ms->steps >= kChargeBatch) {
        const size_t steps = ms->steps;
        ms->steps = 0;
        chargeInstructions(ms->L, steps);
    }
}

const char* match(MatchState* ms, const char* s, const char* p);

int checkCapture(MatchState* ms, int l) {
    l -= '1';
    if (l < 0 || l >= ms->level || ms->capture[l].len == kCapUnfinished) {
        return luaL_error(ms->L, "invalid capture index %%%d", l + 1);
    }
    return l;
}

int captureToClose(MatchState* ms) {
    int level = ms->level;
    for (level--; level >= 0; level--) {
        if (ms->capture[level].len == kCapUnfinished) {
            return level;
        }
    }
    return luaL_error(ms->L, "invalid pattern capture");
}

const char* classEnd(MatchState* ms, const char* p) {
    switch (*p++) {
    case kEscape:
        if (p == ms->patternEnd) {
            luaL_error(ms->L, "malformed pattern (ends with '%%')");
        }
        return p + 1;
    case '[':
        if (*p == '^') {
            p++;
        }
        do { // look for a ']'
            if (p == ms->patternEnd) {
                luaL_error(ms->L, "malformed pattern (missing ']')");
            }
            if (*(p++) == kEscape && p < ms->patternEnd) {
                p++; // skip escapes (e.g. '%]')
            }
        } while (*p != ']');
        return p + 1;
    default:
        return p;
    }
}

int matchClass(int c, int cl) {
    int res;
    switch (std::tolower(cl)) {
    case 'a':
        res = std::isalpha(c);
        break;
    case 'c':
        res = std::iscntrl(c);
        break;
    case 'd':
        res = std::isdigit(c);
        break;
    case 'g':
        res = std::isgraph(c);
        break;
    case 'l':
        res = std::islower(c);
        break;
    case 'p':
        res = std::ispunct(c);
        break;
    case 's':
        res = std::isspace(c);
        break;
    case 'u':
        res = std::isupper(c);
        break;
    case 'w':
        res = std::isalnum(c);
        break;
    case 'x':
        res = std::isxdigit(c);
        break;
    default:
        return cl == c;
    }
    if (std::isupper(cl)) {
        res = !res;
    }
    return res;
}

int matchBracketClass(int c, const char* p, const char* ec) {
    int sig = 1;
    if (*(p + 1) == '^') {
        sig = 0;
        p++;
    }
    while (++p < ec) {
        if (*p == kEscape) {
            p++;
            if (matchClass(c, uchar(*p))) {
                return sig;
            }
        } else if (*(p + 1) == '-' && (p + 2 < ec)) {
            p += 2;
            if (uchar(*(p - 2)) <= c && c <= uchar(*p)) {
                return sig;
            }
        } else if (uchar(*p) == c) {
            return sig;
        }
    }
    return !sig;
}

int singleMatch(MatchState* ms, const char* s, const char* p, const char* ep) {
    if (s >= ms->srcEnd) {
        return 0;
    }
    const int c = uchar(*s);
    switch (*p) {
    case '.':
        return 1;
    case kEscape:
        return matchClass(c, uchar(*(p + 1)));
    case '[':
        return matchBracketClass(c, p, ep - 1);
    default:
        return uchar(*p) == c;
    }
}

const char* matchBalance(MatchState* ms, const char* s, const char* p) {
    if (p >= ms->patternEnd - 1) {
        luaL_error(ms->L, "malformed pattern (missing arguments to '%%b')");
    }
    if (s >= ms->srcEnd || *s != *p) {
        return nullptr;
    }
    const int b = *p;
    const int e = *(p + 1);
    int cont = 1;
    while (++s < ms->srcEnd) {
        countStep(ms);
        if (*s == e) {
            if (--cont == 0) {
                return s + 1;
            }
        } else if (*s == b) {
            cont++;
        }
    }
    return nullptr;
}

const char* maxExpand(MatchState* ms, const char* s, const char* p, const char* ep) {
    ptrdiff_t i = 0;
    while (singleMatch(ms, s + i, p, ep)) {
        countStep(ms);
        i++;
    }
    while (i >= 0) { // keep trying with the maximum repetitions
        const char* res = match(ms, s + i, ep + 1);
        if (res != nullptr) {
            return res;
        }
        i--;
    }
    return nullptr;
}

const char* minExpand(MatchState* ms, const char* s, const char* p, const char* ep) {
    for (;;) {
        const char* res = match(ms, s, ep + 1);
        if (res != nullptr) {
            return res;
        }
        if (!singleMatch(ms, s, p, ep)) {
            return nullptr;
        }
        s++;
    }
}

const char* startCapture(MatchState* ms, const char* s, const char* p, int what) {
    const int level = ms->level;
    if (level >= kMaxCaptures) {
        luaL_error(ms->L, "too many captures");
    }
    ms->capture[level].init = s;
    ms->capture[level].len = what;
    ms->level = static_cast<unsigned char>(level + 1);
    const char* res = match(ms, s, p);
    if (res == nullptr) {
        ms->level--;
    }
    return res;
}

const char* endCapture(MatchState* ms, const char* s, const char* p) {
    const int l = captureToClose(ms);
    ms->capture[l].len = s - ms->capture[l].init;
    const char* res = match(ms, s, p);
    if (res == nullptr) {
        ms->capture[l].len = kCapUnfinished;
    }
    return res;
}

const char* matchCapture(MatchState* ms, const char* s, int l) {
    l = checkCapture(ms, l);
    const auto len = static_cast<size_t>(ms->capture[l].len);
    countStep(ms, 1 + len / 64);
    if (static_cast<size_t>(ms->srcEnd - s) >= len &&
        std::memcmp(ms->capture[l].init, s, len) == 0) {
        return s + len;
    }
    return nullptr;
}

// The pattern item at p (a class plus an optional suffix), lstrlib's "default" case.
const char* matchItem(MatchState* ms, const char*& s, const char*& p, bool& again) {
    const char* ep = classEnd(ms, p);
    if (!singleMatch(ms, s, p, ep)) {
        if (*ep == '*' || *ep == '?' || *ep == '-') { // accept empty?
            p = ep + 1;
            again = true;
            return s;
        }
        return nullptr;
    }
    switch (*ep) {
    case '?': {
        const char* res = match(ms, s + 1, ep + 1);
        if (res != nullptr) {
            return res;
        }
        p = ep + 1;
        again = true;
        return s;
    }
    case '+':
        return maxExpand(ms, s + 1, p, ep);
    case '*':
        return maxExpand(ms, s, p, ep);
    case '-':
        return minExpand(ms, s, p, ep);
    default:
        s++;
        p = ep;
        again = true;
        return s;
    }
}

// Escapes that are not classes: %b, %f and back references. `again` means continue at p.
const char* matchEscape(MatchState* ms, const char*& s, const char*& p, bool& again) {
    switch (*(p + 1)) {
    case 'b':
        s = matchBalance(ms, s, p + 2);
        if (s != nullptr) {
            p += 4;
            again = true;
        }
        return s;
    case 'f': {
        p += 2;
        if (*p != '[') {
            luaL_error(ms->L, "missing '[' after '%%f' in pattern");
        }
        const char* ep = classEnd(ms, p);
        const char previous = (s == ms->srcInit) ? '\0' : *(s - 1);
        const char current = (s < ms->srcEnd) ? *s : '\0';
        if (!matchBracketClass(uchar(previous), p, ep - 1) &&
            matchBracketClass(uchar(current), p, ep - 1)) {
            p = ep;
            again = true;
            return s;
        }
        return nullptr;
    }
    case '0':
    case '1':
    case '2':
    case '3':
    case '4':
    case '5':
    case '6':
    case '7':
    case '8':
    case '9':
        s = matchCapture(ms, s, uchar(*(p + 1)));
        if (s != nullptr) {
            p += 2;
            again = true;
        }
        return s;
    default:
        return matchItem(ms, s, p, again);
    }
}

const char* match(MatchState* ms, const char* s, const char* p) {
    if (ms->matchDepth-- == 0) {
        luaL_error(ms->L, "pattern too complex");
    }
    bool again = true;
    while (again && s != nullptr && p != ms->patternEnd) {
        countStep(ms);
        again = false;
        switch (*p) {
        case '(':
            if (*(p + 1) == ')') {
                s = startCapture(ms, s, p + 2, kCapPosition);
            } else {
                s = startCapture(ms, s, p + 1, kCapUnfinished);
            }
            break;
        case ')':
            s = endCapture(ms, s, p + 1);
            break;
        case '$':
            if ((p + 1) != ms->patternEnd) {
                s = matchItem(ms, s, p, again);
            } else {
                s = (s == ms->srcEnd) ? s : nullptr;
            }
            break;
        case kEscape:
            s = matchEscape(ms, s, p, again);
            break;
        default:
            s = matchItem(ms, s, p, again);
            break;
        }
    }
    ms->matchDepth++;
    return s;
}

// Plain search, charged per candidate position by the length it compares.
const char* memFind(MatchState* ms, const char* s1, size_t l1, const char* s2, size_t l2) {
    if (l2 == 0) {
        return s1;
    }
    if (l2 > l1) {
        return nullptr;
    }
    const char* init;
    l2--;
    l1 = l1 - l2;
    while (l1 > 0 && (init = static_cast<const char*>(std::memchr(s1, *s2, l1))) != nullptr) {
        countStep(ms, 1 + l2 / 64);
        init++;
        if (std::memcmp(init, s2 + 1, l2) == 0) {
            return init - 1;
        }
        l1 -= init - s1;
        s1 = init;
    }
    return nullptr;
}

size_t getOneCapture(MatchState* ms, int i, const char* s, const char* e, const char** cap) {
    if (i >= ms->level) {
        if (i != 0) {
            luaL_error(ms->L, "invalid capture index %%%d", i + 1);
        }
        *cap = s;
        return static_cast<size_t>(e - s);
    }
    const ptrdiff_t capl = ms->capture[i].len;
    *cap = ms->capture[i].init;
    if (capl == kCapUnfinished) {
        luaL_error(ms->L, "unfinished capture");
    } else if (capl == kCapPosition) {
        lua_pushinteger(ms->L, (ms->capture[i].init - ms->srcInit) + 1);
    }
    return static_cast<size_t>(capl);
}

void pushOneCapture(MatchState* ms, int i, const char* s, const char* e) {
    const char* cap;
    const auto l = static_cast<ptrdiff_t>(getOneCapture(ms, i, s, e, &cap));
    if (l != kCapPosition) {
        lua_pushlstring(ms->L, cap, static_cast<size_t>(l));
    }
}

int pushCaptures(MatchState* ms, const char* s, const char* e) {
    const int levels = (ms->level == 0 && s) ? 1 : ms->level;
    luaL_checkstack(ms->L, levels, "too many captures");
    for (int i = 0; i < levels; i++) {
        pushOneCapture(ms, i, s, e);
    }
    return levels;
}

bool noSpecials(const char* p, size_t l) {
    size_t upto = 0;
    do {
        if (std::strpbrk(p + upto, kSpecials)) {
            return false;
        }
        upto += std::strlen(p + upto) + 1; // may have more after \0
    } while (upto <= l);
    return true;
}

void prepareState(MatchState* ms, lua_State* L, const char* s, size_t ls, const char* p,
                  size_t lp) {
    ms->L = L;
    ms->matchDepth = kMaxCalls;
    ms->srcInit = s;
    ms->srcEnd = s + ls;
    ms->patternEnd = p + lp;
    ms->steps = 0;
}

void reprepareState(MatchState* ms) {
    ms->level = 0;
    ms->matchDepth = kMaxCalls; // an earlier error may have left it lower
}

size_t relativePosition(lua_Integer pos, size_t len) {
    if (pos > 0) {
        return static_cast<size_t>(pos);
    }
    if (pos == 0 || pos < -static_cast<lua_Integer>(len)) {
        return 1;
    }
    return len + static_cast<size_t>(pos) + 1;
}

int findAux(lua_State* L, bool find) {
    size_t ls, lp;
    const char* s = luaL_checklstring(L, 1, &ls);
    const char* p = luaL_checklstring(L, 2, &lp);
    const size_t init = relativePosition(luaL_optinteger(L, 3, 1), ls) - 1;
    if (init > ls) {
        luaL_pushfail(L);
        return 1;
    }
    MatchState ms;
    prepareState(&ms, L, s, ls, p, lp);
    if (find && (lua_toboolean(L, 4) || noSpecials(p, lp))) {
        const char* s2 = memFind(&ms, s + init, ls - init, p, lp);
        if (s2 != nullptr) {
            lua_pushinteger(L, (s2 - s) + 1);
            lua_pushinteger(L, static_cast<lua_Integer>((s2 - s) + lp));
            return 2;
        }
    } else {
        const char* s1 = s + init;
        const bool anchor = (*p == '^');
        if (anchor) {
            p++;
            lp--;
        }
        prepareState(&ms, L, s, ls, p, lp);
        do {
            reprepareState(&ms);
            const char* res = match(&ms, s1, p);
            if (res != nullptr) {
                if (find) {
                    lua_pushinteger(L, (s1 - s) + 1);
                    lua_pushinteger(L, res - s);
                    return pushCaptures(&ms, nullptr, nullptr) + 2;
                }
                return pushCaptures(&ms, s1, res);
            }
        } while (s1++ < ms.srcEnd && !anchor);
    }
    luaL_pushfail(L);
    return 1;
}

int strFind(lua_State* L) {
    return findAux(L, true);
}

int strMatch(lua_State* L) {
    return findAux(L, false);
}

struct GMatchState {
    const char* src;
    const char* p;
    const char* lastMatch;
    MatchState ms;
};

int gmatchAux(lua_State* L) {
    auto* gm = static_cast<GMatchState*>(lua_touserdata(L, lua_upvalueindex(3)));
    gm->ms.L = L;
    for (const char* src = gm->src; src <= gm->ms.srcEnd; src++) {
        reprepareState(&gm->ms);
        const char* e = match(&gm->ms, src, gm->p);
        if (e != nullptr && e != gm->lastMatch) {
            gm->src = gm->lastMatch = e;
            return pushCaptures(&gm->ms, src, e);
        }
    }
    return 0;
}

int strGmatch(lua_State* L) {
    size_t ls, lp;
    const char* s = luaL_checklstring(L, 1, &ls);
    const char* p = luaL_checklstring(L, 2, &lp);
    size_t init = relativePosition(luaL_optinteger(L, 3, 1), ls) - 1;
    lua_settop(L, 2); // keeps the strings alive in the closure
    auto* gm = static_cast<GMatchState*>(lua_newuserdatauv(L, sizeof(GMatchState), 0));
    if (init > ls) {
        init = ls + 1;
    }
    prepareState(&gm->ms, L, s, ls, p, lp);
    gm->src = s + init;
    gm->p = p;
    gm->lastMatch = nullptr;
    lua_pushcclosure(L, gmatchAux, 3);
    return 1;
}

void addString(MatchState* ms, luaL_Buffer* b, const char* s, const char* e) {
    size_t l;
    lua_State* L = ms->L;
    const char* news = lua_tolstring(L, 3, &l);
    const char* p;
    while ((p = static_cast<const char*>(std::memchr(news, kEscape, l))) != nullptr) {
        luaL_addlstring(b, news, static_cast<size_t>(p - news));
        p++;
        if (*p == kEscape) {
            luaL_addchar(b, *p);
        } else if (*p == '0') {
            luaL_addlstring(b, s, static_cast<size_t>(e - s));
        } else if (std::isdigit(uchar(*p))) {
            const char* cap;
            const auto resl = static_cast<ptrdiff_t>(getOneCapture(ms, *p - '1', s, e, &cap));
            if (resl == kCapPosition) {
                luaL_addvalue(b);
            } else {
                luaL_addlstring(b, cap, static_cast<size_t>(resl));
            }
        } else {
            luaL_error(L, "invalid use of '%c' in replacement string", kEscape);
        }
        l -= static_cast<size_t>(p + 1 - news);
        news = p + 1;
    }
    luaL_addlstring(b, news, l);
}

int addValue(MatchState* ms, luaL_Buffer* b, const char* s, const char* e, int tr) {
    lua_State* L = ms->L;
    switch (tr) {
    case LUA_TFUNCTION: {
        lua_pushvalue(L, 3);
        const int n = pushCaptures(ms, s, e);
        lua_call(L, n, 1);
        break;
    }
    case LUA_TTABLE:
        pushOneCapture(ms, 0, s, e);
        lua_gettable(L, 3);
        break;
    default: // LUA_TNUMBER or LUA_TSTRING
        addString(ms, b, s, e);
        return 1;
    }
    if (!lua_toboolean(L, -1)) {
        lua_pop(L, 1);
        luaL_addlstring(b, s, static_cast<size_t>(e - s));
        return 0;
    }
    if (!lua_isstring(L, -1)) {
        return luaL_error(L, "invalid replacement value (a %s)", luaL_typename(L, -1));
    }
    luaL_addvalue(b);
    return 1;
}

int strGsub(lua_State* L) {
    size_t srcl, lp;
    const char* src = luaL_checklstring(L, 1, &srcl);
    const char* p = luaL_checklstring(L, 2, &lp);
    const char* lastMatch = nullptr;
    const int tr = lua_type(L, 3);
    const lua_Integer maxS = luaL_optinteger(L, 4, static_cast<lua_Integer>(srcl) + 1);
    const bool anchor = (*p == '^');
    lua_Integer n = 0;
    int changed = 0;
    MatchState ms;
    luaL_Buffer b;
    luaL_argexpected(
        L, tr == LUA_TNUMBER || tr == LUA_TSTRING || tr == LUA_TFUNCTION || tr == LUA_TTABLE, 3,
        "string/function/table");
    luaL_buffinit(L, &b);
    if (anchor) {
        p++;
        lp--;
    }
    prepareState(&ms, L, src, srcl, p, lp);
    while (n < maxS) {
        reprepareState(&ms);
        const char* e = match(&ms, src, p);
        if (e != nullptr && e != lastMatch) {
            n++;
            changed = addValue(&ms, &b, src, e, tr) | changed;
            src = lastMatch = e;
        } else if (src < ms.srcEnd) {
            luaL_addchar(&b, *src++);
        } else {
            break;
        }
        if (anchor) {
            break;
        }
    }
    if (!changed) {
        lua_pushvalue(L, 1);
    } else {
        luaL_addlstring(&b, src, static_cast<size_t>(ms.srcEnd - src));
        luaL_pushresult(&b);
    }
    lua_pushinteger(L, n);
    return 2;
}

} // namespace

void registerBoundedPatterns(lua_State* L, int stringTable) {
    stringTable = lua_absindex(L, stringTable);
    const luaL_Reg functions[] = {
        {"find", strFind}, {"match", strMatch}, {"gmatch", strGmatch}, {"gsub", strGsub}};
    for (const auto& function : functions) {
        lua_pushcfunction(L, function.func);
        lua_setfield(L, stringTable, function.name);
    }
}

} // namespace flowdeck::engine::lua
