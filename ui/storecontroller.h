// SPDX-License-Identifier: MIT
#pragma once

#include <QObject>
#include <QSet>

#include <functional>
#include <optional>

class QMenu;
class QWidget;

namespace Inspector {

class MemoryTableModel;
class MessageBar;

/**
 * The window's store session: which store is open and how it was found, opening one (files, folders, the
 * PostgreSQL connect dialog, subcog's own stores, recent stores), reopening it for writing, and what the store
 * says back (opened, failed, rows it cannot read) in the message bar.
 */
class StoreController : public QObject
{
    Q_OBJECT
public:
    StoreController(MemoryTableModel* model, MessageBar* messages, QWidget* window);

    /// What opened the current store (with a password, if any: kept in memory only); empty when none is open.
    QString spec() const { return m_spec; }
    /// The same without a password.
    QString displaySpec() const { return m_displaySpec; }
    /// How the store was found (default store, demo store).
    QString origin() const { return m_origin; }
    bool wantsEditing() const { return m_wantEditing; }

    /// Another store is about to open: the wish to edit, the notices and the read errors of this one go.
    void leave();
    /// Opens `spec` in the model, read-only unless editing is wanted.
    void open(const QString& spec, const QString& origin);
    void close();
    /// Switches editing on or off; true when the store must first be reopened for writing.
    bool setEditing(bool on);
    /// subcog's own store if found, else the demo store (through openRequested()).
    void openDefault();
    /// The store openDefault() opens, how it was found, and what to tell once it is open (a config file's error,
    /// that the demo store stands in); nullopt when not even the demo store could be made (said in the bar).
    struct DefaultStore
    {
        QString spec;
        QString origin;
        std::function<void()> tell;
    };
    std::optional<DefaultStore> findDefault();
    /// File ▸ subcog's Stores and Open Recent, kept up to date.
    void setMenus(QMenu* stores, QMenu* recent);
    void openSqliteFile();
    void openFolder();
    void connectPostgres();

Q_SIGNALS:
    /// A menu or dialog chose a store; the window settles unsaved edits, then calls open().
    void openRequested(const QString& spec, const QString& origin);
    /// A store opened or failed to: title, actions and status are out of date.
    void changed();

private:
    void addRecent(const QString& spec);
    void rebuildRecentMenu();
    void rebuildStoresMenu();

    MemoryTableModel* m_model;
    MessageBar* m_messages;
    QWidget* m_window;
    QMenu* m_storesMenu = nullptr;
    QMenu* m_recentMenu = nullptr;
    QString m_spec;
    QString m_displaySpec;
    QString m_origin;
    bool m_wantEditing = false;
    QSet<QString> m_loadErrorsShown; ///< read errors of this store already in the bar
};

} // namespace Inspector
