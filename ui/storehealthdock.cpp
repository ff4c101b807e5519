// SPDX-License-Identifier: MIT
#include "storehealthdock.h"

#include "storageerror.h"

#include "health/foldercheck.h"
#include "health/folderrepair.h"
#include "health/postgrescheck.h"
#include "health/postgresrepair.h"
#include "health/repairundo.h"
#include "health/sqlitecheck.h"
#include "storeopener.h"

#include <QDateTime>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDir>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMutex>
#include <QPointer>
#include <QProgressBar>
#include <QPushButton>
#include <QStandardPaths>
#include <QTime>
#include <QTreeWidget>
#include <QUndoCommand>
#include <QVBoxLayout>

#include <limits>

using namespace Qt::StringLiterals;

namespace Inspector {

/// Findings on their way from the checker (worker thread) to the view; the view takes them in batches on the
/// job's progress ticks. Only the first `limit` of a class are kept: the rest are counted.
struct CheckFeed
{
    QMutex mutex;
    QList<Finding> pending;
    QHash<QString, qint64> counts;
    qint64 total = 0;
    int limit = 10000;

    void add(const Finding& finding)
    {
        const QMutexLocker lock(&mutex);
        ++total;
        if (++counts[finding.findingClass] <= limit)
            pending.append(finding);
    }
    qint64 found()
    {
        const QMutexLocker lock(&mutex);
        return total;
    }
};

namespace {
constexpr int kIdRole = Qt::UserRole + 1;
constexpr int kClassRole = Qt::UserRole + 2;
constexpr int kPreviewRows = 100;
/// A repair of more memories than this is not kept on the undo stack (two copies of each would be held).
constexpr qint64 kUndoLimit = 50000;
/// Nor one whose rows before and after take more memory than this.
constexpr qint64 kUndoBytes = 256LL * 1024 * 1024;

enum Column
{
    ClassColumn,
    CountColumn,
    DetailColumn,
    FixColumn,
};

/// The classes Fix… repairs in a store of this kind (none for a JSON Lines backup).
QStringList repairableClasses(const QString& spec)
{
    if (spec.isEmpty())
        return {};
    switch (StoreSpec::parse(spec).kind) {
    case StoreSpec::Kind::Sqlite:
        return sqliteRepairableClasses();
    case StoreSpec::Kind::Postgres:
        return postgresRepairableClasses();
    case StoreSpec::Kind::Filesystem:
        return folderRepairableClasses();
    case StoreSpec::Kind::Jsonl:
        break;
    }
    return {};
}

/// Where the window puts a PostgreSQL repair's backup (the command line's default, the current folder, means
/// nothing to a window).
QString postgresBackupDir()
{
    const QString dir = QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation) + u"/backups"_s;
    QDir().mkpath(dir);
    return dir;
}

/// One step on the model's undo stack for a whole repair: undo puts back what the rows or files held before it,
/// redo what the repair wrote, each only where the store still holds the other side.
class RepairUndoCommand : public QUndoCommand
{
public:
    RepairUndoCommand(StoreHealthDock* dock, std::shared_ptr<const RepairImages> images, const QString& text)
        : QUndoCommand(text)
        , m_dock(dock)
        , m_images(std::move(images))
    {
    }
    void undo() override
    {
        if (m_dock)
            m_dock->restoreImages(m_images, true, text());
    }
    void redo() override
    {
        // pushed after the repair ran: the first redo is the repair itself
        if (std::exchange(m_first, false))
            return;
        if (m_dock)
            m_dock->restoreImages(m_images, false, text());
    }

private:
    QPointer<StoreHealthDock> m_dock;
    std::shared_ptr<const RepairImages> m_images;
    bool m_first = true;
};
} // namespace

/// A preview's or repair's outcome, filled on the worker.
struct StoreHealthDock::RepairRun
{
    StoreRepairReport report;
    std::shared_ptr<const RepairImages> images; ///< the undo step, when one could be kept
    QString noUndo; ///< why there is none
};

StoreHealthDock::StoreHealthDock(MemoryTableModel* model, QWidget* parent)
    : QDockWidget(tr("Store Health"), parent)
    , m_model(model)
    , m_status(new QLabel(this))
    , m_progress(new QProgressBar(this))
    , m_check(new QPushButton(tr("&Check"), this))
    , m_cancel(new QPushButton(tr("Cancel"), this))
    , m_fix(new QPushButton(tr("&Fix…"), this))
    , m_tree(new QTreeWidget(this))
{
    setObjectName(u"storeHealthDock"_s);
    m_tree->setObjectName(u"healthTree"_s);
    m_status->setObjectName(u"healthStatus"_s);
    m_status->setWordWrap(true);
    m_check->setToolTip(tr("Look through the whole store for damage (spec §15), on the worker"));
    m_cancel->setToolTip(tr("Stop the running check or repair"));
    m_progress->setMaximumWidth(160);
    m_progress->setTextVisible(false);
    m_tree->setColumnCount(4);
    m_tree->setHeaderLabels({tr("Class / memory"), tr("Count"), tr("What / detail"), tr("Fix")});
    m_tree->setUniformRowHeights(true);
    m_tree->setRootIsDecorated(true);
    m_tree->setAlternatingRowColors(true);
    // the detail takes what is left; the fix column keeps a readable width
    m_tree->header()->setStretchLastSection(false);
    m_tree->header()->setSectionResizeMode(DetailColumn, QHeaderView::Stretch);
    m_tree->header()->resizeSection(ClassColumn, 220);
    m_tree->header()->resizeSection(CountColumn, 70);
    m_tree->header()->resizeSection(FixColumn, 300);

    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_check);
    buttons->addWidget(m_cancel);
    buttons->addWidget(m_fix);
    buttons->addWidget(m_progress);
    buttons->addWidget(m_status, 1);
    auto* content = new QWidget(this);
    auto* layout = new QVBoxLayout(content);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(buttons);
    layout->addWidget(m_tree, 1);
    setWidget(content);

    connect(m_check, &QPushButton::clicked, this, &StoreHealthDock::startCheck);
    connect(m_cancel, &QPushButton::clicked, this, &StoreHealthDock::cancel);
    connect(m_fix, &QPushButton::clicked, this, [this] { fixClass(currentClass()); });
    const auto activate = [this](QTreeWidgetItem* item) {
        const QString id = item ? item->data(ClassColumn, kIdRole).toString() : QString();
        if (!id.isEmpty())
            Q_EMIT memoryActivated(id);
    };
    connect(m_tree, &QTreeWidget::itemClicked, this, activate);
    connect(m_tree, &QTreeWidget::itemActivated, this, activate);
    connect(m_tree, &QTreeWidget::currentItemChanged, this, &StoreHealthDock::updateButtons);
    connect(m_model, &MemoryTableModel::jobProgress, this, &StoreHealthDock::onJobProgress);
    connect(m_model, &MemoryTableModel::jobFinished, this, &StoreHealthDock::onJobFinished);
    connect(m_model, &MemoryTableModel::editingEnabledChanged, this, &StoreHealthDock::updateButtons);
    connect(m_model, &MemoryTableModel::storeOpened, this, &StoreHealthDock::updateButtons);
    m_status->setText(tr("Check lists the damage in the open store by class."));
    updateButtons();
}

// the window disconnects the model from the dock: the model may be gone first
StoreHealthDock::~StoreHealthDock() = default;

void StoreHealthDock::setStore(const QString& spec)
{
    if (m_job)
        m_model->cancelFetch(m_job);
    m_job = 0;
    m_jobKind = JobKind::None;
    m_spec = spec;
    m_lastTotal = -1;
    clearFindings();
    m_status->setText(spec.isEmpty() ? tr("No store is open.")
                                     : tr("Check lists the damage in the open store by class."));
    updateButtons();
}

void StoreHealthDock::storeReopened()
{
    if (!m_job)
        return;
    m_job = 0;
    m_jobKind = JobKind::None;
    m_status->setText(tr("Stopped: the store was opened again."));
    updateButtons();
}

void StoreHealthDock::clearFindings()
{
    m_tree->clear();
    m_classItems.clear();
    m_counts.clear();
    m_total = 0;
}

QString StoreHealthDock::statusText() const
{
    return m_status->text();
}

void StoreHealthDock::startJob(JobKind kind, RequestId id, const QString& status)
{
    m_job = id;
    m_jobKind = id ? kind : JobKind::None;
    m_progress->setRange(0, 0);
    m_status->setText(id ? status : tr("No store is open."));
    updateButtons();
}

void StoreHealthDock::startCheck()
{
    if (m_spec.isEmpty() || !m_model->isOpen() || m_job)
        return;
    clearFindings();
    m_feed = std::make_shared<CheckFeed>();
    m_feed->limit = m_listedPerClass;
    const auto feed = m_feed;
    const StoreSpec spec = StoreSpec::parse(m_spec);
    const BackendClient::Job job
        = [feed, spec](PersistenceBackend&, const std::function<bool(qint64, qint64)>& progress) -> QString {
        // a total of -1: the checkers do not know how far they are; each poll is a chance to hand findings over
        const CancelRequested cancelled = [&] { return !progress(feed->found(), -1); };
        const FindingSink sink = [&](const Finding& finding) { feed->add(finding); };
        switch (spec.kind) {
        case StoreSpec::Kind::Sqlite:
            checkSqliteStore(spec.location, sink, {.now = std::nullopt, .cancelled = cancelled});
            break;
        case StoreSpec::Kind::Postgres: {
            PostgresCheckOptions options;
            options.cancelled = cancelled;
            checkPostgresStore(spec.location, sink, options);
            break;
        }
        case StoreSpec::Kind::Filesystem: {
            FolderCheckOptions options;
            options.cancelled = cancelled;
            checkFolderStore(spec.location, sink, options);
            break;
        }
        case StoreSpec::Kind::Jsonl:
            // a backup: what it holds is checked once it is copied back into a store
            throw StorageError(StorageError::Kind::InvalidInput,
                               spec.location
                                   + QStringLiteral(": a JSON Lines backup is not checked; copy it into a "
                                                    "store and check that"));
        }
        return {};
    };
    startJob(JobKind::Check, m_model->runJob(job), tr("Checking…"));
}

void StoreHealthDock::cancel()
{
    if (m_job)
        m_model->cancelFetch(m_job);
}

void StoreHealthDock::onJobProgress(RequestId id, qint64 done, qint64 total)
{
    if (id != m_job)
        return;
    if (m_jobKind == JobKind::Check) {
        drain();
        m_status->setText(
            tr("Checking… %n findings so far", "", int(qMin<qint64>(m_total, std::numeric_limits<int>::max()))));
    } else if (m_jobKind == JobKind::Repair && total > 0) {
        m_progress->setRange(0, int(qMin<qint64>(total, std::numeric_limits<int>::max())));
        m_progress->setValue(int(qMin<qint64>(done, m_progress->maximum())));
    }
}

void StoreHealthDock::onJobFinished(RequestId id, bool cancelled, bool failed, const QString& summary)
{
    if (m_restores.contains(id)) {
        restoreFinished(id, failed, summary);
        return;
    }
    if (id != m_job)
        return;
    const JobKind kind = m_jobKind;
    m_job = 0;
    m_jobKind = JobKind::None;
    m_progress->setRange(0, 1);
    m_progress->setValue(0);
    updateButtons();
    switch (kind) {
    case JobKind::None:
        return;
    case JobKind::Check: {
        drain();
        m_feed.reset();
        const int classes = int(m_classItems.size());
        if (failed)
            m_status->setText(tr("The check failed: %1").arg(summary));
        else if (cancelled)
            m_status->setText(tr("Check cancelled: %n findings before it stopped", "",
                                 int(qMin<qint64>(m_total, std::numeric_limits<int>::max()))));
        else if (m_total == 0)
            m_status->setText(
                tr("✓ No damage found (%1)").arg(QLocale().toString(QTime::currentTime(), QLocale::ShortFormat)));
        else
            m_status->setText(
                tr("%n findings in %1 classes (%2)", "", int(qMin<qint64>(m_total, std::numeric_limits<int>::max())))
                    .arg(classes)
                    .arg(QLocale().toString(QTime::currentTime(), QLocale::ShortFormat)));
        if (!failed && !cancelled)
            m_lastTotal = m_total;
        Q_EMIT checkFinished(m_total, cancelled, failed);
        return;
    }
    case JobKind::Preview:
        if (failed || cancelled) {
            m_status->setText(failed ? tr("The preview failed: %1").arg(summary) : tr("Preview cancelled"));
            return;
        }
        m_status->setText({});
        showPreview(m_fixing, m_fixNow, m_run->report);
        return;
    case JobKind::Repair: {
        const StoreRepairReport report = m_run->report;
        QString text;
        if (failed)
            text = tr("The repair failed: %1").arg(summary);
        else
            text = (cancelled || report.cancelled
                        ? tr("Repair cancelled: %n memories were repaired before it stopped.", "", int(report.memories))
                        : tr("Repaired %n memories.", "", int(report.memories)))
                + (report.backupPaths.isEmpty() ? QString()
                                                : u' ' + tr("Backup: %1").arg(report.backupPaths.join(u", "_s)))
                + (report.skipped.isEmpty() ? QString()
                                            : u' '
                           + tr("%n skipped (changed since the check, or left for a person).", "",
                                int(report.skipped.size())));
        // one undo step for the whole repair: undo puts back what the backup holds, where the store still holds
        // what the repair wrote
        if (!failed && m_run->images)
            m_model->undoStack()->push(new RepairUndoCommand(
                this, m_run->images,
                tr("Fix %1 (%n memories)", "", int(m_run->images->memories().size())).arg(m_fixing)));
        else if (!failed && !m_run->noUndo.isEmpty())
            text += u' ' + m_run->noUndo;
        m_run.reset();
        m_status->setText(text);
        // the store changed under the table: read it again, and see what is left
        m_model->refresh();
        startCheck();
        Q_EMIT repairFinished(cancelled || report.cancelled, failed, text);
        return;
    }
    }
}

QTreeWidgetItem* StoreHealthDock::classItem(const QString& findingClass)
{
    if (QTreeWidgetItem* item = m_classItems.value(findingClass))
        return item;
    const QStringList order = findingClasses();
    const auto rank = [&](const QString& cls) {
        const qsizetype at = order.indexOf(cls);
        return at < 0 ? order.size() : at;
    };
    int at = 0;
    while (at < m_tree->topLevelItemCount()
           && rank(m_tree->topLevelItem(at)->data(ClassColumn, kClassRole).toString()) <= rank(findingClass))
        ++at;
    auto* item = new QTreeWidgetItem;
    item->setText(ClassColumn, findingClass);
    item->setData(ClassColumn, kClassRole, findingClass);
    item->setText(DetailColumn, findingMeaning(findingClass));
    item->setToolTip(DetailColumn, findingMeaning(findingClass));
    item->setTextAlignment(CountColumn, Qt::AlignCenter);
    QFont bold = item->font(ClassColumn);
    bold.setBold(true);
    item->setFont(ClassColumn, bold);
    item->setText(FixColumn,
                  sqliteRepairableClasses().contains(findingClass)    ? tr("Fix… repairs it (SQLite)")
                      : manualFindingClasses().contains(findingClass) ? tr("a person decides")
                                                                      : QString());
    m_tree->insertTopLevelItem(at, item);
    m_classItems.insert(findingClass, item);
    return item;
}

void StoreHealthDock::updateClassItem(const QString& findingClass)
{
    QTreeWidgetItem* item = classItem(findingClass);
    const qint64 count = m_counts.value(findingClass);
    item->setText(CountColumn, QLocale().toString(count));
    const int children = item->childCount();
    QTreeWidgetItem* last = children ? item->child(children - 1) : nullptr;
    const bool hasMore = last && last->data(ClassColumn, kClassRole).toString() == "more"_L1;
    const qint64 listed = children - (hasMore ? 1 : 0);
    if (count <= listed)
        return;
    QTreeWidgetItem* more = hasMore ? last : new QTreeWidgetItem(item);
    more->setData(ClassColumn, kClassRole, u"more"_s);
    more->setText(ClassColumn, tr("… and %1 more").arg(QLocale().toString(count - listed)));
    more->setToolTip(ClassColumn,
                     tr("The list keeps the first %1 of a class; `subcog-inspector check STORE --json` "
                        "lists them all.")
                         .arg(QLocale().toString(m_listedPerClass)));
}

void StoreHealthDock::drain()
{
    if (!m_feed)
        return;
    QList<Finding> batch;
    {
        const QMutexLocker lock(&m_feed->mutex);
        batch.swap(m_feed->pending);
        m_counts = m_feed->counts;
        m_total = m_feed->total;
    }
    QHash<QString, QList<QTreeWidgetItem*>> children;
    for (const Finding& finding : std::as_const(batch)) {
        auto* item = new QTreeWidgetItem;
        item->setText(ClassColumn, finding.id ? *finding.id : tr("(the store)"));
        if (finding.id)
            item->setData(ClassColumn, kIdRole, *finding.id);
        item->setToolTip(ClassColumn, finding.id ? tr("Click to select this memory in the table") : QString());
        item->setText(DetailColumn, finding.detail);
        item->setToolTip(DetailColumn, finding.detail);
        item->setText(FixColumn, finding.fix);
        item->setToolTip(FixColumn, finding.fix);
        children[finding.findingClass].append(item);
    }
    m_tree->setUpdatesEnabled(false);
    for (auto it = children.begin(); it != children.end(); ++it)
        classItem(it.key())->addChildren(it.value());
    for (auto it = m_counts.cbegin(); it != m_counts.cend(); ++it)
        updateClassItem(it.key());
    m_tree->setUpdatesEnabled(true);
}

QString StoreHealthDock::currentClass() const
{
    QTreeWidgetItem* item = m_tree->currentItem();
    while (item && item->parent())
        item = item->parent();
    return item ? item->data(ClassColumn, kClassRole).toString() : QString();
}

void StoreHealthDock::updateButtons()
{
    const bool open = !m_spec.isEmpty() && m_model->isOpen();
    m_check->setEnabled(open && !m_job);
    m_cancel->setEnabled(m_job != 0);
    m_progress->setVisible(m_job != 0);
    const QString cls = currentClass();
    const bool repairable = repairableClasses(m_spec).contains(cls);
    const bool jsonl = !m_spec.isEmpty() && StoreSpec::parse(m_spec).kind == StoreSpec::Kind::Jsonl;
    m_fix->setEnabled(open && !m_job && repairable && m_model->isEditingEnabled());
    m_fix->setToolTip(jsonl                              ? tr("A JSON Lines backup is read-only: copy it into a store")
                          : cls.isEmpty()                ? tr("Choose a class to fix")
                          : !repairable                  ? tr("No safe automatic fix for %1: a person decides").arg(cls)
                          : !m_model->isEditingEnabled() ? tr("Switch on editing (Edit ▸ Editing) to repair")
                                                         : tr("Preview the repair of %1, then run it").arg(cls));
}

void StoreHealthDock::runRepairJob(const QString& spec, const QString& findingClass, qint64 now, bool dryRun,
                                   RepairRun& run, const std::function<bool(qint64, qint64)>& progress)
{
    const StoreSpec store = StoreSpec::parse(spec);
    qint64 done = 0;
    qint64 total = -1;
    const CancelRequested cancelled = [&] { return !progress(done, total); };
    const auto onProgress = [&](qint64 d, qint64 t) {
        done = d;
        total = t;
        progress(d, t);
    };
    StoreRepairReport& report = run.report;
    switch (store.kind) {
    case StoreSpec::Kind::Sqlite: {
        SqliteRepairOptions options;
        options.classes = {findingClass};
        options.dryRun = dryRun;
        options.now = now;
        options.cancelled = cancelled;
        options.progress = onProgress;
        const SqliteRepairReport sqlite = repairSqliteStore(store.location, options);
        if (!sqlite.backupPath.isEmpty())
            report.backupPaths << sqlite.backupPath;
        report.changes = sqlite.changes;
        report.skipped = sqlite.skipped;
        report.memories = sqlite.memories;
        report.cancelled = sqlite.cancelled;
        break;
    }
    case StoreSpec::Kind::Postgres:
    case StoreSpec::Kind::Filesystem: {
        StoreRepairOptions options;
        options.classes = {findingClass};
        options.dryRun = dryRun;
        options.now = now;
        options.cancelled = cancelled;
        options.progress = onProgress;
        if (store.kind == StoreSpec::Kind::Postgres) {
            options.backupDir = postgresBackupDir();
            report = repairPostgresStore(store.location, options);
        } else {
            report = repairFolderStore(store.location, options);
        }
        break;
    }
    case StoreSpec::Kind::Jsonl:
        throw StorageError(StorageError::Kind::InvalidInput,
                           store.location + u": a JSON Lines backup is read-only; copy it into a store to repair it"_s);
    }
    if (dryRun || report.changes.isEmpty() || report.backupPaths.isEmpty())
        return;
    // the undo step: every row or file the repair changed, as the backup holds it and as the store holds it now
    if (report.memories > kUndoLimit) {
        run.noUndo = tr("More than %1 memories changed: too many to keep for Edit ▸ Undo.").arg(kUndoLimit);
        return;
    }
    QSet<QString> changed;
    QStringList ids;
    for (const RepairChange& change : std::as_const(report.changes)) {
        if (!changed.contains(change.id))
            ids << change.id;
        changed.insert(change.id);
    }
    try {
        auto images = std::make_shared<RepairImages>();
        if (store.kind == StoreSpec::Kind::Sqlite)
            *images = sqliteRepairImages(store.location, report.backupPaths.constFirst(), ids);
        else if (store.kind == StoreSpec::Kind::Postgres)
            *images = postgresRepairImages(store.location, report.backupPaths.constLast(), changed);
        else
            *images = folderRepairImages(QFileInfo(store.location).absoluteFilePath(), report.backupPaths.constFirst(),
                                         changed);
        if (images->bytes() > kUndoBytes)
            run.noUndo
                = tr("The changed rows take more than %1 MiB: too much to keep for Edit ▸ Undo.").arg(kUndoBytes >> 20);
        else if (!images->images.isEmpty())
            run.images = std::move(images);
    } catch (const StorageError& e) {
        run.noUndo = tr("Edit ▸ Undo is not offered: %1").arg(e.message());
    }
}

QString StoreHealthDock::backupPlace(const QString& spec, qint64 now)
{
    const StoreSpec store = StoreSpec::parse(spec);
    switch (store.kind) {
    case StoreSpec::Kind::Sqlite:
        return tr("Before the first change the whole store is copied to:\n%1")
            .arg(sqliteRepairBackupPath(store.location, now));
    case StoreSpec::Kind::Postgres:
        return tr("Before the first change every row it changes is written (as JSON Lines) to a new file in:\n%1")
            .arg(postgresBackupDir());
    case StoreSpec::Kind::Filesystem:
        return tr("Before the first change every file it changes is copied to a new folder beside the store:\n%1")
            .arg(QFileInfo(store.location).absoluteFilePath() + u".backup-"_s
                 + QDateTime::fromSecsSinceEpoch(now, Qt::UTC).toString(u"yyyyMMdd-HHmmss"_s) + u'/');
    case StoreSpec::Kind::Jsonl:
        break;
    }
    return {};
}

void StoreHealthDock::fixClass(const QString& findingClass)
{
    if (m_job || !repairableClasses(m_spec).contains(findingClass))
        return;
    m_fixing = findingClass;
    m_fixNow = QDateTime::currentSecsSinceEpoch();
    m_run = std::make_shared<RepairRun>();
    const auto run = m_run;
    const QString spec = m_spec;
    const qint64 now = m_fixNow;
    const BackendClient::Job job
        = [run, spec, now, findingClass](PersistenceBackend&, const std::function<bool(qint64, qint64)>& progress) {
              runRepairJob(spec, findingClass, now, true, *run, progress);
              return QString();
          };
    startJob(JobKind::Preview, m_model->runJob(job),
             tr("Working out what a fix of %1 would change…").arg(findingClass));
}

void StoreHealthDock::showPreview(const QString& findingClass, qint64 now, const StoreRepairReport& report)
{
    const StoreSpec store = StoreSpec::parse(m_spec);
    auto* dialog = new QDialog(this);
    dialog->setObjectName(u"repairPreview"_s);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(tr("Fix %1").arg(findingClass));
    auto* layout = new QVBoxLayout(dialog);
    auto* intro = new QLabel(dialog);
    intro->setWordWrap(true);
    intro->setText(
        report.changes.isEmpty() ? tr("Nothing to fix: no finding of %1 can be repaired now.").arg(findingClass)
                                 : tr("%1: %2").arg(findingClass, findingMeaning(findingClass)) + u"\n"_s
                + tr("%n memories would change", "", int(report.memories)) + u" "_s
                + tr("(%n changes)", "", int(report.changes.size()))
                + (report.changes.size() > kPreviewRows ? tr("; the first %1 are listed:").arg(kPreviewRows) : u":"_s));
    layout->addWidget(intro);
    auto* list = new QTreeWidget(dialog);
    list->setObjectName(u"repairChanges"_s);
    list->setRootIsDecorated(false);
    list->setUniformRowHeights(true);
    list->setHeaderLabels({tr("Memory"), tr("Change")});
    list->header()->resizeSection(0, 180);
    QList<QTreeWidgetItem*> rows;
    for (const RepairChange& change : report.changes.mid(0, kPreviewRows)) {
        auto* row = new QTreeWidgetItem({change.id, change.what});
        row->setToolTip(1, change.what);
        rows << row;
    }
    if (report.changes.size() > kPreviewRows)
        rows << new QTreeWidgetItem({tr("… and %1 more").arg(report.changes.size() - kPreviewRows), QString()});
    for (const RepairChange& skip : report.skipped.mid(0, kPreviewRows))
        rows << new QTreeWidgetItem({skip.id, tr("skipped: %1").arg(skip.what)});
    list->addTopLevelItems(rows);
    list->setVisible(!rows.isEmpty());
    layout->addWidget(list, 1);
    auto* backupLabel = new QLabel(dialog);
    backupLabel->setObjectName(u"repairBackup"_s);
    backupLabel->setWordWrap(true);
    backupLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QString text = backupPlace(m_spec, now) + u"\n\n"_s
        + (report.memories <= kUndoLimit ? tr("Edit ▸ Undo puts back what the repair changed. ")
                                         : tr("This repair is too large for Edit ▸ Undo. "));
    if (store.kind == StoreSpec::Kind::Sqlite)
        text += tr("The backup is the way back: subcog-inspector copy \"%1\" \"%2\" --on-conflict overwrite")
                    .arg(sqliteRepairBackupPath(store.location, now), store.location);
    else
        text += tr("The backup is the way back.");
    backupLabel->setText(text);
    backupLabel->setVisible(!report.changes.isEmpty());
    layout->addWidget(backupLabel);
    auto* buttons = new QDialogButtonBox(dialog);
    if (!report.changes.isEmpty()) {
        QPushButton* run = buttons->addButton(tr("&Run"), QDialogButtonBox::AcceptRole);
        run->setObjectName(u"runRepair"_s);
        buttons->addButton(QDialogButtonBox::Cancel);
    } else {
        buttons->addButton(QDialogButtonBox::Close);
    }
    connect(buttons, &QDialogButtonBox::accepted, dialog, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::reject);
    connect(dialog, &QDialog::accepted, this, [this, findingClass, now] { runRepair(findingClass, now); });
    layout->addWidget(buttons);
    dialog->resize(720, 460);
    dialog->open();
    Q_EMIT previewReady(dialog);
}

void StoreHealthDock::runRepair(const QString& findingClass, qint64 now)
{
    if (m_job || !repairableClasses(m_spec).contains(findingClass) || !m_model->isEditingEnabled())
        return;
    m_fixing = findingClass;
    m_run = std::make_shared<RepairRun>();
    const auto run = m_run;
    const QString spec = m_spec;
    const BackendClient::Job job
        = [run, spec, now, findingClass](PersistenceBackend&, const std::function<bool(qint64, qint64)>& progress) {
              runRepairJob(spec, findingClass, now, false, *run, progress);
              return QString();
          };
    startJob(JobKind::Repair, m_model->runJob(job), tr("Repairing %1…").arg(findingClass));
}

void StoreHealthDock::restoreImages(const std::shared_ptr<const RepairImages>& images, bool undo, const QString& what)
{
    auto outcome = std::make_shared<RepairRestoreOutcome>();
    const BackendClient::Job job
        = [images, undo, outcome](PersistenceBackend&, const std::function<bool(qint64, qint64)>&) {
              *outcome = restoreRepairImages(*images, undo);
              return QString();
          };
    const RequestId id = m_model->runJob(job);
    if (!id)
        return;
    m_restores.insert(id, {outcome, (undo ? tr("Undo %1") : tr("Redo %1")).arg(what)});
    m_status->setText(tr("%1…").arg(m_restores.value(id).second));
}

void StoreHealthDock::restoreFinished(RequestId id, bool failed, const QString& summary)
{
    const auto [outcome, what] = m_restores.take(id);
    QString text;
    if (failed) {
        text = tr("%1 failed, nothing was changed: %2").arg(what, summary);
    } else {
        text = tr("%1: %n memories put back.", "", int(outcome->restored.size())).arg(what);
        if (!outcome->skipped.isEmpty()) {
            QStringList shown = outcome->skipped.mid(0, 5);
            if (outcome->skipped.size() > shown.size())
                shown << tr("…");
            text += u' '
                + tr("%n left as they are (another writer changed them since): %1", "", int(outcome->skipped.size()))
                      .arg(shown.join(u", "_s));
        }
    }
    m_status->setText(text);
    m_model->refresh();
    if (!m_job)
        startCheck();
    Q_EMIT repairFinished(false, failed, text);
}

} // namespace Inspector
