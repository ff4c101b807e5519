// SPDX-License-Identifier: MIT
#include "trash.h"

#include "folderrepair.h"
#include "postgresmodule.h"
#include "sqliterepair.h"
#include "storageerror.h"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>

using namespace Qt::StringLiterals;

namespace Inspector {

namespace {

[[noreturn]] void refuseJsonl(const StoreSpec& store)
{
    throw StorageError(StorageError::Kind::InvalidInput,
                       store.location + u": a JSON Lines backup is read-only; copy it into a store to change it"_s);
}

QString stamp(qint64 now)
{
    return QDateTime::fromSecsSinceEpoch(now, Qt::UTC).toString(u"yyyyMMdd-HHmmss"_s);
}

} // namespace

QString trashClass(TrashAction action)
{
    return action == TrashAction::EmptyTrash ? u"empty-trash"_s : u"expired-active"_s;
}

QString trashFirstLine(const QString& content)
{
    for (QStringView line : QStringView(content).split(u'\n')) {
        const QStringView t = line.trimmed();
        if (!t.isEmpty())
            return t.size() > 200 ? t.left(199).toString() + u'…' : t.toString();
    }
    return {};
}

void noteSummariesOfTrash(TrashPreview& preview, const QList<QPair<QString, QStringList>>& sourceLists)
{
    if (preview.action != TrashAction::EmptyTrash)
        return;
    QHash<QString, qsizetype> at;
    for (qsizetype i = 0; i < preview.entries.size(); ++i)
        at.insert(preview.entries[i].id, i);
    for (const auto& [summary, sources] : sourceLists) {
        if (at.contains(summary))
            continue;
        for (const QString& source : sources) {
            if (const auto it = at.constFind(source); it != at.constEnd()) {
                QStringList& summaries = preview.entries[*it].summaries;
                if (!summaries.contains(summary))
                    summaries << summary;
            }
        }
    }
}

TrashPreview previewTrash(const StoreSpec& store, TrashAction action, const TrashOptions& options)
{
    if (options.olderThanDays < 0)
        throw StorageError(StorageError::Kind::InvalidInput, u"the number of days cannot be negative"_s);
    const qint64 now = options.now.value_or(QDateTime::currentSecsSinceEpoch());
    const qint64 cutoff = action == TrashAction::EmptyTrash ? now - qint64(options.olderThanDays) * 86400 : now;
    switch (store.kind) {
    case StoreSpec::Kind::Sqlite:
        return previewSqliteTrash(store.location, action, now, cutoff);
    case StoreSpec::Kind::Postgres:
        return postgresModule().previewTrash(store.location, action, now, cutoff);
    case StoreSpec::Kind::Filesystem:
        return previewFolderTrash(store.location, action, now, cutoff, options.key);
    case StoreSpec::Kind::Jsonl:
        break;
    }
    refuseJsonl(store);
}

StoreRepairReport runTrash(const StoreSpec& store, const TrashPreview& preview, const TrashOptions& options)
{
    if (store.kind == StoreSpec::Kind::Jsonl)
        refuseJsonl(store);
    if (preview.action == TrashAction::EmptyTrash) {
        if (store.kind == StoreSpec::Kind::Sqlite)
            return emptySqliteTrash(store.location, preview, options);
        if (store.kind == StoreSpec::Kind::Postgres)
            return postgresModule().emptyTrash(store.location, preview, options);
        return emptyFolderTrash(store.location, preview, options);
    }
    // Tombstone Expired is the expired-active repair (spec §15), of the previewed memories only and at the
    // preview's now: a memory no longer expired and live by then is skipped by the repair's own guard
    StoreRepairReport report;
    if (preview.entries.isEmpty())
        return report;
    // each memory only while it is what the preview read (another writer's edit meanwhile: skipped and named)
    if (store.kind == StoreSpec::Kind::Sqlite)
        report = tombstoneSqliteExpired(store.location, preview, options);
    else if (store.kind == StoreSpec::Kind::Postgres)
        report = postgresModule().tombstoneExpired(store.location, preview, options);
    else
        report = tombstoneFolderExpired(store.location, preview, options);
    // the plan reads the ids again: those it no longer finds expired and live are named, not silently dropped
    QSet<QString> named;
    for (const RepairChange& c : std::as_const(report.changes))
        named.insert(c.id);
    for (const RepairChange& c : std::as_const(report.skipped))
        named.insert(c.id);
    if (!report.cancelled) {
        for (const TrashEntry& e : preview.entries) {
            if (!named.contains(e.id))
                report.skipped << RepairChange {e.id, u"expired-active"_s,
                                                u"changed since the preview: no longer expired and live"_s};
        }
    }
    return report;
}

RepairImages trashUndoImages(const StoreSpec& store, const StoreRepairReport& report, qint64 maxBytes)
{
    QSet<QString> changed;
    QStringList ids;
    for (const RepairChange& change : std::as_const(report.changes)) {
        if (!changed.contains(change.id))
            ids << change.id;
        changed.insert(change.id);
    }
    if (report.backupPaths.isEmpty() || ids.isEmpty())
        return {};
    switch (store.kind) {
    case StoreSpec::Kind::Sqlite:
        return sqliteRepairImages(store.location, report.backupPaths, ids, {u"expired-active"_s}, maxBytes);
    case StoreSpec::Kind::Postgres:
        return postgresModule().repairImages(store.location, report.backupPaths.constLast(), changed);
    case StoreSpec::Kind::Filesystem:
        return folderRepairImages(QFileInfo(store.location).absoluteFilePath(), report.backupPaths.constFirst(),
                                  changed, maxBytes);
    case StoreSpec::Kind::Jsonl:
        break;
    }
    refuseJsonl(store);
}

QString trashBackupPlace(const StoreSpec& store, qint64 now, const QString& backupDir)
{
    switch (store.kind) {
    case StoreSpec::Kind::Sqlite:
        return sqliteRepairBackupPath(store.location, now);
    case StoreSpec::Kind::Postgres:
        return QDir(backupDir.isEmpty() ? QDir::currentPath() : backupDir).absolutePath() + u"/subcog-….backup-"_s
            + stamp(now) + u".jsonl"_s;
    case StoreSpec::Kind::Filesystem:
        return QFileInfo(QDir::cleanPath(QFileInfo(store.location).absoluteFilePath())).absoluteFilePath()
            + u".backup-"_s + stamp(now) + u'/';
    case StoreSpec::Kind::Jsonl:
        break;
    }
    return {};
}

} // namespace Inspector
