#include "access.h"

#include "flowdeck/engine/flow_version_store.h"
#include "flowdeck/v1/common.pb.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <grpcpp/server_context.h>
#include <nlohmann/json.hpp>

#include <sys/stat.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <set>

namespace flowdeck::server {

namespace {

namespace pb = google::protobuf;

struct MethodFacts {
    Role role = Role::None;
    bool audited = false;
    std::string method;
};

// Request type -> what its method needs, over every service in package flowdeck.v1.
const std::map<std::string, MethodFacts>& methodTable() {
    static const std::map<std::string, MethodFacts> table = [] {
        std::map<std::string, MethodFacts> out;
        const pb::FileDescriptor* anchor = v1::Error::descriptor()->file();
        const pb::DescriptorPool* pool = anchor->pool();
        for (const char* service :
             {"Conversations", "MCPEngine", "Flows", "Releases", "Telemetry", "Chaos", "Capture"}) {
            const pb::ServiceDescriptor* s =
                pool->FindServiceByName(std::string("flowdeck.v1.") + service);
            for (int i = 0; s != nullptr && i < s->method_count(); ++i) {
                const pb::MethodDescriptor* m = s->method(i);
                MethodFacts& facts = out[m->input_type()->full_name()];
                const auto role = static_cast<Role>(m->options().GetExtension(v1::required_role));
                if (role >= facts.role) {
                    facts.role = role;
                    facts.method = s->full_name() + "/" + m->name();
                }
                facts.audited = facts.audited || m->options().GetExtension(v1::audited);
            }
        }
        return out;
    }();
    return table;
}

const MethodFacts* factsOf(const pb::Descriptor& type) {
    const auto& table = methodTable();
    const auto it = table.find(type.full_name());
    return it == table.end() ? nullptr : &it->second;
}

std::optional<Role> roleFromString(std::string_view text) {
    if (text == "viewer") {
        return Role::Viewer;
    }
    if (text == "operator") {
        return Role::Operator;
    }
    if (text == "admin") {
        return Role::Admin;
    }
    return std::nullopt;
}

// Equal-length hex digests compared without an early exit, so timing says nothing of a token.
bool sameDigest(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) {
        return false;
    }
    unsigned char diff = 0;
    for (size_t i = 0; i < a.size(); ++i) {
        diff |= static_cast<unsigned char>(a[i] ^ b[i]);
    }
    return diff == 0;
}

std::string tokenDigest(std::string_view token) {
    return engine::flowDigest(token).substr(7); // drop "sha256:"
}

std::string isoNow() {
    const auto now = std::chrono::system_clock::now();
    const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
    const auto millis =
        std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() %
        1000;
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char text[40];
    const size_t n = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &utc);
    std::snprintf(text + n, sizeof text - n, ".%03lldZ", static_cast<long long>(millis));
    return text;
}

// The request's top-level scalar fields, for the audit log: long strings (flow documents) are
// replaced by their size so the log stays small and holds no flow content.
nlohmann::json summarize(const pb::Message& message) {
    nlohmann::json out = nlohmann::json::object();
    const pb::Reflection* reflection = message.GetReflection();
    std::vector<const pb::FieldDescriptor*> fields;
    reflection->ListFields(message, &fields);
    for (const pb::FieldDescriptor* f : fields) {
        if (f->is_repeated()) {
            out[f->name()] = std::to_string(reflection->FieldSize(message, f)) + " items";
            continue;
        }
        switch (f->cpp_type()) {
        case pb::FieldDescriptor::CPPTYPE_STRING: {
            const std::string value = reflection->GetString(message, f);
            out[f->name()] = value.size() <= 256
                                 ? nlohmann::json(value)
                                 : nlohmann::json(std::to_string(value.size()) + " bytes");
            break;
        }
        case pb::FieldDescriptor::CPPTYPE_BOOL:
            out[f->name()] = reflection->GetBool(message, f);
            break;
        case pb::FieldDescriptor::CPPTYPE_ENUM:
            out[f->name()] = reflection->GetEnum(message, f)->name();
            break;
        case pb::FieldDescriptor::CPPTYPE_MESSAGE:
            out[f->name()] = summarize(reflection->GetMessage(message, f));
            break;
        case pb::FieldDescriptor::CPPTYPE_INT32:
            out[f->name()] = reflection->GetInt32(message, f);
            break;
        case pb::FieldDescriptor::CPPTYPE_INT64:
            out[f->name()] = reflection->GetInt64(message, f);
            break;
        case pb::FieldDescriptor::CPPTYPE_UINT32:
            out[f->name()] = reflection->GetUInt32(message, f);
            break;
        case pb::FieldDescriptor::CPPTYPE_UINT64:
            out[f->name()] = reflection->GetUInt64(message, f);
            break;
        case pb::FieldDescriptor::CPPTYPE_DOUBLE:
            out[f->name()] = reflection->GetDouble(message, f);
            break;
        case pb::FieldDescriptor::CPPTYPE_FLOAT:
            out[f->name()] = reflection->GetFloat(message, f);
            break;
        }
    }
    return out;
}

Denial unauthenticated(std::string message) {
    return Denial{
        grpc::StatusCode::UNAUTHENTICATED, 401, "UNAUTHENTICATED", std::move(message), {}};
}

Denial forbidden(std::string message) {
    return Denial{
        grpc::StatusCode::PERMISSION_DENIED, 403, "PERMISSION_DENIED", std::move(message), {}};
}

} // namespace

std::string_view toString(Role role) {
    switch (role) {
    case Role::Viewer:
        return "viewer";
    case Role::Operator:
        return "operator";
    case Role::Admin:
        return "admin";
    case Role::None:
        break;
    }
    return "none";
}

bool Principal::mayUse(const std::string& tenant) const {
    return std::find(tenants.begin(), tenants.end(), "*") != tenants.end() ||
           std::find(tenants.begin(), tenants.end(), tenant) != tenants.end();
}

Role requiredRole(const pb::Descriptor& requestType) {
    const MethodFacts* facts = factsOf(requestType);
    // A request type no method takes is a programming error: refuse rather than allow.
    return facts != nullptr ? facts->role : Role::Admin;
}

bool isAudited(const pb::Descriptor& requestType) {
    const MethodFacts* facts = factsOf(requestType);
    return facts != nullptr && facts->audited;
}

std::string methodOf(const pb::Descriptor& requestType) {
    const MethodFacts* facts = factsOf(requestType);
    return facts != nullptr ? facts->method : requestType.full_name();
}

std::optional<std::string> tenantOfRequest(const pb::Message& request) {
    const pb::FieldDescriptor* field = request.GetDescriptor()->FindFieldByName("tenant_id");
    if (field == nullptr || field->cpp_type() != pb::FieldDescriptor::CPPTYPE_STRING ||
        field->is_repeated()) {
        return std::nullopt;
    }
    const std::string tenant = request.GetReflection()->GetString(request, field);
    return tenant.empty() ? "default" : tenant;
}

namespace {

// The flow a call that changes flows or releases is about; nullopt for every other call.
std::optional<std::string> flowChangedBy(const pb::Message& request) {
    static const std::set<std::string, std::less<>> kChanging = {
        "flowdeck.v1.UpdateFlowRequest", "flowdeck.v1.DeployRequest",
        "flowdeck.v1.PromoteRequest",    "flowdeck.v1.AbortRequest",
        "flowdeck.v1.RollbackRequest",
    };
    if (!kChanging.contains(request.GetDescriptor()->full_name())) {
        return std::nullopt;
    }
    const pb::FieldDescriptor* field = request.GetDescriptor()->FindFieldByName("flow_id");
    if (field == nullptr || field->cpp_type() != pb::FieldDescriptor::CPPTYPE_STRING) {
        return std::nullopt;
    }
    return request.GetReflection()->GetString(request, field);
}

} // namespace

// ---- Rate limits ------------------------------------------------------------------------------

std::map<std::string, std::string> RateInfo::headers() const {
    if (!limited) {
        return {};
    }
    return {{"X-RateLimit-Limit", std::to_string(limit)},
            {"X-RateLimit-Remaining", std::to_string(remaining)},
            {"X-RateLimit-Reset", std::to_string(resetEpochSeconds)},
            {"X-RateLimit-Type", "tenant_based"}};
}

RateLimiter::RateLimiter(double perMinute, double burst)
    : m_perMinute(perMinute)
    , m_burst(burst > 0.0 ? burst : 2.0 * perMinute) {}

bool RateLimiter::take(const std::string& tenant, RateInfo* info) {
    const auto now = std::chrono::steady_clock::now();
    std::lock_guard lock(m_mutex);
    auto it = m_buckets.find(tenant);
    if (it == m_buckets.end()) {
        if (m_buckets.size() >= kMaxTenants) {
            m_buckets.clear(); // a flood of made-up tenants: start every bucket full again
        }
        it = m_buckets.emplace(tenant, Bucket{m_burst, now}).first;
    }
    Bucket& bucket = it->second;
    const double minutes = std::chrono::duration<double>(now - bucket.refilled).count() / 60.0;
    bucket.tokens = std::min(m_burst, bucket.tokens + minutes * m_perMinute);
    bucket.refilled = now;
    const bool admitted = bucket.tokens >= 1.0;
    if (admitted) {
        bucket.tokens -= 1.0;
    }
    const double secondsToFull = (m_burst - bucket.tokens) / m_perMinute * 60.0;
    info->limited = true;
    info->limit = static_cast<uint64_t>(m_perMinute);
    info->remaining = static_cast<uint64_t>(std::floor(bucket.tokens));
    info->resetEpochSeconds = std::chrono::duration_cast<std::chrono::seconds>(
                                  std::chrono::system_clock::now().time_since_epoch())
                                  .count() +
                              static_cast<int64_t>(std::ceil(secondsToFull));
    return admitted;
}

// ---- Audit ------------------------------------------------------------------------------------

std::unique_ptr<AuditLog> AuditLog::open(const std::string& path, std::string* error) {
    auto log = std::make_unique<AuditLog>();
    log->m_out.open(path, std::ios::app);
    if (!log->m_out) {
        *error = "cannot open the audit log " + path + " for appending";
        return nullptr;
    }
    log->m_path = path;
    return log;
}

std::string AuditLog::record(const Principal& who, std::string_view method,
                             const std::string& tenant, const pb::Message& request,
                             std::string_view outcome, const std::string& traceId) {
    const nlohmann::json line = {{"time", isoNow()},           {"who", who.subject},
                                 {"role", toString(who.role)}, {"method", method},
                                 {"tenant", tenant},           {"request", summarize(request)},
                                 {"outcome", outcome},         {"trace_id", traceId}};
    std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    std::lock_guard lock(m_mutex);
    m_out << text << '\n';
    m_out.flush();
    return text;
}

// ---- Access control ---------------------------------------------------------------------------

std::unique_ptr<AccessControl> AccessControl::open(const AccessOptions& options,
                                                   std::string* error) {
    auto access = std::make_unique<AccessControl>();
    if (!options.tokensFile.empty() && !access->loadTokens(options.tokensFile, error)) {
        return nullptr;
    }
    if (options.rateLimitPerMinute < 0.0 || options.rateLimitBurst < 0.0) {
        *error = "--rate-limit and --rate-burst must not be negative";
        return nullptr;
    }
    if (options.rateLimitPerMinute > 0.0) {
        access->m_limiter =
            std::make_unique<RateLimiter>(options.rateLimitPerMinute, options.rateLimitBurst);
    }
    if (!options.auditFile.empty()) {
        access->m_audit = AuditLog::open(options.auditFile, error);
        if (!access->m_audit) {
            return nullptr;
        }
    }
    return access;
}

bool AccessControl::loadTokens(const std::string& path, std::string* error) {
    std::ifstream in(path);
    if (!in) {
        *error = "cannot read the tokens file " + path;
        return false;
    }
    nlohmann::json doc;
    try {
        doc = nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception& e) {
        *error = path + ": not JSON: " + e.what();
        return false;
    }
    if (!doc.is_object() || !doc.contains("tokens") || !doc["tokens"].is_array()) {
        *error = path + ": expected {\"tokens\": [...]}";
        return false;
    }
    for (size_t i = 0; i < doc["tokens"].size(); ++i) {
        const auto& t = doc["tokens"][i];
        const std::string where = path + ": /tokens/" + std::to_string(i);
        if (!t.is_object()) {
            *error = where + ": not an object";
            return false;
        }
        Token token;
        token.principal.subject = t.value("subject", "");
        const auto role = roleFromString(t.value("role", ""));
        if (token.principal.subject.empty() || !role) {
            *error = where + ": needs a \"subject\" and a \"role\" (viewer, operator or admin)";
            return false;
        }
        token.principal.role = *role;
        for (const auto& tenant : t.value("tenants", nlohmann::json::array())) {
            if (tenant.is_string() && !tenant.get<std::string>().empty()) {
                token.principal.tenants.push_back(tenant.get<std::string>());
            }
        }
        if (token.principal.tenants.empty()) {
            *error = where + "/tenants: name at least one tenant, or \"*\" for all";
            return false;
        }
        if (t.contains("sha256") && t["sha256"].is_string() &&
            t["sha256"].get<std::string>().size() == 64) {
            token.sha256 = t["sha256"].get<std::string>();
            std::transform(token.sha256.begin(), token.sha256.end(), token.sha256.begin(),
                           [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        } else if (t.contains("token") && t["token"].is_string() &&
                   t["token"].get<std::string>().size() >= 16) {
            token.sha256 = tokenDigest(t["token"].get<std::string>());
        } else {
            *error = where + ": needs \"sha256\" (64 hex digits of the token's SHA-256) or "
                             "\"token\" (at least 16 characters)";
            return false;
        }
        m_tokens.push_back(std::move(token));
    }
    if (m_tokens.empty()) {
        *error = path + ": no tokens; remove --tokens to run without authentication";
        return false;
    }
    struct stat info {};
    if (::stat(path.c_str(), &info) == 0 && (info.st_mode & 0077) != 0) {
        char mode[8];
        std::snprintf(mode, sizeof mode, "%03o", static_cast<unsigned>(info.st_mode & 0777));
        *error = path + " can be read by other users (mode " + mode + "); chmod 600 it";
        // Refused rather than warned: a token file others can read is a leaked token file.
        m_tokens.clear();
        return false;
    }
    return true;
}

std::variant<Principal, Denial> AccessControl::admit(std::string_view authorization,
                                                     std::string_view declaredUser,
                                                     const pb::Message& request, RateInfo* rate) {
    Principal who;
    if (!enforcing()) {
        who.subject = declaredUser.empty() ? "anonymous" : std::string(declaredUser.substr(0, 128));
        who.role = Role::Admin;
        who.tenants = {"*"};
    } else {
        std::string_view token;
        for (std::string_view scheme : {"Bearer ", "ApiKey "}) {
            if (authorization.starts_with(scheme)) {
                token = authorization.substr(scheme.size());
            }
        }
        if (token.empty()) {
            return unauthenticated("this node needs a token: send \"authorization: Bearer "
                                   "<token>\" (or \"ApiKey <token>\")");
        }
        const std::string digest = tokenDigest(token);
        const Token* found = nullptr;
        for (const Token& t : m_tokens) {
            found = sameDigest(t.sha256, digest) ? &t : found;
        }
        if (found == nullptr) {
            return unauthenticated("the token is not known to this node");
        }
        who = found->principal;
    }
    const pb::Descriptor& type = *request.GetDescriptor();
    const Role needed = requiredRole(type);
    const auto refuse = [&who](std::string message) {
        Denial denial = forbidden(std::move(message));
        denial.subject = who.subject;
        denial.role = who.role;
        return denial;
    };
    if (who.role < needed) {
        return refuse(methodOf(type) + " needs the " + std::string(toString(needed)) + " role; " +
                      who.subject + " is a " + std::string(toString(who.role)));
    }
    const auto tenant = tenantOfRequest(request);
    if (tenant && !who.mayUse(*tenant)) {
        return refuse(who.subject + " may not act for tenant '" + *tenant + "'");
    }
    if (const auto flowId = flowChangedBy(request);
        flowId && !flowId->empty() && m_isSharedFlow && m_isSharedFlow(*flowId) &&
        std::find(who.tenants.begin(), who.tenants.end(), "*") == who.tenants.end()) {
        return refuse("flow '" + *flowId +
                      "' is shipped in this node's flows directory and serves every tenant; "
                      "changing it needs a token for every tenant (\"*\"), and " +
                      who.subject + " is bound to some only");
    }
    const bool traffic = type.full_name() == "flowdeck.v1.ProcessMessageRequest";
    if (traffic && m_limiter && !m_limiter->take(tenant.value_or("default"), rate)) {
        Denial denial{grpc::StatusCode::RESOURCE_EXHAUSTED, 429, "RATE_LIMIT",
                      "tenant '" + tenant.value_or("default") + "' is over its rate of " +
                          std::to_string(rate->limit) + " messages a minute; retry after " +
                          std::to_string(rate->resetEpochSeconds) + " (X-RateLimit-Reset)",
                      rate->headers()};
        denial.subject = who.subject;
        denial.role = who.role;
        return denial;
    }
    return who;
}

std::variant<Principal, Denial> AccessControl::admit(const grpc::ServerContext& context,
                                                     const pb::Message& request, RateInfo* rate) {
    const auto& metadata = context.client_metadata();
    const auto value = [&metadata](const char* key) {
        const auto it = metadata.find(key);
        return it == metadata.end() ? std::string_view()
                                    : std::string_view(it->second.data(), it->second.size());
    };
    return admit(value("authorization"), value("x-flowdeck-user"), request, rate);
}

void AccessControl::auditDenial(const Denial& denial, const pb::Message& request,
                                const std::string& traceId) {
    Principal who;
    who.subject = denial.subject;
    who.role = denial.role;
    audit(who, request, denial.code, traceId);
}

void AccessControl::audit(const Principal& who, const pb::Message& request,
                          std::string_view outcome, const std::string& traceId) {
    if (m_audit && isAudited(*request.GetDescriptor())) {
        const std::string method = methodOf(*request.GetDescriptor());
        const std::string tenant = tenantOfRequest(request).value_or("");
        const std::string line = m_audit->record(who, method, tenant, request, outcome, traceId);
        if (m_auditSink) {
            m_auditSink(who, method, tenant, line);
        }
    }
}

} // namespace flowdeck::server
