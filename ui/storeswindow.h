// SPDX-License-Identifier: MIT
#pragma once

#include "storefinder.h"

#include <QDialog>

#include <memory>

class QAction;
class QLabel;
class QMainWindow;
class QPushButton;
class QTreeWidget;

namespace Inspector {

class StoreController;

/**
 * File ▸ subcog's Stores…: every store of subcog's on this machine (the configured ones, the data folder's, the
 * legacy ones of subcog ≤ v0.5, `<repo>/.subcog/index.db` under folders the person added), each with its kind,
 * location, memory count, last change, layout era and what subcog does with it. Finding and counting run on Qt's
 * global thread pool (one task per store, each store opened read-only and closed again); a store that cannot be
 * read shows why in its row. Open opens the selected store in the window; Merge Into… copies it into another.
 */
class StoresWindow : public QDialog
{
    Q_OBJECT
public:
    enum Column
    {
        KindColumn,
        LocationColumn,
        CountColumn,
        ChangedColumn,
        LayoutColumn,
        UseColumn,
        ColumnCount,
    };

    explicit StoresWindow(QWidget* parent = nullptr);
    ~StoresWindow() override;
    bool event(QEvent* event) override;

    /// "SQLite index", "legacy project index", … as the Kind column says it.
    static QString kindText(FoundStoreKind kind);

    /// The folders searched for `<repo>/.subcog/index.db`, kept in the settings (paths only).
    static QStringList scanFolders();
    static void setScanFolders(const QStringList& folders);

    /// Finds the stores again and counts them; refreshed() once every row is measured.
    void refresh();
    QTreeWidget* list() const { return m_list; }
    /// The stores listed, in row order.
    const QList<FoundStore>& stores() const { return m_stores; }
    /// Opens Merge Into… for the selected row (non-modal); nullptr when no row is selected.
    class MergeDialog* mergeSelected();

Q_SIGNALS:
    void openRequested(const QString& spec, const QString& origin);
    void refreshed();

private:
    void showFound(const FoundStores& found);
    void showMeasured(int row, const StoreMeasurement& m);
    void updateButtons();
    void updateFolders();
    void addFolder();

    struct Link;
    std::shared_ptr<Link> m_link;
    quint64 m_generation = 0;
    int m_pending = 0;
    QList<FoundStore> m_stores;
    QStringList m_notes;
    QTreeWidget* m_list;
    QLabel* m_status;
    QLabel* m_folders;
    QPushButton* m_open;
    QPushButton* m_merge;
    QPushButton* m_clearFolders;
};

/// File ▸ subcog's Stores…: shows the window's one StoresWindow (made on first use), whose Open goes through
/// `controller` like File ▸ Open subcog's Store.
QAction* storesWindowAction(QMainWindow* window, StoreController* controller);

} // namespace Inspector
