#pragma once

// Who may call what (DESIGN.md §5 "Security"): bearer tokens from a tokens file, each with a
// subject, a role (viewer < operator < admin) and the tenants it is bound to; the role each call
// needs, read from the `required_role` option written next to every method in the .proto files;
// per-tenant token-bucket rate limits on conversation traffic; and the audit log of every call
// marked `audited`. gRPC and HTTP both go through AccessControl::admit, so they cannot disagree.

#include <grpcpp/support/status.h>

#include <chrono>
#include <cstdint>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace grpc {
class ServerContext;
}

namespace google::protobuf {
class Descriptor;
class Message;
} // namespace google::protobuf

namespace flowdeck::server {

enum class Role { None = 0, Viewer = 1, Operator = 2, Admin = 3 };
std::string_view toString(Role role);

struct Principal {
    std::string subject;
    Role role = Role::None;
    std::vector<std::string> tenants; // "*" means every tenant
    bool mayUse(const std::string& tenant) const;
};

// A refused call: the status for gRPC and HTTP, the API error code ("UNAUTHENTICATED",
// "PERMISSION_DENIED", "RATE_LIMIT") and a message naming what was missing.
struct Denial {
    grpc::StatusCode grpc = grpc::StatusCode::PERMISSION_DENIED;
    int http = 403;
    std::string code;
    std::string message;
    std::map<std::string, std::string> headers; // X-RateLimit-* for a rate limit
    // Who asked, as far as the node knows: the token's subject once the token is recognised,
    // else "unauthenticated" (the audit log records refused calls too).
    std::string subject = "unauthenticated";
    Role role = Role::None;
};

// The X-RateLimit-* facts of one admitted call (empty when the call is not rate-limited).
struct RateInfo {
    bool limited = false;
    uint64_t limit = 0;     // requests per minute
    uint64_t remaining = 0; // whole tokens left in the bucket
    int64_t resetEpochSeconds = 0;
    std::map<std::string, std::string> headers() const;
};

// One bucket per tenant: `perMinute` tokens a minute, up to `burst` saved. Thread-safe.
class RateLimiter final {
public:
    RateLimiter(double perMinute, double burst);
    // Takes one token for `tenant`; whether there was one, and the headers to send either way.
    bool take(const std::string& tenant, RateInfo* info);

private:
    struct Bucket {
        double tokens = 0.0;
        std::chrono::steady_clock::time_point refilled;
    };
    const double m_perMinute;
    const double m_burst;
    std::mutex m_mutex;
    std::map<std::string, Bucket> m_buckets; // bounded by kMaxTenants
    static constexpr size_t kMaxTenants = 100'000;
};

// Append-only JSON lines (DATA/audit.log): time, who, role, method, tenant, the request's short
// fields (ids, versions, reasons; long texts such as flow documents as their size), the outcome
// and the trace id. Each line is flushed before the call's answer is sent.
class AuditLog final {
public:
    static std::unique_ptr<AuditLog> open(const std::string& path, std::string* error);
    // Writes the line and returns it (the cluster's shared audit table gets the same text).
    std::string record(const Principal& who, std::string_view method, const std::string& tenant,
                       const google::protobuf::Message& request, std::string_view outcome,
                       const std::string& traceId);
    const std::string& path() const { return m_path; }

private:
    std::mutex m_mutex;
    std::ofstream m_out;
    std::string m_path;
};

struct AccessOptions {
    std::string tokensFile;          // empty: no tokens, every caller is an admin (a local node)
    double rateLimitPerMinute = 0.0; // 0: no limit
    double rateLimitBurst = 0.0;     // 0: twice the per-minute rate
    std::string auditFile;           // empty: no audit log
};

class AccessControl final {
public:
    // Null with *error naming the file and the entry at fault.
    static std::unique_ptr<AccessControl> open(const AccessOptions& options, std::string* error);

    bool enforcing() const { return !m_tokens.empty(); }
    size_t tokenCount() const { return m_tokens.size(); }

    // Admits one call: who is calling (from `authorization`, "Bearer T" or "ApiKey T"; with no
    // tokens file, an admin named `declaredUser` or "anonymous"), whether their role and tenants
    // allow `request` (whose type decides the method, and whose tenant_id the tenant), and, for
    // conversation traffic, whether the tenant's rate allows one more.
    std::variant<Principal, Denial> admit(std::string_view authorization,
                                          std::string_view declaredUser,
                                          const google::protobuf::Message& request, RateInfo* rate);
    // admit() for a gRPC call: the authorization and x-flowdeck-user metadata of `context`.
    std::variant<Principal, Denial> admit(const grpc::ServerContext& context,
                                          const google::protobuf::Message& request, RateInfo* rate);
    // Where audit lines also go (cluster mode: PostgreSQL, shared by every node). Set once,
    // before serving. Called after the line is in the local file.
    using AuditSink = std::function<void(const Principal& who, std::string_view method,
                                         const std::string& tenant, const std::string& line)>;
    void setAuditSink(AuditSink sink) { m_auditSink = std::move(sink); }
    // Which flows serve every tenant (those shipped in the flows directory). Changing one (a new
    // version, a rollout step, a rollback) changes what every tenant's conversations run, so it
    // needs a token bound to every tenant ("*"). Set once, before serving.
    void setSharedFlows(std::function<bool(const std::string& flowId)> isShared) {
        m_isSharedFlow = std::move(isShared);
    }
    // Writes a refused call to the audit log when its method is `audited`: who tried (as far as
    // known) and why it was refused (its code, e.g. PERMISSION_DENIED).
    void auditDenial(const Denial& denial, const google::protobuf::Message& request,
                     const std::string& traceId);
    // Writes the call to the audit log when its method is `audited` (and a log is open).
    void audit(const Principal& who, const google::protobuf::Message& request,
               std::string_view outcome, const std::string& traceId);

private:
    struct Token {
        std::string sha256; // hex of the token; the plain token is never kept
        Principal principal;
    };
    bool loadTokens(const std::string& path, std::string* error);

    std::vector<Token> m_tokens;
    std::function<bool(const std::string&)> m_isSharedFlow;
    std::unique_ptr<RateLimiter> m_limiter;
    std::unique_ptr<AuditLog> m_audit;
    AuditSink m_auditSink;
};

// The role the method taking `request` needs (the highest when several methods take it), and
// whether it is audited; from the proto descriptors, computed once.
Role requiredRole(const google::protobuf::Descriptor& requestType);
bool isAudited(const google::protobuf::Descriptor& requestType);
std::string
methodOf(const google::protobuf::Descriptor& requestType); // "flowdeck.v1.Flows/CreateFlow"
// The request's tenant_id ("default" when empty), or nullopt when the message has none.
std::optional<std::string> tenantOfRequest(const google::protobuf::Message& request);

} // namespace flowdeck::server
