#include "flow_version_store_internal.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <map>
#include <mutex>

namespace flowdeck::engine {

namespace {

// FIPS 180-4 SHA-256; the engine links no crypto library and only needs a content digest.
class Sha256 final {
public:
    void update(std::string_view data) {
        for (const char c : data) {
            m_block[m_used++] = static_cast<uint8_t>(c);
            if (m_used == 64) {
                compress();
                m_used = 0;
            }
        }
        m_bits += static_cast<uint64_t>(data.size()) * 8;
    }

    std::string hex() {
        const uint64_t bits = m_bits;
        update(std::string_view("\x80", 1));
        while (m_used != 56) {
            update(std::string_view("\0", 1));
        }
        for (int i = 7; i >= 0; --i) {
            m_block[m_used++] = static_cast<uint8_t>(bits >> (i * 8));
        }
        compress();
        static constexpr char kDigits[] = "0123456789abcdef";
        std::string out;
        for (const uint32_t word : m_state) {
            for (int shift = 28; shift >= 0; shift -= 4) {
                out += kDigits[(word >> shift) & 0xf];
            }
        }
        return out;
    }

private:
    static uint32_t rotr(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

    void compress() {
        static constexpr std::array<uint32_t, 64> k = {
            0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
            0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
            0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
            0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
            0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
            0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
            0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
            0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
            0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
            0xc67178f2};
        std::array<uint32_t, 64> w{};
        for (int i = 0; i < 16; ++i) {
            w[i] = (uint32_t(m_block[i * 4]) << 24) | (uint32_t(m_block[i * 4 + 1]) << 16) |
                   (uint32_t(m_block[i * 4 + 2]) << 8) | uint32_t(m_block[i * 4 + 3]);
        }
        for (int i = 16; i < 64; ++i) {
            const uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
            const uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16] + s0 + w[i - 7] + s1;
        }
        auto v = m_state;
        for (int i = 0; i < 64; ++i) {
            const uint32_t s1 = rotr(v[4], 6) ^ rotr(v[4], 11) ^ rotr(v[4], 25);
            const uint32_t ch = (v[4] & v[5]) ^ (~v[4] & v[6]);
            const uint32_t t1 = v[7] + s1 + ch + k[i] + w[i];
            const uint32_t s0 = rotr(v[0], 2) ^ rotr(v[0], 13) ^ rotr(v[0], 22);
            const uint32_t maj = (v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]);
            std::copy_backward(v.begin(), v.end() - 1, v.end());
            v[4] += t1;
            v[0] = t1 + s0 + maj;
        }
        for (int i = 0; i < 8; ++i) {
            m_state[i] += v[i];
        }
    }

    std::array<uint32_t, 8> m_state = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                       0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    std::array<uint8_t, 64> m_block{};
    size_t m_used = 0;
    uint64_t m_bits = 0;
};

} // namespace

std::string flowDigest(std::string_view text) {
    Sha256 sha;
    sha.update(text);
    return "sha256:" + sha.hex();
}

namespace flowstore {

int64_t nowMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::string chooseVersionId(const std::string& label, int64_t revision,
                            const std::function<bool(const std::string&)>& taken) {
    if (!label.empty() && !taken(label)) {
        return label;
    }
    const std::string number = std::to_string(revision);
    if (!taken(number)) {
        return number;
    }
    for (int n = 2;; ++n) {
        std::string candidate = number + "-" + std::to_string(n);
        if (!taken(candidate)) {
            return candidate;
        }
    }
}

FlowStoreStatus prepareAppend(const StoredFlowVersion& in, bool exists, int64_t latest,
                              int64_t expectedRevision, StoredFlowVersion& stored) {
    if (expectedRevision == 0 && exists) {
        return FlowStoreStatus::AlreadyExists;
    }
    if (expectedRevision > 0 && !exists) {
        return FlowStoreStatus::NotFound;
    }
    if (expectedRevision > 0 && expectedRevision != latest) {
        return FlowStoreStatus::Conflict;
    }
    stored = in;
    stored.revision = latest + 1;
    stored.createdAtMs = in.createdAtMs == 0 ? nowMs() : in.createdAtMs;
    stored.digest = flowDigest(in.flowJson);
    stored.published = false;
    return FlowStoreStatus::Ok;
}

} // namespace flowstore

namespace {

class MemoryFlowVersionStore final : public FlowVersionStore {
public:
    FlowStoreResult append(const StoredFlowVersion& in, int64_t expectedRevision) override {
        std::lock_guard lock(m_mutex);
        const Key key{in.tenantId, in.flowId};
        auto it = m_flows.find(key);
        const int64_t latest = it == m_flows.end() ? 0 : int64_t(it->second.versions.size());
        StoredFlowVersion stored;
        if (const FlowStoreStatus status =
                flowstore::prepareAppend(in, it != m_flows.end(), latest, expectedRevision, stored);
            status != FlowStoreStatus::Ok) {
            return {status, {}, {}};
        }
        if (it == m_flows.end()) {
            it = m_flows.emplace(key, Record{}).first;
            it->second.createdAtMs = stored.createdAtMs;
        }
        Record& record = it->second;
        stored.version =
            flowstore::chooseVersionId(in.version, stored.revision, [&](const std::string& id) {
                return findIn(record, id) != nullptr;
            });
        record.versions.push_back(stored);
        record.updatedAtMs = stored.createdAtMs;
        record.name = in.name;
        record.description = in.description;
        return {FlowStoreStatus::Ok, {}, stored};
    }

    bool recordLastUsed(const std::map<std::string, int64_t>& lastUsedMs, std::string*) override {
        std::lock_guard lock(m_mutex);
        for (const auto& [flowId, ms] : lastUsedMs) {
            int64_t& stored = m_lastUsed[flowId];
            stored = std::max(stored, ms);
        }
        return true;
    }

    std::map<std::string, int64_t> lastUsed() override {
        std::lock_guard lock(m_mutex);
        return m_lastUsed;
    }

    FlowStoreStatus activate(const std::string& tenantId, const std::string& flowId,
                             const std::string& version) override {
        std::lock_guard lock(m_mutex);
        const auto it = m_flows.find({tenantId, flowId});
        StoredFlowVersion* found = it == m_flows.end() ? nullptr : findIn(it->second, version);
        if (found == nullptr) {
            return FlowStoreStatus::NotFound;
        }
        found->published = true;
        it->second.active = version;
        it->second.archived = false;
        it->second.updatedAtMs = flowstore::nowMs();
        return FlowStoreStatus::Ok;
    }

    FlowStoreStatus archive(const std::string& tenantId, const std::string& flowId) override {
        std::lock_guard lock(m_mutex);
        const auto it = m_flows.find({tenantId, flowId});
        if (it == m_flows.end()) {
            return FlowStoreStatus::NotFound;
        }
        it->second.active.clear();
        it->second.archived = true;
        it->second.updatedAtMs = flowstore::nowMs();
        return FlowStoreStatus::Ok;
    }

    std::optional<StoredFlow> flow(const std::string& tenantId,
                                   const std::string& flowId) override {
        std::lock_guard lock(m_mutex);
        const auto it = m_flows.find({tenantId, flowId});
        if (it == m_flows.end()) {
            return std::nullopt;
        }
        return summary(it->first, it->second);
    }

    std::vector<StoredFlow> flows(const std::string& tenantId) override {
        std::lock_guard lock(m_mutex);
        std::vector<StoredFlow> out;
        for (const auto& [key, record] : m_flows) {
            if (tenantId.empty() || key.first == tenantId) {
                out.push_back(summary(key, record));
            }
        }
        std::stable_sort(out.begin(), out.end(),
                         [](const auto& a, const auto& b) { return a.flowId < b.flowId; });
        return out;
    }

    std::optional<StoredFlowVersion> version(const std::string& tenantId, const std::string& flowId,
                                             const std::string& version) override {
        std::lock_guard lock(m_mutex);
        const auto it = m_flows.find({tenantId, flowId});
        const StoredFlowVersion* found =
            it == m_flows.end() ? nullptr : findIn(it->second, version);
        return found != nullptr ? std::optional(*found) : std::nullopt;
    }

    FlowVersionPage versions(const std::string& tenantId, const std::string& flowId, size_t limit,
                             size_t offset) override {
        std::lock_guard lock(m_mutex);
        FlowVersionPage page;
        const auto it = m_flows.find({tenantId, flowId});
        if (it == m_flows.end()) {
            return page;
        }
        const auto& all = it->second.versions;
        page.total = int64_t(all.size());
        for (size_t i = offset; i < all.size() && page.versions.size() < limit; ++i) {
            StoredFlowVersion item = all[all.size() - 1 - i];
            item.flowJson.clear();
            page.versions.push_back(std::move(item));
        }
        return page;
    }

private:
    using Key = std::pair<std::string, std::string>;
    struct Record {
        std::vector<StoredFlowVersion> versions; // by revision
        std::string active;
        std::string name;
        std::string description;
        bool archived = false;
        int64_t createdAtMs = 0;
        int64_t updatedAtMs = 0;
    };

    static StoredFlowVersion* findIn(Record& record, const std::string& version) {
        for (auto& v : record.versions) {
            if (v.version == version) {
                return &v;
            }
        }
        return nullptr;
    }

    static StoredFlow summary(const Key& key, const Record& record) {
        StoredFlow out;
        out.tenantId = key.first;
        out.flowId = key.second;
        out.name = record.name;
        out.description = record.description;
        out.activeVersion = record.active;
        out.latestVersion = record.versions.back().version;
        out.latestRevision = record.versions.back().revision;
        out.versionCount = int64_t(record.versions.size());
        out.archived = record.archived;
        out.createdAtMs = record.createdAtMs;
        out.updatedAtMs = record.updatedAtMs;
        return out;
    }

    std::mutex m_mutex;
    std::map<Key, Record> m_flows;
    std::map<std::string, int64_t> m_lastUsed;
};

} // namespace

std::unique_ptr<FlowVersionStore> makeMemoryFlowVersionStore() {
    return std::make_unique<MemoryFlowVersionStore>();
}

} // namespace flowdeck::engine
