// SPDX-License-Identifier: MIT
#pragma once

#include <QDialog>

#include <memory>

namespace Ui {
class ConnectDialog;
}

namespace Inspector {

/**
 * Connection to a PostgreSQL store: host, port, database, user, SSL mode and a password that is asked for and
 * never saved. Named profiles keep everything but the password in QSettings.
 */
class ConnectDialog : public QDialog
{
    Q_OBJECT
public:
    explicit ConnectDialog(QWidget* parent = nullptr);
    ~ConnectDialog() override;

    /// The connection URL with the password, for opening only; never store it.
    QString url() const;
    /// The same URL without the password, for recent stores and titles.
    QString displayUrl() const;
    void setFromUrl(const QString& url);

private:
    void loadProfile(const QString& name);
    void saveProfile();
    void deleteProfile();
    void refreshProfiles();

    std::unique_ptr<Ui::ConnectDialog> m_ui; ///< the form: connectdialog.ui
};

} // namespace Inspector
