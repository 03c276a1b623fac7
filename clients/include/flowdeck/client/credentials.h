#pragma once

// How libflowdeck_client proves who it is to a node and whether it speaks TLS; shared by every
// client call (Flows, Releases, Telemetry) so flowctl and the console connect the same way.

#include <string>

namespace flowdeck::client {

struct Credentials {
    // Sent as "authorization: Bearer <token>" when set (a node started with --tokens needs it).
    std::string token;
    // Who to record as the actor on a node without tokens (x-flowdeck-user metadata).
    std::string user;
    // TLS: trust this CA bundle (PEM file) and speak TLS; with certFile/keyFile also present a
    // client certificate (mutual TLS). All empty: plaintext.
    std::string tlsCaFile;
    std::string tlsCertFile;
    std::string tlsKeyFile;

    bool tls() const { return !tlsCaFile.empty() || !tlsCertFile.empty(); }
};

// `credentials` with its empty token taken from $FLOWDECK_TOKEN and its empty user from $USER
// (the environment rather than a command line, where `ps` would show a token).
Credentials withEnvironment(Credentials credentials);

} // namespace flowdeck::client
