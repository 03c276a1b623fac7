#include "clusters/connection_profile.h"

#include "clusters/cluster_connection.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>
#include <QSet>
#include <QStandardPaths>

namespace flowdeck::console {

namespace {

constexpr int kFormatVersion = 1;

QString fileProblem(const QString& field, const QString& path) {
    if (path.isEmpty()) {
        return {};
    }
    const QFileInfo info(path);
    if (!info.exists()) {
        return QObject::tr("%1: %2 does not exist").arg(field, path);
    }
    if (!info.isFile() || !info.isReadable()) {
        return QObject::tr("%1: %2 is not a readable file").arg(field, path);
    }
    return {};
}

// Reads one profile at `pointer`; the first fault goes to *error with its JSON pointer.
std::optional<ConnectionProfile> profileFromJson(const QJsonValue& value, const QString& pointer,
                                                 QString* error) {
    auto fail = [&](const QString& where, const QString& what) {
        *error = pointer + where + QStringLiteral(": ") + what;
        return std::nullopt;
    };
    if (!value.isObject()) {
        return fail({}, QObject::tr("expected an object"));
    }
    const QJsonObject object = value.toObject();
    if (object.contains(QStringLiteral("token"))) {
        return fail(QStringLiteral("/token"),
                    QObject::tr("tokens are not kept in this file; set it in the Profiles dialog"));
    }
    ConnectionProfile profile;
    if (!object.value(QStringLiteral("name")).isString()) {
        return fail(QStringLiteral("/name"), QObject::tr("expected a string"));
    }
    profile.name = object.value(QStringLiteral("name")).toString();
    const QJsonValue addresses = object.value(QStringLiteral("addresses"));
    if (!addresses.isArray()) {
        return fail(QStringLiteral("/addresses"), QObject::tr("expected an array of HOST:PORT"));
    }
    if (addresses.toArray().size() > kMaxProfileAddresses) {
        return fail(QStringLiteral("/addresses"),
                    QObject::tr("more than %1 addresses").arg(kMaxProfileAddresses));
    }
    for (int i = 0; i < addresses.toArray().size(); ++i) {
        const QJsonValue address = addresses.toArray().at(i);
        if (!address.isString() || !isNodeAddress(address.toString())) {
            return fail(QStringLiteral("/addresses/%1").arg(i), QObject::tr("not HOST:PORT"));
        }
        profile.addresses.append(address.toString());
    }
    profile.discover = object.value(QStringLiteral("discover")).toBool(false);
    const QJsonObject tls = object.value(QStringLiteral("tls")).toObject();
    profile.tlsCaFile = tls.value(QStringLiteral("ca")).toString();
    profile.tlsCertFile = tls.value(QStringLiteral("cert")).toString();
    profile.tlsKeyFile = tls.value(QStringLiteral("key")).toString();
    profile.user = object.value(QStringLiteral("user")).toString();
    return profile;
}

QJsonObject profileToJson(const ConnectionProfile& profile) {
    QJsonObject object{{QStringLiteral("name"), profile.name},
                       {QStringLiteral("addresses"), QJsonArray::fromStringList(profile.addresses)},
                       {QStringLiteral("discover"), profile.discover}};
    QJsonObject tls;
    if (!profile.tlsCaFile.isEmpty()) {
        tls.insert(QStringLiteral("ca"), profile.tlsCaFile);
    }
    if (!profile.tlsCertFile.isEmpty()) {
        tls.insert(QStringLiteral("cert"), profile.tlsCertFile);
    }
    if (!profile.tlsKeyFile.isEmpty()) {
        tls.insert(QStringLiteral("key"), profile.tlsKeyFile);
    }
    if (!tls.isEmpty()) {
        object.insert(QStringLiteral("tls"), tls);
    }
    if (!profile.user.isEmpty()) {
        object.insert(QStringLiteral("user"), profile.user);
    }
    return object;
}

} // namespace

client::Credentials ConnectionProfile::credentials(const QString& token) const {
    client::Credentials out;
    out.token = token.toStdString();
    out.user = user.toStdString();
    out.tlsCaFile = tlsCaFile.toStdString();
    out.tlsCertFile = tlsCertFile.toStdString();
    out.tlsKeyFile = tlsKeyFile.toStdString();
    return client::withEnvironment(std::move(out));
}

QStringList profileProblems(const ConnectionProfile& profile, const QStringList& others) {
    QStringList problems;
    const QString name = profile.name.trimmed();
    if (name.isEmpty()) {
        problems << QObject::tr("Name: give the profile a name");
    } else if (others.contains(name)) {
        problems << QObject::tr("Name: a profile named %1 exists already").arg(name);
    }
    if (profile.addresses.isEmpty()) {
        problems << QObject::tr("Addresses: list at least one node as HOST:PORT");
    }
    if (profile.addresses.size() > kMaxProfileAddresses) {
        problems << QObject::tr("Addresses: at most %1").arg(kMaxProfileAddresses);
    }
    QSet<QString> seen;
    for (int i = 0; i < profile.addresses.size(); ++i) {
        const QString& address = profile.addresses.at(i);
        if (!isNodeAddress(address)) {
            problems
                << QObject::tr("Addresses, line %1: %2 is not HOST:PORT").arg(i + 1).arg(address);
        } else if (seen.contains(address)) {
            problems
                << QObject::tr("Addresses, line %1: %2 is listed twice").arg(i + 1).arg(address);
        }
        seen.insert(address);
    }
    if (profile.tlsCertFile.isEmpty() != profile.tlsKeyFile.isEmpty()) {
        problems << QObject::tr(
            "TLS: a client certificate needs its key, and a key its certificate");
    }
    for (const auto& [field, path] :
         {std::pair{QObject::tr("TLS CA"), profile.tlsCaFile},
          std::pair{QObject::tr("TLS client certificate"), profile.tlsCertFile},
          std::pair{QObject::tr("TLS client key"), profile.tlsKeyFile}}) {
        if (QString problem = fileProblem(field, path); !problem.isEmpty()) {
            problems << problem;
        }
    }
    return problems;
}

std::optional<QList<ConnectionProfile>> profilesFromJson(const QByteArray& json, QString* error) {
    if (json.size() > kMaxProfilesFileBytes) {
        *error = QObject::tr("larger than %1 bytes").arg(kMaxProfilesFileBytes);
        return std::nullopt;
    }
    QJsonParseError parse;
    const QJsonDocument document = QJsonDocument::fromJson(json, &parse);
    if (parse.error != QJsonParseError::NoError) {
        *error =
            QObject::tr("not JSON at offset %1: %2").arg(parse.offset).arg(parse.errorString());
        return std::nullopt;
    }
    const QJsonObject root = document.object();
    if (!document.isObject() || root.value(QStringLiteral("version")).toInt() != kFormatVersion) {
        *error = QObject::tr("/version: expected %1").arg(kFormatVersion);
        return std::nullopt;
    }
    const QJsonValue list = root.value(QStringLiteral("profiles"));
    if (!list.isArray() || list.toArray().size() > kMaxProfiles) {
        *error = QObject::tr("/profiles: expected an array of at most %1").arg(kMaxProfiles);
        return std::nullopt;
    }
    QList<ConnectionProfile> profiles;
    QStringList names;
    for (int i = 0; i < list.toArray().size(); ++i) {
        const QString pointer = QStringLiteral("/profiles/%1").arg(i);
        auto profile = profileFromJson(list.toArray().at(i), pointer, error);
        if (!profile) {
            return std::nullopt;
        }
        if (names.contains(profile->name)) {
            *error = pointer + QObject::tr("/name: %1 is used twice").arg(profile->name);
            return std::nullopt;
        }
        names << profile->name;
        profiles.append(std::move(*profile));
    }
    return profiles;
}

QByteArray profilesToJson(const QList<ConnectionProfile>& profiles) {
    QJsonArray list;
    for (const ConnectionProfile& profile : profiles) {
        list.append(profileToJson(profile));
    }
    const QJsonObject root{{QStringLiteral("version"), kFormatVersion},
                           {QStringLiteral("profiles"), list}};
    return QJsonDocument(root).toJson(QJsonDocument::Indented);
}

QString ProfileStore::configDirectory() {
    return QStandardPaths::writableLocation(QStandardPaths::AppConfigLocation);
}

QString ProfileStore::profilesPath() {
    return configDirectory() + QStringLiteral("/connections.json");
}

std::optional<QList<ConnectionProfile>> ProfileStore::load(QString* error) {
    QFile file(profilesPath());
    if (!file.exists()) {
        return QList<ConnectionProfile>{};
    }
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QObject::tr("%1: %2").arg(file.fileName(), file.errorString());
        return std::nullopt;
    }
    QString problem;
    auto profiles = profilesFromJson(file.read(kMaxProfilesFileBytes + 1), &problem);
    if (!profiles) {
        *error = QObject::tr("%1: %2").arg(file.fileName(), problem);
    }
    return profiles;
}

bool ProfileStore::save(const QList<ConnectionProfile>& profiles, QString* error) {
    if (!QDir().mkpath(configDirectory())) {
        *error = QObject::tr("cannot create %1").arg(configDirectory());
        return false;
    }
    // QSaveFile writes a temporary file and renames it: a crash mid-write keeps the old list.
    QSaveFile file(profilesPath());
    if (!file.open(QIODevice::WriteOnly) || file.write(profilesToJson(profiles)) < 0 ||
        !file.commit()) {
        *error = QObject::tr("%1: %2").arg(file.fileName(), file.errorString());
        return false;
    }
    return true;
}

} // namespace flowdeck::console
