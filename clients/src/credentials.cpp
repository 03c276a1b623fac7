#include "flowdeck/client/credentials.h"

#include <cstdlib>

namespace flowdeck::client {

Credentials withEnvironment(Credentials credentials) {
    const auto fill = [](std::string& field, const char* variable) {
        if (field.empty()) {
            if (const char* value = std::getenv(variable)) {
                field = value;
            }
        }
    };
    fill(credentials.token, "FLOWDECK_TOKEN");
    fill(credentials.user, "USER");
    return credentials;
}

} // namespace flowdeck::client
