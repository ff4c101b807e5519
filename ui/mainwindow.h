// SPDX-License-Identifier: MIT
#pragma once

#include "filterbar.h"
#include "memorytablemodel.h"
#include "transferdialogs.h"

#include <QMainWindow>
#include <QSet>

#include <functional>
#include <optional>

class QAction;
class QLabel;
class QLineEdit;
class QMenu;
class QTableView;
class QToolButton;
class QSplitter;

namespace Inspector {

class BulkEditActions;
class DetailPane;
class EmbeddingActions;
class EntitiesDock;
class LineageDock;
class MessageBar;
class OverviewDock;
class ProgressStrip;
class StoreController;
class StoreHealthDock;

/**
 * The inspector window: a store's memories in a table (model on a worker thread), a filter bar in subcog's
 * filter language, the detail pane, and edits, deletes, restores with undo. Stores open read-only; editing is
 * switched on per store.
 */
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    /// `launchStore`: the store the program was started on (empty: subcog's default store), asked for before the
    /// widgets are made; without it nothing is opened until openStore() or openDefaultStore().
    explicit MainWindow(QWidget* parent = nullptr, const std::optional<QString>& launchStore = std::nullopt);
    ~MainWindow() override;

    /// Opens a STORE argument (path, `sqlite:`, `fs:`, PostgreSQL URL); `origin` says how it was found.
    void openStore(const QString& spec, const QString& origin = {});
    /// Opens the default store: subcog's own if found, else the demo store.
    void openDefaultStore();

    MemoryTableModel* model() const { return m_model; }
    QTableView* table() const { return m_table; }
    DetailPane* detailPane() const { return m_detail; }
    MessageBar* messageBar() const { return m_messages; }
    StoreHealthDock* healthDock() const { return m_health; }
    /// View ▸ Store Overview: the store's figures for the table's filter, in charts.
    OverviewDock* overviewDock() const { return m_overview; }
    /// Similar Memories and Store Info (their actions and dialogs).
    EmbeddingActions* embeddingActions() const { return m_embeddings; }
    /// Edit ▸ Bulk Edit… (its action and dialog; ui/mainwindowbulk.cpp).
    BulkEditActions* bulkEditActions() const { return m_bulk; }
    /// View ▸ Entities: the store's knowledge graph (mainwindowentities.cpp).
    EntitiesDock* entitiesDock() const { return m_entities; }
    /// Filters the table to the memories that mention this graph entity (an `entity:` word replacing any other).
    void showEntityMemories(const QString& entityId);
    /// File ▸ Open Knowledge Graph…: reads the entities from a graph.db the person chooses.
    void chooseGraphFile();
    /// View ▸ Lineage: the selected memory's neighbourhood as a picture.
    LineageDock* lineageDock() const { return m_lineage; }
    /// The status bar's health badge: the findings of the last check of this store (hidden before one).
    QToolButton* healthBadge() const { return m_healthBadge; }
    /// Tools ▸ Check Store…: shows the health dock, and checks the store if it has not been checked yet.
    void showHealth();
    QLineEdit* filterEdit() const { return m_filterBar->lineEdit(); }
    /// Adds filter words to the filter bar's text (each once) and applies it; `tombstoned:only` switches the
    /// View menu's Trash on instead, which is what decides which tombstoned memories show.
    void addFilterWords(const QStringList& words);
    /// Switches editing on (reopening the store for writing) or off.
    void setEditing(bool on);
    bool isEditing() const;
    void setTrashView(bool on);
    /// The memories of the selected rows that are loaded (all of them once the pages are there).
    QList<Memory> selectedMemories() const;
    int selectedRowCount() const;
    /// Soft-deletes the selection; `confirm` false skips the question (tests, scripts).
    void deleteSelection(bool confirm = true);
    void hardDeleteSelection(bool confirm = true);
    void restoreSelection();
    /// Selects the memory in the current filter and order (its row found with the sort index); one the filter
    /// leaves out is shown with an `id:` filter in the filter bar. Alt+Left comes back.
    void goToId(const QString& id);
    /// Selects row `row` (0-based) of the current filter and order, in the middle of the view; a row past the end
    /// goes to the last one. Alt+Left comes back.
    void goToRow(qint64 row);
    /// What the Go to dialog takes: `#N` (or `row N`) is row N as the row numbers show it, anything else an id.
    static std::optional<qint64> rowNumberIn(const QString& text);
    /// Alt+Left / Alt+Right: back and forward through jumps (Go to ID, links between memories).
    void goBack();
    void goForward();
    QString statusText() const;
    /// Exports without asking (the dialog's choices); the result shows in the message bar.
    RequestId exportMemories(TransferScope scope, ExportFormat format, const QString& path);
    RequestId copyMemories(TransferScope scope, const QString& target, OnConflict onConflict, bool dryRun);
    /// Puts the selected memories on the clipboard in a format (TSV, JSON, Markdown).
    void copyToClipboard(ExportFormat format);
    void copyIdsToClipboard(bool urns);
    /// The first-run columns, widths, order and splitter, fitted to the window's width (View ▸ Reset Layout also
    /// restores the first-run size).
    void resetLayout();
    /// The context menu for a cell: copy or filter by its value, open linked memories, delete or restore.
    QMenu* contextMenuFor(const QModelIndex& index);

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    /// Everything that filters the table, as the filter bar, its quick filters and the View menu show it.
    struct FilterState
    {
        FilterBar::State bar;
        bool trash = false;
        bool tombstoned = false;
        friend bool operator==(const FilterState&, const FilterState&) = default;
    };
    /// Where a jump left from or went to.
    struct Place
    {
        FilterState filter;
        QString id;
    };
    FilterState filterState() const;
    void setFilterState(const FilterState& state);
    Place currentPlace() const;
    void restorePlace(const Place& place);
    /// Goes to the memory without recording the jump; `orShowOnly`: a memory the filter leaves out gets an `id:`
    /// filter of its own.
    void jumpTo(const QString& id, bool orShowOnly = true);
    void onLocated(const QString& id, qint64 row);
    void selectPendingRow();
    void showOnly(const QString& id);
    // the constructor's parts (mainwindowlayout.cpp: the table; mainwindowactions.cpp: actions and menus)
    void setupTable();
    void connectFilterBar();
    void connectModel();
    void connectParts();
    void setupLayout();
    /// F5: a jump's `id:` filter is cleared; otherwise the rows are read again.
    void refreshOrLeaveJump();
    /// When a since:/created: filter matches nothing, says when the newest memory the rest of it matches was made.
    void explainEmptyTimeFilter();
    void createActions();
    void createMenus();
    void addShortcutsToToolTips();
    /// Help ▸ Filter Language and Shortcuts: the filter words and every key the window answers to.
    QString helpText() const;
    void copyCellValue(const QModelIndex& index);
    /// Moves the keyboard to the table (from the filter bar: Enter or Down).
    void focusResults();
    void applyFilter();
    void updateStatus();
    void updateActions();
    void updateTitle();
    void showCurrent();
    /// Asks Save / Discard / Cancel for unsaved edits in the detail pane; false: stay on the memory.
    enum class Leave
    {
        Clean,
        Saved,
        Discarded,
        Stay,
    };
    Leave settleUnsavedEdits();
    /// Before a jump: settles unsaved edits; false: the person stays.
    bool mayLeaveMemory();
    /// Settles unsaved edits before the open store goes; false: stay (or `retry` runs once the save has landed).
    bool mayLeaveStore(std::function<void()> retry);
    void afterSaveLands(std::function<void()> then);
    void chooseColumns();
    void restoreViewState();
    QSize firstRunSize() const;
    void saveViewState();
    void withSelection(const std::function<void(const QList<Memory>&)>& action);
    ExportSource sourceFor(TransferScope scope) const;
    void startJob(RequestId id, const QString& what);
    /// After a delete, restore or hard delete: nothing selected, and the message bar offers Undo.
    void afterRowsLeft(const QString& what);
    QIcon icon(const QString& name) const;
    void setupHealth();
    void setupOverview();
    void setupEntities();
    /// For subcog's graph.db: the spec of the store beside it, which opens with the Entities view; else `spec`.
    QString storeForGraphFile(const QString& spec);
    /// The store a graph.db belongs to (index.db beside it), else `spec`.
    static QString graphFileStore(const QString& spec);
    /// The store the window was started on, asked for at the start of the constructor; the rest of opening it
    /// (the docks, the filter, the title) once the widgets are made.
    struct Launch
    {
        QString spec;
        QString origin;
        std::function<void()> tell; ///< the default store's notices
        bool showEntities = false; ///< a graph.db was given
    };
    std::optional<Launch> beginLaunch(const QString& store);
    void finishLaunch(const Launch& launch);
    /// openStore() after the store is asked for: the overview's introduction, the health badge, the filter, title.
    void storeOpening(bool sameStore);
    void setupLineage();
    /// mainwindowrecall.cpp: View ▸ Recall Context… for the "Hidden from recall" column, remembered per store.
    void setupRecall();
    void chooseRecallContext();
    void updateHealthBadge(qint64 findings);

    MemoryTableModel* m_model;
    QTableView* m_table = nullptr;
    DetailPane* m_detail = nullptr;
    MessageBar* m_messages;
    QSplitter* m_splitter = nullptr;
    FilterBar* m_filterBar = nullptr;
    QLabel* m_countLabel = nullptr;
    QLabel* m_modeLabel = nullptr;
    ProgressStrip* m_progress = nullptr;
    StoreController* m_store;
    StoreHealthDock* m_health = nullptr;
    OverviewDock* m_overview = nullptr;
    EntitiesDock* m_entities = nullptr;
    QAction* m_openGraph = nullptr;
    LineageDock* m_lineage = nullptr;
    QToolButton* m_healthBadge = nullptr;
    /// Findings of the last check of each store in this session (by display spec), for the badge and the hint.
    QHash<QString, qint64> m_lastFindings;

    QString m_pendingGoTo; ///< selected once its row is loaded
    QString m_locating; ///< asked for its row in the current order
    bool m_locatingOrShowOnly = true;
    qint64 m_pendingRow = -1; ///< the row found for m_pendingGoTo, selected once the table has that many rows
    QString m_jumpFilter; ///< the `id:` filter text a jump put in the filter bar
    QString m_jumpId; ///< the memory the last showOnly() filtered for
    QList<Place> m_back;
    QList<Place> m_forward;
    RequestId m_newestLookup = 0;
    QString m_goToNotice;
    bool m_settling = false; ///< the unsaved-changes question is open
    std::function<void()>
        m_afterSave; ///< what waits for a save to land (quit, open another store); dropped if it fails

    QAction* m_openSqlite = nullptr;
    QAction* m_openFolder = nullptr;
    QAction* m_connectPg = nullptr;
    QAction* m_close = nullptr;
    QAction* m_quit = nullptr;
    QAction* m_undo = nullptr;
    QAction* m_redo = nullptr;
    QAction* m_editing = nullptr;
    QAction* m_delete = nullptr;
    QAction* m_hardDelete = nullptr;
    QAction* m_restore = nullptr;
    QAction* m_goTo = nullptr;
    QAction* m_goBack = nullptr;
    QAction* m_goForward = nullptr;
    QAction* m_find = nullptr;
    QAction* m_refresh = nullptr;
    QAction* m_trash = nullptr;
    QAction* m_showTombstoned = nullptr;
    QAction* m_columns = nullptr;
    QAction* m_recallContext = nullptr;
    QAction* m_resetLayout = nullptr;
    QAction* m_detailToggle = nullptr;
    QAction* m_help = nullptr;
    QAction* m_checkStore = nullptr;
    QAction* m_about = nullptr;
    QAction* m_export = nullptr;
    QAction* m_copyToStore = nullptr;
    QAction* m_copyRows = nullptr;
    QAction* m_copyJson = nullptr;
    QAction* m_copyMarkdown = nullptr;
    QAction* m_copyId = nullptr;
    QAction* m_copyUrn = nullptr;
    EmbeddingActions* m_embeddings = nullptr;
    BulkEditActions* m_bulk = nullptr;
};

} // namespace Inspector
