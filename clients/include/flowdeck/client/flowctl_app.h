#pragma once

#include <iosfwd>

namespace flowdeck::client {

// The whole of flowctl, as a function: parses argv, runs the command, returns the exit code.
// Streams are parameters so tests can run commands in-process.
int runFlowctl(int argc, const char* const* argv, std::istream& in, std::ostream& out,
               std::ostream& err);

} // namespace flowdeck::client
