#include "load_driver.h"

#include "load_worker.h"

#include <grpcpp/grpcpp.h>

#include <algorithm>

namespace flowdeck::bench {

uint64_t LoadCounts::errorCount() const {
    uint64_t total = 0;
    for (const auto& [code, count] : errors) {
        total += count;
    }
    return total;
}

void LoadCounts::merge(const LoadCounts& other) {
    scheduled += other.scheduled;
    sent += other.sent;
    ok += other.ok;
    duplicates += other.duplicates;
    for (const auto& [code, count] : other.errors) {
        errors[code] += count;
    }
    for (const auto& [code, count] : other.flowErrors) {
        flowErrors[code] += count;
    }
    if (firstError.empty()) {
        firstError = other.firstError;
    }
    warmupSent += other.warmupSent;
    warmupOk += other.warmupOk;
    conversationsStarted += other.conversationsStarted;
    latency.merge(other.latency);
    maxSendLagMs = std::max(maxSendLagMs, other.maxSendLagMs);
    lastAnswer = std::max(lastAnswer, other.lastAnswer);
}

std::vector<std::shared_ptr<grpc::Channel>> connectChannels(const LoadOptions& options,
                                                            std::string* error) {
    std::vector<std::shared_ptr<grpc::Channel>> channels;
    const auto deadline = std::chrono::system_clock::now() + options.connectTimeout;
    for (int i = 0; i < options.threads; ++i) {
        grpc::ChannelArguments arguments;
        // Without it, channels to one target share a subchannel, and so one TCP connection.
        arguments.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
        auto channel = grpc::CreateCustomChannel(options.target, grpc::InsecureChannelCredentials(),
                                                 arguments);
        if (!channel->WaitForConnected(deadline)) {
            const auto ms = options.connectTimeout.count();
            *error =
                "cannot connect to " + options.target + " within " +
                (ms % 1000 == 0 ? std::to_string(ms / 1000) + " s" : std::to_string(ms) + " ms") +
                " (is flowd running there with --grpc " + options.target + "?)";
            return {};
        }
        channels.push_back(std::move(channel));
    }
    return channels;
}

LoadDriver::LoadDriver(const LoadOptions& options, const LoadScript& script,
                       const std::vector<std::shared_ptr<grpc::Channel>>& channels) {
    const size_t workers = channels.size();
    for (size_t i = 0; i < workers; ++i) {
        // Split conversations and calls as evenly as possible; every worker gets at least one.
        WorkerShare share;
        share.index = i;
        share.stride = workers;
        share.conversations = std::max<size_t>(
            1, options.conversations / workers + (i < options.conversations % workers ? 1 : 0));
        share.concurrency = std::max<size_t>(1, options.concurrency / workers +
                                                    (i < options.concurrency % workers ? 1 : 0));
        share.concurrency = std::min(share.concurrency, share.conversations);
        m_workers.push_back(std::make_unique<LoadWorker>(options, script, channels[i], share));
    }
}

LoadDriver::~LoadDriver() = default;

void LoadDriver::start(const Schedule& schedule) {
    for (auto& worker : m_workers) {
        worker->start(schedule);
    }
}

LoadCounts LoadDriver::wait() {
    LoadCounts total;
    for (auto& worker : m_workers) {
        total.merge(worker->join());
    }
    return total;
}

} // namespace flowdeck::bench
