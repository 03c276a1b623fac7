#pragma once

// Channels and call contexts that carry a Credentials' TLS settings, token and user.
#include "flowdeck/client/credentials.h"

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

namespace flowdeck::client::detail {

// A channel to `address`, over TLS when the credentials ask for it. When a TLS file cannot be
// read, *setupError says which (the channel then fails every call).
std::shared_ptr<grpc::Channel> openChannel(const std::string& address,
                                           const Credentials& credentials, std::string* setupError);
// Adds the token and the user to a call.
void authorize(grpc::ClientContext& context, const Credentials& credentials);

} // namespace flowdeck::client::detail
