// SPDX-License-Identifier: MIT
#pragma once

#include "storecheck.h"

#include <QList>
#include <QSet>

namespace Inspector {

/// What a repair of a SQLite store may do (spec §15).
struct SqliteRepairOptions
{
    QStringList classes; ///< finding classes to fix; each one of sqliteRepairableClasses()
    QSet<QString> ids; ///< only the findings of these memories; empty: every finding of the classes
    bool dryRun = false; ///< plan and report, write nothing (no backup either)
    bool hardDelete = false; ///< missing-content: delete the row instead of tombstoning it
    std::optional<qint64> now; ///< Unix seconds taken as now (tombstones, expiry, the backup's name); default the clock
    int batchSize = 500; ///< memories per write transaction
    std::function<void()> beforeWrites; ///< called after the plan and the backup, before the first write
    /// Polled while checking and before each memory is written: true stops. Before the backup nothing is written;
    /// after it the memories written so far are committed and the rest are left (report.cancelled).
    CancelRequested cancelled;
    /// Called after each memory is written with how many of how many (the window's progress bar).
    std::function<void(qint64 done, qint64 total)> progress;
};

/// One change to one memory (or one of its edges), done or, in a dry run, planned.
struct RepairChange
{
    QString id;
    QString findingClass;
    QString what; ///< one line: what was changed from what to what
};

/// What a repair did.
struct SqliteRepairReport
{
    QString backupPath; ///< the VACUUM INTO copy written before the first change; empty when none was written
    /// Copies of vectors.idx and graph.db beside the store, written before the repair changes them (orphan-vector,
    /// orphan-mention); empty when neither changes.
    QStringList sideBackupPaths;
    QList<RepairChange> changes; ///< done, or in a dry run what would be done
    QList<RepairChange> skipped; ///< not done: changed since the check, or left for a person (`what` says why)
    qint64 memories = 0; ///< memories changed (or that would be)
    bool cancelled = false; ///< stopped by options.cancelled: `changes` lists what was committed before
};

/// The classes repairSqliteStore() fixes, in findingClasses() order.
QStringList sqliteRepairableClasses();
/// The classes with no safe automatic fix: a person has to decide (spec §15).
QStringList manualFindingClasses();

/**
 * Finds the findings of options.classes with checkSqliteStore(), reads each memory concerned and plans its fix from
 * what it holds then (a finding that no longer holds is skipped as changed), writes a backup with `VACUUM INTO` to a
 * new dated file beside the store, and writes the fixes in transactions of options.batchSize memories. Inside each
 * transaction every memory is read again and compared with what the plan was made from: one that changed is skipped
 * and reported, never overwritten. Memories and edges that no finding names are not written.
 * orphan-vector and orphan-mention change the files beside index.db (spec §14), after the memories: vectors.idx is
 * copied, then rewritten whole without the orphans' entries (the others byte for byte; a vectors.idx changed since
 * the plan is refused); graph.db is copied with `VACUUM INTO`, then the mentions are deleted and their entities'
 * mention_count decremented in one transaction. Either is left as it is when its memory exists by then. usearch's
 * binary vectors.usearch is not edited: its orphans are skipped for a person.
 * Throws StorageError when the store cannot be read or the backup cannot be written (nothing is written then), or
 * when a write fails (the batches before it stay committed).
 */
SqliteRepairReport repairSqliteStore(const QString& path, const SqliteRepairOptions& options);

/// The file a repair of the store at `path` started at `now` (Unix seconds) would write its backup to.
QString sqliteRepairBackupPath(const QString& path, qint64 now);

/// The creation time an id encodes (spec §3.1: `summary_<seconds>`, `[<namespace>-]<19-digit nanoseconds>`), if any.
std::optional<qint64> creationTimeFromId(const QString& id);

} // namespace Inspector
