#include "tls.h"

#include <fstream>
#include <sstream>

namespace flowdeck::server {

namespace {

bool readPem(const std::string& path, const char* what, std::string* out, std::string* error) {
    std::ifstream in(path);
    if (!in) {
        *error = "cannot read the TLS " + std::string(what) + " " + path;
        return false;
    }
    std::ostringstream text;
    text << in.rdbuf();
    *out = text.str();
    if (out->find("-----BEGIN ") == std::string::npos) {
        *error = path + " is not a PEM file (no -----BEGIN line); the TLS " + what + " must be PEM";
        return false;
    }
    return true;
}

} // namespace

std::optional<TlsMaterial> loadTls(const TlsOptions& options, std::string* error) {
    if (options.certFile.empty() != options.keyFile.empty()) {
        *error = "--tls-cert and --tls-key go together";
        return std::nullopt;
    }
    if (!options.enabled()) {
        if (!options.clientCaFile.empty()) {
            *error = "--tls-client-ca needs --tls-cert and --tls-key";
            return std::nullopt;
        }
        return TlsMaterial{};
    }
    TlsMaterial material;
    if (!readPem(options.certFile, "certificate", &material.cert, error) ||
        !readPem(options.keyFile, "key", &material.key, error)) {
        return std::nullopt;
    }
    if (!options.clientCaFile.empty() &&
        !readPem(options.clientCaFile, "client CA", &material.clientCa, error)) {
        return std::nullopt;
    }
    return material;
}

} // namespace flowdeck::server
