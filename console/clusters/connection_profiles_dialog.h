#pragma once

#include "clusters/connection_profile.h"

#include <QDialog>
#include <QList>

class QCheckBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPlainTextEdit;
class QPushButton;

namespace flowdeck::console {

class TokenVault;

// Edits the connection profiles: a list of names on the left, the selected profile's nodes, TLS
// files, user and token on the right. Problems are listed under the form as they are typed and
// keep Save disabled. Save writes the profiles file and hands a typed token to the TokenVault
// (the field is never filled back in: a kept token is not shown again). Connect saves, closes and
// asks for the profile to be connected.
class ConnectionProfilesDialog final : public QDialog {
    Q_OBJECT
public:
    ConnectionProfilesDialog(QList<ConnectionProfile> profiles, TokenVault* vault,
                             const QString& current, QWidget* parent = nullptr);

    const QList<ConnectionProfile>& profiles() const { return m_profiles; }
    // The profile Connect was pressed for, else empty.
    const QString& connectRequested() const { return m_connect; }

    // For tests and the keyboard: the form's widgets.
    QListWidget* list() const { return m_list; }
    QLineEdit* nameEdit() const { return m_name; }
    QPlainTextEdit* addressesEdit() const { return m_addresses; }
    QLineEdit* tokenEdit() const { return m_token; }
    QCheckBox* discoverBox() const { return m_discover; }
    QLabel* problemsLabel() const { return m_problems; }
    QPushButton* saveButton() const { return m_save; }
    QLabel* tokenStatus() const { return m_tokenStatus; }

    // Saves the form into the selected profile, the file and the vault; false (with the reason
    // shown) when the form has problems or the file cannot be written.
    bool save();
    void addProfile();
    void removeProfile();

Q_SIGNALS:
    // The profiles file was written (the workspace reloads its list).
    void saved();
    // The vault answered for a token write or removal (text shown in tokenStatus()).
    void tokenStored(bool ok);

private:
    QWidget* buildForm();
    void showProfile(int row);
    ConnectionProfile formProfile() const;
    // Every profile's name but the one at `row` (-1: all), for the "name used twice" check.
    QStringList namesExcept(int row) const;
    void checkForm();
    void storeTokens();
    void moveToken(const QString& from, const QString& to);
    void forgetToken();
    void setTokenStatus(bool ok, const QString& text);

    QList<ConnectionProfile> m_profiles;
    // Alongside m_profiles: each one's name when last saved (empty: new) and the token typed
    // for it since (empty: keep what the vault has).
    QStringList m_savedNames;
    QStringList m_typedTokens;
    TokenVault* m_vault;
    int m_row = -1;
    QString m_connect;
    QListWidget* m_list = nullptr;
    QLineEdit* m_name = nullptr;
    QPlainTextEdit* m_addresses = nullptr;
    QCheckBox* m_discover = nullptr;
    QLineEdit* m_ca = nullptr;
    QLineEdit* m_cert = nullptr;
    QLineEdit* m_key = nullptr;
    QLineEdit* m_user = nullptr;
    QLineEdit* m_token = nullptr;
    QLabel* m_tokenStatus = nullptr;
    QLabel* m_problems = nullptr;
    QPushButton* m_save = nullptr;
    QPushButton* m_connectButton = nullptr;
    QPushButton* m_remove = nullptr;
};

} // namespace flowdeck::console
