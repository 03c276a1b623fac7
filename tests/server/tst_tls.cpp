#include "flowd_process.h"

#include "flowdeck/v1/telemetry.grpc.pb.h"

#include <grpcpp/grpcpp.h>

#include <QFile>
#include <QtTest>

#include <csignal>
#include <string>
#include <tuple>

namespace {

namespace v1 = flowdeck::v1;
using flowd_test::FlowdProcess;

std::string readFile(const QString& path) {
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll().toStdString() : std::string();
}

} // namespace

class tst_Tls : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_pki;
    QTemporaryDir m_flowsDir;

    QString pki(const char* name) const { return m_pki.filePath(name); }

    bool openssl(const QStringList& arguments) {
        QProcess process;
        process.setWorkingDirectory(m_pki.path());
        process.setProcessChannelMode(QProcess::MergedChannels);
        process.start(OPENSSL_BIN, arguments);
        if (!process.waitForFinished(30000) || process.exitCode() != 0) {
            qWarning("openssl %s: %s", qPrintable(arguments.join(' ')),
                     process.readAll().constData());
            return false;
        }
        return true;
    }

    // A key and a certificate for `name`, signed by the test CA.
    bool issue(const QString& name, const QString& subject, const QString& extensions) {
        QFile ext(pki("ext.cnf"));
        if (!ext.open(QIODevice::WriteOnly)) {
            return false;
        }
        ext.write(extensions.toUtf8());
        ext.close();
        return openssl({"req", "-newkey", "rsa:2048", "-nodes", "-keyout", name + ".key", "-subj",
                        subject, "-out", name + ".csr"}) &&
               openssl({"x509", "-req", "-in", name + ".csr", "-CA", "ca.crt", "-CAkey", "ca.key",
                        "-CAcreateserial", "-days", "2", "-extfile", "ext.cnf", "-out",
                        name + ".crt"});
    }

    // GetNodeInfo over TLS trusting the test CA, with the client certificate when asked.
    grpc::Status nodeInfo(const FlowdProcess& flowd, bool clientCert) {
        grpc::SslCredentialsOptions options;
        options.pem_root_certs = readFile(pki("ca.crt"));
        if (clientCert) {
            options.pem_private_key = readFile(pki("client.key"));
            options.pem_cert_chain = readFile(pki("client.crt"));
        }
        auto stub = v1::Telemetry::NewStub(
            grpc::CreateChannel(flowd.grpcTarget(), grpc::SslCredentials(options)));
        grpc::ClientContext context;
        context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
        v1::GetNodeInfoRequest request;
        v1::NodeInfo info;
        return stub->GetNodeInfo(&context, request, &info);
    }

private Q_SLOTS:
    void initTestCase() {
        // A server refusing the TLS handshake (no client certificate) closes the socket while
        // httplib's client may still be writing: that must be EPIPE for it, not a fatal SIGPIPE
        // for the whole test (flowd itself ignores SIGPIPE for the same reason).
        std::signal(SIGPIPE, SIG_IGN);
        QVERIFY(m_pki.isValid() && m_flowsDir.isValid());
        QFile::copy(RESOURCES_DIR "/flows/booking.json", m_flowsDir.filePath("booking.json"));
        QVERIFY(openssl({"req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key",
                         "-subj", "/CN=Flowdeck test CA", "-days", "2", "-out", "ca.crt"}));
        QVERIFY(issue("server", "/CN=127.0.0.1",
                      "subjectAltName=IP:127.0.0.1,DNS:localhost\n"
                      "extendedKeyUsage=serverAuth\n"));
        QVERIFY(issue("client", "/CN=flowctl", "extendedKeyUsage=clientAuth\n"));
    }

    void servesGrpcAndHttpsOverTls() {
        QTemporaryDir data;
        FlowdProcess flowd;
        flowd.useTls(pki("ca.crt").toStdString());
        QVERIFY2(flowd.start(data.path(), m_flowsDir.path(),
                             {"--tls-cert", pki("server.crt"), "--tls-key", pki("server.key")}),
                 qPrintable(flowd.log()));
        const grpc::Status secure = nodeInfo(flowd, false);
        QVERIFY2(secure.ok(), secure.error_message().c_str());

        auto plain = v1::Telemetry::NewStub(
            grpc::CreateChannel(flowd.grpcTarget(), grpc::InsecureChannelCredentials()));
        grpc::ClientContext context;
        context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(3));
        v1::NodeInfo info;
        QVERIFY(!plain->GetNodeInfo(&context, v1::GetNodeInfoRequest(), &info).ok());

        auto https = flowd.http();
        const auto health = https.Get("/health");
        QVERIFY(health);
        QCOMPARE(health->status, 200);
        httplib::Client cleartext("127.0.0.1", flowd.httpPort());
        cleartext.set_connection_timeout(3);
        cleartext.set_read_timeout(3);
        const auto refused = cleartext.Get("/health");
        QVERIFY(!refused || refused->status != 200);
        int exitCode = -1;
        QVERIFY(flowd.stop(&exitCode));
        QCOMPARE(exitCode, 0);
        QVERIFY(flowd.log().contains("HTTPS listening"));
    }

    void mutualTlsRequiresAClientCertificate() {
        QTemporaryDir data;
        FlowdProcess flowd;
        flowd.useTls(pki("ca.crt").toStdString(), pki("client.crt").toStdString(),
                     pki("client.key").toStdString());
        QVERIFY2(flowd.start(data.path(), m_flowsDir.path(),
                             {"--tls-cert", pki("server.crt"), "--tls-key", pki("server.key"),
                              "--tls-client-ca", pki("ca.crt")}),
                 qPrintable(flowd.log()));
        QVERIFY(!nodeInfo(flowd, false).ok());
        const grpc::Status withCert = nodeInfo(flowd, true);
        QVERIFY2(withCert.ok(), withCert.error_message().c_str());

        QCOMPARE(flowd.http().Get("/ready")->status, 200);
        httplib::Client noCert("https://127.0.0.1:" + std::to_string(flowd.httpPort()));
        noCert.set_ca_cert_path(pki("ca.crt").toStdString().c_str());
        noCert.set_connection_timeout(3);
        noCert.set_read_timeout(3);
        QVERIFY(!noCert.Get("/ready"));
        int exitCode = -1;
        QVERIFY(flowd.stop(&exitCode));
        QCOMPARE(exitCode, 0);
    }

    // flowctl reaches a node with TLS and tokens the way an operator would: a CA file on the
    // command line and the token in the environment.
    void flowctlSpeaksTlsWithAToken() {
        QTemporaryDir data;
        const QString tokens = data.filePath("tokens.json");
        QFile file(tokens);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("{\"tokens\":[{\"subject\":\"ada\",\"role\":\"operator\","
                   "\"tenants\":[\"default\"],\"token\":\"ada-token-0123456789\"}]}");
        file.close();
        QVERIFY(file.setPermissions(QFile::ReadOwner | QFile::WriteOwner));
        FlowdProcess flowd;
        flowd.useTls(pki("ca.crt").toStdString());
        QVERIFY2(flowd.start(data.path(), m_flowsDir.path(),
                             {"--tls-cert", pki("server.crt"), "--tls-key", pki("server.key"),
                              "--tokens", tokens}),
                 qPrintable(flowd.log()));
        const auto flowctl = [&](const QStringList& arguments, const QString& token) {
            QProcess process;
            QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
            environment.insert("FLOWDECK_TOKEN", token);
            process.setProcessEnvironment(environment);
            process.start(TEST_BIN_DIR "/flowctl", arguments);
            process.waitForFinished(30000);
            return std::make_pair(process.exitCode(),
                                  QString::fromUtf8(process.readAllStandardOutput() +
                                                    process.readAllStandardError()));
        };
        const QStringList list{"flows", "--addr", flowd.grpcAddress(), "--tls-ca", pki("ca.crt")};
        auto [code, output] = flowctl(list, "ada-token-0123456789");
        QVERIFY2(code == 0 && output.contains("booking"), qPrintable(output));
        std::tie(code, output) = flowctl(list, "");
        QVERIFY2(code == 1 && output.contains("needs a token"), qPrintable(output));
        std::tie(code, output) =
            flowctl({"top", flowd.grpcAddress(), "--count", "1", "--tls-ca", pki("ca.crt")},
                    "ada-token-0123456789");
        QVERIFY2(code == 0, qPrintable(output));
        std::tie(code, output) =
            flowctl({"flows", "--addr", flowd.grpcAddress()}, "ada-token-0123456789");
        QVERIFY2(code == 1, qPrintable(output)); // plaintext to a TLS node
        int exitCode = -1;
        QVERIFY(flowd.stop(&exitCode));
    }

    void halfATlsConfigurationIsRefused() {
        QTemporaryDir data;
        QProcess flowd;
        flowd.start(flowd_test::kFlowd,
                    {"--data", data.path(), "--flows", m_flowsDir.path(), "--grpc", "127.0.0.1:0",
                     "--http", "127.0.0.1:0", "--tls-cert", pki("server.crt")});
        QVERIFY(flowd.waitForFinished(15000));
        QCOMPARE(flowd.exitCode(), 2);
        QVERIFY(QString::fromUtf8(flowd.readAllStandardError()).contains("--tls-key"));
    }
};

QTEST_GUILESS_MAIN(tst_Tls)
#include "tst_tls.moc"
