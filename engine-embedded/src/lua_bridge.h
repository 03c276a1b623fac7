#pragma once

#include "lua_context.h"

#include <string>

// The JSON <-> Lua bridge behind `slots`, `vars` and `user`. Each is a userdata proxy (so
// rawset cannot plant fields in it that would outlive an evaluation) whose __index converts the
// JSON member on access: scalars directly, objects and arrays into Lua tables, null into nil.
// Converted tables are cached on the proxy for the rest of the evaluation, so that in a script
// `vars.list[3] = 1` or `table.insert(vars.list, 1)` changes the same table, and
// syncRootCaches() writes those tables back into the JSON when the script ends.
namespace flowdeck::engine::lua {

// Creates the three proxies, sets them as globals in the table at `globals`, and remembers them
// in the registry. Call protected.
void createRootProxies(lua_State* L, int globals);

// Forgets the tables converted during the previous evaluation. Does not raise.
void resetRootCaches(lua_State* L, StateContext& context);

// Writes every table cached during a script back into its root. Does not raise. Returns an empty
// string, or what could not be stored ("vars.handler: a function cannot be stored").
std::string syncRootCaches(lua_State* L, StateContext& context);

// Converts the Lua value at `index` into JSON. Does not raise. `where` names the value in an
// error ("vars.total"). Sequences 1..n become arrays, other tables objects; integers stay
// integers; functions, userdata, NaN and invalid UTF-8 are refused.
bool luaToJson(lua_State* L, int index, Json& out, const std::string& where, std::string& error);

} // namespace flowdeck::engine::lua
