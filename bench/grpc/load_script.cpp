#include "load_script.h"

#include <fstream>
#include <sstream>

namespace flowdeck::bench {

namespace {

constexpr std::streamoff kMaxFileBytes = 4 * 1024 * 1024;
constexpr size_t kMaxLineBytes = 64 * 1024;
constexpr size_t kMaxConversations = 100000;

// resources/flows/booking.script.txt: every slot filled, then confirmed; 7 messages.
const std::vector<std::string> kBooking = {"yes please", "we are 4 people", "friday", "19:30",
                                           "terrace",    "ana@example.com", "yes"};

// order_support: unclear input (clarify), two look-ups through orders_api, then goodbye; 6
// messages, 2 of them call the integration.
const std::vector<std::string> kOrders = {"hello",         "where is my order?",
                                          "it's AB-12345", "where is my order?",
                                          "AB-12345",      "thanks, goodbye"};

std::string trimmed(const std::string& line) {
    const auto first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos) {
        return {};
    }
    const auto last = line.find_last_not_of(" \t\r");
    return line.substr(first, last - first + 1);
}

} // namespace

LoadScript builtInScript(const std::string& flow) {
    if (flow == "table_booking") {
        return {{kBooking}, "built-in table_booking lines (7 messages a conversation)"};
    }
    if (flow.empty() || flow == "order_support") {
        return {{kOrders}, "built-in order_support lines (6 messages a conversation)"};
    }
    return {};
}

bool readScript(const std::string& path, LoadScript& out, std::string* error) {
    std::ifstream file(path, std::ios::binary | std::ios::ate);
    if (!file) {
        *error = "cannot read the messages script " + path;
        return false;
    }
    if (file.tellg() > kMaxFileBytes) {
        *error = path + ": larger than 4 MiB";
        return false;
    }
    file.seekg(0);
    out = {{}, path};
    std::vector<std::string> block;
    std::string line;
    for (size_t number = 1; std::getline(file, line); ++number) {
        const std::string text = trimmed(line);
        if (line.size() > kMaxLineBytes) {
            *error = path + ":" + std::to_string(number) + ": a line is limited to 64 KiB";
            return false;
        }
        if (text.starts_with('#')) {
            continue;
        }
        if (!text.empty()) {
            block.push_back(text);
            continue;
        }
        if (!block.empty()) {
            out.conversations.push_back(std::move(block));
            block.clear();
        }
        if (out.conversations.size() > kMaxConversations) {
            *error = path + ":" + std::to_string(number) + ": more than 100,000 conversations";
            return false;
        }
    }
    if (!block.empty()) {
        out.conversations.push_back(std::move(block));
    }
    if (out.conversations.empty()) {
        *error = path + ": no messages (one a line; a blank line ends a conversation)";
        return false;
    }
    return true;
}

} // namespace flowdeck::bench
