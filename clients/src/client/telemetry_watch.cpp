// TelemetryWatch, EventWatch and fetchNodeInfo over gRPC.
#include "channel.h"
#include "telemetry_proto.h"

#include "flowdeck/v1/telemetry.grpc.pb.h"

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <mutex>
#include <thread>

namespace flowdeck::client {

namespace {

using SystemClock = std::chrono::system_clock;
using StreamBody =
    std::function<grpc::Status(const std::shared_ptr<grpc::Channel>&, grpc::ClientContext&)>;

constexpr std::chrono::milliseconds kStopPoll{100};

std::string describe(std::chrono::milliseconds duration) {
    if (duration.count() % 1000 == 0) {
        return std::to_string(duration.count() / 1000) + " s";
    }
    return std::to_string(duration.count()) + " ms";
}

// Waits for the channel to connect, looking at `stopping` every kStopPoll; false with *why when
// `timeout` passes first (or nothing when stopped).
bool connect(grpc::Channel& channel, const std::string& address, std::chrono::milliseconds timeout,
             const std::atomic<bool>& stopping, std::string* why) {
    const auto deadline = SystemClock::now() + timeout;
    grpc_connectivity_state state = channel.GetState(true);
    while (state != GRPC_CHANNEL_READY) {
        if (stopping) {
            return false;
        }
        const auto now = SystemClock::now();
        if (now >= deadline) {
            *why = "cannot connect to " + address + " within " + describe(timeout);
            return false;
        }
        channel.WaitForStateChange(state, std::min(deadline, now + kStopPoll));
        state = channel.GetState(true);
    }
    return true;
}

} // namespace

namespace detail {

// One server stream on a thread of its own: connect within a deadline, run the body with a
// context that stop() can cancel, then report how it ended.
class StreamThread final {
public:
    StreamThread() = default;
    ~StreamThread() { stop(); }
    StreamThread(const StreamThread&) = delete;
    StreamThread& operator=(const StreamThread&) = delete;

    bool start(std::string address, Credentials credentials,
               std::chrono::milliseconds connectTimeout, StreamBody body,
               std::function<void(const WatchEnd&)> onEnd) {
        if (m_running) {
            return false;
        }
        if (m_thread.joinable()) {
            m_thread.join(); // a stream that ended by itself
        }
        m_stopping = false;
        m_running = true;
        m_thread =
            std::thread([this, address = std::move(address), credentials = std::move(credentials),
                         connectTimeout, body = std::move(body), onEnd = std::move(onEnd)] {
                const WatchEnd end = run(address, credentials, connectTimeout, body);
                if (onEnd) {
                    onEnd(end);
                }
                m_running = false;
            });
        return true;
    }

    void stop() {
        m_stopping = true;
        {
            std::lock_guard lock(m_mutex);
            if (m_context != nullptr) {
                m_context->TryCancel();
            }
        }
        if (m_thread.joinable() && m_thread.get_id() != std::this_thread::get_id()) {
            m_thread.join();
        }
    }

    bool running() const { return m_running; }

private:
    WatchEnd run(const std::string& address, const Credentials& credentials,
                 std::chrono::milliseconds connectTimeout, const StreamBody& body) {
        WatchEnd end;
        std::string why;
        const auto channel = openChannel(address, credentials, &why);
        if (!why.empty() || !connect(*channel, address, connectTimeout, m_stopping, &why)) {
            end.stopped = m_stopping;
            end.grpcCode = m_stopping ? grpc::StatusCode::CANCELLED : grpc::StatusCode::UNAVAILABLE;
            end.message = why;
            return end;
        }
        grpc::ClientContext context;
        authorize(context, credentials);
        {
            // Under the lock stop() cancels with: either it sees this context or we see it.
            std::lock_guard lock(m_mutex);
            if (m_stopping) {
                return {true, grpc::StatusCode::CANCELLED, {}};
            }
            m_context = &context;
        }
        const grpc::Status status = body(channel, context);
        {
            std::lock_guard lock(m_mutex);
            m_context = nullptr;
        }
        end.stopped = m_stopping;
        end.grpcCode = status.error_code();
        end.message = end.stopped ? std::string() : status.error_message();
        if (!end.stopped && end.message.empty() && !status.ok()) {
            end.message = "the stream from " + address + " ended with gRPC status " +
                          std::to_string(end.grpcCode);
        }
        return end;
    }

    std::mutex m_mutex;
    std::thread m_thread;
    grpc::ClientContext* m_context = nullptr;
    std::atomic<bool> m_stopping{false};
    std::atomic<bool> m_running{false};
};

} // namespace detail

struct TelemetryWatch::Impl {
    detail::StreamThread thread;
};

TelemetryWatch::TelemetryWatch()
    : m_impl(std::make_unique<Impl>()) {}

TelemetryWatch::~TelemetryWatch() {
    stop();
}

bool TelemetryWatch::start(MetricsWatchOptions options, SnapshotHandler onSnapshot,
                           EndHandler onEnd) {
    v1::WatchMetricsRequest request;
    const auto interval = options.interval.count();
    request.mutable_interval()->set_seconds(interval / 1000);
    request.mutable_interval()->set_nanos(static_cast<int32_t>(interval % 1000) * 1000000);
    for (const auto& prefix : options.families) {
        request.add_families(prefix);
    }
    request.set_omit_buckets(options.omitBuckets);
    auto body = [request, onSnapshot = std::move(onSnapshot)](
                    const std::shared_ptr<grpc::Channel>& channel, grpc::ClientContext& context) {
        const auto stub = v1::Telemetry::NewStub(channel);
        auto reader = stub->WatchMetrics(&context, request);
        v1::MetricsSnapshot message;
        std::optional<HistogramLayout> layout;
        while (reader->Read(&message)) {
            MetricsSnapshot snapshot = detail::fromProto(message);
            if (snapshot.layout) {
                layout = snapshot.layout;
            } else {
                snapshot.layout = layout;
            }
            if (onSnapshot) {
                onSnapshot(snapshot);
            }
        }
        return reader->Finish();
    };
    return m_impl->thread.start(options.address, options.credentials, options.connectTimeout,
                                std::move(body), std::move(onEnd));
}

void TelemetryWatch::stop() {
    m_impl->thread.stop();
}

bool TelemetryWatch::running() const {
    return m_impl->thread.running();
}

struct EventWatch::Impl {
    detail::StreamThread thread;
};

EventWatch::EventWatch()
    : m_impl(std::make_unique<Impl>()) {}

EventWatch::~EventWatch() {
    stop();
}

bool EventWatch::start(EventsWatchOptions options, EventHandler onEvent, EndHandler onEnd) {
    v1::WatchEventsRequest request;
    for (const EventKind kind : options.kinds) {
        request.add_kinds(detail::toProto(kind));
    }
    request.set_replay(options.replay);
    auto body = [request, onEvent = std::move(onEvent)](
                    const std::shared_ptr<grpc::Channel>& channel, grpc::ClientContext& context) {
        const auto stub = v1::Telemetry::NewStub(channel);
        auto reader = stub->WatchEvents(&context, request);
        v1::Event message;
        while (reader->Read(&message)) {
            if (onEvent) {
                onEvent(detail::fromProto(message));
            }
        }
        return reader->Finish();
    };
    return m_impl->thread.start(options.address, options.credentials, options.connectTimeout,
                                std::move(body), std::move(onEnd));
}

void EventWatch::stop() {
    m_impl->thread.stop();
}

bool EventWatch::running() const {
    return m_impl->thread.running();
}

std::optional<NodeInfo> fetchNodeInfo(const std::string& address, std::chrono::milliseconds timeout,
                                      std::string* error, const Credentials& credentials) {
    std::string setupError;
    const auto stub =
        v1::Telemetry::NewStub(detail::openChannel(address, credentials, &setupError));
    if (!setupError.empty()) {
        if (error != nullptr) {
            *error = setupError;
        }
        return std::nullopt;
    }
    grpc::ClientContext context;
    detail::authorize(context, credentials);
    context.set_deadline(SystemClock::now() + timeout);
    context.set_wait_for_ready(true); // wait for the connection, within the deadline
    v1::NodeInfo info;
    const grpc::Status status = stub->GetNodeInfo(&context, v1::GetNodeInfoRequest(), &info);
    if (status.ok()) {
        return detail::fromProto(info);
    }
    if (error != nullptr) {
        *error = status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED
                     ? "cannot reach " + address + " within " + describe(timeout)
                     : "GetNodeInfo on " + address + " failed: " + status.error_message();
    }
    return std::nullopt;
}

} // namespace flowdeck::client
