#pragma once

// A real flowd on 127.0.0.1 for the server-* tests: free ports, started over a temporary data
// directory, ready when /ready says 200, stopped with SIGTERM.
#include <httplib.h>

#include <QElapsedTimer>
#include <QProcess>
#include <QStringList>
#include <QTcpServer>
#include <QTemporaryDir>

#include <chrono>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <thread>

namespace flowd_test {

inline const QString kFlowd = QStringLiteral(TEST_BIN_DIR "/flowd");

// A port nobody listens on right now: bind port 0, read what the kernel chose, release it.
inline int freePort() {
    QTcpServer server;
    if (!server.listen(QHostAddress::LocalHost, 0)) {
        qFatal("cannot bind a free port");
    }
    return server.serverPort();
}

class FlowdProcess final {
public:
    // Starts flowd on fresh ports and waits (up to 30 s) until /ready says 200.
    bool start(const QString& dataDir, const QString& flowsDir, const QStringList& extra = {}) {
        m_httpPort = freePort();
        m_grpcPort = freePort();
        m_process = std::make_unique<QProcess>();
        m_process->start(kFlowd,
                         QStringList{"--data", dataDir, "--grpc", grpcAddress(), "--http",
                                     QString("127.0.0.1:%1").arg(m_httpPort), "--flows", flowsDir} +
                             extra);
        if (!m_process->waitForStarted(10000)) {
            return false;
        }
        QElapsedTimer timer;
        timer.start();
        while (timer.elapsed() < 30000 && m_process->state() == QProcess::Running) {
            auto client = http();
            client.set_connection_timeout(1);
            if (auto result = client.Get("/ready"); result && result->status == 200) {
                return true;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        return false;
    }

    // SIGTERM; true when it exited within `timeoutMs` (its exit code in *exitCode, -1 if it
    // crashed). Killed otherwise.
    bool stop(int* exitCode, int timeoutMs = 15000) {
        m_process->terminate();
        const bool finished = m_process->waitForFinished(timeoutMs);
        *exitCode = m_process->exitStatus() == QProcess::NormalExit ? m_process->exitCode() : -1;
        if (!finished) {
            kill();
        }
        return finished;
    }

    void terminate() { m_process->terminate(); }
    bool waitForFinished(int timeoutMs) { return m_process->waitForFinished(timeoutMs); }
    void kill() {
        if (m_process && m_process->state() != QProcess::NotRunning) {
            m_process->kill();
            m_process->waitForFinished();
        }
    }

    QString grpcAddress() const { return QString("127.0.0.1:%1").arg(m_grpcPort); }
    std::string grpcTarget() const { return grpcAddress().toStdString(); }
    int grpcPort() const { return m_grpcPort; }
    int httpPort() const { return m_httpPort; }
    QString log() const { return QString::fromUtf8(m_process->readAllStandardError()); }

    // Talk HTTPS to a flowd started with --tls-cert: trust `caFile`, and present a client
    // certificate when one is given (mutual TLS).
    void useTls(std::string caFile, std::string clientCert = {}, std::string clientKey = {}) {
        m_caFile = std::move(caFile);
        m_clientCert = std::move(clientCert);
        m_clientKey = std::move(clientKey);
    }

    httplib::Client http() const {
        if (!m_caFile.empty()) {
            httplib::Client client("https://127.0.0.1:" + std::to_string(m_httpPort), m_clientCert,
                                   m_clientKey);
            client.set_ca_cert_path(m_caFile.c_str());
            client.set_connection_timeout(5);
            client.set_read_timeout(10);
            return client;
        }
        httplib::Client client("127.0.0.1", m_httpPort);
        client.set_connection_timeout(5);
        client.set_read_timeout(10);
        return client;
    }

    // GET /metrics as {"name{labels}": value}, one entry per sample line.
    std::map<std::string, double> scrape() const {
        std::map<std::string, double> samples;
        auto client = http();
        const auto result = client.Get("/metrics");
        if (!result || result->status != 200) {
            return samples;
        }
        std::istringstream lines(result->body);
        std::string line;
        while (std::getline(lines, line)) {
            const auto space = line.rfind(' ');
            if (line.empty() || line[0] == '#' || space == std::string::npos) {
                continue;
            }
            samples[line.substr(0, space)] = std::stod(line.substr(space + 1));
        }
        return samples;
    }

private:
    std::string m_caFile;
    std::string m_clientCert;
    std::string m_clientKey;
    std::unique_ptr<QProcess> m_process;
    int m_httpPort = 0;
    int m_grpcPort = 0;
};

} // namespace flowd_test
