#include "clusters/token_vault.h"

#include "clusters/connection_profile.h"

#include <qt6keychain/keychain.h>

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QTimer>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <memory>
#include <sys/stat.h>
#include <unistd.h>

namespace flowdeck::console {

namespace {

const QString kService = QStringLiteral("Flowdeck connection profiles");

QString systemError() {
    return QString::fromLocal8Bit(std::strerror(errno));
}

// Whether the keychain's answer means "there is no keychain here" (fall back to the file)
// rather than "the keychain refused" (tell the user).
bool noKeychain(QKeychain::Error error) {
    return error == QKeychain::NoBackendAvailable || error == QKeychain::NotImplemented ||
           error == QKeychain::OtherError;
}

// Starts `job` and calls exactly one of `onFinished(error, errorString, job)` or `onTimeout()`
// (when the keychain has not answered within the deadline), so a caller's `done` runs once.
template <typename JobT, typename Finished, typename Timeout>
void runJob(QObject* context, JobT* job, Finished onFinished, Timeout onTimeout) {
    auto answered = std::make_shared<bool>(false);
    QObject::connect(job, &QKeychain::Job::finished, context, [=](QKeychain::Job*) {
        if (!std::exchange(*answered, true)) {
            onFinished(job->error(), job->errorString(), job);
        }
    });
    QTimer::singleShot(TokenVault::kKeychainDeadlineMs, context, [=] {
        if (!std::exchange(*answered, true)) {
            onTimeout();
        }
    });
    job->setAutoDelete(true);
    job->start();
}

QString keychainWhere() {
    return QObject::tr("the system keychain");
}

QString fallbackNotice(const QString& why) {
    return QObject::tr("No keychain answered (%1); the token is kept in a file only you can read.")
        .arg(why);
}

} // namespace

TokenVault::TokenVault(QObject* parent)
    : QObject(parent)
    , m_backend(qEnvironmentVariable("FLOWDECK_TOKEN_STORE") == QStringLiteral("file")
                    ? Backend::File
                    : Backend::Keychain) {}

QString TokenVault::tokenDirectory() {
    return ProfileStore::configDirectory() + QStringLiteral("/tokens");
}

QString TokenVault::tokenFile(const QString& profile) {
    const QByteArray hash =
        QCryptographicHash::hash(profile.toUtf8(), QCryptographicHash::Sha256).toHex().left(32);
    return tokenDirectory() + QLatin1Char('/') + QString::fromLatin1(hash) +
           QStringLiteral(".token");
}

TokenVault::Result TokenVault::readFile(const QString& profile) {
    Result result;
    result.where = tokenFile(profile);
    const QByteArray path = QFile::encodeName(result.where);
    struct stat info {};
    if (::stat(path.constData(), &info) != 0) {
        result.ok = errno == ENOENT; // nothing kept is not an error
        result.error = result.ok ? QString() : result.where + QStringLiteral(": ") + systemError();
        return result;
    }
    // As ssh does with its keys: a token others can read is not used.
    if ((info.st_mode & 077) != 0) {
        result.error = tr("%1 can be read by others (mode %2); run chmod 600 on it")
                           .arg(result.where)
                           .arg(info.st_mode & 0777, 3, 8, QLatin1Char('0'));
        return result;
    }
    QFile file(result.where);
    if (!file.open(QIODevice::ReadOnly)) {
        result.error = result.where + QStringLiteral(": ") + file.errorString();
        return result;
    }
    const QByteArray bytes = file.read(kMaxTokenBytes + 1);
    if (bytes.size() > kMaxTokenBytes) {
        result.error = tr("%1: larger than %2 bytes").arg(result.where).arg(kMaxTokenBytes);
        return result;
    }
    result.ok = true;
    result.token = QString::fromUtf8(bytes).trimmed();
    return result;
}

TokenVault::Result TokenVault::writeFile(const QString& profile, const QString& token) {
    if (token.isEmpty()) {
        return removeFile(profile);
    }
    Result result;
    result.where = tokenFile(profile);
    const QByteArray directory = QFile::encodeName(tokenDirectory());
    if (!QDir().mkpath(tokenDirectory()) || ::chmod(directory.constData(), 0700) != 0) {
        result.error = tokenDirectory() + QStringLiteral(": ") + systemError();
        return result;
    }
    // Created 0600 from the first byte (no window in which the umask's mode applies), written
    // whole, then renamed over the old one.
    const QByteArray target = QFile::encodeName(result.where);
    const QByteArray temporary = target + ".tmp";
    const QByteArray bytes = token.toUtf8();
    ::unlink(temporary.constData());
    const int fd = ::open(temporary.constData(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    bool written = fd >= 0 && ::write(fd, bytes.constData(), size_t(bytes.size())) == bytes.size();
    written = written && ::fsync(fd) == 0;
    const QString problem = written ? QString() : systemError();
    if (fd >= 0) {
        ::close(fd);
    }
    if (!written || ::rename(temporary.constData(), target.constData()) != 0) {
        result.error = result.where + QStringLiteral(": ") + (written ? systemError() : problem);
        ::unlink(temporary.constData());
        return result;
    }
    result.ok = true;
    return result;
}

TokenVault::Result TokenVault::removeFile(const QString& profile) {
    Result result;
    result.where = tokenFile(profile);
    const QByteArray path = QFile::encodeName(result.where);
    result.ok = ::unlink(path.constData()) == 0 || errno == ENOENT;
    if (!result.ok) {
        result.error = result.where + QStringLiteral(": ") + systemError();
    }
    return result;
}

void TokenVault::read(const QString& profile, Done done) {
    if (m_backend == Backend::File) {
        done(readFile(profile));
        return;
    }
    readKeychain(profile, std::move(done));
}

void TokenVault::write(const QString& profile, const QString& token, Done done) {
    if (token.isEmpty()) {
        remove(profile, std::move(done));
    } else if (m_backend == Backend::File) {
        done(writeFile(profile, token));
    } else {
        writeKeychain(profile, token, std::move(done));
    }
}

void TokenVault::remove(const QString& profile, Done done) {
    if (m_backend == Backend::File) {
        done(removeFile(profile));
        return;
    }
    removeKeychain(profile, std::move(done));
}

void TokenVault::readKeychain(const QString& profile, Done done) {
    auto* job = new QKeychain::ReadPasswordJob(kService, this);
    job->setKey(profile);
    runJob(
        this, job,
        [done, profile](QKeychain::Error error, const QString& why, QKeychain::Job* finished) {
            if (error == QKeychain::NoError) {
                Result result;
                result.ok = true;
                result.where = keychainWhere();
                result.token = static_cast<QKeychain::ReadPasswordJob*>(finished)->textData();
                done(result);
            } else if (error == QKeychain::EntryNotFound || noKeychain(error)) {
                // Saved while no keychain answered, or never saved: the file says which.
                Result result = readFile(profile);
                result.notice = error == QKeychain::EntryNotFound ? QString() : fallbackNotice(why);
                done(result);
            } else {
                done(Result{false, {}, keychainWhere(), {}, why});
            }
        },
        [done, profile] {
            Result result = readFile(profile);
            result.notice = fallbackNotice(tr("no answer in %1 s").arg(kKeychainDeadlineMs / 1000));
            done(result);
        });
}

void TokenVault::writeKeychain(const QString& profile, const QString& token, Done done) {
    auto* job = new QKeychain::WritePasswordJob(kService, this);
    job->setKey(profile);
    job->setTextData(token);
    auto toFile = [done, profile, token](const QString& why) {
        Result result = writeFile(profile, token);
        result.notice = fallbackNotice(why);
        done(result);
    };
    runJob(
        this, job,
        [done, profile, toFile](QKeychain::Error error, const QString& why, QKeychain::Job*) {
            if (error == QKeychain::NoError) {
                removeFile(profile); // one place only: an older file copy would shadow nothing
                done(Result{true, {}, keychainWhere(), {}, {}});
            } else if (noKeychain(error)) {
                toFile(why);
            } else {
                done(Result{false, {}, keychainWhere(), {}, why});
            }
        },
        [toFile] { toFile(tr("no answer in %1 s").arg(kKeychainDeadlineMs / 1000)); });
}

void TokenVault::removeKeychain(const QString& profile, Done done) {
    auto* job = new QKeychain::DeletePasswordJob(kService, this);
    job->setKey(profile);
    // The file copy goes either way; the keychain's answer only matters when it refuses.
    const Result file = removeFile(profile);
    runJob(
        this, job,
        [done, file](QKeychain::Error error, const QString& why, QKeychain::Job*) {
            const bool gone = error == QKeychain::NoError || error == QKeychain::EntryNotFound ||
                              noKeychain(error);
            done(gone ? file : Result{false, {}, keychainWhere(), {}, why});
        },
        [done, file] { done(file); });
}

} // namespace flowdeck::console
