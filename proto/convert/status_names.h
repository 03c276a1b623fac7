#pragma once

// The canonical names of gRPC status codes ("PERMISSION_DENIED"), as flowd writes them into the
// audit log and bench-flowd-grpc counts them. One table, so the two cannot drift apart.

#include <grpcpp/support/status_code_enum.h>

#include <array>
#include <cstddef>
#include <string_view>

namespace flowdeck::proto {

// The name of `code`, or an empty view for a number outside the standard 17.
inline std::string_view statusCodeName(grpc::StatusCode code) {
    static constexpr std::array<std::string_view, 17> kNames = {"OK",
                                                                "CANCELLED",
                                                                "UNKNOWN",
                                                                "INVALID_ARGUMENT",
                                                                "DEADLINE_EXCEEDED",
                                                                "NOT_FOUND",
                                                                "ALREADY_EXISTS",
                                                                "PERMISSION_DENIED",
                                                                "RESOURCE_EXHAUSTED",
                                                                "FAILED_PRECONDITION",
                                                                "ABORTED",
                                                                "OUT_OF_RANGE",
                                                                "UNIMPLEMENTED",
                                                                "INTERNAL",
                                                                "UNAVAILABLE",
                                                                "DATA_LOSS",
                                                                "UNAUTHENTICATED"};
    const auto index = static_cast<std::size_t>(code);
    return index < kNames.size() ? kNames[index] : std::string_view();
}

} // namespace flowdeck::proto
