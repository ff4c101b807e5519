// SPDX-License-Identifier: MIT
// MainWindow's actions, menus, tool bar and context menu, and what they do with the selection.
#include "mainwindow.h"

#include "aboutinfo.h"
#include "appearance.h"
#include "bulkeditactions.h"
#include "detailpane.h"
#include "duplicatesdialog.h"
#include "embeddingactions.h"
#include "entitiesdock.h"
#include "lifecyclefilter.h"
#include "lineagedock.h"
#include "messagebar.h"
#include "overviewdock.h"
#include "plaintext.h"
#include "progressstrip.h"
#include "secrets.h"
#include "storecontroller.h"
#include "storehealthdock.h"
#include "storeswindow.h"
#include "trashdialog.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QClipboard>
#include <QHeaderView>
#include <QInputDialog>
#include <QItemSelectionModel>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QRegularExpression>
#include <QStatusBar>
#include <QTableView>
#include <QToolBar>
#include <QUndoStack>

using namespace Qt::StringLiterals;

namespace Inspector {

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
        {u"entity:PostgreSQL,ent_…"_s,
         tr("mentions a knowledge-graph entity with this name or id, any case (ent:); needs the store's graph")},
        {u"expired:true expired:false"_s,
         tr("expires_at has passed (subcog never enforces it), or has not or is unset")},
        {u"is:summary -is:summary"_s, tr("a consolidation summary, or not")},
        {u"has:edges -has:edges"_s,
         tr("has an edge (SQLite's memory_edges; elsewhere a summary with sources, or a memory a summary names), or "
            "none")},
        {u"flag:tags-drift,messy-tags -flag:…"_s,
         tr("carries a decode anomaly (any of a comma list; -flag: none of them): %1")
             .arg(Lifecycle::anomalyNames().join(u", "_s))},
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
        m_lineage->setMemoryId({});
        m_health->setStore({});
        m_overview->setStore({});
        m_store->close();
        updateHealthBadge(-1);
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
    m_goTo = new QAction(icon(u"go-jump"_s), tr("&Go to ID or Row…"), this);
    m_goTo->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_G));
    connect(m_goTo, &QAction::triggered, this, [this] {
        bool ok = false;
        const QString text = QInputDialog::getText(
            this, tr("Go to ID or Row"), tr("Memory id, or # and a row number (#500000):"), QLineEdit::Normal, {}, &ok);
        if (!ok || text.trimmed().isEmpty())
            return;
        if (const auto row = rowNumberIn(text))
            goToRow(*row);
        else
            goToId(text.trimmed());
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
    m_checkStore = new QAction(tr("&Check Store…"), this);
    m_checkStore->setObjectName(u"checkStoreAction"_s);
    m_checkStore->setStatusTip(tr("List the damage in the whole store by class, and fix what can be fixed"));
    connect(m_checkStore, &QAction::triggered, this, &MainWindow::showHealth);
    m_about = new QAction(icon(u"help-about"_s), tr("&About Subcog Inspector"), this);
    m_about->setMenuRole(QAction::AboutRole);
    connect(m_about, &QAction::triggered, this, [this] {
        QMessageBox::about(this, tr("About Subcog Inspector"), aboutText().toHtmlEscaped().replace(u"\n"_s, u"<br>"_s));
    });
}

void MainWindow::createMenus()
{
    m_embeddings = new EmbeddingActions(this, m_model, m_detail);
    m_bulk = new BulkEditActions(this, m_model);
    QMenu* file = menuBar()->addMenu(tr("&File"));
    // the window lists every store, forgotten ones too; the submenu stays for the one click to the store in use
    file->addAction(storesWindowAction(this, m_store));
    QMenu* stores = file->addMenu(tr("&Open subcog's Store"));
    file->addAction(m_openSqlite);
    file->addAction(m_openFolder);
    file->addAction(m_connectPg);
    file->addAction(m_openGraph);
    QMenu* recent = file->addMenu(tr("Open &Recent"));
    recent->setObjectName(u"recentStoresMenu"_s);
    file->addSeparator();
    file->addAction(m_export);
    file->addAction(m_copyToStore);
    file->addAction(m_embeddings->storeInfoAction());
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
    edit->addAction(m_bulk->action());
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
    view->addAction(m_recallContext);
    view->addAction(m_resetLayout);
    view->addAction(m_detailToggle);
    view->addAction(m_overview->toggleViewAction());
    view->addAction(m_embeddings->similarAction());
    view->addAction(m_entities->toggleViewAction());
    view->addAction(m_lineage->toggleViewAction());
    view->addAction(m_refresh);
    view->addSeparator();
    // light or dark whatever the desktop says: Fusion draws every control from the palette chosen
    QMenu* colors = view->addMenu(tr("&Appearance"));
    colors->setObjectName(u"appearanceMenu"_s);
    auto* colorGroup = new QActionGroup(colors);
    const Appearance::Choice chosen = Appearance::saved();
    for (const auto& [choice, text] :
         {std::pair {Appearance::Choice::System, tr("Follow the &Desktop")},
          std::pair {Appearance::Choice::Light, tr("&Light")}, std::pair {Appearance::Choice::Dark, tr("&Dark")}}) {
        QAction* a = colors->addAction(text);
        a->setCheckable(true);
        a->setChecked(choice == chosen);
        a->setActionGroup(colorGroup);
        connect(a, &QAction::triggered, this, [choice] {
            Appearance::save(choice);
            Appearance::apply(choice);
        });
    }

    QMenu* tools = menuBar()->addMenu(tr("&Tools"));
    tools->addAction(m_checkStore);
    tools->addAction(m_health->toggleViewAction());
    tools->addSeparator();
    tools->addActions(createTrashActions(this));
    tools->addAction(DuplicatesDialog::createAction(this, m_model));

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
    const bool field = index.column() < MemoryFields::columnCount();
    QGuiApplication::clipboard()->setText(field ? MemoryFields::editText(*memory, MemoryColumn(index.column()))
                                                : index.data().toString());
    statusBar()->showMessage(
        tr("Copied %1 of %2").arg(m_model->headerData(index.column(), Qt::Horizontal).toString(), memory->id), 3000);
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
    const QString title = m_model->headerData(index.column(), Qt::Horizontal).toString();
    QAction* copyValue = menu->addAction(icon(u"edit-copy"_s), tr("Copy %1").arg(title));
    copyValue->setEnabled(memory.has_value());
    connect(copyValue, &QAction::triggered, this, [this, index = QPersistentModelIndex(index)] {
        if (index.isValid())
            copyCellValue(index);
    });
    const auto addFilter = [&](const QString& word, const QString& label) {
        QAction* a = menu->addAction(icon(u"edit-find"_s), label);
        a->setEnabled(!word.isEmpty());
        connect(a, &QAction::triggered, this, [this, word] { addFilterWords({word}); });
    };
    if (memory && column == MemoryColumn::Tags && !memory->tags.isEmpty()) {
        QMenu* byTag = menu->addMenu(icon(u"edit-find"_s), tr("Filter by Tag"));
        for (const QString& tag : memory->tags) {
            const QString word = filterWordFor(*memory, column, tag);
            QAction* a = byTag->addAction(plainMenuText(tag));
            a->setEnabled(!word.isEmpty());
            connect(a, &QAction::triggered, this, [this, word] { addFilterWords({word}); });
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
        addFilter(word, word.isEmpty() ? tr("Filter by This Value") : tr("Filter by %1").arg(plainMenuText(word)));
    }
    if (memory) {
        QStringList linked = memory->sourceMemoryIds.value_or(QStringList());
        if (!linked.isEmpty()) {
            QMenu* open = menu->addMenu(icon(u"go-jump"_s), tr("Open Source Memories"));
            for (const QString& id : linked)
                connect(open->addAction(plainMenuText(id)), &QAction::triggered, this, [this, id] { goToId(id); });
        }
    }
    menu->addSeparator();
    menu->addAction(m_embeddings->similarAction());
    menu->addSeparator();
    menu->addAction(m_copyRows);
    menu->addAction(m_copyId);
    menu->addAction(m_copyUrn);
    menu->addSeparator();
    menu->addAction(m_delete);
    menu->addAction(m_restore);
    menu->addAction(m_hardDelete);
    menu->addAction(m_bulk->action());
    return menu;
}

void MainWindow::chooseColumns()
{
    QMenu menu(this);
    QHeaderView* header = m_table->horizontalHeader();
    for (int c = 0; c < m_model->columnCount(); ++c) {
        QAction* a = menu.addAction(m_model->headerData(c, Qt::Horizontal).toString());
        a->setCheckable(true);
        a->setChecked(!header->isSectionHidden(c));
        a->setToolTip(c < MemoryFields::columnCount()
                          ? MemoryFields::description(MemoryColumn(c))
                          : plainToolTip(m_model->headerData(c, Qt::Horizontal, Qt::ToolTipRole).toString()));
        connect(a, &QAction::toggled, this, [header, c](bool on) { header->setSectionHidden(c, !on); });
    }
    menu.exec(QCursor::pos());
}

} // namespace Inspector
