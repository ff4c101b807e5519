// SPDX-License-Identifier: MIT
#include "mainwindow.h"

#include "aboutinfo.h"
#include "conflictdialog.h"
#include "connectdialog.h"
#include "demostore.h"
#include "detailpane.h"
#include "messagebar.h"
#include "progressstrip.h"
#include "secrets.h"
#include "storecontroller.h"
#include "storelocator.h"
#include "storeopener.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QClipboard>
#include <QCloseEvent>
#include <QComboBox>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressBar>
#include <QRegularExpression>
#include <QScreen>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QStyle>
#include <QStyledItemDelegate>
#include <QTableView>
#include <QTimer>
#include <QToolBar>
#include <QToolButton>
#include <QUndoStack>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace Inspector {

namespace {
/// The first-run columns and widths: at 1280×800 (and 1366×768) every visible column, Created included, fits
/// beside the detail pane without scrolling. Domain and project have quick filters and the detail pane.
QList<MemoryColumn> defaultHiddenColumns()
{
    return {MemoryColumn::Domain,          MemoryColumn::Project,        MemoryColumn::Branch,
            MemoryColumn::FilePath,        MemoryColumn::Source,         MemoryColumn::UpdatedAt,
            MemoryColumn::ExpiresAt,       MemoryColumn::TombstonedAt,   MemoryColumn::IsSummary,
            MemoryColumn::SourceMemoryIds, MemoryColumn::ConsolidatedAt, MemoryColumn::GroupId,
            MemoryColumn::Embedding};
}

/// Ids are told apart by both ends (`tech-debt_3f0b…4a5b`), so they elide in the middle.
class MiddleElideDelegate : public QStyledItemDelegate
{
public:
    using QStyledItemDelegate::QStyledItemDelegate;

protected:
    void initStyleOption(QStyleOptionViewItem* option, const QModelIndex& index) const override
    {
        QStyledItemDelegate::initStyleOption(option, index);
        option->textElideMode = Qt::ElideMiddle;
    }
};
} // namespace

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent)
    , m_model(new MemoryTableModel(this))
    , m_table(new QTableView(this))
    , m_detail(new DetailPane(this))
    , m_messages(new MessageBar(this))
    , m_splitter(new QSplitter(this))
    , m_filterBar(new FilterBar(this))
    , m_countLabel(new QLabel(this))
    , m_modeLabel(new QLabel(this))
    , m_progress(new ProgressStrip(m_model, this))
    , m_store(new StoreController(m_model, m_messages, this))
{
    setObjectName(u"mainWindow"_s);
    setWindowIcon(icon(u"subcog-inspector"_s));

    connect(m_filterBar, &FilterBar::textEdited, this, [this] {
        m_pendingGoTo.clear();
        m_locating.clear();
        m_pendingRow = -1;
        m_jumpId.clear();
        m_messages->dismiss(m_goToNotice);
    });
    connect(m_filterBar, &FilterBar::changed, this, &MainWindow::applyFilter);
    connect(m_filterBar, &FilterBar::leaveToResults, this, &MainWindow::focusResults);

    // the table
    m_table->setObjectName(u"memoryTable"_s);
    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_table->setWordWrap(false);
    // Tab leaves the table for the detail pane instead of walking its cells
    m_table->setTabKeyNavigation(false);
    m_table->setItemDelegateForColumn(int(MemoryColumn::Id), new MiddleElideDelegate(m_table));
    m_table->setItemDelegateForColumn(int(MemoryColumn::SourceMemoryIds), new MiddleElideDelegate(m_table));
    m_table->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_table, &QWidget::customContextMenuRequested, this, [this](const QPoint& pos) {
        if (QMenu* menu = contextMenuFor(m_table->indexAt(pos))) {
            menu->setAttribute(Qt::WA_DeleteOnClose);
            menu->popup(m_table->viewport()->mapToGlobal(pos));
        }
    });
    m_table->setAlternatingRowColors(true);
    m_table->setEditTriggers(QAbstractItemView::DoubleClicked | QAbstractItemView::EditKeyPressed);
    m_table->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_table->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 8);
    QHeaderView* header = m_table->horizontalHeader();
    header->setSectionsMovable(true);
    header->setHighlightSections(false);
    header->setContextMenuPolicy(Qt::CustomContextMenu);
    header->setSortIndicator(MemoryTableModel::columnForSortKey(SortKey::CreatedAt), Qt::DescendingOrder);
    m_table->setSortingEnabled(true);
    connect(header, &QHeaderView::customContextMenuRequested, this, [this] { chooseColumns(); });
    connect(header, &QHeaderView::sortIndicatorChanged, this, [this, header](int column, Qt::SortOrder) {
        if (!MemoryTableModel::sortKeyForColumn(column)) {
            // sorting happens in the store; only indexed keys are offered
            const QSignalBlocker block(header);
            header->setSortIndicator(m_model->sortColumn(), m_model->sortOrder());
            statusBar()->showMessage(tr("Sorting is by Created, ID, Namespace or Status (the store's indexes)"), 5000);
        }
    });
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &MainWindow::showCurrent);
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this, [this] {
        updateStatus();
        updateActions();
    });
    connect(m_model, &QAbstractItemModel::dataChanged, this, [this](const QModelIndex& from, const QModelIndex& to) {
        const int row = m_table->currentIndex().row();
        if ((row >= from.row() && row <= to.row()) || !m_pendingGoTo.isEmpty())
            showCurrent();
    });
    connect(m_model, &QAbstractItemModel::layoutChanged, this, &MainWindow::showCurrent);
    connect(m_model, &QAbstractItemModel::modelReset, this, [this] {
        // unsaved edits stay in the pane (they can still be saved by id) until the person leaves them
        if (!m_detail->isDirty())
            m_detail->setMemory(std::nullopt);
        // a jump still on its way is found again in the new order (a sort or quick filter changed meanwhile)
        if (!m_locating.isEmpty() || m_pendingRow >= 0) {
            const QString id = m_locating.isEmpty() ? m_pendingGoTo : m_locating;
            m_pendingRow = -1;
            m_pendingGoTo.clear();
            m_locating = id;
            m_model->locate(id);
        }
        updateStatus();
        updateActions();
    });
    connect(m_model, &QAbstractItemModel::rowsInserted, this, [this] {
        updateStatus();
        selectPendingRow();
        if (!m_pendingGoTo.isEmpty())
            showCurrent();
    });
    connect(m_model, &MemoryTableModel::located, this, &MainWindow::onLocated);
    connect(m_model, &MemoryTableModel::countChanged, this, &MainWindow::explainEmptyTimeFilter);
    connect(m_model, &MemoryTableModel::lookedUp, this, [this](RequestId id, const QList<Memory>& found) {
        if (id != m_newestLookup)
            return;
        m_newestLookup = 0;
        if (found.isEmpty() || m_filterBar->isExplaining())
            return;
        const QDateTime newest = QDateTime::fromSecsSinceEpoch(found.first().createdAt);
        const qint64 days = newest.daysTo(QDateTime::currentDateTime());
        const QString when = QLocale().toString(newest, QLocale::ShortFormat);
        m_filterBar->showHint(
            days < 0 ? tr("No memory matches in that time. The newest memory the rest of the filter matches has a "
                          "creation time in the future: %1.")
                           .arg(when)
                     : tr("No memory matches in that time. The newest memory the rest of the filter matches was "
                          "created %1 (%Ln days ago).",
                          "", int(qMin<qint64>(days, std::numeric_limits<int>::max())))
                           .arg(when));
    });
    connect(m_model, &QAbstractItemModel::rowsRemoved, this, &MainWindow::updateStatus);

    connect(m_store, &StoreController::openRequested, this, &MainWindow::openStore);
    connect(m_store, &StoreController::changed, this, [this] {
        updateTitle();
        updateActions();
        updateStatus();
    });
    connect(m_model, &MemoryTableModel::writeFailed, this, [this](const QString&, const QString& message) {
        m_afterSave = nullptr;
        m_messages->showMessage(MessageBar::Kind::Error, tr("Not saved: %1").arg(message));
    });
    connect(m_model, &MemoryTableModel::editRejected, this, [this](const QString&, const QString& message) {
        m_afterSave = nullptr;
        m_messages->showMessage(MessageBar::Kind::Warning, tr("Not saved: %1").arg(message));
    });
    connect(m_model, &MemoryTableModel::writeConflict, this,
            [this](const Memory& mine, const Memory& theirs, bool theirsExists, const QString& message) {
                m_afterSave = nullptr;
                m_messages->showMessage(MessageBar::Kind::Warning, message);
                auto* dialog = new ConflictDialog(mine, theirsExists ? std::optional<Memory>(theirs) : std::nullopt,
                                                  message, this);
                connect(dialog, &ConflictDialog::applyMine, this, [this](const Memory&, const Memory& wanted) {
                    m_model->updateMemories({wanted}, tr("Overwrite %1").arg(wanted.id));
                });
                dialog->show();
            });
    connect(m_model, &MemoryTableModel::externalChangeDetected, this,
            [this] { statusBar()->showMessage(tr("The store was changed by another program; refreshed"), 4000); });
    connect(m_model, &MemoryTableModel::countChanged, this, &MainWindow::updateStatus);
    connect(m_model, &MemoryTableModel::editingEnabledChanged, this, [this] {
        m_detail->setEditable(m_model->isEditingEnabled());
        updateActions();
        updateTitle();
    });
    connect(m_progress, &ProgressStrip::fetchCancelled, this,
            [this] { statusBar()->showMessage(tr("Cancelled"), 3000); });
    connect(m_progress, &ProgressStrip::unreadable, this, [this](const QList<RecordIssue>& issues) {
        m_messages->showMessage(MessageBar::Kind::Warning,
                                tr("%n of the selected memories could not be read: %1", "", int(issues.size()))
                                    .arg(issues.first().id + u": "_s + issues.first().reason));
    });
    connect(m_progress, &ProgressStrip::jobFinished, this, [this](bool cancelled, bool failed, const QString& summary) {
        statusBar()->clearMessage(); // "Exporting…" is over
        m_messages->showMessage(failed          ? MessageBar::Kind::Error
                                    : cancelled ? MessageBar::Kind::Warning
                                                : MessageBar::Kind::Info,
                                summary);
    });

    connect(m_detail, &DetailPane::saveRequested, this, [this](const Memory&, const Memory& after) {
        m_model->updateMemories({after}, tr("Edit %1").arg(after.id));
        // with focus left in a field, Ctrl+Z would undo typing there instead of the save
        if (m_detail->isAncestorOf(QApplication::focusWidget()))
            m_table->setFocus(Qt::OtherFocusReason);
    });
    connect(m_detail, &DetailPane::memoryLinkActivated, this, &MainWindow::goToId);
    connect(m_model, &MemoryTableModel::summariesFound, m_detail, &DetailPane::setSummarizedBy);

    // layout
    auto* central = new QWidget(this);
    auto* layout = new QVBoxLayout(central);
    layout->setContentsMargins(4, 4, 4, 0);
    layout->setSpacing(4);
    layout->addWidget(m_messages);
    layout->addWidget(m_filterBar);
    m_splitter->setObjectName(u"mainSplitter"_s);
    m_splitter->addWidget(m_table);
    m_splitter->addWidget(m_detail);
    m_splitter->setStretchFactor(0, 3);
    m_splitter->setStretchFactor(1, 2);
    layout->addWidget(m_splitter, 1);
    setCentralWidget(central);

    // status bar: counts, long work with cancel, and the mode
    m_countLabel->setObjectName(u"countLabel"_s);
    m_modeLabel->setObjectName(u"modeLabel"_s);
    statusBar()->addWidget(m_countLabel, 1);
    statusBar()->addPermanentWidget(m_progress);
    statusBar()->addPermanentWidget(m_modeLabel);

    createActions();
    createMenus();
    addShortcutsToToolTips();
    restoreViewState();
    m_detail->setEditable(false);
    updateTitle();
    updateActions();
    updateStatus();
}

void MainWindow::focusResults()
{
    m_table->setFocus(Qt::OtherFocusReason);
    if (!m_table->currentIndex().isValid() && m_model->rowCount() > 0)
        m_table->selectionModel()->setCurrentIndex(m_model->index(0, 0),
                                                   QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
}

QString MainWindow::helpText() const
{
    const QList<std::pair<QString, QString>> words {
        {u"word \"two words\""_s, tr("memories whose content has every word (full-text search)")},
        {u"ns:decisions"_s, tr("namespace (namespace:, aliases such as techdebt); repeat for any of several")},
        {u"tag:rust tag:a,b"_s, tr("carries the tag; a comma list means any of them; repeat for all")},
        {u"-tag:old"_s, tr("carries none of these tags")},
        {u"since:7d"_s, tr("created in the last N days (d), hours (h) or weeks (w); a bare number is days")},
        {u"project:github.com/org/repo"_s, tr("project id equals (proj:, repo:)")},
        {u"branch:main"_s, tr("branch equals")},
        {u"path:src/*"_s, tr("file path matches, * is a wildcard (file:, file_path:)")},
        {u"source:*.rs"_s, tr("source matches, * is a wildcard (src:)")},
        {u"status:archived"_s, tr("status is one of the given")},
    };
    QString html = u"<h3>%1</h3><p>%2</p><table cellspacing=\"6\">"_s.arg(
        tr("Filter language"),
        tr("subcog's words, AND-ed. A word that is not understood shows nothing until it "
           "is fixed, so that a Delete or Export never covers more than was meant."));
    for (const auto& [word, meaning] : words)
        html += u"<tr><td><code>%1</code></td><td>%2</td></tr>"_s.arg(word.toHtmlEscaped(), meaning.toHtmlEscaped());
    html += u"</table><h3>%1</h3><table cellspacing=\"6\">"_s.arg(tr("Shortcuts"));
    QList<std::pair<QString, QString>> keys;
    for (QAction* a : findChildren<QAction*>()) {
        if (a->shortcuts().isEmpty())
            continue;
        QStringList sequences;
        for (const QKeySequence& k : a->shortcuts())
            sequences << k.toString(QKeySequence::NativeText);
        keys.append({sequences.join(u", "_s), a->text().remove(u'&').remove(u"…"_s)});
    }
    keys.append({tr("Ctrl+S / Esc"), tr("save / discard the detail pane's edits")});
    keys.append({tr("Enter, Down"), tr("from the filter bar to the results")});
    keys.append({tr("Tab"), tr("from the table to the detail pane")});
    std::sort(keys.begin(), keys.end(), [](const auto& a, const auto& b) { return a.second < b.second; });
    for (const auto& [key, what] : keys)
        html += u"<tr><td><b>%1</b></td><td>%2</td></tr>"_s.arg(key.toHtmlEscaped(), what.toHtmlEscaped());
    return html + u"</table>"_s;
}

void MainWindow::addShortcutsToToolTips()
{
    for (QAction* a : findChildren<QAction*>()) {
        if (a->shortcut().isEmpty())
            continue;
        QString tip = a->toolTip();
        if (tip.isEmpty())
            tip = a->text().remove(u'&').remove(u"…"_s);
        const QString key = a->shortcut().toString(QKeySequence::NativeText);
        if (!tip.contains(key))
            a->setToolTip(tr("%1 (%2)").arg(tip, key));
    }
}

MainWindow::~MainWindow()
{
    // the model is destroyed with the widgets below; its last signals must not reach a half-destroyed window
    m_model->disconnect(this);
    m_model->disconnect(m_store);
    m_model->disconnect(m_progress);
    m_model->undoStack()->disconnect(this);
}

QIcon MainWindow::icon(const QString& name) const
{
    return QIcon::fromTheme(name, QIcon(u":/icons/"_s + name + u".svg"_s));
}

void MainWindow::createActions()
{
    m_openSqlite = new QAction(icon(u"document-open"_s), tr("Open SQLite &File…"), this);
    m_openSqlite->setShortcut(QKeySequence::Open);
    connect(m_openSqlite, &QAction::triggered, m_store, &StoreController::openSqliteFile);
    m_openFolder = new QAction(icon(u"folder-open"_s), tr("Open &Folder Store…"), this);
    connect(m_openFolder, &QAction::triggered, m_store, &StoreController::openFolder);
    m_connectPg = new QAction(icon(u"network-server"_s), tr("Connect to &PostgreSQL…"), this);
    connect(m_connectPg, &QAction::triggered, m_store, &StoreController::connectPostgres);
    m_close = new QAction(tr("&Close Store"), this);
    m_close->setShortcut(QKeySequence::Close);
    connect(m_close, &QAction::triggered, this, [this] {
        if (!mayLeaveStore([this] { m_close->trigger(); }))
            return;
        m_detail->setMemory(std::nullopt);
        m_store->close();
        updateTitle();
        updateStatus();
    });
    m_quit = new QAction(icon(u"application-exit"_s), tr("&Quit"), this);
    m_quit->setShortcut(QKeySequence::Quit);
    m_quit->setMenuRole(QAction::QuitRole);
    connect(m_quit, &QAction::triggered, this, &QWidget::close);

    m_undo = m_model->undoStack()->createUndoAction(this, tr("&Undo"));
    m_undo->setIcon(icon(u"edit-undo"_s));
    m_undo->setShortcut(QKeySequence::Undo);
    m_redo = m_model->undoStack()->createRedoAction(this, tr("&Redo"));
    m_redo->setIcon(icon(u"edit-redo"_s));
    // the platform's redo keys (Ctrl+Shift+Z and Ctrl+Y here), each once: a key bound twice is ambiguous and
    // triggers nothing
    QList<QKeySequence> redoKeys = QKeySequence::keyBindings(QKeySequence::Redo);
    if (!redoKeys.contains(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Z)))
        redoKeys.prepend(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Z));
    m_redo->setShortcuts(redoKeys);

    m_editing = new QAction(icon(u"document-edit"_s), tr("Allow &Editing"), this);
    m_editing->setCheckable(true);
    m_editing->setToolTip(tr("Stores open read-only; switch editing on for this store"));
    connect(m_editing, &QAction::toggled, this, &MainWindow::setEditing);
    m_delete = new QAction(icon(u"edit-delete"_s), tr("&Delete"), this);
    m_delete->setShortcut(QKeySequence::Delete);
    m_delete->setToolTip(tr("Move the selected memories to the Trash (tombstone them)"));
    connect(m_delete, &QAction::triggered, this, [this] { deleteSelection(true); });
    m_hardDelete = new QAction(tr("Delete &Permanently…"), this);
    m_hardDelete->setShortcut(QKeySequence(Qt::SHIFT | Qt::Key_Delete));
    connect(m_hardDelete, &QAction::triggered, this, [this] { hardDeleteSelection(true); });
    m_restore = new QAction(icon(u"edit-undo"_s), tr("&Restore"), this);
    m_restore->setToolTip(tr("Bring the selected memories back from the Trash"));
    connect(m_restore, &QAction::triggered, this, &MainWindow::restoreSelection);
    m_goTo = new QAction(icon(u"go-jump"_s), tr("&Go to ID…"), this);
    m_goTo->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_G));
    connect(m_goTo, &QAction::triggered, this, [this] {
        bool ok = false;
        const QString id = QInputDialog::getText(this, tr("Go to ID"), tr("Memory id:"), QLineEdit::Normal, {}, &ok);
        if (ok && !id.trimmed().isEmpty())
            goToId(id.trimmed());
    });
    m_goBack = new QAction(icon(u"go-previous"_s), tr("&Back"), this);
    m_goBack->setShortcut(QKeySequence::Back);
    m_goBack->setToolTip(tr("Back to where the last jump (Go to ID, a link between memories) left from"));
    connect(m_goBack, &QAction::triggered, this, &MainWindow::goBack);
    m_goForward = new QAction(icon(u"go-next"_s), tr("&Forward"), this);
    m_goForward->setShortcut(QKeySequence::Forward);
    m_goForward->setToolTip(tr("Forward again through the jumps Back went back over"));
    connect(m_goForward, &QAction::triggered, this, &MainWindow::goForward);
    m_find = new QAction(icon(u"edit-find"_s), tr("&Filter…"), this);
    m_find->setShortcut(QKeySequence::Find);
    connect(m_find, &QAction::triggered, this, [this] {
        filterEdit()->setFocus();
        filterEdit()->selectAll();
    });
    m_refresh = new QAction(icon(u"view-refresh"_s), tr("&Refresh"), this);
    m_refresh->setShortcut(QKeySequence::Refresh);
    m_refresh->setToolTip(tr("Read the rows again; after a jump, clear its id: filter"));
    connect(m_refresh, &QAction::triggered, this, &MainWindow::refreshOrLeaveJump);
    m_trash = new QAction(icon(u"user-trash"_s), tr("&Trash"), this);
    m_trash->setCheckable(true);
    m_trash->setToolTip(tr("Show only tombstoned (soft-deleted) memories, to restore them"));
    connect(m_trash, &QAction::toggled, this, &MainWindow::setTrashView);
    m_showTombstoned = new QAction(tr("Show &Tombstoned Memories"), this);
    m_showTombstoned->setCheckable(true);
    m_showTombstoned->setToolTip(tr("Also show soft-deleted (tombstoned) memories; memories whose status is "
                                    "\"deleted\" are always shown"));
    connect(m_showTombstoned, &QAction::toggled, this, &MainWindow::applyFilter);
    m_resetLayout = new QAction(tr("Reset &Layout"), this);
    m_resetLayout->setToolTip(tr("Back to the first-run columns, widths and window size"));
    connect(m_resetLayout, &QAction::triggered, this, [this] {
        if (!isMaximized() && !isFullScreen())
            resize(firstRunSize());
        resetLayout();
    });
    m_columns = new QAction(tr("&Columns…"), this);
    connect(m_columns, &QAction::triggered, this, &MainWindow::chooseColumns);
    m_detailToggle = new QAction(tr("Detail &Pane"), this);
    m_detailToggle->setCheckable(true);
    m_detailToggle->setChecked(true);
    m_detailToggle->setShortcut(QKeySequence(Qt::Key_F9));
    connect(m_detailToggle, &QAction::toggled, m_detail, &QWidget::setVisible);
    m_export = new QAction(icon(u"document-save-as"_s), tr("&Export…"), this);
    m_export->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    m_export->setToolTip(tr("Write memories to a file: JSON Lines, JSON, CSV, Markdown or subcog's export format"));
    connect(m_export, &QAction::triggered, this, [this] {
        ExportDialog dialog(selectedRowCount(), m_model->exactCount().value_or(m_model->rowCount()), this);
        if (dialog.exec() == QDialog::Accepted && !dialog.path().isEmpty())
            exportMemories(dialog.scope(), dialog.format(), dialog.path());
    });
    m_copyToStore = new QAction(tr("Copy to &Store…"), this);
    m_copyToStore->setToolTip(tr("Copy memories into another store of any kind, keeping their ids"));
    connect(m_copyToStore, &QAction::triggered, this, [this] {
        CopyDialog dialog(selectedRowCount(), m_model->exactCount().value_or(m_model->rowCount()), this);
        if (dialog.exec() == QDialog::Accepted && !dialog.target().isEmpty())
            copyMemories(dialog.scope(), dialog.target(), dialog.onConflict(), dialog.dryRun());
    });
    m_copyRows = new QAction(icon(u"edit-copy"_s), tr("&Copy"), this);
    m_copyRows->setShortcut(QKeySequence::Copy);
    m_copyRows->setToolTip(tr("Copy the selected memories as tab-separated text"));
    connect(m_copyRows, &QAction::triggered, this, [this] {
        // one row: the value of the cell under the keyboard, as in any table editor; several rows: the rows
        if (selectedRowCount() == 1 && m_table->currentIndex().isValid()
            && m_table->selectionModel()->isRowSelected(m_table->currentIndex().row()))
            copyCellValue(m_table->currentIndex());
        else
            copyToClipboard(ExportFormat::Tsv);
    });
    m_copyJson = new QAction(tr("Copy as &JSON"), this);
    connect(m_copyJson, &QAction::triggered, this, [this] { copyToClipboard(ExportFormat::Json); });
    m_copyMarkdown = new QAction(tr("Copy as &Markdown"), this);
    connect(m_copyMarkdown, &QAction::triggered, this, [this] { copyToClipboard(ExportFormat::Markdown); });
    m_copyId = new QAction(tr("Copy &ID"), this);
    m_copyId->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_C));
    connect(m_copyId, &QAction::triggered, this, [this] { copyIdsToClipboard(false); });
    m_copyUrn = new QAction(tr("Copy &URN"), this);
    connect(m_copyUrn, &QAction::triggered, this, [this] { copyIdsToClipboard(true); });
    m_help = new QAction(icon(u"help-about"_s), tr("&Filter Language and Shortcuts"), this);
    m_help->setShortcut(QKeySequence::HelpContents);
    connect(m_help, &QAction::triggered, this, [this] {
        QMessageBox box(QMessageBox::NoIcon, tr("Filter Language and Shortcuts"), helpText(), QMessageBox::Close, this);
        box.setObjectName(u"helpBox"_s);
        box.setTextFormat(Qt::RichText);
        box.exec();
    });
    m_about = new QAction(icon(u"help-about"_s), tr("&About Subcog Inspector"), this);
    m_about->setMenuRole(QAction::AboutRole);
    connect(m_about, &QAction::triggered, this, [this] {
        QMessageBox::about(this, tr("About Subcog Inspector"), aboutText().toHtmlEscaped().replace(u"\n"_s, u"<br>"_s));
    });
}

void MainWindow::createMenus()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    QMenu* stores = file->addMenu(tr("subcog's &Stores"));
    file->addAction(m_openSqlite);
    file->addAction(m_openFolder);
    file->addAction(m_connectPg);
    QMenu* recent = file->addMenu(tr("Open &Recent"));
    file->addSeparator();
    file->addAction(m_export);
    file->addAction(m_copyToStore);
    file->addSeparator();
    file->addAction(m_close);
    file->addAction(m_quit);
    m_store->setMenus(stores, recent);

    QMenu* edit = menuBar()->addMenu(tr("&Edit"));
    edit->addAction(m_undo);
    edit->addAction(m_redo);
    edit->addSeparator();
    edit->addAction(m_copyRows);
    QMenu* copyAs = edit->addMenu(tr("Copy &As"));
    copyAs->addAction(m_copyJson);
    copyAs->addAction(m_copyMarkdown);
    copyAs->addAction(m_copyId);
    copyAs->addAction(m_copyUrn);
    edit->addSeparator();
    edit->addAction(m_editing);
    edit->addSeparator();
    edit->addAction(m_delete);
    edit->addAction(m_hardDelete);
    edit->addAction(m_restore);
    edit->addSeparator();
    edit->addAction(m_find);

    QMenu* go = menuBar()->addMenu(tr("&Go"));
    go->addAction(m_goTo);
    go->addAction(m_goBack);
    go->addAction(m_goForward);

    QMenu* view = menuBar()->addMenu(tr("&View"));
    view->addAction(m_trash);
    view->addAction(m_showTombstoned);
    view->addSeparator();
    view->addAction(m_columns);
    view->addAction(m_resetLayout);
    view->addAction(m_detailToggle);
    view->addAction(m_refresh);

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(m_help);
    help->addSeparator();
    help->addAction(m_about);

    QToolBar* bar = addToolBar(tr("Main"));
    bar->setObjectName(u"mainToolBar"_s);
    bar->addAction(m_openSqlite);
    bar->addAction(m_openFolder);
    bar->addAction(m_connectPg);
    bar->addSeparator();
    bar->addAction(m_undo);
    bar->addAction(m_redo);
    bar->addSeparator();
    bar->addAction(m_editing);
    bar->addAction(m_delete);
    bar->addAction(m_restore);
    bar->addAction(m_trash);
    bar->addSeparator();
    bar->addAction(m_refresh);
}

void MainWindow::openDefaultStore()
{
    m_store->openDefault();
}

void MainWindow::openStore(const QString& spec, const QString& origin)
{
    const bool sameStore = spec == m_store->spec();
    // edits in the pane belong to the open store: settled before it goes, or a later Save would write them into
    // another store's memory of the same id
    if (!sameStore && !mayLeaveStore([this, spec, origin] { openStore(spec, origin); }))
        return;
    if (!sameStore) {
        m_store->leave();
        // jumps are between memories of the store they were made in
        m_back.clear();
        m_forward.clear();
        m_jumpFilter.clear();
    }
    m_pendingGoTo.clear();
    m_locating.clear();
    m_pendingRow = -1;
    m_store->open(spec, origin);
    applyFilter();
    {
        const QSignalBlocker block(m_editing);
        m_editing->setChecked(m_store->wantsEditing());
    }
    updateTitle();
}

void MainWindow::setEditing(bool on)
{
    if (on == m_store->wantsEditing() && (!on || m_model->isEditingEnabled()))
        return;
    {
        const QSignalBlocker block(m_editing);
        m_editing->setChecked(on);
    }
    if (!m_store->setEditing(on)) {
        if (!on)
            updateTitle();
        return;
    }
    // reopen for writing, and find the current memory again in the reopened store, wherever its row is
    const QString keep = m_table->currentIndex().isValid()
        ? m_model->data(m_table->currentIndex(), MemoryTableModel::IdRole).toString()
        : QString();
    openStore(m_store->spec());
    if (!keep.isEmpty())
        jumpTo(keep, false);
}

bool MainWindow::isEditing() const
{
    return m_model->isEditingEnabled();
}

void MainWindow::setTrashView(bool on)
{
    {
        const QSignalBlocker block(m_trash);
        m_trash->setChecked(on);
    }
    applyFilter();
}

void MainWindow::applyFilter()
{
    const TombstoneFilter tombstones = m_trash->isChecked() ? TombstoneFilter::Only
        : m_showTombstoned->isChecked()                     ? TombstoneFilter::Include
                                                            : TombstoneFilter::Exclude;
    const MemoryFilter f = m_filterBar->apply(tombstones);
    m_newestLookup = 0;
    m_model->setFilter(f);
    updateActions();
    updateStatus();
}

void MainWindow::goToId(const QString& id)
{
    if (id.isEmpty() || !m_model->isOpen())
        return;
    if (!mayLeaveMemory())
        return;
    if (m_filterBar->isApplyPending())
        applyFilter(); // typed just before: the row is looked up in the filter the bar shows
    const Place here = currentPlace();
    if (here.id != id) {
        m_back << here;
        if (m_back.size() > 100)
            m_back.removeFirst();
        m_forward.clear();
    }
    jumpTo(id);
    updateActions();
}

void MainWindow::goBack()
{
    if (m_back.isEmpty() || !mayLeaveMemory())
        return;
    m_forward << currentPlace();
    restorePlace(m_back.takeLast());
    updateActions();
}

void MainWindow::goForward()
{
    if (m_forward.isEmpty() || !mayLeaveMemory())
        return;
    m_back << currentPlace();
    restorePlace(m_forward.takeLast());
    updateActions();
}

MainWindow::FilterState MainWindow::filterState() const
{
    return FilterState {m_filterBar->state(), m_trash->isChecked(), m_showTombstoned->isChecked()};
}

void MainWindow::setFilterState(const FilterState& state)
{
    {
        const QSignalBlocker b1(m_trash), b2(m_showTombstoned);
        m_filterBar->setState(state.bar);
        m_trash->setChecked(state.trash);
        m_showTombstoned->setChecked(state.tombstoned);
    }
    m_pendingGoTo.clear();
    m_locating.clear();
    m_pendingRow = -1;
    m_jumpId.clear();
    m_messages->dismiss(m_goToNotice);
    applyFilter();
}

MainWindow::Place MainWindow::currentPlace() const
{
    QString id = !m_locating.isEmpty() ? m_locating : m_pendingGoTo;
    if (id.isEmpty() && m_table->currentIndex().isValid())
        id = m_model->data(m_table->currentIndex(), MemoryTableModel::IdRole).toString();
    return Place {filterState(), id};
}

bool MainWindow::mayLeaveMemory()
{
    // asked before a jump changes the filter or the row, not after: staying must leave everything as it was
    if (m_settling)
        return false;
    m_settling = true;
    const bool leave = settleUnsavedEdits() != Leave::Stay;
    m_settling = false;
    return leave;
}

void MainWindow::restorePlace(const Place& place)
{
    // also when the bar already says so: a jump to an id the bar cannot spell filters without words in it
    setFilterState(place.filter);
    if (!place.id.isEmpty()) {
        jumpTo(place.id, false);
    } else {
        m_table->selectionModel()->clear();
        m_table->scrollToTop();
    }
}

void MainWindow::jumpTo(const QString& id, bool orShowOnly)
{
    m_pendingRow = -1;
    m_locating.clear();
    const int row = m_model->loadedRowOf(id);
    if (row >= 0) {
        m_pendingGoTo.clear();
        const QModelIndex index = m_model->index(row, qMax(0, m_table->currentIndex().column()));
        m_table->selectionModel()->setCurrentIndex(index,
                                                   QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        m_table->scrollTo(index);
        return;
    }
    // its row in the current order, counted on the sort index by the store
    m_pendingGoTo.clear();
    m_locating = id;
    m_locatingOrShowOnly = orShowOnly;
    m_model->locate(id);
    statusBar()->showMessage(tr("Finding memory %1…").arg(id), 3000);
}

void MainWindow::onLocated(const QString& id, qint64 row)
{
    if (id != m_locating)
        return;
    m_locating.clear();
    if (statusBar()->currentMessage() == tr("Finding memory %1…").arg(id))
        statusBar()->clearMessage(); // found (or not): the search is over
    if (row >= 0) {
        m_pendingGoTo = id;
        m_pendingRow = row;
        selectPendingRow();
    } else if (m_locatingOrShowOnly) {
        showOnly(id);
    } else {
        statusBar()->showMessage(tr("Memory %1 is not among the rows of this filter").arg(id), 5000);
    }
}

void MainWindow::selectPendingRow()
{
    // before the count, the table grows as pages come; the row is selected once it is there
    if (m_pendingRow < 0 || m_pendingRow >= m_model->rowCount())
        return;
    const int row = int(std::exchange(m_pendingRow, -1));
    const QModelIndex index = m_model->index(row, qMax(0, m_table->currentIndex().column()));
    m_table->selectionModel()->setCurrentIndex(index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_table->scrollTo(index, QAbstractItemView::PositionAtCenter);
}

void MainWindow::showOnly(const QString& id)
{
    FilterState state;
    static const QRegularExpression unsafe(u"[\\s,]"_s);
    if (!id.contains(unsafe)) {
        // the filter bar says what is in force: an `id:` word, which clearing the filter removes
        state.bar.text = u"id:"_s + id;
        m_jumpFilter = state.bar.text;
        setFilterState(state);
        m_jumpId = id;
        m_goToNotice = tr("Memory %1 is not among the rows of the filter, so the filter now shows it alone. "
                          "Alt+Left goes back; F5 or clearing the filter shows every memory.")
                           .arg(id);
    } else {
        // an id the filter language cannot spell (spaces, commas) is shown without words in the bar
        setFilterState(state);
        MemoryFilter f;
        f.ids = {id};
        f.tombstones = TombstoneFilter::Include;
        m_jumpFilter.clear();
        m_jumpId = id;
        m_model->setFilter(f);
        m_goToNotice = tr("Showing only memory %1. Clear or edit the filter to see the others.").arg(id);
    }
    m_pendingGoTo = id;
    m_messages->showMessage(MessageBar::Kind::Info, m_goToNotice);
    updateStatus();
}

void MainWindow::refreshOrLeaveJump()
{
    const bool jumped = (!m_jumpFilter.isEmpty() && m_filterBar->text() == m_jumpFilter)
        || (m_model->filter().ids.size() == 1 && m_filterBar->text().isEmpty());
    if (!jumped) {
        m_model->refresh();
        return;
    }
    // the jump's filter goes, the memory stays selected where the whole store has it
    const QString id = currentPlace().id;
    m_jumpFilter.clear();
    FilterState state = filterState();
    state.bar.text.clear();
    setFilterState(state);
    if (!id.isEmpty())
        jumpTo(id, false);
}

void MainWindow::explainEmptyTimeFilter()
{
    const MemoryFilter f = m_model->filter();
    if (m_model->exactCount().value_or(-1) > 0 && m_filterBar->isHintShown())
        m_filterBar->hideHint(); // memories arrived in that time (a refresh, another writer)
    if (!m_jumpId.isEmpty() && m_model->exactCount() == 0 && m_filterBar->text() == m_jumpFilter) {
        m_goToNotice = tr("No memory has the id %1 in this store.").arg(m_jumpId);
        m_messages->showMessage(MessageBar::Kind::Warning, m_goToNotice);
    }
    if (m_model->exactCount().value_or(-1) != 0 || (!f.createdFrom && !f.createdTo) || m_filterBar->isExplaining())
        return;
    MemoryQuery q;
    q.filter = f;
    q.filter.createdFrom.reset();
    q.filter.createdTo.reset();
    q.sortKey = SortKey::CreatedAt;
    q.order = Qt::DescendingOrder;
    q.limit = 1;
    q.withContent = false;
    m_newestLookup = m_model->lookUp(q);
}

MainWindow::Leave MainWindow::settleUnsavedEdits()
{
    if (!m_detail->isDirty() || !m_detail->memory())
        return Leave::Clean;
    QString problem;
    const bool valid = m_detail->editedMemory(&problem).has_value() && m_detail->isEditable();
    QMessageBox box(QMessageBox::Warning, tr("Unsaved Changes"),
                    tr("Memory %1 has changes that are not saved.").arg(m_detail->memory()->id),
                    QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, this);
    box.setObjectName(u"unsavedChangesBox"_s);
    box.setTextFormat(Qt::PlainText); // the id is store data, never markup
    box.setInformativeText(valid
                               ? tr("Save them to the store?")
                               : tr("They cannot be saved as they are (%1): fix them, or discard them.").arg(problem));
    box.button(QMessageBox::Save)->setEnabled(valid);
    box.setDefaultButton(valid ? QMessageBox::Save : QMessageBox::Cancel);
    switch (box.exec()) {
    case QMessageBox::Save:
        m_detail->save();
        return Leave::Saved;
    case QMessageBox::Discard:
        m_detail->discard();
        return Leave::Discarded;
    default:
        return Leave::Stay;
    }
}

void MainWindow::showCurrent()
{
    if (m_settling)
        return;
    const QModelIndex current = m_table->currentIndex();
    const QString before = m_detail->memory() ? m_detail->memory()->id : QString();
    std::optional<Memory> next = current.isValid() ? m_model->memoryAt(current.row()) : std::nullopt;
    if (m_detail->isDirty()) {
        // a row still loading, or no row at all, is not a decision to leave the edited memory
        if (!next || next->id == before)
            return;
        m_settling = true;
        const bool leave = settleUnsavedEdits() != Leave::Stay;
        m_settling = false;
        if (!leave) {
            // a jump on its way would ask again once its row loads: the person chose to stay
            m_pendingGoTo.clear();
            m_locating.clear();
            m_pendingRow = -1;
            // back to the memory being edited
            const int row = m_model->loadedRowOf(before);
            const QSignalBlocker block(m_table->selectionModel());
            if (row >= 0)
                m_table->selectionModel()->setCurrentIndex(m_model->index(row, qMax(0, current.column())),
                                                           QItemSelectionModel::ClearAndSelect
                                                               | QItemSelectionModel::Rows);
            else
                m_table->selectionModel()->clear();
            m_table->viewport()->update();
            updateStatus();
            updateActions();
            return;
        }
        next = m_model->memoryAt(m_table->currentIndex().row());
    }
    m_detail->setMemory(next);
    if (m_detail->memory() && m_detail->memory()->id != before)
        m_model->findSummariesOf(m_detail->memory()->id);
    if (!m_pendingGoTo.isEmpty() && m_pendingRow < 0) {
        const int row = m_model->loadedRowOf(m_pendingGoTo);
        if (row >= 0) {
            m_pendingGoTo.clear();
            if (row != current.row())
                m_table->selectionModel()->setCurrentIndex(m_model->index(row, qMax(0, current.column())),
                                                           QItemSelectionModel::ClearAndSelect
                                                               | QItemSelectionModel::Rows);
        } else if (current.isValid() && m_model->loadState(current.row()) == MemoryTableModel::LoadState::Loaded) {
            m_pendingGoTo.clear(); // another writer moved it: the row found is kept
        }
    }
}

int MainWindow::selectedRowCount() const
{
    int n = 0;
    for (const QItemSelectionRange& range : m_table->selectionModel()->selection())
        n += range.height();
    return n;
}

QList<Memory> MainWindow::selectedMemories() const
{
    QList<Memory> memories;
    QList<int> rows;
    for (const QItemSelectionRange& range : m_table->selectionModel()->selection())
        for (int r = range.top(); r <= range.bottom(); ++r)
            rows << r;
    std::sort(rows.begin(), rows.end());
    rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
    for (const int r : rows) {
        if (auto m = m_model->memoryAt(r))
            memories << *m;
    }
    return memories;
}

void MainWindow::withSelection(const std::function<void(const QList<Memory>&)>& action)
{
    const int wanted = selectedRowCount();
    const QList<Memory> loaded = selectedMemories();
    if (loaded.size() == wanted) {
        action(loaded);
        return;
    }
    // some selected rows are not loaded: stream them from the store in one request, with progress and cancel
    QList<std::pair<qint64, qint64>> rows;
    for (const QItemSelectionRange& range : m_table->selectionModel()->selection())
        rows.append({range.top(), range.bottom() + 1});
    std::sort(rows.begin(), rows.end());
    QList<std::pair<qint64, qint64>> ranges; // (first, count), each row once, in table order
    for (const auto& [from, to] : std::as_const(rows)) {
        if (!ranges.isEmpty() && from <= ranges.last().first + ranges.last().second) {
            auto& last = ranges.last();
            last.second = qMax(last.second, to - last.first);
        } else {
            ranges.append({from, to - from});
        }
    }
    m_progress->fetchRows(ranges, wanted, action);
}

ExportSource MainWindow::sourceFor(TransferScope scope) const
{
    if (scope == TransferScope::Store)
        return ExportSource {};
    if (scope == TransferScope::Filter)
        return m_model->rowsSource({});
    QList<std::pair<qint64, qint64>> ranges;
    for (const QItemSelectionRange& range : m_table->selectionModel()->selection())
        ranges.append({range.top(), range.height()});
    std::sort(ranges.begin(), ranges.end());
    return m_model->rowsSource(ranges);
}

void MainWindow::startJob(RequestId id, const QString& what)
{
    m_progress->trackJob(id);
    statusBar()->showMessage(what, 2000);
}

RequestId MainWindow::exportMemories(TransferScope scope, ExportFormat format, const QString& path)
{
    const RequestId id = m_model->exportTo(sourceFor(scope), format, path);
    startJob(id, tr("Exporting to %1…").arg(path));
    return id;
}

RequestId MainWindow::copyMemories(TransferScope scope, const QString& target, OnConflict onConflict, bool dryRun)
{
    const RequestId id = m_model->copyTo(sourceFor(scope), target, onConflict, dryRun);
    startJob(id, tr("Copying to %1…").arg(withoutPasswords(target)));
    return id;
}

void MainWindow::copyToClipboard(ExportFormat format)
{
    withSelection([this, format](const QList<Memory>& memories) {
        QStringList leftOut;
        QGuiApplication::clipboard()->setText(QString::fromUtf8(encodeMemories(format, memories, &leftOut)));
        if (!leftOut.isEmpty())
            m_messages->showMessage(MessageBar::Kind::Warning,
                                    tr("%Ln memories not copied (%1): %2", "", int(leftOut.size()))
                                        .arg(missingContentReason(), leftOut.join(u", "_s)));
    });
}

void MainWindow::copyIdsToClipboard(bool urns)
{
    withSelection([urns](const QList<Memory>& memories) {
        QStringList lines;
        for (const Memory& m : memories)
            lines << (urns ? m.urn() : m.id);
        QGuiApplication::clipboard()->setText(lines.join(u'\n'));
    });
}

void MainWindow::deleteSelection(bool confirm)
{
    const int n = selectedRowCount();
    if (n == 0 || !isEditing())
        return;
    if (confirm
        && QMessageBox::question(this, tr("Delete Memories"),
                                 tr("Move %Ln memories to the Trash?\nThey are tombstoned as subcog does and can be "
                                    "restored from View ▸ Trash.",
                                    "", n))
            != QMessageBox::Yes)
        return;
    withSelection([this](const QList<Memory>& memories) {
        m_model->softDelete(memories);
        afterRowsLeft(tr("%Ln memories moved to the Trash", "", int(memories.size())));
    });
}

void MainWindow::hardDeleteSelection(bool confirm)
{
    const int n = selectedRowCount();
    if (n == 0 || !isEditing())
        return;
    if (confirm) {
        bool ok = false;
        const QString typed = QInputDialog::getText(
            this, tr("Delete Permanently"),
            tr("This removes %n memories from the store. Undo can write them back while the inspector is open.\n"
               "Type %1 to confirm:",
               "", n)
                .arg(n),
            QLineEdit::Normal, {}, &ok);
        if (!ok)
            return;
        if (typed.trimmed() != QString::number(n)) {
            m_messages->showMessage(MessageBar::Kind::Info, tr("Nothing deleted: the number typed was not %1.").arg(n));
            return;
        }
    }
    withSelection([this](const QList<Memory>& memories) {
        m_model->hardDelete(memories);
        afterRowsLeft(tr("%Ln memories deleted permanently", "", int(memories.size())));
    });
}

void MainWindow::restoreSelection()
{
    if (!isEditing())
        return;
    withSelection([this](const QList<Memory>& memories) {
        m_model->restore(memories);
        afterRowsLeft(tr("%Ln memories restored", "", int(memories.size())));
    });
}

void MainWindow::afterRowsLeft(const QString& what)
{
    // the rows that were acted on leave the view; a selection that slid onto their neighbours would make the next
    // Delete hit memories nobody chose, so nothing stays selected (the current row only keeps the keyboard's place)
    const QModelIndex current = m_table->currentIndex();
    m_table->selectionModel()->clearSelection();
    if (current.isValid())
        m_table->selectionModel()->setCurrentIndex(current, QItemSelectionModel::NoUpdate);
    m_messages->showMessage(MessageBar::Kind::Info, what, tr("Undo"), [this] {
        if (m_model->undoStack()->canUndo())
            m_model->undoStack()->undo();
    });
    updateStatus();
    updateActions();
}

void MainWindow::copyCellValue(const QModelIndex& index)
{
    const auto memory = m_model->memoryAt(index.row());
    if (!memory)
        return;
    QGuiApplication::clipboard()->setText(MemoryFields::editText(*memory, MemoryColumn(index.column())));
    statusBar()->showMessage(tr("Copied %1 of %2").arg(MemoryFields::title(MemoryColumn(index.column())), memory->id),
                             3000);
}

namespace {
/// The filter word that selects memories with this cell's value, or empty if the language cannot say it.
QString filterWordFor(const Memory& m, MemoryColumn column, const QString& tag = {})
{
    const auto word = [](const QString& key, const std::optional<QString>& value) -> QString {
        if (!value || value->isEmpty() || value->contains(QRegularExpression(u"\\s"_s)) || value->contains(u'*'))
            return QString();
        return key + u':' + *value;
    };
    switch (column) {
    case MemoryColumn::Namespace:
        return u"ns:"_s + namespaceName(m.effectiveNamespace());
    case MemoryColumn::Status:
        return m.effectiveStatus() == MemoryStatus::Tombstoned ? QString()
                                                               : u"status:"_s + statusName(m.effectiveStatus());
    case MemoryColumn::Project:
        return word(u"project"_s, m.projectId);
    case MemoryColumn::Branch:
        return word(u"branch"_s, m.branch);
    case MemoryColumn::FilePath:
        return word(u"path"_s, m.filePath);
    case MemoryColumn::Source:
        return word(u"source"_s, m.source);
    case MemoryColumn::Tags:
        return tag.contains(u',') ? QString() : word(u"tag"_s, tag);
    default:
        return {};
    }
}
} // namespace

QMenu* MainWindow::contextMenuFor(const QModelIndex& index)
{
    if (!index.isValid())
        return nullptr;
    if (!m_table->selectionModel()->isRowSelected(index.row()))
        m_table->selectionModel()->setCurrentIndex(index,
                                                   QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    else
        m_table->selectionModel()->setCurrentIndex(index, QItemSelectionModel::NoUpdate);
    const auto memory = m_model->memoryAt(index.row());
    auto* menu = new QMenu(this);
    menu->setObjectName(u"rowContextMenu"_s);
    const auto column = MemoryColumn(index.column());
    const QString title = MemoryFields::title(column);
    QAction* copyValue = menu->addAction(icon(u"edit-copy"_s), tr("Copy %1").arg(title));
    copyValue->setEnabled(memory.has_value());
    connect(copyValue, &QAction::triggered, this, [this, index = QPersistentModelIndex(index)] {
        if (index.isValid())
            copyCellValue(index);
    });
    const auto addFilter = [&](const QString& word, const QString& label) {
        QAction* a = menu->addAction(icon(u"edit-find"_s), label);
        a->setEnabled(!word.isEmpty());
        connect(a, &QAction::triggered, this, [this, word] {
            QString text = m_filterBar->text().trimmed();
            if (!text.split(u' ', Qt::SkipEmptyParts).contains(word))
                text = text.isEmpty() ? word : text + u' ' + word;
            filterEdit()->setText(text);
            applyFilter();
        });
    };
    if (memory && column == MemoryColumn::Tags && !memory->tags.isEmpty()) {
        QMenu* byTag = menu->addMenu(icon(u"edit-find"_s), tr("Filter by Tag"));
        for (const QString& tag : memory->tags) {
            const QString word = filterWordFor(*memory, column, tag);
            QAction* a = byTag->addAction(tag);
            a->setEnabled(!word.isEmpty());
            connect(a, &QAction::triggered, this, [this, word] {
                const QString text = m_filterBar->text().trimmed();
                filterEdit()->setText(text.isEmpty() ? word : text + u' ' + word);
                applyFilter();
            });
        }
    } else if (memory && column == MemoryColumn::Domain) {
        QAction* a = menu->addAction(icon(u"edit-find"_s), tr("Filter by This Domain"));
        connect(a, &QAction::triggered, this,
                [this, domain = memory->domain.isEmpty() ? u"project"_s : memory->domain] {
                    m_filterBar->setDomain(domain);
                    applyFilter();
                });
    } else {
        const QString word = memory ? filterWordFor(*memory, column) : QString();
        addFilter(word, word.isEmpty() ? tr("Filter by This Value") : tr("Filter by %1").arg(word));
    }
    if (memory) {
        QStringList linked = memory->sourceMemoryIds.value_or(QStringList());
        if (!linked.isEmpty()) {
            QMenu* open = menu->addMenu(icon(u"go-jump"_s), tr("Open Source Memories"));
            for (const QString& id : linked)
                connect(open->addAction(id), &QAction::triggered, this, [this, id] { goToId(id); });
        }
    }
    menu->addSeparator();
    menu->addAction(m_copyRows);
    menu->addAction(m_copyId);
    menu->addAction(m_copyUrn);
    menu->addSeparator();
    menu->addAction(m_delete);
    menu->addAction(m_restore);
    menu->addAction(m_hardDelete);
    return menu;
}

QString MainWindow::statusText() const
{
    return m_countLabel->text();
}

void MainWindow::updateStatus()
{
    QString text;
    if (!m_model->isOpen()) {
        text = tr("No store open");
    } else if (const auto count = m_model->exactCount()) {
        // say whether tombstoned memories are in the figure: the command line's count includes them
        const bool withTombstoned = m_model->filter().tombstones == TombstoneFilter::Include;
        const int n = int(qMin<qint64>(*count, std::numeric_limits<int>::max()));
        text = m_trash->isChecked() ? tr("%Ln in the Trash", "", n)
            : withTombstoned        ? tr("%Ln memories (tombstoned included)", "", n)
                                    : tr("%Ln memories (tombstoned hidden)", "", n);
    } else {
        text = tr("Counting…");
    }
    const int selected = selectedRowCount();
    if (selected > 0)
        text += u" · "_s + tr("%1 selected").arg(QLocale().toString(selected));
    m_countLabel->setText(text);
    const QString where = m_store->displaySpec();
    m_countLabel->setToolTip(m_store->origin().isEmpty() ? where : where + u" — "_s + m_store->origin());
    const bool editing = m_model->isEditingEnabled();
    m_modeLabel->setText(!m_model->isOpen() ? QString() : editing ? tr("Editing") : tr("Read-only"));
    m_modeLabel->setToolTip(editing ? tr("Changes are written to the store; Edit ▸ Undo takes them back")
                                    : tr("Nothing is written; Edit ▸ Allow Editing switches writing on"));
}

void MainWindow::updateActions()
{
    const bool open = m_model->isOpen();
    const bool editing = m_model->isEditingEnabled();
    const bool any = m_table->selectionModel()->hasSelection();
    m_close->setEnabled(open);
    m_editing->setEnabled(open);
    m_delete->setEnabled(editing && any && !m_trash->isChecked());
    m_hardDelete->setEnabled(editing && any);
    m_restore->setEnabled(editing && any && (m_trash->isChecked() || m_showTombstoned->isChecked()));
    m_goTo->setEnabled(open);
    m_goBack->setEnabled(open && !m_back.isEmpty());
    m_goForward->setEnabled(open && !m_forward.isEmpty());
    m_refresh->setEnabled(open);
    m_export->setEnabled(open);
    m_copyToStore->setEnabled(open);
    for (QAction* a : {m_copyRows, m_copyJson, m_copyMarkdown, m_copyId, m_copyUrn})
        a->setEnabled(open && any);
}

void MainWindow::updateTitle()
{
    if (m_store->displaySpec().isEmpty()) {
        setWindowTitle(tr("Subcog Inspector"));
        return;
    }
    const QString location
        = m_model->location().isEmpty() ? m_store->displaySpec() : withoutPasswords(m_model->location());
    setWindowTitle(
        tr("%1 [%2] — Subcog Inspector").arg(location, m_model->isEditingEnabled() ? tr("editing") : tr("read-only")));
    updateStatus();
}

void MainWindow::chooseColumns()
{
    QMenu menu(this);
    QHeaderView* header = m_table->horizontalHeader();
    for (int c = 0; c < MemoryFields::columnCount(); ++c) {
        QAction* a = menu.addAction(MemoryFields::title(MemoryColumn(c)));
        a->setCheckable(true);
        a->setChecked(!header->isSectionHidden(c));
        a->setToolTip(MemoryFields::description(MemoryColumn(c)));
        connect(a, &QAction::toggled, this, [header, c](bool on) { header->setSectionHidden(c, !on); });
    }
    menu.exec(QCursor::pos());
}

void MainWindow::resetLayout()
{
    QHeaderView* header = m_table->horizontalHeader();
    for (int c = 0; c < MemoryFields::columnCount(); ++c) {
        header->moveSection(header->visualIndex(c), c);
        header->setSectionHidden(c, false);
        header->resizeSection(c, 100);
    }
    const QFontMetrics fm = m_table->fontMetrics();
    header->resizeSection(int(MemoryColumn::Id), fm.horizontalAdvance(u"0123456789abcd"_s) + 12);
    header->resizeSection(int(MemoryColumn::Namespace), fm.horizontalAdvance(u"performance"_s) + 16);
    header->resizeSection(int(MemoryColumn::Status), fm.horizontalAdvance(u"superseded"_s) + 16);
    header->resizeSection(int(MemoryColumn::CreatedAt), fm.horizontalAdvance(u"2026-12-31 23:59:59"_s) + 16);
    header->resizeSection(int(MemoryColumn::Tags), fm.horizontalAdvance(u"x"_s) * 16 + 16);
    for (const MemoryColumn c : defaultHiddenColumns())
        header->setSectionHidden(int(c), true);
    // the content takes what the table has left once the others are placed
    int others = 0;
    for (int c = 0; c < MemoryFields::columnCount(); ++c) {
        if (c != int(MemoryColumn::Content) && !header->isSectionHidden(c))
            others += header->sectionSize(c);
    }
    const int tableWidth = width() * 62 / 100;
    // the row numbers grow with the store (seven digits at a million rows)
    const int rowNumbers = qMax(m_table->verticalHeader()->sizeHint().width(), fm.horizontalAdvance(u"0000000"_s) + 16);
    const int chrome = rowNumbers + style()->pixelMetric(QStyle::PM_ScrollBarExtent) + 4 * m_table->frameWidth() + 24;
    header->resizeSection(int(MemoryColumn::Content), qMax(160, tableWidth - chrome - others));
    m_splitter->setSizes({tableWidth, width() - tableWidth});
    header->setSortIndicator(m_model->sortColumn(), m_model->sortOrder());
}

QSize MainWindow::firstRunSize() const
{
    // 1280×800, or 90 % of a smaller screen's free area (a 1366×768 laptop keeps its panel visible)
    const QRect free = screen() ? screen()->availableGeometry() : QRect(0, 0, 1280, 800);
    return QSize(qMin(1280, free.width() * 9 / 10), qMin(800, free.height() * 9 / 10));
}

void MainWindow::restoreViewState()
{
    QSettings settings;
    // rows kept in memory for scrolling back; pages farther away are read again when needed
    m_model->setCacheCapacityRows(qBound(500, settings.value(u"table/cacheRows"_s, 5000).toInt(), 1000000));
    QHeaderView* header = m_table->horizontalHeader();
    if (!restoreGeometry(settings.value(u"window/geometry"_s).toByteArray()))
        resize(firstRunSize());
    resetLayout();
    restoreState(settings.value(u"window/state"_s).toByteArray());
    m_splitter->restoreState(settings.value(u"window/splitter"_s).toByteArray());
    const QByteArray headerState = settings.value(u"table/header"_s).toByteArray();
    if (!headerState.isEmpty()) {
        header->restoreState(headerState);
        // the sort order is the store's, chosen again on open
        header->setSortIndicator(m_model->sortColumn(), m_model->sortOrder());
    }
}

void MainWindow::saveViewState()
{
    QSettings settings;
    settings.setValue(u"window/geometry"_s, saveGeometry());
    settings.setValue(u"window/state"_s, saveState());
    settings.setValue(u"window/splitter"_s, m_splitter->saveState());
    settings.setValue(u"table/header"_s, m_table->horizontalHeader()->saveState());
}

void MainWindow::afterSaveLands(std::function<void()> then)
{
    m_afterSave = std::move(then);
    connect(
        m_model, &MemoryTableModel::idle, this,
        [this] {
            if (auto then = std::exchange(m_afterSave, nullptr))
                then();
        },
        Qt::SingleShotConnection);
}

bool MainWindow::mayLeaveStore(std::function<void()> retry)
{
    m_settling = true;
    const Leave leave = settleUnsavedEdits();
    m_settling = false;
    if (leave == Leave::Stay)
        return false;
    if (leave == Leave::Saved && m_model->isBusy()) {
        // the save goes to the store that is open now: leave it once the save has landed, stay if it fails
        afterSaveLands(std::move(retry));
        return false;
    }
    return true;
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    m_settling = true;
    const Leave leave = settleUnsavedEdits();
    m_settling = false;
    if (leave == Leave::Stay) {
        event->ignore();
        return;
    }
    if (leave == Leave::Saved && m_model->isBusy()) {
        // a save just asked for is still on its way to the store: quit once it has landed, stay if it fails
        afterSaveLands([this] { close(); });
        event->ignore();
        return;
    }
    m_afterSave = nullptr;
    saveViewState();
    event->accept();
}

} // namespace Inspector
