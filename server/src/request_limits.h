#pragma once

// How large a request may be, the same on both front ends, so gRPC and HTTP refuse the same
// requests. The largest thing anyone sends is a flow document; a conversation message is far
// smaller (the engine refuses more than 64 KiB of text and attributes with MESSAGE_TOO_LARGE).

#include "flowdeck/engine/flow_json.h"

#include <cstddef>

namespace flowdeck::server {

// The parser's limit on a flow document (LIMIT_EXCEEDED past it).
inline constexpr size_t kMaxFlowDocumentBytes = engine::ParseLimits{}.maxBytes;
// A request carrying such a document: JSON escaping of the document inside an HTTP body, the
// other fields and the protobuf envelope need some room beyond the document itself.
inline constexpr size_t kMaxRequestBytes = kMaxFlowDocumentBytes + 1024 * 1024;
// POST /api/v2/process: read whole before it is parsed, so kept small (64 HTTP workers).
inline constexpr size_t kMaxProcessBodyBytes = 1024 * 1024;

} // namespace flowdeck::server
