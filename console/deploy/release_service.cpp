#include "deploy/release_service.h"

#include "flowdeck/client/credentials.h"

#include <QCoreApplication>

#include <utility>

namespace flowdeck::console {

ReleaseService::ReleaseService(QObject* parent)
    : QObject(parent)
    // Like flowctl: the token from $FLOWDECK_TOKEN and the actor from $USER, unless a
    // connection profile brings its own; never from a setting the workspace database keeps.
    , m_credentials(client::withEnvironment({})) {
    m_pool.setMaxThreadCount(1);
    // Keep the thread between polls (one every second or two) instead of respawning it.
    m_pool.setExpiryTimeout(60000);
}

ReleaseService::~ReleaseService() {
    m_pool.clear();
    m_pool.waitForDone();
}

void ReleaseService::setCredentials(client::Credentials credentials) {
    m_credentials = std::move(credentials);
    // The next setAddress() builds a client with them; answers under the old ones are dropped.
    m_client.reset();
    ++m_generation;
}

void ReleaseService::setAddress(const QString& address) {
    if (address == m_address && m_client) {
        return;
    }
    m_address = address;
    ++m_generation;
    m_client.reset();
    if (!address.isEmpty()) {
        client::ClientOptions options;
        options.address = address.toStdString();
        options.timeout = kTimeout;
        options.credentials = m_credentials;
        m_client = std::make_shared<client::ReleasesClient>(options);
    }
}

void ReleaseService::post(QObject* context, Job job) {
    const QPointer<QObject> guard(context);
    if (!m_client) {
        return;
    }
    ++m_pending;
    Q_EMIT pendingChanged(m_pending);
    const quint64 generation = m_generation;
    // The job holds the client it was asked of: a new address cannot pull it from under it.
    m_pool.start([this, generation, guard, job = std::move(job), releases = m_client] {
        std::function<void()> deliver = job(*releases);
        // This object outlives the job (its destructor waits for the pool), and a queued call
        // to an object destroyed before delivery is dropped by Qt.
        QMetaObject::invokeMethod(
            this, [this, generation, guard, deliver] { finished(generation, guard, deliver); },
            Qt::QueuedConnection);
    });
}

void ReleaseService::finished(quint64 generation, const QPointer<QObject>& context,
                              const std::function<void()>& deliver) {
    --m_pending;
    Q_EMIT pendingChanged(m_pending);
    if (generation == m_generation && context) {
        deliver();
    }
}

QString describeError(const client::CallError& error) {
    QString message = QString::fromStdString(error.message);
    if (message.isEmpty()) {
        message = QCoreApplication::translate("ReleaseService", "the call failed (gRPC code %1)")
                      .arg(error.grpcCode);
    }
    if (!error.errorCode.empty() && !message.contains(QString::fromStdString(error.errorCode))) {
        message = QStringLiteral("%1: %2").arg(QString::fromStdString(error.errorCode), message);
    }
    return message;
}

} // namespace flowdeck::console
