// SPDX-License-Identifier: MIT
#include "connectdialog.h"

#include "secrets.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QUrl>
#include <QUrlQuery>

using namespace Qt::StringLiterals;

namespace Inspector {

ConnectDialog::ConnectDialog(QWidget* parent)
    : QDialog(parent)
    , m_profiles(new QComboBox(this))
    , m_host(new QLineEdit(u"127.0.0.1"_s, this))
    , m_port(new QSpinBox(this))
    , m_database(new QLineEdit(u"subcog"_s, this))
    , m_user(new QLineEdit(this))
    , m_sslMode(new QComboBox(this))
    , m_password(new QLineEdit(this))
{
    setObjectName(u"connectDialog"_s);
    setWindowTitle(tr("Connect to PostgreSQL"));
    m_port->setRange(1, 65535);
    m_port->setValue(5432);
    m_user->setText(qEnvironmentVariable("USER"));
    m_sslMode->addItems({u"prefer"_s, u"disable"_s, u"allow"_s, u"require"_s, u"verify-ca"_s, u"verify-full"_s});
    m_password->setEchoMode(QLineEdit::Password);
    m_password->setPlaceholderText(tr("asked for each time, never saved"));
    m_host->setObjectName(u"host"_s);
    m_port->setObjectName(u"port"_s);
    m_database->setObjectName(u"database"_s);
    m_user->setObjectName(u"user"_s);
    m_sslMode->setObjectName(u"sslMode"_s);
    m_password->setObjectName(u"password"_s);

    auto* profileRow = new QHBoxLayout;
    profileRow->addWidget(m_profiles, 1);
    auto* save = new QPushButton(tr("Save…"), this);
    auto* remove = new QPushButton(tr("Delete"), this);
    save->setToolTip(tr("Save these settings, without the password, as a profile"));
    profileRow->addWidget(save);
    profileRow->addWidget(remove);
    connect(save, &QPushButton::clicked, this, &ConnectDialog::saveProfile);
    connect(remove, &QPushButton::clicked, this, &ConnectDialog::deleteProfile);
    connect(m_profiles, &QComboBox::activated, this, [this] { loadProfile(m_profiles->currentText()); });

    auto* form = new QFormLayout;
    form->addRow(tr("Profile:"), profileRow);
    form->addRow(tr("&Host:"), m_host);
    form->addRow(tr("P&ort:"), m_port);
    form->addRow(tr("&Database:"), m_database);
    form->addRow(tr("&User:"), m_user);
    form->addRow(tr("&SSL mode:"), m_sslMode);
    form->addRow(tr("Pass&word:"), m_password);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Connect"));
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(buttons);
    refreshProfiles();
}

QString ConnectDialog::url() const
{
    QUrl u;
    u.setScheme(u"postgresql"_s);
    u.setHost(m_host->text().trimmed());
    u.setPort(m_port->value());
    u.setPath(u'/' + m_database->text().trimmed());
    u.setUserName(m_user->text().trimmed());
    if (!m_password->text().isEmpty())
        u.setPassword(m_password->text());
    QUrlQuery query;
    query.addQueryItem(u"sslmode"_s, m_sslMode->currentText());
    u.setQuery(query);
    return u.toString(QUrl::FullyEncoded);
}

QString ConnectDialog::displayUrl() const
{
    return withoutPasswords(url());
}

void ConnectDialog::setFromUrl(const QString& text)
{
    const QUrl u(text);
    if (!u.host().isEmpty())
        m_host->setText(u.host());
    if (u.port() > 0)
        m_port->setValue(u.port());
    if (u.path().size() > 1)
        m_database->setText(u.path().mid(1));
    if (!u.userName().isEmpty())
        m_user->setText(u.userName());
    const QString ssl = QUrlQuery(u).queryItemValue(u"sslmode"_s);
    if (!ssl.isEmpty())
        m_sslMode->setCurrentText(ssl);
}

void ConnectDialog::refreshProfiles()
{
    QSettings settings;
    settings.beginGroup(u"postgresProfiles"_s);
    const QStringList names = settings.childGroups();
    m_profiles->clear();
    m_profiles->addItem(QString());
    m_profiles->addItems(names);
}

void ConnectDialog::loadProfile(const QString& name)
{
    if (name.isEmpty())
        return;
    QSettings settings;
    settings.beginGroup(u"postgresProfiles/"_s + name);
    m_host->setText(settings.value(u"host"_s, m_host->text()).toString());
    m_port->setValue(settings.value(u"port"_s, m_port->value()).toInt());
    m_database->setText(settings.value(u"database"_s, m_database->text()).toString());
    m_user->setText(settings.value(u"user"_s, m_user->text()).toString());
    m_sslMode->setCurrentText(settings.value(u"sslmode"_s, m_sslMode->currentText()).toString());
    m_password->clear();
    m_password->setFocus();
}

void ConnectDialog::saveProfile()
{
    bool ok = false;
    const QString name = QInputDialog::getText(this, tr("Save Profile"), tr("Profile name:"), QLineEdit::Normal,
                                               m_database->text() + u'@' + m_host->text(), &ok)
                             .trimmed()
                             .replace(u'/', u'_');
    if (!ok || name.isEmpty())
        return;
    QSettings settings;
    settings.beginGroup(u"postgresProfiles/"_s + withoutPasswords(name));
    // the password field is deliberately not saved, nor a password typed into another field
    settings.setValue(u"host"_s, withoutPasswords(m_host->text().trimmed()));
    settings.setValue(u"port"_s, m_port->value());
    settings.setValue(u"database"_s, withoutPasswords(m_database->text().trimmed()));
    settings.setValue(u"user"_s, withoutPasswords(m_user->text().trimmed()));
    settings.setValue(u"sslmode"_s, m_sslMode->currentText());
    settings.endGroup();
    refreshProfiles();
    m_profiles->setCurrentText(name);
}

void ConnectDialog::deleteProfile()
{
    const QString name = m_profiles->currentText();
    if (name.isEmpty())
        return;
    QSettings settings;
    settings.remove(u"postgresProfiles/"_s + name);
    refreshProfiles();
}

} // namespace Inspector
