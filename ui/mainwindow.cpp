// SPDX-License-Identifier: MIT
#include "mainwindow.h"

#include "appearance.h"
#include "conflictdialog.h"
#include "detailpane.h"
#include "edgestab.h"
#include "embeddingactions.h"
#include "entitiesdock.h"
#include "historytab.h"
#include "lineagedock.h"
#include "messagebar.h"
#include "overviewdock.h"
#include "plaintext.h"
#include "progressstrip.h"
#include "secrets.h"
#include "startuptrace.h"
#include "storecontroller.h"
#include "storehealthdock.h"
#include "visibletext.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QRegularExpression>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QTableView>
#include <QTimer>
#include <QToolButton>
#include <QUndoStack>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace Inspector {

namespace {
/// A selection's summary links are looked up once it rests this long: the look-up is a scan of every row on SQLite
/// and PostgreSQL (~110 ms of a core at 1M), which would share the two cores of a small machine with the paint of
/// the rows a jump just brought, and be started and stopped for every row a held arrow key passes.
constexpr int kSummaryLookupDelayMs = 150;
} // namespace

MainWindow::MainWindow(QWidget* parent, const std::optional<QString>& launchStore)
    : QMainWindow(parent)
    , m_model(new MemoryTableModel(this))
    , m_messages(new MessageBar(this))
    , m_store(new StoreController(m_model, m_messages, this))
{
    setObjectName(u"mainWindow"_s);
    // the store is asked for before the widgets are made: the worker opens it and reads the first page meanwhile,
    // so the window's first paint can have the rows
    const std::optional<Launch> launch = launchStore ? beginLaunch(*launchStore) : std::nullopt;
    m_table = new QTableView(this);
    m_detail = new DetailPane(this);
    m_splitter = new QSplitter(this);
    m_filterBar = new FilterBar(this);
    m_countLabel = new QLabel(this);
    m_modeLabel = new QLabel(this);
    m_progress = new ProgressStrip(m_model, this);
    m_health = new StoreHealthDock(m_model, this);
    m_overview = new OverviewDock(m_model, this);
    m_lineage = new LineageDock(m_model, this);
    m_healthBadge = new QToolButton(this);
    setWindowIcon(icon(u"subcog-inspector"_s));

    setupTable();
    traceFirstPaints(m_table->viewport(), m_model);
    connectFilterBar();
    connectModel();
    connectParts();
    setupLayout();
    setupHealth();
    setupOverview();
    setupEntities();
    setupLineage();
    setupRecall();
    createActions();
    createMenus();
    addShortcutsToToolTips();
    restoreViewState();
    if (launch)
        finishLaunch(*launch);
    m_detail->setEditable(false);
    updateTitle();
    updateActions();
    updateStatus();
}

void MainWindow::connectFilterBar()
{
    connect(m_filterBar, &FilterBar::textEdited, this, [this] {
        m_pendingGoTo.clear();
        m_locating.clear();
        m_pendingRow = -1;
        m_jumpId.clear();
        m_messages->dismiss(m_goToNotice);
    });
    connect(m_filterBar, &FilterBar::changed, this, &MainWindow::applyFilter);
    connect(m_filterBar, &FilterBar::leaveToResults, this, &MainWindow::focusResults);
}

void MainWindow::connectModel()
{
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
        if (!m_detail->isDirty()) {
            m_detail->setMemory(std::nullopt);
            m_lineage->setMemoryId({}); // it would read the last memory again, maybe in another store
        }
        // a jump still on its way is found again in the new order (a sort or quick filter changed meanwhile); a Go
        // to row stays the same row of the new order
        if (!m_locating.isEmpty() || (m_pendingRow >= 0 && !m_pendingGoTo.isEmpty())) {
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
}

void MainWindow::connectParts()
{
    connect(m_store, &StoreController::openRequested, this, &MainWindow::openStore);
    connect(m_store, &StoreController::changed, this, [this] {
        updateTitle();
        updateActions();
        updateStatus();
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
    HistoryTab::install(m_detail, m_model);
}

void MainWindow::setupLayout()
{
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
    statusBar()->addPermanentWidget(m_healthBadge);
    statusBar()->addPermanentWidget(m_progress);
    statusBar()->addPermanentWidget(m_modeLabel);
}

void MainWindow::focusResults()
{
    m_table->setFocus(Qt::OtherFocusReason);
    if (!m_table->currentIndex().isValid() && m_model->rowCount() > 0)
        m_table->selectionModel()->setCurrentIndex(m_model->index(0, 0),
                                                   QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
}

MainWindow::~MainWindow()
{
    // the model is destroyed with the widgets below; its last signals must not reach a half-destroyed window
    m_model->disconnect(this);
    m_model->disconnect(m_store);
    m_model->disconnect(m_progress);
    m_model->disconnect(m_health);
    m_model->disconnect(m_overview);
    m_model->disconnect(m_entities);
    m_model->disconnect(m_lineage);
    if (EdgesTab* edges = m_detail->builtEdgesTab())
        m_model->disconnect(edges);
    m_model->undoStack()->disconnect(this);
}

QIcon MainWindow::icon(const QString& name) const
{
    return Appearance::icon(name);
}

void MainWindow::setupHealth()
{
    m_health->setStore({});
    addDockWidget(Qt::BottomDockWidgetArea, m_health);
    m_health->hide();
    m_healthBadge->setObjectName(u"healthBadge"_s);
    m_healthBadge->setAutoRaise(true);
    m_healthBadge->setToolTip(tr("Findings of the last check of this store; click for the list"));
    m_healthBadge->hide();
    connect(m_healthBadge, &QToolButton::clicked, this, &MainWindow::showHealth);
    connect(m_health, &StoreHealthDock::memoryActivated, this, &MainWindow::goToId);
    connect(m_health, &StoreHealthDock::checkFinished, this, [this](qint64 findings, bool cancelled, bool failed) {
        if (cancelled || failed)
            return;
        m_lastFindings.insert(m_store->displaySpec(), findings);
        updateHealthBadge(findings);
    });
    connect(m_health, &StoreHealthDock::repairFinished, this, [this](bool cancelled, bool failed, const QString& text) {
        m_messages->showMessage(failed          ? MessageBar::Kind::Error
                                    : cancelled ? MessageBar::Kind::Warning
                                                : MessageBar::Kind::Info,
                                text);
    });
}

void MainWindow::setupOverview()
{
    addDockWidget(Qt::RightDockWidgetArea, m_overview);
    m_overview->hide(); // shown the first time a store is opened; after that as the person left it
    QAction* toggle = m_overview->toggleViewAction();
    toggle->setText(tr("Store &Overview"));
    toggle->setStatusTip(tr("Charts of the memories the filter shows: namespaces, statuses, captures per week, tags, "
                            "projects, branches, domains, summaries, tombstoned, expired, embeddings"));
    connect(m_overview, &OverviewDock::filterRequested, this, &MainWindow::addFilterWords);
    connect(m_overview, &OverviewDock::healthRequested, this, &MainWindow::showHealth);
}

void MainWindow::setupLineage()
{
    addDockWidget(Qt::RightDockWidgetArea, m_lineage);
    m_lineage->hide();
    QAction* toggle = m_lineage->toggleViewAction();
    toggle->setText(tr("&Lineage"));
    toggle->setStatusTip(tr("The selected memory's summaries, sources and other edges, one to three hops away"));
    connect(m_lineage, &LineageDock::memoryActivated, this, &MainWindow::goToId);
    m_detail->setModel(m_model);
    // a rebuild (or its undo) changed the edges the picture shows
    connect(m_detail, &DetailPane::edgesChanged, m_lineage, &LineageDock::reload);
}

void MainWindow::addFilterWords(const QStringList& words)
{
    static const QRegularExpression whitespace(u"\\s+"_s);
    QStringList text = m_filterBar->text().split(whitespace, Qt::SkipEmptyParts);
    bool trash = false;
    for (const QString& word : words) {
        // the bar's tombstoned: word gives way to the View menu, so the Trash is switched on instead
        if (word == "tombstoned:only"_L1)
            trash = true;
        else if (!text.contains(word))
            text << word;
    }
    filterEdit()->setText(text.join(u' '));
    if (trash) {
        const QSignalBlocker block(m_trash);
        m_trash->setChecked(true);
    }
    applyFilter();
}

void MainWindow::updateHealthBadge(qint64 findings)
{
    m_overview->setHealthFindings(findings);
    m_healthBadge->setVisible(findings >= 0);
    m_healthBadge->setText(findings == 0
                               ? tr("✓ healthy")
                               : tr("⚠ %n findings", "", int(qMin<qint64>(findings, std::numeric_limits<int>::max()))));
}

void MainWindow::showHealth()
{
    m_health->show();
    m_health->raise();
    if (m_health->lastTotal() < 0 && !m_health->isBusy())
        m_health->startCheck();
}

void MainWindow::setEditing(bool on)
{
    if (on == m_store->wantsEditing() && (!on || m_model->isEditingEnabled()))
        return;
    // read-only refills the detail pane: unsaved edits are settled first, and Cancel keeps editing on
    if (!on && !mayLeaveMemory()) {
        const QSignalBlocker block(m_editing);
        m_editing->setChecked(true);
        return;
    }
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
                    tr("Memory %1 has changes that are not saved.").arg(withVisibleControls(m_detail->memory()->id)),
                    QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, this);
    box.setObjectName(u"unsavedChangesBox"_s);
    box.setTextFormat(Qt::PlainText); // the id is store data, never markup
    // the informative label guesses rich text whatever the box's format, and the problem quotes a typed value
    box.setInformativeText(
        valid ? tr("Save them to the store?")
              : plainAsHtml(tr("They cannot be saved as they are (%1): fix them, or discard them.").arg(problem)));
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
    // A row on its way (a jump's) is shown when it arrives: emptying the pane first would lay out and paint it
    // twice, and the first of them would hold up the rows the person jumped to. Its failure shows as a change too.
    if (!next && current.isValid() && m_detail->memory()
        && m_model->loadState(current.row()) == MemoryTableModel::LoadState::Loading)
        return;
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
    m_lineage->setMemoryId(m_detail->memory() ? m_detail->memory()->id : QString());
    if (m_detail->memory() && m_detail->memory()->id != before) {
        QTimer::singleShot(kSummaryLookupDelayMs, this, [this, id = m_detail->memory()->id] {
            if (m_detail->memory() && m_detail->memory()->id == id)
                m_model->findSummariesOf(id);
        });
    }
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
    const QString where = withVisibleControls(m_store->displaySpec());
    m_countLabel->setToolTip(plainToolTip(m_store->origin().isEmpty() ? where : where + u" — "_s + m_store->origin()));
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
    m_checkStore->setEnabled(open);
    m_copyToStore->setEnabled(open);
    for (QAction* a : {m_copyRows, m_copyJson, m_copyMarkdown, m_copyId, m_copyUrn})
        a->setEnabled(open && any);
    if (m_embeddings) {
        m_embeddings->similarAction()->setEnabled(open && any);
        m_embeddings->storeInfoAction()->setEnabled(open);
    }
}

void MainWindow::updateTitle()
{
    if (m_store->displaySpec().isEmpty()) {
        setWindowTitle(tr("Subcog Inspector"));
        return;
    }
    // a path's bidirectional override would reverse the rest of the title
    const QString location = withVisibleControls(m_model->location().isEmpty() ? m_store->displaySpec()
                                                                               : withoutPasswords(m_model->location()));
    setWindowTitle(
        tr("%1 [%2] — Subcog Inspector").arg(location, m_model->isEditingEnabled() ? tr("editing") : tr("read-only")));
    updateStatus();
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
