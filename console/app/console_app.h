#pragma once

namespace flowdeck::console {

// The whole `flowdeck` program: options, the workspace database, the main window, and the
// --screenshot mode the docs' pictures are made with. main.cpp only calls this.
int runConsole(int argc, char* argv[]);

} // namespace flowdeck::console
