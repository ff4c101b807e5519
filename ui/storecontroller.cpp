// SPDX-License-Identifier: MIT
#include "storecontroller.h"

#include "connectdialog.h"
#include "demostore.h"
#include "memorytablemodel.h"
#include "messagebar.h"
#include "plaintext.h"
#include "secrets.h"
#include "storelocator.h"
#include "storeopener.h"
#include "subcogfilewindow.h"

#include <QFileDialog>
#include <QMenu>
#include <QSettings>

using namespace Qt::StringLiterals;

namespace Inspector {

namespace {
constexpr int kMaxRecent = 10;
}

StoreController::StoreController(MemoryTableModel* model, MessageBar* messages, QWidget* window)
    : QObject(window)
    , m_model(model)
    , m_messages(messages)
    , m_window(window)
{
    // storage feedback: errors in the bar, never a blocking dialog
    connect(m_model, &MemoryTableModel::storeOpened, this, [this](const QString&, const QStringList&, bool readOnly) {
        addRecent(m_displaySpec);
        if (m_wantEditing && readOnly) {
            m_wantEditing = false;
            m_messages->showMessage(MessageBar::Kind::Warning,
                                    tr("%1 cannot be edited: the inspector does not write this layout or has no "
                                       "write access.")
                                        .arg(m_displaySpec));
        }
        m_model->setEditingEnabled(m_wantEditing);
        Q_EMIT changed();
    });
    connect(m_model, &MemoryTableModel::storeFailed, this, [this](const QString& message, int kind) {
        if (StorageError::Kind(kind) == StorageError::Kind::OtherSubcogFile) {
            // subcog's prompt library or webhook log: said as what it is, with the way to its rows
            const QString path = StoreSpec::parse(m_spec).location;
            m_messages->showMessage(MessageBar::Kind::Warning, message, tr("Show Contents"),
                                    [this, path] { SubcogFileWindow::showFile(path, m_window); });
            SubcogFileWindow::showFile(path, m_window);
        } else {
            m_messages->showMessage(MessageBar::Kind::Error, tr("Could not open %1: %2").arg(m_displaySpec, message));
        }
        close();
        Q_EMIT changed();
    });
    connect(m_model, &MemoryTableModel::loadFailed, this, [this](const QString& message) {
        // pages are read again after every write and refresh: a row that cannot be read is said once per store,
        // not again over what the bar says about the person's last action
        if (m_loadErrorsShown.contains(message))
            return;
        m_loadErrorsShown.insert(message);
        m_messages->showMessage(MessageBar::Kind::Error, message);
    });
}

void StoreController::leave()
{
    m_wantEditing = false;
    // the previous store's notices and errors say nothing about the next one
    m_messages->clear();
    m_loadErrorsShown.clear();
}

void StoreController::open(const QString& spec, const QString& origin)
{
    m_spec = spec;
    m_displaySpec = withoutPasswords(spec);
    m_origin = origin;
    const bool readOnly = !m_wantEditing;
    m_model->openStore([spec, readOnly] {
        OpenOptions options;
        options.readOnly = readOnly;
        return Inspector::openStore(spec, options);
    });
}

void StoreController::close()
{
    m_model->closeStore();
    m_spec.clear();
    m_displaySpec.clear();
}

bool StoreController::setEditing(bool on)
{
    m_wantEditing = on;
    if (!on) {
        m_model->setEditingEnabled(false);
        return false;
    }
    if (m_spec.isEmpty())
        return false;
    if (!m_model->isStoreReadOnly()) {
        m_model->setEditingEnabled(true);
        return false;
    }
    return true; // the read-only connection cannot write
}

void StoreController::openDefault()
{
    if (std::optional<DefaultStore> store = findDefault()) {
        Q_EMIT openRequested(store->spec, store->origin);
        store->tell(); // after the window has cleared the bar for the store
    }
}

std::optional<StoreController::DefaultStore> StoreController::findDefault()
{
    const SubcogConfig config = readSubcogConfig();
    const auto warnAboutConfig = [this, config] {
        if (!config.configError.isEmpty())
            m_messages->showMessage(MessageBar::Kind::Warning, config.configPath + u": "_s + config.configError);
    };
    const QList<StoreCandidate> found = findSubcogStores(config);
    if (!found.isEmpty())
        return DefaultStore {found.first().spec, found.first().description, warnAboutConfig};
    const QString demo = demoStorePath();
    try {
        ensureDemoStore(demo);
    } catch (const StorageError& e) {
        warnAboutConfig();
        m_messages->showMessage(MessageBar::Kind::Error, e.message());
        return std::nullopt;
    }
    return DefaultStore {demo, tr("demo store: no subcog store was found on this machine"), [this, warnAboutConfig] {
                             warnAboutConfig();
                             m_messages->showMessage(
                                 MessageBar::Kind::Info,
                                 tr("No subcog store was found, so a demo store is open. Use File ▸ Open SQLite File, "
                                    "Open Folder Store or Connect to PostgreSQL to inspect another store."));
                         }};
}

void StoreController::setMenus(QMenu* stores, QMenu* recent)
{
    m_storesMenu = stores;
    m_recentMenu = recent;
    connect(m_storesMenu, &QMenu::aboutToShow, this, &StoreController::rebuildStoresMenu);
    rebuildRecentMenu();
}

void StoreController::addRecent(const QString& spec)
{
    if (spec.isEmpty())
        return;
    QSettings settings;
    QStringList recent;
    // entries written by older versions may still hold a password: cleaned as the list is written again
    for (const QString& entry : settings.value(u"recentStores"_s).toStringList())
        recent << withoutPasswords(entry);
    recent.removeAll(withoutPasswords(spec));
    recent.prepend(withoutPasswords(spec));
    recent.removeDuplicates();
    while (recent.size() > kMaxRecent)
        recent.removeLast();
    settings.setValue(u"recentStores"_s, recent);
    rebuildRecentMenu();
}

void StoreController::rebuildRecentMenu()
{
    if (!m_recentMenu)
        return;
    m_recentMenu->clear();
    const QStringList recent = QSettings().value(u"recentStores"_s).toStringList();
    for (const QString& entry : recent) {
        const QString spec = withoutPasswords(entry);
        QAction* a = m_recentMenu->addAction(plainMenuText(spec));
        connect(a, &QAction::triggered, this, [this, spec] {
            if (spec.startsWith(u"postgres"_s)) {
                ConnectDialog dialog(m_window);
                dialog.setFromUrl(spec);
                if (dialog.exec() == QDialog::Accepted)
                    Q_EMIT openRequested(dialog.url(), {});
            } else {
                Q_EMIT openRequested(spec, {});
            }
        });
    }
    m_recentMenu->setEnabled(!recent.isEmpty());
}

void StoreController::rebuildStoresMenu()
{
    m_storesMenu->clear();
    const QList<StoreCandidate> found = findSubcogStores(readSubcogConfig());
    for (const StoreCandidate& c : found) {
        QAction* a = m_storesMenu->addAction(plainMenuText(c.description + u" — "_s + withoutPasswords(c.spec)));
        connect(a, &QAction::triggered, this,
                [this, spec = c.spec, d = c.description] { Q_EMIT openRequested(spec, d); });
    }
    if (found.isEmpty())
        m_storesMenu->addAction(tr("No subcog store found on this machine"))->setEnabled(false);
}

void StoreController::openSqliteFile()
{
    const QString path = QFileDialog::getOpenFileName(m_window, tr("Open SQLite Store"), {},
                                                      tr("SQLite stores (*.db *.sqlite *.sqlite3);;All files (*)"));
    if (!path.isEmpty())
        Q_EMIT openRequested(u"sqlite:"_s + path, {});
}

void StoreController::openFolder()
{
    const QString dir = QFileDialog::getExistingDirectory(m_window, tr("Open Folder Store"));
    if (!dir.isEmpty())
        Q_EMIT openRequested(u"fs:"_s + dir, {});
}

void StoreController::connectPostgres()
{
    auto* dialog = new ConnectDialog(m_window);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog] { Q_EMIT openRequested(dialog->url(), {}); });
    dialog->open();
}

} // namespace Inspector
