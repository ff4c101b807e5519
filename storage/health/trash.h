// SPDX-License-Identifier: MIT
// Tombstone Expired and Empty Trash for every store kind: a preview that names the memories, then a run that
// touches exactly those, after the repair's backup (spec §10, §15).
#pragma once

#include "repairrules.h"
#include "repairundo.h"
#include "storeopener.h"

#include <algorithm>

namespace Inspector {

enum class TrashAction
{
    EmptyTrash, ///< hard-delete memories whose status is tombstoned, tombstoned at or before the cut-off
    TombstoneExpired, ///< tombstone live memories whose expires_at has passed (the expired-active repair)
};

/// Which time a preview entry shows: EmptyTrash takes tombstoned_at, or where only the status says tombstoned,
/// updated_at when it is set (PostgreSQL, folders: subcog's soft delete sets it with the status); with 0 days, a
/// memory without either shows created_at (SQLite keeps no updated_at); TombstoneExpired takes expires_at.
enum class TrashTime
{
    TombstonedAt,
    UpdatedAt,
    CreatedAt,
    ExpiresAt,
};

/// One memory a preview names.
struct TrashEntry
{
    QString id;
    QString namespaceName; ///< as stored
    QString firstLine; ///< the content's first non-empty line, at most 200 characters
    qint64 time = 0; ///< Unix seconds, of `timeSource`
    TrashTime timeSource = TrashTime::TombstonedAt;
    /// Memories that stay (not in this preview) and list this one in source_memory_ids: after Empty Trash they
    /// name a missing source (check's bad-summary).
    QStringList summaries;
    /// What the memory held when previewed (every column and full-text row, the row's JSON, or the file's bytes):
    /// Empty Trash leaves a memory alone when it differs.
    QByteArray fingerprint;
};

/// Why Empty Trash leaves out a memory that looks like trash.
enum class TrashLeftOutReason
{
    /// tombstoned_at is set (at or before the cut-off) but the status is not `tombstoned`: subcog's list, search
    /// and `gc --purge` take it as live (spec §1, §6.3); check's half-tombstoned, to repair first
    HalfTombstoned,
    /// the status says tombstoned but the store keeps no time for it (no tombstoned_at; SQLite keeps no updated_at,
    /// and PostgreSQL's or a file's is 0): how long it has been in the trash is unknown, so only 0 days takes it
    NoTombstoneTime,
    /// tombstoned_at holds something that is not a number of seconds
    UnreadableTime,
};

/// A memory Empty Trash's preview leaves out, and why.
struct TrashLeftOut
{
    QString id;
    TrashLeftOutReason reason = TrashLeftOutReason::HalfTombstoned;
    QString detail; ///< what the store holds, for a person (e.g. "tombstoned_at 'soon', status 'tombstoned'")
};

/// What a run will touch: the memories the preview read, with what they held then.
struct TrashPreview
{
    TrashAction action = TrashAction::EmptyTrash;
    qint64 now = 0; ///< Unix seconds the preview took as now (the run takes it too)
    qint64 cutoff = 0; ///< EmptyTrash: now − N days; TombstoneExpired: now
    QList<TrashEntry> entries; ///< oldest time first
    QList<TrashLeftOut> leftOut; ///< EmptyTrash: what looks like trash but is not taken, by id
    qsizetype leftOutCount(TrashLeftOutReason reason) const
    {
        return std::count_if(leftOut.begin(), leftOut.end(), [&](const TrashLeftOut& l) { return l.reason == reason; });
    }
};

struct TrashOptions
{
    int olderThanDays = 0; ///< EmptyTrash: tombstoned at least this many days before now (0: every one)
    std::optional<qint64> now; ///< Unix seconds taken as now; default the clock
    bool dryRun = false; ///< report what the run would do; write nothing, no backup
    QString backupDir; ///< PostgreSQL: where the backup files go; empty: the current directory
    std::optional<QByteArray> key; ///< folders: the key of encrypted files; SUBCOG_ENCRYPTION_KEY when not given
    std::function<void()> beforeWrites; ///< called after the plan and the backup, before the first write
    CancelRequested cancelled; ///< polled between memories: true stops (what was written stays)
    std::function<void(qint64 done, qint64 total)> progress;
    int batchSize = 500; ///< memories per write transaction (SQLite, PostgreSQL)
};

/// The class name a run's changes carry for each action (`empty-trash`; `expired-active`).
QString trashClass(TrashAction action);

/// Reads the memories an action would touch, in one read of the store; writes nothing. Throws StorageError.
TrashPreview previewTrash(const StoreSpec& store, TrashAction action, const TrashOptions& options = {});

/**
 * Runs the previewed action on exactly the preview's memories, through the repair pipeline: plan, backup (a SQLite
 * copy beside the file, PostgreSQL JSON Lines and `.rows.jsonl` in options.backupDir, a folder
 * `<folder>.backup-DATE/`), then writes, each memory compared again inside its write with what the plan read. Empty
 * Trash deletes a memory's row, full-text rows, edges, vector (vectors.idx, memory_vectors; a folder file holds its
 * own) and graph mentions, and only while the memory is still as the preview read it: one restored or changed since is
 * skipped and listed. Tombstone Expired is the expired-active repair of the preview's memories (one no longer expired
 * and live is skipped); its undo images come from trashUndoImages(). Throws StorageError (nothing is written when the
 * plan or the backup fails).
 */
StoreRepairReport runTrash(const StoreSpec& store, const TrashPreview& preview, const TrashOptions& options = {});

/// The rows or files a Tombstone Expired run changed, as its backup holds them and as the store holds them now, for
/// one undo step (see restoreRepairImages()). Throws StorageError.
RepairImages trashUndoImages(const StoreSpec& store, const StoreRepairReport& report,
                             qint64 maxBytes = 256LL * 1024 * 1024);

/// Where a run started at `now` would write its backup, in one line for a person.
QString trashBackupPlace(const StoreSpec& store, qint64 now, const QString& backupDir);

/// Fills each entry's `summaries` from every memory's (id, source ids) that lists one: the ones the preview itself
/// deletes do not count.
void noteSummariesOfTrash(TrashPreview& preview, const QList<QPair<QString, QStringList>>& sourceLists);

/// The first non-empty line of a memory's content, at most 200 characters.
QString trashFirstLine(const QString& content);

// each store kind's part (sqlitetrash.cpp, postgrestrash.cpp and postgresrepair.cpp, folderrepair.cpp)
TrashPreview previewSqliteTrash(const QString& path, TrashAction action, qint64 now, qint64 cutoff);
StoreRepairReport emptySqliteTrash(const QString& path, const TrashPreview& preview, const TrashOptions& options);
StoreRepairReport tombstoneSqliteExpired(const QString& path, const TrashPreview& preview, const TrashOptions& options);
TrashPreview previewPostgresTrash(const QString& url, TrashAction action, qint64 now, qint64 cutoff);
StoreRepairReport emptyPostgresTrash(const QString& url, const TrashPreview& preview, const TrashOptions& options);
StoreRepairReport tombstonePostgresExpired(const QString& url, const TrashPreview& preview,
                                           const TrashOptions& options);
TrashPreview previewFolderTrash(const QString& folder, TrashAction action, qint64 now, qint64 cutoff,
                                const std::optional<QByteArray>& key);
StoreRepairReport emptyFolderTrash(const QString& folder, const TrashPreview& preview, const TrashOptions& options);
StoreRepairReport tombstoneFolderExpired(const QString& folder, const TrashPreview& preview,
                                         const TrashOptions& options);

} // namespace Inspector
