#include "clusters/connection_profiles_dialog.h"

#include "clusters/token_vault.h"
#include "widgets/theme_colors.h"

#include <QCheckBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalBlocker>
#include <QToolButton>
#include <QVBoxLayout>

namespace flowdeck::console {

namespace {

// A path field with a "…" button that picks a file.
QHBoxLayout* fileRow(QLineEdit* edit, const QString& title, QWidget* parent) {
    auto* layout = new QHBoxLayout;
    auto* browse = new QToolButton;
    browse->setText(QStringLiteral("…"));
    browse->setFixedHeight(edit->sizeHint().height()); // the row stays one line edit high
    browse->setToolTip(title);
    QObject::connect(browse, &QToolButton::clicked, parent, [edit, title, parent] {
        const QString path = QFileDialog::getOpenFileName(
            parent, title, edit->text(),
            QObject::tr("PEM files (*.pem *.crt *.key);;All files (*)"));
        if (!path.isEmpty()) {
            edit->setText(path);
        }
    });
    layout->addWidget(edit, 1);
    layout->addWidget(browse);
    return layout;
}

QStringList addressLines(const QString& text) {
    QStringList lines;
    for (const QString& line : text.split(QLatin1Char('\n'))) {
        if (!line.trimmed().isEmpty()) {
            lines << line.trimmed();
        }
    }
    return lines;
}

} // namespace

ConnectionProfilesDialog::ConnectionProfilesDialog(QList<ConnectionProfile> profiles,
                                                   TokenVault* vault, const QString& current,
                                                   QWidget* parent)
    : QDialog(parent)
    , m_profiles(std::move(profiles))
    , m_vault(vault) {
    setObjectName(QStringLiteral("ConnectionProfilesDialog"));
    setWindowTitle(tr("Connection profiles"));
    for (const ConnectionProfile& profile : m_profiles) {
        m_savedNames << profile.name;
        m_typedTokens << QString();
    }
    m_list = new QListWidget;
    m_list->setObjectName(QStringLiteral("ProfileList"));
    auto* add = new QPushButton(tr("New"));
    m_remove = new QPushButton(tr("Delete"));
    connect(add, &QPushButton::clicked, this, &ConnectionProfilesDialog::addProfile);
    connect(m_remove, &QPushButton::clicked, this, &ConnectionProfilesDialog::removeProfile);
    auto* listButtons = new QHBoxLayout;
    listButtons->addWidget(add);
    listButtons->addWidget(m_remove);
    auto* left = new QVBoxLayout;
    left->addWidget(m_list, 1);
    left->addLayout(listButtons);

    // Save, then the usual next step, then Close: in reading order rather than the platform's
    // button-box order, which put Save last.
    m_save = new QPushButton(tr("Save"));
    m_save->setObjectName(QStringLiteral("ProfileSave"));
    m_connectButton = new QPushButton(tr("Save and connect"));
    m_connectButton->setObjectName(QStringLiteral("ProfileConnect"));
    m_connectButton->setDefault(true);
    auto* close = new QPushButton(tr("Close"));
    connect(m_save, &QPushButton::clicked, this, &ConnectionProfilesDialog::save);
    connect(m_connectButton, &QPushButton::clicked, this, [this] {
        if (save()) {
            m_connect = m_profiles.value(m_row).name;
            accept();
        }
    });
    connect(close, &QPushButton::clicked, this, &QDialog::reject);
    auto* buttons = new QHBoxLayout;
    buttons->addStretch(1);
    buttons->addWidget(m_save);
    buttons->addWidget(m_connectButton);
    buttons->addWidget(close);

    auto* top = new QHBoxLayout;
    top->addLayout(left, 1);
    top->addWidget(buildForm(), 3);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(top, 1);
    layout->addLayout(buttons);
    resize(760, 520);

    for (const ConnectionProfile& profile : m_profiles) {
        m_list->addItem(profile.name);
    }
    connect(m_list, &QListWidget::currentRowChanged, this, &ConnectionProfilesDialog::showProfile);
    const int wanted = std::max(0, static_cast<int>(m_savedNames.indexOf(current)));
    if (m_profiles.isEmpty()) {
        addProfile(); // an empty list opens on a new profile to fill in
    } else {
        m_list->setCurrentRow(wanted);
    }
}

QWidget* ConnectionProfilesDialog::buildForm() {
    auto* form = new QWidget;
    auto* layout = new QFormLayout(form);
    layout->setLabelAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    m_name = new QLineEdit;
    m_name->setObjectName(QStringLiteral("ProfileName"));
    m_addresses = new QPlainTextEdit;
    m_addresses->setObjectName(QStringLiteral("ProfileAddresses"));
    m_addresses->setPlaceholderText(tr("One node per line, HOST:PORT (gRPC)"));
    m_addresses->setTabChangesFocus(true);
    m_addresses->setMaximumHeight(96);
    m_discover = new QCheckBox(tr("Find the other nodes through the first one that answers"));
    m_discover->setObjectName(QStringLiteral("ProfileDiscover"));
    m_ca = new QLineEdit;
    m_ca->setPlaceholderText(tr("empty: plaintext, unless a client certificate is set"));
    m_cert = new QLineEdit;
    m_key = new QLineEdit;
    m_user = new QLineEdit;
    m_user->setPlaceholderText(tr("empty: your login name; recorded by nodes without tokens"));
    m_token = new QLineEdit;
    m_token->setObjectName(QStringLiteral("ProfileToken"));
    m_token->setEchoMode(QLineEdit::Password);
    m_token->setPlaceholderText(tr("unchanged (type to replace the kept token)"));
    auto* forget = new QPushButton(tr("Forget token"));
    connect(forget, &QPushButton::clicked, this, &ConnectionProfilesDialog::forgetToken);
    auto* tokenRow = new QHBoxLayout;
    tokenRow->addWidget(m_token, 1);
    tokenRow->addWidget(forget);
    m_tokenStatus = new QLabel;
    m_tokenStatus->setObjectName(QStringLiteral("ProfileTokenStatus"));
    m_tokenStatus->setWordWrap(true);
    m_problems = new QLabel;
    m_problems->setObjectName(QStringLiteral("ProfileProblems"));
    m_problems->setWordWrap(true);
    theme::setTextTone(m_problems, theme::Tone::Error);

    layout->addRow(tr("Name:"), m_name);
    layout->addRow(tr("Nodes:"), m_addresses);
    layout->addRow(QString(), m_discover);
    layout->addRow(tr("TLS CA file:"), fileRow(m_ca, tr("CA bundle to trust"), this));
    layout->addRow(tr("Client certificate:"),
                   fileRow(m_cert, tr("Client certificate (mutual TLS)"), this));
    layout->addRow(tr("Client key:"), fileRow(m_key, tr("Client key (mutual TLS)"), this));
    layout->addRow(tr("User:"), m_user);
    layout->addRow(tr("Token:"), tokenRow);
    layout->addRow(QString(), m_tokenStatus);
    layout->addRow(m_problems);
    for (QLineEdit* edit : {m_name, m_ca, m_cert, m_key, m_user, m_token}) {
        connect(edit, &QLineEdit::textChanged, this, &ConnectionProfilesDialog::checkForm);
    }
    connect(m_addresses, &QPlainTextEdit::textChanged, this, &ConnectionProfilesDialog::checkForm);
    connect(m_discover, &QCheckBox::toggled, this, &ConnectionProfilesDialog::checkForm);
    return form;
}

void ConnectionProfilesDialog::showProfile(int row) {
    m_row = row;
    const bool valid = row >= 0 && row < m_profiles.size();
    const ConnectionProfile profile = valid ? m_profiles.at(row) : ConnectionProfile{};
    {
        // Filling the form is not an edit: checkForm must not copy half a profile back.
        const QSignalBlocker blockers[] = {QSignalBlocker(m_name),  QSignalBlocker(m_addresses),
                                           QSignalBlocker(m_ca),    QSignalBlocker(m_cert),
                                           QSignalBlocker(m_key),   QSignalBlocker(m_user),
                                           QSignalBlocker(m_token), QSignalBlocker(m_discover)};
        m_name->setText(profile.name);
        m_addresses->setPlainText(profile.addresses.join(QLatin1Char('\n')));
        m_discover->setChecked(profile.discover);
        m_ca->setText(profile.tlsCaFile);
        m_cert->setText(profile.tlsCertFile);
        m_key->setText(profile.tlsKeyFile);
        m_user->setText(profile.user);
        m_token->setText(valid ? m_typedTokens.at(row) : QString());
    }
    m_tokenStatus->clear();
    checkForm();
}

ConnectionProfile ConnectionProfilesDialog::formProfile() const {
    ConnectionProfile profile;
    profile.name = m_name->text().trimmed();
    profile.addresses = addressLines(m_addresses->toPlainText());
    profile.discover = m_discover->isChecked();
    profile.tlsCaFile = m_ca->text().trimmed();
    profile.tlsCertFile = m_cert->text().trimmed();
    profile.tlsKeyFile = m_key->text().trimmed();
    profile.user = m_user->text().trimmed();
    return profile;
}

// Every edit lands in m_profiles at once (switching profiles keeps it); the problems of the
// profile shown are listed, and Save waits until there are none.
void ConnectionProfilesDialog::checkForm() {
    const bool valid = m_row >= 0 && m_row < m_profiles.size();
    QStringList problems;
    if (valid) {
        m_profiles[m_row] = formProfile();
        m_typedTokens[m_row] = m_token->text();
        m_list->item(m_row)->setText(m_profiles[m_row].name.isEmpty() ? tr("(unnamed)")
                                                                      : m_profiles[m_row].name);
        problems = profileProblems(m_profiles.at(m_row), namesExcept(m_row));
    }
    m_problems->setText(problems.join(QLatin1Char('\n')));
    m_save->setEnabled(valid && problems.isEmpty());
    m_connectButton->setEnabled(valid && problems.isEmpty());
    m_remove->setEnabled(valid);
    for (QWidget* field : std::initializer_list<QWidget*>{m_name, m_addresses, m_discover, m_ca,
                                                          m_cert, m_key, m_user, m_token}) {
        field->setEnabled(valid);
    }
}

QStringList ConnectionProfilesDialog::namesExcept(int row) const {
    QStringList names;
    for (int i = 0; i < m_profiles.size(); ++i) {
        if (i != row) {
            names << m_profiles.at(i).name;
        }
    }
    return names;
}

void ConnectionProfilesDialog::addProfile() {
    ConnectionProfile profile;
    profile.name = tr("New profile");
    const QStringList names = namesExcept(-1);
    for (int n = 2; names.contains(profile.name); ++n) {
        profile.name = tr("New profile %1").arg(n);
    }
    m_profiles.append(profile);
    m_savedNames << QString();
    m_typedTokens << QString();
    m_list->addItem(profile.name);
    m_list->setCurrentRow(m_profiles.size() - 1);
    m_name->selectAll();
    m_name->setFocus();
}

void ConnectionProfilesDialog::removeProfile() {
    const int row = m_row;
    if (row < 0 || row >= m_profiles.size()) {
        return;
    }
    const QString saved = m_savedNames.at(row);
    m_profiles.removeAt(row);
    m_savedNames.removeAt(row);
    m_typedTokens.removeAt(row);
    m_row = -1;
    delete m_list->takeItem(row);
    showProfile(m_list->currentRow());
    if (!saved.isEmpty()) {
        // The file loses it on the next Save; its token goes now (a deleted profile's secret
        // should not outlive it because Save was not pressed).
        m_vault->remove(saved, [](const TokenVault::Result&) {});
    }
}

bool ConnectionProfilesDialog::save() {
    for (int i = 0; i < m_profiles.size(); ++i) {
        if (!profileProblems(m_profiles.at(i), namesExcept(i)).isEmpty()) {
            m_list->setCurrentRow(i);
            return false;
        }
    }
    QString error;
    if (!ProfileStore::save(m_profiles, &error)) {
        m_problems->setText(tr("Not saved: %1").arg(error));
        return false;
    }
    storeTokens();
    Q_EMIT saved();
    return true;
}

// Typed tokens go to the vault; a renamed profile's kept token follows it to the new name.
void ConnectionProfilesDialog::storeTokens() {
    for (int i = 0; i < m_profiles.size(); ++i) {
        const QString name = m_profiles.at(i).name;
        const QString typed = std::exchange(m_typedTokens[i], QString());
        const QString previous = std::exchange(m_savedNames[i], name);
        if (!typed.isEmpty()) {
            m_vault->write(name, typed, [this](const TokenVault::Result& result) {
                setTokenStatus(result.ok,
                               result.ok
                                   ? tr("Token kept in %1. %2").arg(result.where, result.notice)
                                   : result.error);
            });
            if (!previous.isEmpty() && previous != name) {
                m_vault->remove(previous, [](const TokenVault::Result&) {});
            }
        } else if (!previous.isEmpty() && previous != name) {
            moveToken(previous, name);
        }
    }
    const QSignalBlocker blocker(m_token);
    m_token->clear();
}

void ConnectionProfilesDialog::moveToken(const QString& from, const QString& to) {
    m_vault->read(from, [this, from, to](const TokenVault::Result& kept) {
        if (!kept.ok || kept.token.isEmpty()) {
            return;
        }
        m_vault->write(to, kept.token, [this, from](const TokenVault::Result& result) {
            if (result.ok) {
                m_vault->remove(from, [](const TokenVault::Result&) {});
            }
            setTokenStatus(result.ok,
                           result.ok ? tr("Token moved with the profile to %1.").arg(result.where)
                                     : result.error);
        });
    });
}

void ConnectionProfilesDialog::forgetToken() {
    if (m_row < 0 || m_row >= m_profiles.size()) {
        return;
    }
    m_typedTokens[m_row].clear();
    m_token->clear();
    const QString saved = m_savedNames.at(m_row);
    if (saved.isEmpty()) {
        return;
    }
    m_vault->remove(saved, [this](const TokenVault::Result& result) {
        setTokenStatus(result.ok,
                       result.ok ? tr("No token is kept for this profile.") : result.error);
    });
}

void ConnectionProfilesDialog::setTokenStatus(bool ok, const QString& text) {
    m_tokenStatus->setText(text.trimmed());
    m_tokenStatus->setStyleSheet(ok ? QString() : theme::textStyle(theme::Tone::Error));
    Q_EMIT tokenStored(ok);
}

} // namespace flowdeck::console
