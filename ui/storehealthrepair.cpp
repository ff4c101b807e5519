// SPDX-License-Identifier: MIT
// StoreHealthDock's repairs: the preview, the run on the worker for each store kind, and the undo step.
#include "storehealthdock.h"

#include "plaintext.h"

#include "health/folderrepair.h"
#include "health/postgresrepair.h"
#include "health/repairundo.h"
#include "postgresmodule.h"
#include "sqlite/sqlitebackend.h"
#include "storageerror.h"
#include "storeopener.h"

#include <QDateTime>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileInfo>
#include <QHeaderView>
#include <QLabel>
#include <QPointer>
#include <QPushButton>
#include <QStandardPaths>
#include <QTreeWidget>
#include <QUndoCommand>
#include <QUndoStack>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace Inspector {

namespace {
constexpr int kPreviewRows = 100;
/// A repair of more memories than this is not kept on the undo stack (two copies of each would be held).
constexpr qint64 kUndoLimit = 50000;
/// Nor one whose rows before and after take more memory than this.
constexpr qint64 kUndoBytes = 256LL * 1024 * 1024;

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

/// The classes Fix… repairs in a store of this kind (none for a JSON Lines backup).
QStringList StoreHealthDock::repairableClasses(const QString& spec)
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

void StoreHealthDock::onPreviewDone(bool cancelled, bool failed, const QString& summary)
{
    if (failed || cancelled) {
        m_status->setText(failed ? tr("The preview failed: %1").arg(summary) : tr("Preview cancelled"));
        return;
    }
    m_status->setText({});
    showPreview(m_fixing, m_fixNow, m_run->report);
}

void StoreHealthDock::onRepairDone(bool cancelled, bool failed, const QString& summary)
{
    const StoreRepairReport report = m_run->report;
    QString text;
    if (failed)
        text = tr("The repair failed: %1").arg(summary);
    else
        text = (cancelled || report.cancelled
                    ? tr("Repair cancelled: %n memories were repaired before it stopped.", "", int(report.memories))
                    : tr("Repaired %n memories.", "", int(report.memories)))
            + (report.backupPaths.isEmpty() ? QString() : u' ' + tr("Backup: %1").arg(report.backupPaths.join(u", "_s)))
            + (report.skipped.isEmpty() ? QString()
                                        : u' '
                       + tr("%n skipped (changed since the check, or left for a person).", "",
                            int(report.skipped.size())));
    // one undo step for the whole repair: undo puts back what the backup holds, where the store still holds
    // what the repair wrote
    if (!failed && m_run->images)
        m_model->undoStack()->push(new RepairUndoCommand(
            this, m_run->images, tr("Fix %1 (%n memories)", "", int(m_run->images->memories().size())).arg(m_fixing)));
    else if (!failed && !m_run->noUndo.isEmpty())
        text += u' ' + m_run->noUndo;
    m_run.reset();
    m_status->setText(text);
    // the store changed under the table: read it again, and see what is left
    m_model->refresh();
    startCheck();
    Q_EMIT repairFinished(cancelled || report.cancelled, failed, text);
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
        report.backupPaths << sqlite.sideBackupPaths;
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
            report = postgresModule().repairStore(store.location, options);
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
            *images = sqliteRepairImages(store.location, report.backupPaths, ids, {findingClass}, kUndoBytes);
        else if (store.kind == StoreSpec::Kind::Postgres)
            *images = postgresModule().repairImages(store.location, report.backupPaths.constLast(), changed);
        else
            *images = folderRepairImages(QFileInfo(store.location).absoluteFilePath(), report.backupPaths.constFirst(),
                                         changed, kUndoBytes);
        if (!images->incomplete.isEmpty())
            run.noUndo = tr("Edit ▸ Undo is not offered: %1.").arg(images->incomplete);
        else if (images->bytes() > kUndoBytes)
            run.noUndo
                = tr("The changed rows take more than %1 MiB: too much to keep for Edit ▸ Undo.").arg(kUndoBytes >> 20);
        else if (!images->images.isEmpty())
            run.images = std::move(images);
    } catch (const StorageError& e) {
        run.noUndo = tr("Edit ▸ Undo is not offered: %1").arg(e.message());
    }
}

QString StoreHealthDock::backupPlace(const QString& spec, const QString& findingClass, qint64 now)
{
    const StoreSpec store = StoreSpec::parse(spec);
    switch (store.kind) {
    case StoreSpec::Kind::Sqlite:
        // the fixes of what subcog keeps beside index.db copy that file, not the store
        if (findingClass == "orphan-vector"_L1 || findingClass == "orphan-mention"_L1) {
            const QString file = SqliteBackend::fileBesideIndex(
                store.location, findingClass == "orphan-vector"_L1 ? u"vectors.idx"_s : u"graph.db"_s);
            return tr("Before the first change %1 is copied beside it, to:\n%2")
                .arg(QFileInfo(file).fileName(),
                     file + u".backup-"_s + QDateTime::fromSecsSinceEpoch(now, Qt::UTC).toString(u"yyyyMMdd-HHmmss"_s)
                         + (findingClass == "orphan-vector"_L1 ? u".idx"_s : u".db"_s));
        }
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
        row->setToolTip(1, plainToolTip(change.what));
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
    backupLabel->setTextFormat(Qt::PlainText); // paths are data, never markup
    backupLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QString text = backupPlace(m_spec, findingClass, now) + u"\n\n"_s
        + (report.memories <= kUndoLimit ? tr("Edit ▸ Undo puts back what the repair changed. ")
                                         : tr("This repair is too large for Edit ▸ Undo. "));
    if (store.kind == StoreSpec::Kind::Sqlite && findingClass != "orphan-vector"_L1
        && findingClass != "orphan-mention"_L1)
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
        text = tr("%1 failed: %2").arg(what, summary);
    } else {
        text = tr("%1: %n memories put back.", "", int(outcome->restored.size())).arg(what);
        const auto shown = [](const QStringList& ids) {
            QStringList first = ids.mid(0, 5);
            if (ids.size() > first.size())
                first << tr("…");
            return first.join(u", "_s);
        };
        if (!outcome->skipped.isEmpty())
            text += u' '
                + tr("%n left as they are (another writer changed them since): %1", "", int(outcome->skipped.size()))
                      .arg(shown(outcome->skipped));
        if (!outcome->failed.isEmpty())
            text += u' '
                + tr("%n could not be written and are as they were: %1", "", int(outcome->failed.size()))
                      .arg(shown(outcome->failed));
    }
    m_status->setText(text);
    m_model->refresh();
    if (!m_job)
        startCheck();
    Q_EMIT repairFinished(false, failed, text);
}

} // namespace Inspector
