#pragma once

#include "flowdeck/engine/diagnostic.h"
#include "flowdeck/engine/integration_gateway.h"

#include <string>
#include <string_view>
#include <vector>

namespace flowdeck::engine {

// Recorded integration responses for simulation ("stubs" files, e.g. order_support.stubs.json):
//
//   { "orders_api": { "kind": "success", "status": 200, "body": { "order": { ... } } },
//     "crm":        [ { "kind": "failure", "status": 503 }, { "kind": "slow", "delay_ms": 800 } ] }
//
// One object per integration answers every call; an array answers calls in order, the last one
// repeating. kind is success (default), failure, slow, timeout or live; body is any JSON value
// (sent as its JSON text) or a string (sent verbatim). Problems come back as diagnostics with
// a JSON pointer; nothing is loaded into the gateway unless the whole document is valid.
std::vector<Diagnostic> loadStubs(std::string_view text, StubGateway& gateway);
std::vector<Diagnostic> loadStubFile(const std::string& path, StubGateway& gateway);

} // namespace flowdeck::engine
