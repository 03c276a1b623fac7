#pragma once

#include <optional>
#include <string>

namespace flowdeck::server {

// The node's TLS settings, shared by gRPC and HTTP: a certificate chain and its key (PEM files)
// and, for mutual TLS, the CA that client certificates must chain to.
struct TlsOptions {
    std::string certFile;
    std::string keyFile;
    std::string clientCaFile; // empty: clients need no certificate

    bool enabled() const { return !certFile.empty(); }
};

// The PEM texts, read once at startup.
struct TlsMaterial {
    std::string cert;
    std::string key;
    std::string clientCa;
};

// Reads the files; nullopt with *error naming the file (a key without a certificate or the
// reverse, an unreadable or empty file, text that is not PEM).
std::optional<TlsMaterial> loadTls(const TlsOptions& options, std::string* error);

} // namespace flowdeck::server
