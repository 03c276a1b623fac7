#pragma once

#include <QObject>
#include <QString>

#include <functional>

namespace flowdeck::console {

// Where a connection profile's token lives: the OS keychain (qtkeychain: Secret Service, KWallet,
// macOS Keychain, Windows Credential Store) or, where none answers, a file of its own with mode
// 0600 in a 0700 directory under the console's config directory. Never the workspace database,
// the profiles file, QSettings or a log. Every call answers once, on the calling (UI) thread;
// keychain calls are asynchronous and bounded by a deadline, so a hung keychain daemon costs a
// fallback, never a frozen window.
class TokenVault final : public QObject {
    Q_OBJECT
public:
    enum class Backend {
        Keychain, // keychain first, the file when no keychain is available
        File      // the file only ($FLOWDECK_TOKEN_STORE=file: headless machines and tests)
    };
    struct Result {
        bool ok = false;
        QString token;  // read: the token, empty when none is kept
        QString where;  // for a person: "the system keychain" or the file's path
        QString notice; // why the file was used instead of the keychain, if it was
        QString error;  // when !ok: what went wrong and where
    };
    using Done = std::function<void(const Result&)>;

    explicit TokenVault(QObject* parent = nullptr);

    Backend backend() const { return m_backend; }
    void setBackend(Backend backend) { m_backend = backend; }

    void read(const QString& profile, Done done);
    // An empty token removes what is kept for the profile.
    void write(const QString& profile, const QString& token, Done done);
    void remove(const QString& profile, Done done);

    // The file backend, synchronous (small local files). The file of a profile is named by a
    // hash of the profile name, so any name is a safe file name.
    static QString tokenDirectory();
    static QString tokenFile(const QString& profile);
    static Result readFile(const QString& profile);
    static Result writeFile(const QString& profile, const QString& token);
    static Result removeFile(const QString& profile);

    static constexpr int kKeychainDeadlineMs = 10000;
    static constexpr qint64 kMaxTokenBytes = 16 * 1024;

private:
    void readKeychain(const QString& profile, Done done);
    void writeKeychain(const QString& profile, const QString& token, Done done);
    void removeKeychain(const QString& profile, Done done);

    Backend m_backend;
};

} // namespace flowdeck::console
