#include "channel.h"

#include <fstream>
#include <sstream>

namespace flowdeck::client::detail {

namespace {

void readPem(const std::string& path, std::string* out, std::string* setupError) {
    if (path.empty()) {
        return;
    }
    std::ifstream in(path);
    std::ostringstream text;
    text << in.rdbuf();
    *out = text.str();
    if (!in || out->empty()) {
        *setupError = "cannot read the TLS file " + path;
    }
}

} // namespace

std::shared_ptr<grpc::Channel>
openChannel(const std::string& address, const Credentials& credentials, std::string* setupError) {
    if (!credentials.tls()) {
        return grpc::CreateChannel(address, grpc::InsecureChannelCredentials());
    }
    grpc::SslCredentialsOptions ssl;
    readPem(credentials.tlsCaFile, &ssl.pem_root_certs, setupError);
    readPem(credentials.tlsCertFile, &ssl.pem_cert_chain, setupError);
    readPem(credentials.tlsKeyFile, &ssl.pem_private_key, setupError);
    return grpc::CreateChannel(address, grpc::SslCredentials(ssl));
}

void authorize(grpc::ClientContext& context, const Credentials& credentials) {
    if (!credentials.token.empty()) {
        context.AddMetadata("authorization", "Bearer " + credentials.token);
    }
    if (!credentials.user.empty()) {
        context.AddMetadata("x-flowdeck-user", credentials.user);
    }
}

} // namespace flowdeck::client::detail
