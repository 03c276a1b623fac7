#pragma once

#include <string>
#include <vector>

namespace flowdeck::bench {

// The user lines the driver sends: one block of lines per conversation, sent in order. When a
// conversation has sent its last line it is over, and its slot starts a new conversation (a new
// id) on the next block, so a long run keeps opening conversations the way real traffic does.
struct LoadScript {
    std::vector<std::vector<std::string>> conversations;
    std::string origin; // "built-in table_booking", "file.txt": for the report
};

// The built-in lines for the sample flows (resources/flows): a whole table booking ending in
// "booked", and an order-status chat with two order look-ups ending in "goodbye". An empty flow
// means flowd's default flow, order_support. No conversations when `flow` has no built-in lines.
LoadScript builtInScript(const std::string& flow);

// Reads a script file: one message a line, a blank line ends a conversation, lines starting with
// '#' are comments. Limits: 4 MiB of file, 64 KiB a line (flowd's message limit), 100,000
// conversations. False with a message naming the file and line on any problem.
bool readScript(const std::string& path, LoadScript& out, std::string* error);

} // namespace flowdeck::bench
