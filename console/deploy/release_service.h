#pragma once

#include "flowdeck/client/releases_client.h"

#include <QObject>
#include <QPointer>
#include <QString>
#include <QThreadPool>

#include <chrono>
#include <functional>
#include <memory>

namespace flowdeck::console {

// The Deploy workspace's line to one node's Flows and Releases services. ReleasesClient is
// synchronous and for one thread at a time, so every call runs on this object's own pool of one
// thread — in the order asked, never on the UI thread — and its result comes back to the UI
// thread, to `done`, unless the address changed meanwhile or `context` is gone.
class ReleaseService final : public QObject {
    Q_OBJECT
public:
    // The deadline of every call, connecting included.
    static constexpr std::chrono::milliseconds kTimeout{5000};

    explicit ReleaseService(QObject* parent = nullptr);
    // Drops calls not started yet and waits for the one running, which its deadline bounds.
    ~ReleaseService() override;

    // A new client for HOST:PORT; results of calls made for the previous address are dropped.
    void setAddress(const QString& address);
    const QString& address() const { return m_address; }
    // The TLS settings and token of the client the next setAddress() builds (a connection
    // profile's); by default plaintext with $FLOWDECK_TOKEN and $USER, like flowctl. Drops the
    // current client and the answers still pending for it.
    void setCredentials(client::Credentials credentials);
    bool hasAddress() const { return m_client != nullptr; }
    // Calls asked for and not yet answered.
    int pending() const { return m_pending; }

    // Runs `work` on the pool and hands its CallResult to `done` on the UI thread.
    template <class T, class Work, class Done> void call(QObject* context, Work work, Done done) {
        post(context,
             [work = std::move(work), done = std::move(done)](
                 client::ReleasesClient& releases) mutable -> std::function<void()> {
                 auto result = std::make_shared<client::CallResult<T>>(work(releases));
                 return [done, result] { done(*result); };
             });
    }

Q_SIGNALS:
    void pendingChanged(int pending);

private:
    using Job = std::function<std::function<void()>(client::ReleasesClient&)>;
    void post(QObject* context, Job job);
    void finished(quint64 generation, const QPointer<QObject>& context,
                  const std::function<void()>& deliver);

    QThreadPool m_pool;
    std::shared_ptr<client::ReleasesClient> m_client;
    QString m_address;
    client::Credentials m_credentials;
    quint64 m_generation = 0;
    int m_pending = 0;
};

// "cannot reach 127.0.0.1:7443: connection refused", "FLOW_NOT_FOUND: flow 'x' …": one line for
// a person from a failed call.
QString describeError(const client::CallError& error);

} // namespace flowdeck::console
