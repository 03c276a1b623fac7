#pragma once

// Starts flowdeck-http-stub (tests/support/http_stub.cpp) as a real process on 127.0.0.1 for
// integration tests, and stops it when the object goes away. Usage:
//   flowdeck::test::HttpStubProcess stub;
//   QVERIFY2(stub.start(), qPrintable(stub.errorString()));
//   request.url = stub.url("/json/order-42");
// Needs a QCoreApplication (QTEST_GUILESS_MAIN provides one); no event loop is required.

#include <QByteArray>
#include <QElapsedTimer>
#include <QProcess>
#include <QString>
#include <QStringList>

#include <string>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace flowdeck::test {

class HttpStubProcess final {
public:
#ifdef TEST_BIN_DIR
    explicit HttpStubProcess(QString program = QStringLiteral(TEST_BIN_DIR "/flowdeck-http-stub"))
#else
    explicit HttpStubProcess(QString program)
#endif
        : m_program(std::move(program)) {
    }
    ~HttpStubProcess() {
        stop();
    }
    HttpStubProcess(const HttpStubProcess&) = delete;
    HttpStubProcess& operator=(const HttpStubProcess&) = delete;

    // Starts the stub on an ephemeral port (unless `arguments` give --port) and waits, at most
    // `timeoutMs`, for it to print the port it listens on. Extra arguments: e.g. --routes FILE.
    bool start(const QStringList& arguments = {}, int timeoutMs = 5000) {
        stop();
        QStringList args = arguments;
        if (!args.contains(QStringLiteral("--port"))) {
            args << QStringLiteral("--port") << QStringLiteral("0");
        }
        // The stub writes nothing to stdout after its first line, so the unread pipe never fills;
        // its stderr goes to the test's output, where its complaints belong.
        m_process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        m_process.start(m_program, args);
        QElapsedTimer timer;
        timer.start();
        if (!m_process.waitForStarted(timeoutMs)) {
            return fail(
                QStringLiteral("cannot start %1: %2").arg(m_program, m_process.errorString()));
        }
        while (!m_process.canReadLine()) {
            const qint64 left = timeoutMs - timer.elapsed();
            if (left <= 0 || !m_process.waitForReadyRead(static_cast<int>(left))) {
                if (m_process.state() == QProcess::NotRunning) {
                    return fail(QStringLiteral("%1 exited (code %2) before listening")
                                    .arg(m_program)
                                    .arg(m_process.exitCode()));
                }
                if (timer.elapsed() >= timeoutMs) {
                    return fail(QStringLiteral("%1 did not report its port within %2 ms")
                                    .arg(m_program)
                                    .arg(timeoutMs));
                }
            }
        }
        return parseReadyLine(m_process.readLine().trimmed());
    }

    // SIGTERM, then SIGKILL if the stub has not exited within two seconds.
    void stop() {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.terminate();
            if (!m_process.waitForFinished(2000)) {
                m_process.kill();
                m_process.waitForFinished(2000);
            }
        }
        m_port = 0;
    }

    bool isRunning() const {
        return m_process.state() == QProcess::Running && m_port > 0;
    }
    int port() const {
        return m_port;
    }
    // "http://127.0.0.1:<port>" followed by `path` (which should start with '/').
    std::string url(const std::string& path = {}) const {
        return "http://127.0.0.1:" + std::to_string(m_port) + path;
    }
    QString errorString() const {
        return m_error;
    }
    QProcess& process() {
        return m_process;
    }

private:
    bool parseReadyLine(const QByteArray& line) {
        const QByteArray prefix = "listening 127.0.0.1:";
        bool ok = false;
        const int port = line.startsWith(prefix) ? line.mid(prefix.size()).toInt(&ok) : 0;
        if (!ok || port <= 0 || port > 65535) {
            return fail(QStringLiteral("unexpected first line from %1: '%2'")
                            .arg(m_program, QString::fromUtf8(line)));
        }
        m_port = port;
        return true;
    }

    bool fail(QString message) {
        m_error = std::move(message);
        stop();
        return false;
    }

    QString m_program;
    QProcess m_process;
    QString m_error;
    int m_port = 0;
};

// A loopback port with nothing listening on it (bound, then released), for connection-refused
// cases. Another process could take it in between; on a test machine that is very unlikely.
inline int closedLoopbackPort() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) {
        return 0;
    }
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    socklen_t length = sizeof(address);
    int port = 0;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
        port = ntohs(address.sin_port);
    }
    ::close(fd);
    return port;
}

} // namespace flowdeck::test
