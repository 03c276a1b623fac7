#pragma once

// Helpers shared by the test-suite files (test_suite_*.cpp); not part of the public API.

#include "flowdeck/engine/test_suite.h"

#include <cstddef>
#include <string>
#include <vector>

namespace flowdeck::engine::testsuite {

// "a -> b -> c", or "(no state entered)".
std::string joinPath(const std::vector<std::string>& path);
// The first turn without input (and no event type) checks the opening message; it sends nothing.
bool isOpening(const TestTurn& turn, size_t index);

} // namespace flowdeck::engine::testsuite
