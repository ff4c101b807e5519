// SPDX-License-Identifier: MIT
#pragma once

#include "repairrules.h"

namespace Inspector {

/// The classes repairPostgresStore() fixes, in findingClasses() order.
QStringList postgresRepairableClasses();

/**
 * Finds the findings of options.classes with checkPostgresStore(), reads each memory concerned (every column, as
 * `to_jsonb(row)`) and plans its fix from what it holds then, writes the backup (the memories as the inspector's
 * JSON Lines, and every row the repair touches verbatim in a `.rows.jsonl` file) to options.backupDir, and writes
 * the fixes in transactions of options.batchSize memories with bound parameters only. Inside each transaction the
 * rows are locked (`SELECT … FOR UPDATE`) and compared with what the plan was made from: a changed one is skipped
 * and reported, never overwritten. Orphan vectors and mentions are deleted only while still orphaned and unchanged.
 * Throws StorageError when the store cannot be read or the backup cannot be written (nothing is written then), or
 * when a write fails (the batches before it stay committed).
 */
StoreRepairReport repairPostgresStore(const QString& url, const StoreRepairOptions& options);

} // namespace Inspector
