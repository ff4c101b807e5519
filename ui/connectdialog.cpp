// SPDX-License-Identifier: MIT
#include "connectdialog.h"

#include "secrets.h"
#include "ui_connectdialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
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
    , m_ui(std::make_unique<Ui::ConnectDialog>())
{
    m_ui->setupUi(this);
    setObjectName(u"connectDialog"_s);
    m_ui->user->setText(qEnvironmentVariable("USER"));
    m_ui->buttons->button(QDialogButtonBox::Ok)->setText(tr("Connect"));
    connect(m_ui->saveProfile, &QPushButton::clicked, this, &ConnectDialog::saveProfile);
    connect(m_ui->deleteProfile, &QPushButton::clicked, this, &ConnectDialog::deleteProfile);
    connect(m_ui->profiles, &QComboBox::activated, this, [this] { loadProfile(m_ui->profiles->currentText()); });
    refreshProfiles();
}

ConnectDialog::~ConnectDialog() = default;

QString ConnectDialog::url() const
{
    QUrl u;
    u.setScheme(u"postgresql"_s);
    u.setHost(m_ui->host->text().trimmed());
    u.setPort(m_ui->port->value());
    u.setPath(u'/' + m_ui->database->text().trimmed());
    u.setUserName(m_ui->user->text().trimmed());
    if (!m_ui->password->text().isEmpty())
        u.setPassword(m_ui->password->text());
    QUrlQuery query;
    query.addQueryItem(u"sslmode"_s, m_ui->sslMode->currentText());
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
        m_ui->host->setText(u.host());
    if (u.port() > 0)
        m_ui->port->setValue(u.port());
    if (u.path().size() > 1)
        m_ui->database->setText(u.path().mid(1));
    if (!u.userName().isEmpty())
        m_ui->user->setText(u.userName());
    const QString ssl = QUrlQuery(u).queryItemValue(u"sslmode"_s);
    if (!ssl.isEmpty())
        m_ui->sslMode->setCurrentText(ssl);
}

void ConnectDialog::refreshProfiles()
{
    QSettings settings;
    settings.beginGroup(u"postgresProfiles"_s);
    const QStringList names = settings.childGroups();
    m_ui->profiles->clear();
    m_ui->profiles->addItem(QString());
    m_ui->profiles->addItems(names);
}

void ConnectDialog::loadProfile(const QString& name)
{
    if (name.isEmpty())
        return;
    QSettings settings;
    settings.beginGroup(u"postgresProfiles/"_s + name);
    m_ui->host->setText(settings.value(u"host"_s, m_ui->host->text()).toString());
    m_ui->port->setValue(settings.value(u"port"_s, m_ui->port->value()).toInt());
    m_ui->database->setText(settings.value(u"database"_s, m_ui->database->text()).toString());
    m_ui->user->setText(settings.value(u"user"_s, m_ui->user->text()).toString());
    m_ui->sslMode->setCurrentText(settings.value(u"sslmode"_s, m_ui->sslMode->currentText()).toString());
    m_ui->password->clear();
    m_ui->password->setFocus();
}

void ConnectDialog::saveProfile()
{
    bool ok = false;
    const QString name = QInputDialog::getText(this, tr("Save Profile"), tr("Profile name:"), QLineEdit::Normal,
                                               m_ui->database->text() + u'@' + m_ui->host->text(), &ok)
                             .trimmed()
                             .replace(u'/', u'_');
    if (!ok || name.isEmpty())
        return;
    QSettings settings;
    settings.beginGroup(u"postgresProfiles/"_s + withoutPasswords(name));
    // the password field is deliberately not saved, nor a password typed into another field
    settings.setValue(u"host"_s, withoutPasswords(m_ui->host->text().trimmed()));
    settings.setValue(u"port"_s, m_ui->port->value());
    settings.setValue(u"database"_s, withoutPasswords(m_ui->database->text().trimmed()));
    settings.setValue(u"user"_s, withoutPasswords(m_ui->user->text().trimmed()));
    settings.setValue(u"sslmode"_s, m_ui->sslMode->currentText());
    settings.endGroup();
    refreshProfiles();
    m_ui->profiles->setCurrentText(name);
}

void ConnectDialog::deleteProfile()
{
    const QString name = m_ui->profiles->currentText();
    if (name.isEmpty())
        return;
    QSettings settings;
    settings.remove(u"postgresProfiles/"_s + name);
    refreshProfiles();
}

} // namespace Inspector
