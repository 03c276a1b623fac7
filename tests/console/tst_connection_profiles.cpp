// Connection profiles: the profiles file (round trip, faults named by JSON pointer, no token ever
// written to it), the checks the editor shows, the TokenVault's 0600 file and its refusal of a
// file others can read, the keychain path (whatever this machine has, a token written is read
// back), and the dialog driven through its widgets.
#include "clusters/connection_profile.h"
#include "clusters/connection_profiles_dialog.h"
#include "clusters/token_vault.h"

#include <QCheckBox>
#include <QElapsedTimer>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include <sys/stat.h>

using flowdeck::console::ConnectionProfile;
using flowdeck::console::ConnectionProfilesDialog;
using flowdeck::console::profileProblems;
using flowdeck::console::profilesFromJson;
using flowdeck::console::profilesToJson;
using flowdeck::console::ProfileStore;
using flowdeck::console::TokenVault;

namespace {

ConnectionProfile sample() {
    ConnectionProfile profile;
    profile.name = QStringLiteral("staging eu");
    profile.addresses = {QStringLiteral("10.0.0.5:7443"), QStringLiteral("flowd-2.internal:7443")};
    profile.discover = true;
    profile.user = QStringLiteral("oncall");
    return profile;
}

int modeOf(const QString& path) {
    struct stat info {};
    return ::stat(QFile::encodeName(path).constData(), &info) == 0 ? int(info.st_mode & 0777) : -1;
}

QString errorOf(const QByteArray& json) {
    QString error;
    return profilesFromJson(json, &error) ? QString() : error;
}

// Calls a vault operation and waits (bounded) for its answer.
TokenVault::Result await(const std::function<void(TokenVault::Done)>& operation) {
    std::optional<TokenVault::Result> answer;
    operation([&](const TokenVault::Result& result) { answer = result; });
    QElapsedTimer timer;
    timer.start();
    while (!answer && timer.elapsed() < TokenVault::kKeychainDeadlineMs + 5000) {
        QTest::qWait(20);
    }
    return answer.value_or(TokenVault::Result{false, {}, {}, {}, QStringLiteral("no answer")});
}

} // namespace

class TestConnectionProfiles final : public QObject {
    Q_OBJECT

    QTemporaryDir m_config;

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_config.isValid());
        qputenv("XDG_CONFIG_HOME", m_config.path().toUtf8());
        QVERIFY(ProfileStore::configDirectory().startsWith(m_config.path()));
    }

    void profilesRoundTripWithoutATokenKey() {
        ConnectionProfile tls = sample();
        tls.name = QStringLiteral("prod 开始");
        tls.discover = false;
        tls.tlsCaFile = QStringLiteral("/etc/flowdeck/ca.pem");
        tls.tlsCertFile = QStringLiteral("/etc/flowdeck/me.pem");
        tls.tlsKeyFile = QStringLiteral("/etc/flowdeck/me.key");
        const QByteArray json = profilesToJson({sample(), tls});
        QVERIFY(!json.contains("token"));
        QString error;
        const auto back = profilesFromJson(json, &error);
        QVERIFY2(back, qPrintable(error));
        QCOMPARE(back->size(), 2);
        QCOMPARE(back->at(0), sample());
        QCOMPARE(back->at(1), tls);
        // Credentials carry the TLS files and the token given, never one from the file.
        const auto credentials = tls.credentials(QStringLiteral("s3cret"));
        QCOMPARE(credentials.token, std::string("s3cret"));
        QCOMPARE(credentials.tlsCaFile, std::string("/etc/flowdeck/ca.pem"));
        QVERIFY(credentials.tls());
    }

    void faultsAreNamedByPointer() {
        QCOMPARE(errorOf("{\"version\":1,\"profiles\":[{\"name\":\"a\",\"addresses\":"
                         "[\"h:1\",\"nohost\"]}]}"),
                 QStringLiteral("/profiles/0/addresses/1: not HOST:PORT"));
        QVERIFY(errorOf("{\"version\":1,\"profiles\":[{\"name\":\"a\",\"addresses\":[],"
                        "\"token\":\"x\"}]}")
                    .startsWith(QStringLiteral("/profiles/0/token: tokens are not kept")));
        QVERIFY(errorOf("{\"version\":1,\"profiles\":[{\"name\":\"a\",\"addresses\":[]},"
                        "{\"name\":\"a\",\"addresses\":[]}]}")
                    .startsWith(QStringLiteral("/profiles/1/name: a is used twice")));
        QVERIFY(errorOf("{\"version\":2,\"profiles\":[]}").startsWith(QStringLiteral("/version")));
        QVERIFY(errorOf("{\"version\":1,").startsWith(QStringLiteral("not JSON at offset")));
        QVERIFY(!errorOf(QByteArray(2 << 20, ' ')).isEmpty());
    }

    void problemsNameTheField() {
        ConnectionProfile profile = sample();
        QVERIFY(profileProblems(profile, {}).isEmpty());
        QCOMPARE(profileProblems(profile, {QStringLiteral("staging eu")}).size(), 1);
        profile.addresses << QStringLiteral("10.0.0.5:7443") << QStringLiteral("bad:99999");
        const QStringList problems = profileProblems(profile, {});
        QVERIFY2(
            problems.join('|').contains(QStringLiteral("line 3: 10.0.0.5:7443 is listed twice")),
            qPrintable(problems.join('|')));
        QVERIFY(problems.join('|').contains(QStringLiteral("line 4: bad:99999 is not HOST:PORT")));
        profile = sample();
        profile.tlsCertFile = m_config.filePath(QStringLiteral("missing.pem"));
        const QString tls = profileProblems(profile, {}).join('|');
        QVERIFY(tls.contains(QStringLiteral("needs its key")));
        QVERIFY(tls.contains(QStringLiteral("missing.pem does not exist")));
    }

    void fileVaultKeepsTokensPrivate() {
        const QString name = QStringLiteral("a/b ../weird name");
        const auto written = TokenVault::writeFile(name, QStringLiteral("tok-123"));
        QVERIFY2(written.ok, qPrintable(written.error));
        QVERIFY(written.where.startsWith(TokenVault::tokenDirectory()));
        QCOMPARE(modeOf(written.where), 0600);
        QCOMPARE(modeOf(TokenVault::tokenDirectory()), 0700);
        QCOMPARE(TokenVault::readFile(name).token, QStringLiteral("tok-123"));
        // Replaced whole, still 0600.
        QVERIFY(TokenVault::writeFile(name, QStringLiteral("tok-456")).ok);
        QCOMPARE(TokenVault::readFile(name).token, QStringLiteral("tok-456"));
        QCOMPARE(modeOf(written.where), 0600);

        QVERIFY(QFile::setPermissions(written.where, QFileDevice::ReadOwner |
                                                         QFileDevice::WriteOwner |
                                                         QFileDevice::ReadOther));
        const auto loose = TokenVault::readFile(name);
        QVERIFY(!loose.ok);
        QVERIFY2(loose.error.contains(QStringLiteral("can be read by others (mode 604)")),
                 qPrintable(loose.error));
        QVERIFY(loose.token.isEmpty());

        QVERIFY(TokenVault::removeFile(name).ok);
        const auto gone = TokenVault::readFile(name);
        QVERIFY(gone.ok);
        QVERIFY(gone.token.isEmpty());
    }

    void keychainOrItsFallbackGivesTheTokenBack() {
        // This machine may or may not run a Secret Service: either way, what is written is read
        // back, answered within the deadline, and without a keychain it lands in the 0600 file.
        TokenVault vault;
        vault.setBackend(TokenVault::Backend::Keychain);
        const QString name = QStringLiteral("keychain probe");
        const auto written = await([&](TokenVault::Done done) {
            vault.write(name, QStringLiteral("kc-token"), std::move(done));
        });
        QVERIFY2(written.ok, qPrintable(written.error));
        qInfo("token kept in %s %s", qPrintable(written.where), qPrintable(written.notice));
        if (written.where != QStringLiteral("the system keychain")) {
            QCOMPARE(written.where, TokenVault::tokenFile(name));
            QVERIFY(!written.notice.isEmpty());
            QCOMPARE(modeOf(written.where), 0600);
        }
        const auto read = await([&](TokenVault::Done done) { vault.read(name, std::move(done)); });
        QVERIFY2(read.ok, qPrintable(read.error));
        QCOMPARE(read.token, QStringLiteral("kc-token"));
        const auto removed =
            await([&](TokenVault::Done done) { vault.remove(name, std::move(done)); });
        QVERIFY(removed.ok);
        QVERIFY(!QFile::exists(TokenVault::tokenFile(name)));
    }

    void dialogChecksSavesAndKeepsTheTokenApart() {
        TokenVault vault;
        vault.setBackend(TokenVault::Backend::File);
        ConnectionProfilesDialog dialog({}, &vault, {});
        dialog.show();
        // An empty list opens on a new profile.
        QCOMPARE(dialog.list()->count(), 1);
        dialog.nameEdit()->clear();
        QTest::keyClicks(dialog.nameEdit(), QStringLiteral("local"));
        QTest::keyClicks(dialog.addressesEdit(), QStringLiteral("127.0.0.1:7443"));
        QTest::keyClick(dialog.addressesEdit(), Qt::Key_Return);
        QTest::keyClicks(dialog.addressesEdit(), QStringLiteral("not-an-address"));
        QVERIFY(dialog.problemsLabel()->text().contains(
            QStringLiteral("line 2: not-an-address is not HOST:PORT")));
        QVERIFY(!dialog.saveButton()->isEnabled());
        dialog.addressesEdit()->setPlainText(QStringLiteral("127.0.0.1:7443"));
        QVERIFY(dialog.problemsLabel()->text().isEmpty());
        QVERIFY(dialog.saveButton()->isEnabled());
        QTest::mouseClick(dialog.discoverBox(), Qt::LeftButton);
        QTest::keyClicks(dialog.tokenEdit(), QStringLiteral("dialog-token"));

        // FLOWDECK_SCREENSHOT_DIR=DIR keeps a picture of the filled form (docs, and a look).
        if (const QString dir = qEnvironmentVariable("FLOWDECK_SCREENSHOT_DIR"); !dir.isEmpty()) {
            QVERIFY(dialog.grab().save(dir + QStringLiteral("/connection-profiles.png")));
        }
        QSignalSpy stored(&dialog, &ConnectionProfilesDialog::tokenStored);
        QTest::mouseClick(dialog.saveButton(), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(stored.size(), 1, 5000);
        QCOMPARE(stored.front().front().toBool(), true);
        QVERIFY(dialog.tokenEdit()->text().isEmpty()); // a kept token is not shown again

        QFile file(ProfileStore::profilesPath());
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray json = file.readAll();
        QVERIFY(!json.contains("dialog-token"));
        QString error;
        const auto saved = ProfileStore::load(&error);
        QVERIFY2(saved, qPrintable(error));
        QCOMPARE(saved->size(), 1);
        QCOMPARE(saved->front().name, QStringLiteral("local"));
        QVERIFY(saved->front().discover);
        QCOMPARE(TokenVault::readFile(QStringLiteral("local")).token,
                 QStringLiteral("dialog-token"));

        // Renaming carries the kept token to the new name.
        dialog.nameEdit()->setText(QStringLiteral("local 2"));
        QTest::mouseClick(dialog.saveButton(), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(stored.size(), 2, 5000);
        QCOMPARE(TokenVault::readFile(QStringLiteral("local 2")).token,
                 QStringLiteral("dialog-token"));
        QVERIFY(TokenVault::readFile(QStringLiteral("local")).token.isEmpty());

        // Deleting a saved profile drops its token at once.
        dialog.removeProfile();
        QVERIFY(TokenVault::readFile(QStringLiteral("local 2")).token.isEmpty());
        QVERIFY(dialog.save());
        QCOMPARE(ProfileStore::load(&error)->size(), 0);
    }

    void aDamagedFileIsReportedNotOverwritten() {
        QFile file(ProfileStore::profilesPath());
        QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
        file.write("{\"version\":1,\"profiles\":[{\"name\":3}]}");
        file.close();
        QString error;
        QVERIFY(!ProfileStore::load(&error));
        QVERIFY2(error.endsWith(QStringLiteral("/profiles/0/name: expected a string")),
                 qPrintable(error));
    }
};

QTEST_MAIN(TestConnectionProfiles)
#include "tst_connection_profiles.moc"
