#pragma once

#include "flowdeck/client/credentials.h"

#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace flowdeck::console {

// A named way to reach one cluster: its nodes, how to speak TLS to them and who to say we are.
// The token is not part of it: TokenVault keeps that in the OS keychain or a 0600 file, so a
// profile can be written to disk, shown and copied without carrying a secret.
struct ConnectionProfile {
    QString name;
    QStringList addresses; // HOST:PORT of each node, or of one node when `discover` is set
    // Connect to the first address that answers and add every peer it lists (GetNodeInfo.peers),
    // also those that join later.
    bool discover = false;
    QString tlsCaFile;   // PEM bundle to trust; set (or a client certificate) means TLS
    QString tlsCertFile; // client certificate for mutual TLS, with tlsKeyFile
    QString tlsKeyFile;
    QString user; // the actor recorded by nodes that run without tokens; empty: $USER

    // The client library's credentials for this profile with `token` (empty: $FLOWDECK_TOKEN).
    client::Credentials credentials(const QString& token) const;

    friend bool operator==(const ConnectionProfile&, const ConnectionProfile&) = default;
};

// Limits on what a profiles file may hold: a damaged or hostile file is refused, not loaded.
inline constexpr int kMaxProfiles = 200;
inline constexpr int kMaxProfileAddresses = 64;
inline constexpr qint64 kMaxProfilesFileBytes = 1 << 20;

// What is wrong with `profile` for a person, one problem per line with the field it concerns
// ("Addresses, line 2: …"); empty when it can be saved. `others` are the names already taken.
QStringList profileProblems(const ConnectionProfile& profile, const QStringList& others);

// The profiles file: {"version": 1, "profiles": [{name, addresses, discover, tls: {ca, cert,
// key}, user}]}. Parsing names the JSON pointer of the first fault ("/profiles/2/addresses/0:
// not HOST:PORT"); a "token" key anywhere is refused rather than kept, so a secret pasted into
// the file by hand is not silently carried along.
std::optional<QList<ConnectionProfile>> profilesFromJson(const QByteArray& json, QString* error);
QByteArray profilesToJson(const QList<ConnectionProfile>& profiles);

// Profiles on disk (profilesPath()), written atomically.
class ProfileStore final {
public:
    // The console's config directory ($XDG_CONFIG_HOME/flowdeck on Linux).
    static QString configDirectory();
    static QString profilesPath();

    // The saved profiles; an absent file is an empty list, a damaged one nullopt with *error.
    static std::optional<QList<ConnectionProfile>> load(QString* error);
    static bool save(const QList<ConnectionProfile>& profiles, QString* error);
};

} // namespace flowdeck::console
