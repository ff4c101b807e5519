// SPDX-License-Identifier: MIT
// The per-memory fixes of spec §15 that PostgreSQL and folder repairs share. Both hold a memory as a JSON object
// with the same keys (PostgreSQL's `to_jsonb(row)`, a folder file's object), so one set of rules edits both.
#pragma once

#include "repairtargets.h"
#include "sqliterepair.h"

#include <QJsonObject>

namespace Inspector {

/// What a repair of a PostgreSQL or folder store may do (spec §15).
struct StoreRepairOptions
{
    QStringList classes; ///< finding classes to fix; each one the store kind's repairable classes
    QSet<QString> ids; ///< only the findings of these memories (file names for damaged-file, leftover-temp)
    bool dryRun = false; ///< plan and report, write nothing (no backup either)
    std::optional<qint64> now; ///< Unix seconds taken as now; default the clock
    int batchSize = 500; ///< PostgreSQL: memories per write transaction
    QString backupDir; ///< PostgreSQL: where the backup files go; empty: the current directory
    std::optional<QByteArray> key; ///< folders: the key of encrypted files; SUBCOG_ENCRYPTION_KEY when not given
    std::function<void()> beforeWrites; ///< called after the plan and the backup, before the first write
    /// Polled while checking and between writes: true stops. Before the backup nothing is written; after it what
    /// was written so far stays (report.cancelled).
    CancelRequested cancelled;
    /// Called after each memory (PostgreSQL: each batch) is written with how many of how many.
    std::function<void(qint64 done, qint64 total)> progress;
};

struct StoreRepairReport
{
    QStringList backupPaths; ///< written before the first change; empty when none was written
    QList<RepairChange> changes; ///< done, or in a dry run what would be done
    QList<RepairChange> skipped; ///< not done: changed since the check, or left for a person
    qint64 memories = 0; ///< memories (or files, rows) changed, or that would be
    bool cancelled = false; ///< stopped by options.cancelled: `changes` lists what was written before
};

namespace RepairRules {

/// The store a memory object comes from: which keys it has and how they are typed.
struct Context
{
    qint64 now = 0;
    bool postgres = false; ///< domain is JSON text; tags and is_summary may be null
    std::function<bool(const QString&)> memoryExists; ///< bad-summary: does a source exist
};

/// The fixes and the findings left for a person or no longer there, of one memory or group.
struct Outcome
{
    QList<RepairChange> changes;
    QList<RepairChange> skipped;
};

/// Applies the fixes of `classes` (not duplicate-memory) to one memory, each only if its damage is still there;
/// a finding that no longer holds is skipped as changed since the check.
void fixMemory(QJsonObject& memory, const QSet<QString>& classes, const Context& context, Outcome& outcome);

/// duplicate-memory: when `kept` and each duplicate are still live copies of one content and `kept` is the oldest,
/// unions their tags and source ids onto `kept` and tombstones the duplicates; the others are skipped.
void mergeDuplicates(QJsonObject& kept, const QList<QJsonObject*>& duplicates, const Context& context,
                     Outcome& outcome);

/// Sets updated_at (where the memory has it) once a fix changed it, as spec §10 asks of every edit.
void touch(QJsonObject& memory, const QJsonObject& before, qint64 now);

/// Writes a new backup file atomically (temporary file, flush, rename); throws StorageError.
void writeBackupFile(const QString& path, const QByteArray& bytes);

/// A JSON value for a change's description: NULL, a number, `'text'`, or compact JSON.
QString shown(const QJsonValue& value);

} // namespace RepairRules
} // namespace Inspector
